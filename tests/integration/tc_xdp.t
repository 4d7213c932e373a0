#!/bin/bash
# tc and XDP hops on devices inside namespaces.  Bridge topology, path
# vm1 -> switch port1 -> bridge -> port2 -> vm2.  Hops, in path order:
#   x1  = xdp.rx(switch/port1)         x2  = xdp.rx(vm2/dev)
#   in1 = tc.ingress(switch/port1)     in2 = tc.ingress(vm2/dev)
#   out2 = tc.egress(switch/port2)
# N matching and M non-matching datagrams: every hop counts exactly N, the
# latency x1 -> in2 matches all N, and the packets still arrive (the hooks
# never change a packet's fate: udpsink receives all of them).  While the
# run is on, `bpftool net` shows our XDP programs on the two devices; after
# it, nothing is attached in those namespaces and none of the programs and
# links the vnt process held exists any more.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

N=1000
M=200

topo_bridge || { notok "tc_xdp: topology" "topo_bridge failed"; exit 1; }

cat >"$T/tcxdp.vnt" <<EOF
import "tc"
import "xdp"
trace t {
    where udp and dst port 11111
    hop x1   = xdp.rx("$BR_NS_SW/$BR_PORT1")
    hop in1  = tc.ingress("$BR_NS_SW/$BR_PORT1")
    hop out2 = tc.egress("$BR_NS_SW/$BR_PORT2")
    hop x2   = xdp.rx("$BR_NS_VM2/$BR_DEV_VM2")
    hop in2  = tc.ingress("$BR_NS_VM2/$BR_DEV_VM2")
    count() by hop
    hist(latency(x1, in2))
}
EOF

# bpftool net in a namespace: "xdp=DEV:ID,... tc=DEV:ID,..." (empty lists: "xdp= tc=")
net_state() {
	topo_exec "$1" bpftool -j net show 2>&1 | py '
import json, sys
try:
    d = json.load(sys.stdin)[0]
except Exception as e:
    print("unparsable: %s" % e); sys.exit(0)
x = ",".join("%s:%s" % (e.get("devname"), e.get("id")) for e in d.get("xdp", []))
t = ",".join("%s:%s" % (e.get("devname"), e.get("id")) for e in d.get("tc", []))
print("xdp=%s tc=%s" % (x, t))'
}

before_sw=$(net_state "$BR_NS_SW") before_vm2=$(net_state "$BR_NS_VM2")
echo "# before: switch: $before_sw; vm2: $before_vm2"

vnt_start tcxdp "$T/tcxdp.vnt" --duration 15 --format json || { notok "tc_xdp: vnt run attaches" "see above"; exit 1; }
ok "tc_xdp: vnt run attaches 5 tc/xdp hops"
pid=$VNT_RUN_PID
bpf_ids_of "$pid" >"$T/ids"
echo "# vnt (pid $pid) holds: $(tr '\n' ' ' <"$T/ids")"
during_sw=$(net_state "$BR_NS_SW") during_vm2=$(net_state "$BR_NS_VM2")
echo "# during: switch: $during_sw; vm2: $during_vm2"
# The XDP programs bpftool shows are the vnt process's own.
xdp_ids_ok=1
for e in "$during_sw" "$during_vm2"; do
	id=$(sed -n 's/^xdp=[^:]*:\([0-9]*\).*/\1/p' <<<"$e")
	[[ -n $id ]] && grep -qx "prog $id" "$T/ids" || xdp_ids_ok=0
done
if [[ $during_sw == "xdp=$BR_PORT1:"* && $during_vm2 == "xdp=$BR_DEV_VM2:"* ]] && ((xdp_ids_ok)); then
	ok "tc_xdp: during the run, bpftool net shows our XDP programs on $BR_PORT1 and $BR_DEV_VM2"
else
	notok "tc_xdp: during the run, bpftool net shows our XDP programs on $BR_PORT1 and $BR_DEV_VM2" \
		"switch: '$during_sw', vm2: '$during_vm2', vnt holds: $(tr '\n' ' ' <"$T/ids")"
fi
ntcx=$(bpftool -j link show 2>/dev/null | py '
import json, sys
ids = set(l.split()[1] for l in open(sys.argv[1]) if l.startswith("link "))
print(sum(1 for l in json.load(sys.stdin) if str(l["id"]) in ids and l.get("type") in ("tcx", 11)))' "$T/ids")
check_eq "tc_xdp: during the run, vnt holds 3 TCX links (bpftool link)" "$ntcx" 3

send matching "$BR_NS_VM1" "$BR_IP_VM1" "$BR_NS_VM2" "$BR_IP_VM2" 11111 "$N" --rate 20000 &&
	send other "$BR_NS_VM1" "$BR_IP_VM1" "$BR_NS_VM2" "$BR_IP_VM2" 11112 "$M" --rate 20000
traffic_rc=$?
((traffic_rc == 0)) && ok "tc_xdp: packets pass the tc and XDP hooks unharmed ($N + $M received)"
kill -0 "$pid" 2>/dev/null ||
	notok "tc_xdp: traffic finished within the run" "vnt ended before all traffic was sent: increase --duration"
vnt_finish tcxdp
check_eq "tc_xdp: vnt run exits 0" "$VNT_RUN_RC" 0

if ((traffic_rc == 0)); then
	doc=$(final_doc tcxdp)
	py '
import json, sys
N = int(sys.argv[2])
try:
    d = json.loads(sys.argv[1])
except ValueError:
    print("not ok tc_xdp: final JSON document: none"); sys.exit(0)
def eq(name, got, want):
    print(("ok tc_xdp: %s" % name) if got == want else ("not ok tc_xdp: %s: got %r, want %r" % (name, got, want)))
byhop = {r["key"]["hop"]: r["value"] for r in d["aggregations"][0]["rows"]}
for h in ("x1", "in1", "out2", "x2", "in2"):
    eq("count at hop %s == %d" % (h, N), byhop.get(h), N)
eq("hops[].hits", d["hops"], [{"name": h, "hits": N} for h in ("x1", "in1", "out2", "x2", "in2")])
rows = d["aggregations"][1]["rows"]
eq("latency x1 -> in2 histogram holds N", rows[0]["count"] if rows else 0, N)
eq("latency x1 -> in2 matched N, unmatched 0", [(l["started"], l["matched"], l["unmatched"]) for l in d["latency"]], [(N, N, 0)])
' "$doc" "$N"
fi

# After the run: nothing of ours attached.
for i in $(seq 1 30); do
	after_sw=$(net_state "$BR_NS_SW") after_vm2=$(net_state "$BR_NS_VM2")
	[[ $after_sw == "xdp= tc=" && $after_vm2 == "xdp= tc=" ]] && break
	sleep 0.1
done
if [[ $after_sw == "xdp= tc=" && $after_vm2 == "xdp= tc=" ]]; then
	ok "tc_xdp: after the run, bpftool net shows no program in the switch and vm2 namespaces"
else
	notok "tc_xdp: after the run, bpftool net shows no program in the switch and vm2 namespaces" \
		"switch: '$after_sw', vm2: '$after_vm2'"
fi
bpf_ids_gone "tc_xdp: after the run, none of vnt's programs and TCX/XDP links exists" "$T/ids"
for dev in "$BR_NS_SW $BR_PORT1" "$BR_NS_VM2 $BR_DEV_VM2"; do
	read -r ns d <<<"$dev"
	if ip -n "$ns" -d link show dev "$d" | grep -q 'prog/xdp'; then
		notok "tc_xdp: after the run, ip link shows no XDP program on $d" "$(ip -n "$ns" -d link show dev "$d" | grep prog)"
	else
		ok "tc_xdp: after the run, ip link shows no XDP program on $d"
	fi
done
exit 0
