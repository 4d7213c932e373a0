#!/bin/bash
# Exact counts along a bridged path.  Bridge topology (vm1 -> switch -> vm2):
# send N matching UDP datagrams (10.78.0.1 -> 10.78.0.2 port 11111) and M
# that do not match (half to another port, half to another host of vm2 on
# the same port), all crossing the same four devices.  The trace must count
# exactly N at each of the four hops, its latency histogram must hold N
# samples, and the latency pair must report N matched and 0 unmatched.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

N=1000
M=300

topo_bridge || { notok "count: topology" "topo_bridge failed"; exit 1; }
bridge_extra_addrs || { notok "count: topology" "cannot add the extra addresses"; exit 1; }

cat >"$T/count.vnt" <<EOF
import "net"
trace path {
    where udp and dst port 11111 and dst host $BR_IP_VM2
    hop vm1_tx = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    hop sw_in  = net.netif_receive("$BR_NS_SW/$BR_PORT1")
    hop sw_out = net.dev_xmit("$BR_NS_SW/$BR_PORT2")
    hop vm2_rx = net.netif_receive("$BR_NS_VM2/$BR_DEV_VM2")
    count() by hop
    count() by hop, dev
    hist(latency(vm1_tx, vm2_rx))
}
# Control: the non-matching datagrams did cross the first hop.
trace all_udp {
    where udp
    hop tx = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    count()
}
EOF

vnt_start count "$T/count.vnt" --duration 15 --format json || { notok "count: vnt run attaches" "see above"; exit 1; }
ok "count: vnt run attaches"
send matching "$BR_NS_VM1" "$BR_IP_VM1" "$BR_NS_VM2" "$BR_IP_VM2" 11111 "$N" --rate 20000 &&
	send other-port "$BR_NS_VM1" "$BR_IP_VM1" "$BR_NS_VM2" "$BR_IP_VM2" 11112 $((M / 2)) --rate 20000 &&
	send other-host "$BR_NS_VM1" "$BR_IP_VM1" "$BR_NS_VM2" "$BR_IP_VM2B" 11111 $((M - M / 2)) --rate 20000
traffic_rc=$?
if kill -0 "$VNT_RUN_PID" 2>/dev/null; then
	echo "# traffic finished while vnt was still tracing"
else
	notok "count: traffic finished within the run" "vnt ended before all traffic was sent: increase --duration"
fi
vnt_finish count
check_eq "count: vnt run exits 0" "$VNT_RUN_RC" 0
((traffic_rc == 0)) || exit 1

doc=$(final_doc count path)
if [[ -z $doc ]]; then
	notok "count: final JSON document" "none in the output: $(head -c 500 "$T/count.out")"
	exit 1
fi
ok "count: final JSON document"
all=$(final_doc count all_udp | py 'import json,sys; print(json.load(sys.stdin)["aggregations"][0]["rows"][0]["value"])' 2>&1)
check_eq "count: control trace (all UDP at vm1's device) counts N+M" "$all" $((N + M))

py '
import json, sys
d = json.loads(sys.argv[1]); N = int(sys.argv[2]); env = sys.argv[3:]
ns_vm1, dev_vm1, ns_sw, port1, port2, ns_vm2, dev_vm2 = env
bad = 0
def check(name, got, want):
    global bad
    if got == want:
        print("ok count: " + name)
    else:
        bad += 1
        print("not ok count: %s: got %r, want %r" % (name, got, want))

aggs = {a["title"]: a for a in d["aggregations"]}
byhop = {r["key"]["hop"]: r["value"] for r in aggs["count() by hop"]["rows"]}
for h in ("vm1_tx", "sw_in", "sw_out", "vm2_rx"):
    check("count() at hop %s == %d" % (h, N), byhop.get(h), N)
check("count() by hop has exactly the 4 hops", sorted(byhop), sorted(["vm1_tx", "sw_in", "sw_out", "vm2_rx"]))

want = {("vm1_tx", ns_vm1 + "/" + dev_vm1): N, ("sw_in", ns_sw + "/" + port1): N,
        ("sw_out", ns_sw + "/" + port2): N, ("vm2_rx", ns_vm2 + "/" + dev_vm2): N}
got = {(r["key"]["hop"], r["key"]["dev"]): r["value"] for r in aggs["count() by hop, dev"]["rows"]}
check("count() by hop, dev: one row per hop, its device, N each", got, want)

hops = {h["name"]: h["hits"] for h in d["hops"]}
check("hops[].hits == N at every hop", hops, {"vm1_tx": N, "sw_in": N, "sw_out": N, "vm2_rx": N})

h = aggs["hist(latency(vm1_tx, vm2_rx))"]
rows = h["rows"]
check("latency histogram: one row", len(rows), 1)
if rows:
    check("latency histogram: row count == N", rows[0]["count"], N)
    check("latency histogram: bucket total == N", sum(b["count"] for b in rows[0]["buckets"]), N)
lat = d["latency"]
check("one latency pair", [(l["from"], l["to"]) for l in lat], [("vm1_tx", "vm2_rx")])
if lat:
    check("latency started == N", lat[0]["started"], N)
    check("latency matched == N", lat[0]["matched"], N)
    check("latency unmatched == 0", lat[0]["unmatched"], 0)
check("lost == 0", d["lost"], {"events": 0, "skipped_runs": 0, "latency_unmatched": 0, "map_full": 0, "no_memory": 0, "refused": 0})
sys.exit(1 if bad else 0)
' "$doc" "$N" "$BR_NS_VM1" "$BR_DEV_VM1" "$BR_NS_SW" "$BR_PORT1" "$BR_PORT2" "$BR_NS_VM2" "$BR_DEV_VM2"
exit 0
