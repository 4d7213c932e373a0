#!/bin/bash
# One dispatcher, 64 agents (vnt-agent processes on loopback ports, TLS with
# mutual certificates, tests/lib/fleet.sh): the package is loaded on all 64
# before any is started, every agent attaches and sees every one of the N
# datagrams sent across a veth pair, and the store has N events from each
# of the 64 hosts, exactly.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"
. "$VNT_TOP/tests/lib/fleet.sh"

AGENTS=${FLEET_AGENTS:-64}
N=300
need_openssl || exit 0
topo_veth_pair || { notok "fleet64: topology" "topo_veth_pair failed"; exit 1; }
fleet_certs "$AGENTS" || { notok "fleet64: certificates" "$(tail -3 "$T/pki.log")"; exit 1; }
fleet_agents "$AGENTS" || { notok "fleet64: $AGENTS agents start" "see above"; exit 1; }
ok "fleet64: $AGENTS agents listening on 127.0.0.1"
printf 'import "net"\ntrace t {\n    where udp and dst port 11111\n    hop tx = net.dev_xmit("%s/%s")\n    count() by hop\n    events\n}\n' \
	"$VP_NS_A" "$VP_DEV_A" >"$T/fleet.vnt"
"$VNT" compile -o "$T/fleet.vntpkg" "$T/fleet.vnt" 2>"$T/compile.err" || { notok "fleet64: compile" "$(cat "$T/compile.err")"; exit 1; }
fleet_hosts "$T/hosts" 1 "$AGENTS"

t0=$(date +%s.%N)
"$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" --hosts "$T/hosts" \
	--db "$T/fleet.db" --duration 4 "$T/fleet.vntpkg" >"$T/d.out" 2>"$T/d.err" &
DPID=$!
for _ in $(seq 1 1200); do
	grep -q 'attached; tracing' "$T/d.err" 2>/dev/null && break
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.1
done
t1=$(date +%s.%N)
echo "# setup (connect, clocks, load on all, start on all): $(python3 -c "import sys; print('%.1f s' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$t1")"
send fleet "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 "$N" --rate 1000
wait "$DPID"
rc=$?
head -3 "$T/d.out" | sed 's/^/# /'
check_eq "fleet64: the dispatch of $AGENTS agents ends well" "$rc" 0
[[ $rc == 0 ]] || sed 's/^/# /' "$T/d.err" | head -20
check_eq "fleet64: $AGENTS status lines, each: 1 hop attached, $N events, 0 lost" \
	"$(grep -c "^agent[0-9]*: 1 hop attached (tx), $N events, 0 lost" "$T/d.out")" "$AGENTS"
# Loaded everywhere before started anywhere: in the agents' logs (ms
# timestamps, one clock), the last "trace loaded" is before the first
# "trace started".
py '
import glob, sys
loads, starts = [], []
for p in glob.glob(sys.argv[1] + "/fleet-agent*.log"):
    for line in open(p, errors="replace"):
        if "trace loaded" in line:
            loads.append(line[:23])
        elif "trace started" in line:
            starts.append(line[:23])
agents = int(sys.argv[2])
print("# %d loads (last %s), %d starts (first %s)" % (len(loads), max(loads or [""]), len(starts), min(starts or [""])))
good = len(loads) == agents and len(starts) == agents and max(loads) <= min(starts)
print(("ok" if good else "not ok") + " fleet64: loaded on all %d agents before started on any" % agents)
' "$T" "$AGENTS"
py '
import sqlite3, sys
n, agents, db = int(sys.argv[1]), int(sys.argv[2]), sqlite3.connect(sys.argv[3])
run = db.execute("select max(id) from runs").fetchone()[0]
rows = db.execute("select h.name, count(e.id), h.events, h.status from hosts h left join events e on e.host_id = h.id"
                  " and e.run_id = h.run_id where h.run_id = ? group by h.id", (run,)).fetchall()
bad = [r for r in rows if r[1] != n or r[2] != n or r[3] != "ok"]
print("# %d hosts in run %d; e.g. %r" % (len(rows), run, rows[:2]))
print(("ok" if len(rows) == agents and not bad else "not ok") +
      " fleet64: the store has %d events from each of the %d hosts%s" % (n, agents, "" if not bad and len(rows) == agents else ": %d hosts, wrong: %r" % (len(rows), bad[:5])))
' "$N" "$AGENTS" "$T/fleet.db"
exit 0
