#!/bin/bash
# Across a VXLAN overlay (topo_vxlan): vm1 -> host1 bridge -> vxlan (encap)
# -> underlay veth -> host2 -> vxlan (decap) -> bridge -> vm2.
# Hops: vm1 transmit, host1's underlay transmit (the outer packet, UDP to
# 4789 carrying the datagram), vm2 receive.  With `where udp and dst port
# 11111` the default filter matches the inner packet at the underlay hop, so
# all three hops count exactly N, and the latency pairs across the
# encapsulation (same fingerprint: the inner packet's) match all N.
# M datagrams to another port cross the same path and must not count.
# Control traces: `outer(udp dst port 4789)` at the underlay sees all
# N + M encapsulated packets; `outer(udp dst port 11111)` there sees none;
# `inner(udp dst port 11111)` (and `vni 42 and inner(...)`) see the N.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

N=1000
M=300

topo_vxlan || { notok "vxlan: topology" "topo_vxlan failed"; exit 1; }

cat >"$T/vxlan.vnt" <<EOF
import "net"
trace path {
    where udp and dst port 11111
    hop vm1_tx   = net.dev_xmit("$VX_NS_VM1/$VX_DEV_VM1")
    hop under_tx = net.dev_xmit("$VX_NS_HOST1/$VX_UNDER1")
    hop vm2_rx   = net.netif_receive("$VX_NS_VM2/$VX_DEV_VM2")
    count() by hop
    hist(latency(vm1_tx, vm2_rx))
    avg(latency(vm1_tx, under_tx))
    count() at under_tx by flow
}
trace outer_all {
    where outer(udp dst port $VX_DSTPORT)
    hop u = net.dev_xmit("$VX_NS_HOST1/$VX_UNDER1")
    count()
}
trace outer_app {
    where outer(udp dst port 11111)
    hop u = net.dev_xmit("$VX_NS_HOST1/$VX_UNDER1")
    count()
}
trace inner_app {
    where inner(udp dst port 11111)
    hop u = net.dev_xmit("$VX_NS_HOST1/$VX_UNDER1")
    count()
}
trace vni_app {
    where vni $VX_VNI and inner(udp and dst port 11111 and src host $VX_IP_VM1)
    hop u = net.dev_xmit("$VX_NS_HOST1/$VX_UNDER1")
    count()
}
EOF

vnt_start vxlan "$T/vxlan.vnt" --duration 15 --format json || { notok "vxlan: vnt run attaches" "see above"; exit 1; }
ok "vxlan: vnt run attaches"
send matching "$VX_NS_VM1" "$VX_IP_VM1" "$VX_NS_VM2" "$VX_IP_VM2" 11111 "$N" --rate 20000 &&
	send other "$VX_NS_VM1" "$VX_IP_VM1" "$VX_NS_VM2" "$VX_IP_VM2" 11112 "$M" --rate 20000
traffic_rc=$?
kill -0 "$VNT_RUN_PID" 2>/dev/null ||
	notok "vxlan: traffic finished within the run" "vnt ended before all traffic was sent: increase --duration"
vnt_finish vxlan
check_eq "vxlan: vnt run exits 0" "$VNT_RUN_RC" 0
((traffic_rc == 0)) || exit 1

doc=$(final_doc vxlan path)
[[ -n $doc ]] || { notok "vxlan: final JSON document" "none: $(head -c 500 "$T/vxlan.out")"; exit 1; }
py '
import json, sys
d = json.loads(sys.argv[1]); N = int(sys.argv[2]); ip1, ip2 = sys.argv[3:5]
def eq(name, got, want):
    print(("ok vxlan: %s" % name) if got == want else ("not ok vxlan: %s: got %r, want %r" % (name, got, want)))
A = {a["title"]: a for a in d["aggregations"]}
byhop = {r["key"]["hop"]: r["value"] for r in A["count() by hop"]["rows"]}
for h in ("vm1_tx", "under_tx", "vm2_rx"):
    eq("count at hop %s == N (%d)" % (h, N), byhop.get(h), N)
eq("hops[].hits", d["hops"], [{"name": h, "hits": N} for h in ("vm1_tx", "under_tx", "vm2_rx")])
rows = A["hist(latency(vm1_tx, vm2_rx))"]["rows"]
eq("latency vm1_tx -> vm2_rx histogram holds N", rows[0]["count"] if rows else 0, N)
lat = {(l["from"], l["to"]): (l["started"], l["matched"], l["unmatched"]) for l in d["latency"]}
eq("latency vm1_tx -> vm2_rx: N started, N matched, 0 unmatched", lat.get(("vm1_tx", "vm2_rx")), (N, N, 0))
eq("latency vm1_tx -> under_tx (across the encapsulation): N matched, 0 unmatched",
   lat.get(("vm1_tx", "under_tx")), (N, N, 0))
eq("flow at the underlay hop is the inner flow",
   [(r["key"]["flow"].split(" > ")[1], r["value"]) for r in A["count() at under_tx by flow"]["rows"]],
   [("%s:11111 udp" % ip2, N)])
eq("lost == 0", d["lost"], {"events": 0, "skipped_runs": 0, "latency_unmatched": 0, "map_full": 0, "no_memory": 0, "refused": 0})
' "$doc" "$N" "$VX_IP_VM1" "$VX_IP_VM2"

for spec in "outer_all $((N + M))" "outer_app 0" "inner_app $N" "vni_app $N"; do
	read -r tr want <<<"$spec"
	got=$(final_doc vxlan "$tr" | py 'import json,sys; print(sum(r["value"] for r in json.load(sys.stdin)["aggregations"][0]["rows"]))' 2>&1)
	f=$(awk -v t="$tr" '$1 == "trace" && $2 == t { getline; sub(/^ *where /, ""); print; exit }' "$T/vxlan.vnt")
	check_eq "vxlan: control trace $tr ($f) at the underlay counts $want" "$got" "$want"
done
exit 0
