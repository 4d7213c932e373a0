#!/bin/bash
# Latency pairing and its loss accounting, with exact numbers.  Veth pair
# a -> b.  The first hop is a hop point defined in the script with its own
# filter (only frames longer than 500 bytes), the second sees every
# matching packet.  Sending N1 small and N2 large datagrams:
#   started = N2, matched = N2, unmatched = N1 (seen at the second hop with
#   nothing remembered), lost.latency_unmatched = N1, histogram samples = N2;
# the count at each hop follows its own filter (N2 at the first, N1 + N2 at
# the second).  A second pair in the opposite sense of the filters
# (first hop sees all, second only large ones) has started = N1 + N2,
# matched = N2, unmatched = 0.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

N1=300 N2=200

topo_veth_pair || { notok "latency: topology" "topo_veth_pair failed"; exit 1; }

cat >"$T/latency.vnt" <<EOF
import "net"
hop big_xmit(d) = tp_btf("net_dev_start_xmit") where dev d and len > 500
hop big_recv(d) = tp_btf("netif_receive_skb") where dev d and len > 500
trace partial_from {
    where udp and dst port 11111
    hop a = big_xmit("$VP_NS_A/$VP_DEV_A")
    hop b = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    count() by hop
    hist(latency(a, b))
}
trace partial_to {
    where udp and dst port 11111
    hop a = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop b = big_recv("$VP_NS_B/$VP_DEV_B")
    count() by hop
    hist(latency(a, b))
}
EOF

vnt_start latency "$T/latency.vnt" --duration 12 --format json || { notok "latency: vnt run attaches" "see above"; exit 1; }
ok "latency: vnt run attaches"
send small "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 $N1 --size 64 --rate 20000 &&
	send large "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 $N2 --size 1000 --rate 20000
traffic_rc=$?
kill -0 "$VNT_RUN_PID" 2>/dev/null ||
	notok "latency: traffic finished within the run" "vnt ended before all traffic was sent: increase --duration"
vnt_finish latency
check_eq "latency: vnt run exits 0" "$VNT_RUN_RC" 0
((traffic_rc == 0)) || exit 1

py '
import json, sys
docs = {}
for l in open(sys.argv[1]):
    try:
        d = json.loads(l)
    except ValueError:
        continue
    if d.get("type") == "final":
        docs[d["trace"]] = d
N1, N2 = int(sys.argv[2]), int(sys.argv[3])
def eq(name, got, want):
    print(("ok latency: %s" % name) if got == want else ("not ok latency: %s: got %r, want %r" % (name, got, want)))
for tr, hits, lat in (("partial_from", {"a": N2, "b": N1 + N2}, (N2, N2, N1)),
                      ("partial_to", {"a": N1 + N2, "b": N2}, (N1 + N2, N2, 0))):
    d = docs.get(tr)
    if d is None:
        print("not ok latency: %s: no final document" % tr)
        continue
    byhop = {r["key"]["hop"]: r["value"] for r in d["aggregations"][0]["rows"]}
    eq("%s: count at each hop follows its own filter" % tr, byhop, hits)
    l = d["latency"][0] if d["latency"] else {}
    eq("%s: started, matched, unmatched" % tr, (l.get("started"), l.get("matched"), l.get("unmatched")), lat)
    rows = d["aggregations"][1]["rows"]
    eq("%s: histogram samples == matched" % tr, rows[0]["count"] if rows else 0, lat[1])
    eq("%s: lost.latency_unmatched" % tr, d["lost"]["latency_unmatched"], lat[2])
' "$T/latency.out" "$N1" "$N2"
exit 0
