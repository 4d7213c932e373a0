#!/bin/bash
# Keyed aggregations under a burst of new keys from both CPUs (issue 12).
# Veth pair a -> b; in each round two senders, pinned to CPU 0 and CPU 1,
# send at once as fast as they can one datagram to each of N destination
# ports (N below the map's 10240 keys): every key is new, and each is
# inserted by both CPUs within microseconds of each other. The CPU-0
# sender's datagrams carry 20 bytes, the CPU-1 sender's 30, so every
# port's count, sum, minimum, maximum and histogram are known exactly.
#
# Before the keyed maps were preallocated (bpf-templates/vnt_common.h,
# vnt_lookup_or_init), every round of this test lost some updates: the
# kernel's per-CPU allocator could not keep up and new keys were refused
# with ENOMEM (counted as "map full"), 5-12 per aggregation per round.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

N=${VNT_BURST_KEYS:-9000} BASE=20000 ROUNDS=${VNT_BURST_ROUNDS:-5}

topo_veth_pair || { notok "keys_burst: topology" "topo_veth_pair failed"; exit 1; }

cat >"$T/burst.vnt" <<EOF
import "net"
trace k {
    where udp and src portrange 33333-33334
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    count() by dport
    sum(len) by dport
    min(len) by dport
    max(len) by dport
    hist(len) by dport
    lhist(len, 0, 100, 10) by dport
}
EOF

burst() { # CPU SPORT SIZE: one datagram to each of the N ports
	topo_exec "$VP_NS_A" taskset -c "$1" "$UDPGEN" --src "$VP_IP_A" --sport "$2" --dst "$VP_IP_B" \
		--dport "$BASE" --dport-span "$N" --count "$N" --size "$3"
}

for ((r = 1; r <= ROUNDS; r++)); do
	name="keys_burst: round $r"
	vnt_start "burst$r" "$T/burst.vnt" --duration 60 --format json ||
		{ notok "$name: vnt run attaches" "see above"; continue; }
	t0=$(date +%s%N)
	burst 0 33333 20 >"$T/s0.$r" &
	p0=$!
	burst 1 33334 30 >"$T/s1.$r"
	wait "$p0"
	t1=$(date +%s%N)
	sent=$(($(cat "$T/s0.$r") + $(cat "$T/s1.$r")))
	echo "# round $r: $sent datagrams to $N new keys from two CPUs in $(((t1 - t0) / 1000000)) ms"
	sleep 0.3
	kill -INT "$VNT_RUN_PID" 2>/dev/null
	vnt_finish "burst$r"
	if [[ $sent != $((2 * N)) || $VNT_RUN_RC != 0 ]]; then
		notok "$name" "sent $sent of $((2 * N)), vnt run exited $VNT_RUN_RC"
		continue
	fi
	final_doc "burst$r" k >"$T/burst.final"
	py '
import json, sys
d = json.load(open(sys.argv[1])); n, base, name = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lo, hi = 14 + 20 + 8 + 20, 14 + 20 + 8 + 30          # frame lengths of the two senders
want = {"count": 2, "sum": lo + hi, "min": lo, "max": hi}
slot = lambda v: 0 if v == 0 else v.bit_length()     # log2 bucket (vnt_log2_slot)
bad, refused = [], {}
for a in d["aggregations"]:
    kind, rows = a["kind"], {r["key"]["dport"]: r for r in a["rows"]}
    refused[a["title"]] = (a["map_full"], a.get("no_memory", 0), a.get("refused", 0))
    for i in range(n):
        r = rows.get(str(base + i))
        if r is None:
            bad.append((a["title"], base + i, "missing")); continue
        if kind in ("hist", "lhist"):
            got = sorted((b["lo"], b["count"]) for b in r["buckets"])
            if kind == "hist":
                exp = sorted({(0 if slot(v) == 0 else 2 ** (slot(v) - 1), 1) for v in (lo, hi)})
            else:
                exp = sorted({(v // 10 * 10, 1) for v in (lo, hi)})
            if r["count"] != 2 or got != exp:
                bad.append((a["title"], base + i, r["count"], got))
        elif r["value"] != want[kind]:
            bad.append((a["title"], base + i, r["value"], want[kind]))
    if len(rows) != n:
        bad.append((a["title"], "rows", len(rows)))
lost = d["lost"]
print("# refused (map_full, no_memory, refused) per aggregation: %s" % refused)
ok = not bad and lost["map_full"] == lost.get("no_memory", 0) == lost.get("refused", 0) == 0
print(("ok " if ok else "not ok ") + name + ": %d keys x 6 aggregations exact, none refused" % n +
      ("" if ok else ": %d wrong, e.g. %s; lost %s" % (len(bad), bad[:3], lost)))
' "$T/burst.final" "$N" "$BASE" "$name"
done
exit 0
