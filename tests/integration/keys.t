#!/bin/bash
# Keyed aggregations add up their two places exactly: a per-CPU front
# cache of a few keys (bpf-templates/vnt_common.h, vnt_aggc_find) and the
# hash map behind it. Veth pair a -> b; 600 destination ports, port
# 20000 + i gets 1 + i % 5 datagrams of 10 + i % 7 bytes, sent in turn
# from CPU 0 and CPU 1 (the transmit hop runs on the sender's CPU), so
# most keys are in both CPUs' caches or in a cache and the hash map
# (600 keys, 256 cache slots). Every row must hold exactly its port's
# count, byte sum, minimum, maximum and histogram.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

NPORTS=600 BASE=20000

topo_veth_pair || { notok "keys: topology" "topo_veth_pair failed"; exit 1; }

cat >"$T/keys.vnt" <<EOF
import "net"
trace k {
    where udp and src port 33333
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    count() by dport
    sum(len) by dport
    min(len) by dport
    max(len) by dport
    hist(len) by dport
}
EOF

vnt_start keys "$T/keys.vnt" --duration 30 --format json || { notok "keys: vnt run attaches" "see above"; exit 1; }
ok "keys: vnt run attaches"

# One sender per CPU, each taking every other datagram of every port.
send_half() {
	topo_exec "$VP_NS_A" taskset -c "$1" python3 -c '
import socket, sys, time
cpu, n, base, src, dst = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind((src, 33333))
sent = 0
for i in range(n):
    for j in range(1 + i % 5):
        if j % 2 == cpu:
            s.sendto(b"x" * (10 + i % 7), (dst, base + i))
            sent += 1
            if sent % 200 == 0:
                time.sleep(0.002)
print(sent)
' "$1" "$NPORTS" "$BASE" "$VP_IP_A" "$VP_IP_B"
}
s0=$(send_half 0) s1=$(send_half 1)
want_total=$(py 'import sys; n=int(sys.argv[1]); print(sum(1 + i % 5 for i in range(n)))' "$NPORTS")
check_eq "keys: datagrams sent from both CPUs" "$((s0 + s1))" "$want_total"
sleep 0.5
kill -INT "$VNT_RUN_PID" 2>/dev/null
vnt_finish keys
check_eq "keys: vnt run exits 0" "$VNT_RUN_RC" 0

final_doc keys k >"$T/keys.final"
[[ -s $T/keys.final ]] || { notok "keys: final JSON document" "none: $(head -c 300 "$T/keys.out")"; exit 1; }
py '
import json, sys
d = json.load(open(sys.argv[1])); n, base = int(sys.argv[2]), int(sys.argv[3])
frame = lambda i: 14 + 20 + 8 + 10 + i % 7
want = {str(base + i): (1 + i % 5, frame(i)) for i in range(n)}
aggs = {a["title"]: a for a in d["aggregations"]}
def rows(title):
    return {r["key"]["dport"]: r for r in aggs[title]["rows"]}
def report(name, bad):
    print(("ok keys: " if not bad else "not ok keys: ") + name + ("" if not bad else ": %d wrong, e.g. %s" % (len(bad), bad[:3])))
for title, val in (("count() by dport", lambda c, l: c), ("sum(len) by dport", lambda c, l: c * l),
                   ("min(len) by dport", lambda c, l: l), ("max(len) by dport", lambda c, l: l)):
    got = rows(title)
    bad = [(k, got.get(k, {}).get("value"), val(*w)) for k, w in want.items() if got.get(k, {}).get("value") != val(*w)]
    bad += [(k, "extra row") for k in got if k not in want]
    report("%s: %d rows, each exact" % (title, n), bad)
got = rows("hist(len) by dport")
bad = [(k, got.get(k, {}).get("count"), w[0]) for k, w in want.items() if got.get(k, {}).get("count") != w[0]]
report("hist(len) by dport: %d rows, each with its count" % n, bad)
print("# map_full: %s" % [a["map_full"] for a in d["aggregations"]])
' "$T/keys.final" "$NPORTS" "$BASE"
