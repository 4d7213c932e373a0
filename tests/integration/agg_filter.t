#!/bin/bash
# An aggregation's own filter, `count() if FILTER` (issue 17, item 11):
# SYNs per port and every TCP packet's latency in one trace. Veth pair
# a -> b; 12 connections to a listening port of b (each sends a SYN, then
# data) and 7 to a closed port (a SYN each, answered with a reset). At a's
# transmit the SYN-only count by dport must be exactly 12 and 7, while the
# unfiltered count and the latency see every TCP packet a sends.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

topo_veth_pair || { notok "agg_filter: topology" "topo_veth_pair failed"; exit 1; }
OPEN=5601 CLOSED=5602 NOPEN=12 NCLOSED=7
cat >"$T/syn.vnt" <<EOF2
import "net"
trace t {
    where tcp and host $VP_IP_B
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop rx = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    count() if tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0 at tx by dport
    count() at tx
    hist(latency(tx, rx))
}
EOF2
topo_exec "$VP_NS_B" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(64); s.settimeout(20)
for _ in range(int(sys.argv[3])):
    c, _ = s.accept(); c.settimeout(5)
    while c.recv(4096): pass
    c.close()
' "$VP_IP_B" "$OPEN" "$NOPEN" &
server=$!
sleep 0.3
vnt_start syn "$T/syn.vnt" --duration 60 --format json || { notok "agg_filter: vnt run attaches" "see above"; exit 1; }
topo_exec "$VP_NS_A" python3 -c '
import socket, sys
ip, op, cp, no, nc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
for _ in range(no):
    c = socket.create_connection((ip, op), timeout=5); c.sendall(b"x" * 100); c.close()
refused = 0
for _ in range(nc):
    try:
        socket.create_connection((ip, cp), timeout=5)
    except ConnectionRefusedError:
        refused += 1
print(refused)
' "$VP_IP_B" "$OPEN" "$CLOSED" "$NOPEN" "$NCLOSED" >"$T/refused"
wait "$server"
sleep 0.5
kill -INT "$VNT_RUN_PID"
vnt_finish syn
check_eq "agg_filter: the closed port refused every connection" "$(cat "$T/refused")" "$NCLOSED"
final_doc syn t >"$T/final"
py '
import json, sys
d = json.load(open(sys.argv[1])); op, cp, no, nc = sys.argv[2:6]
aggs = {a["title"].split(" ")[0] + (" if" if " if " in a["title"] else ""): a for a in d["aggregations"]}
syn = {r["key"]["dport"]: r["value"] for r in aggs["count() if"]["rows"]}
ok = syn == {op: int(no), cp: int(nc)}
print(("ok" if ok else "not ok") + " agg_filter: SYNs by dport are exactly the connections made" + ("" if ok else ": %r" % syn))
total = aggs["count()"]["rows"][0]["value"]
lat = sum(r["count"] for r in aggs["hist(latency(tx,"]["rows"]) if "hist(latency(tx," in aggs else None
ok = total >= 4 * int(no) + int(nc) and lat == total
print(("ok" if ok else "not ok") + " agg_filter: the unfiltered count and the latency see every TCP packet (%s, %s)" % (total, lat))
' "$T/final" "$OPEN" "$CLOSED" "$NOPEN" "$NCLOSED"
exit 0
