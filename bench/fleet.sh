#!/usr/bin/env bash
# bench/fleet.sh — how far one dispatcher goes (issue 15): 8, 16, 32 and 64
# agents (vnt-agent on loopback ports, TLS; tests/lib/fleet.sh), each
# tracing one hop with `events`; 2000 datagrams sent while they trace.
# For each size: setup time (vnt dispatch started -> every host loaded and
# started: its "tracing" line), the dispatcher's peak RSS and CPU (user +
# sys) over the whole run, and whether every agent counted every datagram.
# Called by bench/run; alone: bench/fleet.sh [--sizes 8,16,32,64]. JSON in
# bench/out/fleet.json.
set -uo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
sizes=8,16,32,64
[[ ${1:-} == --sizes ]] && sizes=$2
[[ $(id -u) -eq 0 ]] || { echo "bench/fleet.sh: needs root" >&2; exit 1; }
OUT=$BENCH/out/fleet
rm -rf "$OUT"
mkdir -p "$OUT"
export VNT_TOP=$TOP VNT=$TOP/vnt VNT_TEST_TMP=$OUT UDPGEN=$TOP/tests/tools/udpgen UDPSINK=$TOP/tests/tools/udpsink
# shellcheck source=../tests/hosts/lib.sh
. "$TOP/tests/hosts/lib.sh"
. "$TOP/tests/lib/fleet.sh"
N=2000
max=$(tr ',' '\n' <<<"$sizes" | sort -n | tail -1)
topo_veth_pair || exit 1
fleet_certs "$max" || exit 1
printf 'import "net"\ntrace t {\n    where udp and dst port 11111\n    hop tx = net.dev_xmit("%s/%s")\n    count() by hop\n    events\n}\n' \
	"$VP_NS_A" "$VP_DEV_A" >"$T/fleet.vnt"
"$VNT" compile -o "$T/fleet.vntpkg" "$T/fleet.vnt" || exit 1
: >"$OUT/rows"
for n in ${sizes//,/ }; do
	fleet_agents "$n" || exit 1
	fleet_hosts "$T/hosts" 1 "$n"
	rm -f "$T/fleet.db"*
	python3 "$BENCH/lib/measure.py" "$T/d.out" "$T/d.time" "$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" \
		--ca "$PKI/ca.crt" --hosts "$T/hosts" --db "$T/fleet.db" --duration 4 -q "$T/fleet.vntpkg" 2>"$T/d.err" &
	MP=$!
	t0=$(date +%s.%N)
	# -q: no progress lines; the first snapshot stored says tracing began.
	for _ in $(seq 1 1200); do
		[[ -s $T/fleet.db ]] && python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); sys.exit(0 if c.execute("select count(*) from hosts").fetchone()[0] >= int(sys.argv[2]) else 1)' "$T/fleet.db" "$n" 2>/dev/null && break
		sleep 0.05
	done
	t1=$(date +%s.%N)
	topo_exec "$VP_NS_A" "$UDPGEN" --dst "$VP_IP_B" --dport 11111 --count "$N" --rate 2000 >/dev/null 2>&1
	wait "$MP"
	rc=$?
	good=$(grep -c "^agent[0-9]*: 1 hop attached (tx), $N events, 0 lost" "$T/d.out")
	read -r wall rss user sys <"$T/d.time"
	setup=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$t1")
	echo "$n $setup $wall $rss $user $sys $good $rc" >>"$OUT/rows"
	echo "   $n agents: setup ${setup}s, dispatcher ${rss} KB peak, ${user}s user + ${sys}s sys over ${wall}s; $good of $n agents counted all $N; rc $rc" >&2
	fleet_stop
done
python3 - "$OUT/rows" "$N" <<'PY'
import json, sys
rows = [l.split() for l in open(sys.argv[1])]
print("\nOne dispatcher, many agents (bench/fleet.sh): loopback TLS agents, one hop each, %s datagrams" % sys.argv[2])
print("  %6s %9s %12s %12s %10s %s" % ("agents", "setup", "peak RSS", "CPU (u+s)", "run", "all counted"))
out = []
for n, setup, wall, rss, user, sys_, good, rc in rows:
    print("  %6s %8.2fs %9.1f MB %11.2fs %9.1fs %s" % (n, float(setup), int(rss) / 1024, float(user) + float(sys_),
                                                     float(wall), "yes" if good == n and rc == "0" else "NO (%s, rc %s)" % (good, rc)))
    out.append({"agents": int(n), "setup_s": float(setup), "rss_kb": int(rss), "cpu_s": float(user) + float(sys_),
                "wall_s": float(wall), "all_counted": good == n and rc == "0"})
json.dump(out, open(sys.argv[1].rsplit("/", 2)[0] + "/fleet.json", "w"), indent=1)
PY
