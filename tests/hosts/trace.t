#!/bin/bash
# A trace across three "hosts" (namespaces), each running its own
# vnt-agent behind mutual TLS, dispatched from the root namespace:
#   host1 (VXLAN host 1):  vm1_tx (VM1's transmit) and under_tx (underlay transmit)
#   host2 (VXLAN host 2):  under_rx (underlay receive)
#   host3 (VM2, a guest):  vm2_rx (VM2's receive)
# N datagrams VM1 -> VM2.  The store must hold exactly N raw events per
# hop, every packet joined across hosts by fingerprint, and (offsets
# applied) each segment's latency positive and under a second.  The
# dispatcher's status lines name every host's hops and events.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"

N=500
topo_vxlan || { notok "hosts: topology" "topo_vxlan failed"; exit 1; }
need_openssl || exit 0
hosts_certs || { notok "hosts: certificates" "openssl failed"; exit 1; }
i=0
for h in "host1:$VX_NS_HOST1" "host2:$VX_NS_HOST2" "host3:$VX_NS_VM2"; do
	i=$((i + 1))
	hosts_mgmt "${h#*:}" "$i" || { notok "hosts: management network" "veth for ${h%%:*}"; exit 1; }
	MGMT_IP_OF[${h%%:*}]=$MGMT_IP
	agent_start "${h%%:*}" "${h#*:}" || { notok "hosts: agent ${h%%:*} starts" "see above"; exit 1; }
done
ok "hosts: three agents listen (TLS) in their namespaces"

cat >"$T/path.vnt" <<EOF
import "net"
trace path {
    where udp and dst port 11111
    hop vm1_tx   = net.dev_xmit("$VX_NS_VM1/$VX_DEV_VM1")
    hop under_tx = net.dev_xmit("$VX_NS_HOST1/$VX_UNDER1")
    hop under_rx = net.netif_receive("$VX_NS_HOST2/$VX_UNDER2")
    hop vm2_rx   = net.netif_receive("$VX_NS_VM2/$VX_DEV_VM2")
    count() by hop
    events
}
EOF
"$VNT" compile -o "$T/path.vntpkg" "$T/path.vnt" 2>"$T/compile.err" ||
	{ notok "hosts: compile the package" "$(cat "$T/compile.err")"; exit 1; }
cat >"$T/hosts" <<EOF
# name  address          hops
host1   ${MGMT_IP_OF[host1]}:7878   hops=vm1_tx,under_tx
host2   ${MGMT_IP_OF[host2]}:7878   hops=under_rx
host3   ${MGMT_IP_OF[host3]}:7878   hops=vm2_rx
EOF

"$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" \
	--hosts "$T/hosts" --db "$T/vnt.db" --duration 60 "$T/path.vntpkg" >"$T/dispatch.out" 2>"$T/dispatch.err" &
dpid=$!
for _ in $(seq 1 600); do
	grep -q 'hops attached; tracing' "$T/dispatch.err" && break
	kill -0 "$dpid" 2>/dev/null || break
	sleep 0.1
done
if grep -q '4 hops attached; tracing' "$T/dispatch.err"; then
	ok "hosts: dispatch attaches 4 hops on 3 hosts"
else
	notok "hosts: dispatch attaches 4 hops on 3 hosts" "$(tr '\n' ' ' <"$T/dispatch.err")"
	kill -INT "$dpid" 2>/dev/null
	wait "$dpid"
	exit 1
fi
send path "$VX_NS_VM1" "$VX_IP_VM1" "$VX_NS_VM2" "$VX_IP_VM2" 11111 "$N" --rate 5000
traffic_rc=$?
sleep 2 # the agents send raw records as they come; a margin for the last ones
kill -INT "$dpid"
for _ in $(seq 1 300); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
wait "$dpid"
rc=$?
echo "# dispatch exit $rc; stdout:"
sed 's/^/#   /' "$T/dispatch.out"
echo "# stderr:"
sed 's/^/#   /' "$T/dispatch.err"
check_eq "hosts: dispatch exits 0 after Ctrl-C" "$rc" 0
((traffic_rc == 0)) || exit 1
for h in host1 host2 host3; do
	line=$(grep "^$h: " "$T/dispatch.out")
	case $h in
	host1) want="2 hops attached (vm1_tx,under_tx), $((2 * N)) events, 0 lost" ;;
	host2) want="1 hop attached (under_rx), $N events, 0 lost" ;;
	host3) want="1 hop attached (vm2_rx), $N events, 0 lost" ;;
	esac
	if [[ $line == *"$want"* ]]; then ok "hosts: status line of $h"; else notok "hosts: status line of $h" "got '$line', want '$want'"; fi
done

store_checks "$T/vnt.db" "$N"

# The collector's report of the same run.
if "$VNT" report --format json "$T/vnt.db" >"$T/report.json" 2>"$T/report.err"; then
	ok "hosts: vnt report --format json"
	py '
import json, sys
d = json.load(open(sys.argv[1])); N = int(sys.argv[2])
def check(name, good, why=""):
    print(("ok hosts: report: %s" % name) if good else ("not ok hosts: report: %s: %s" % (name, why)))
hops = {h["name"]: h["packets"] for h in d["hops"]}
check("%d packets at each hop" % N, hops == {h: N for h in ("vm1_tx", "under_tx", "under_rx", "vm2_rx")}, repr(hops))
segs = [(s["from"], s["to"]) for s in d["segments"]]
check("segments follow the path", segs == [("vm1_tx", "under_tx"), ("under_tx", "under_rx"), ("under_rx", "vm2_rx")], repr(segs))
unc = max(h["clock_uncertainty_ns"] for h in d["hosts"])
for s in d["segments"]:
    name = "%s -> %s: %d joined, none lost, latencies in (-uncertainty, 1 s)" % (s["from"], s["to"], N)
    check(name, s["count"] == N and s["lost"] == 0 and s["min_ns"] > -2 * unc and s["max_ns"] < 1e9,
          "count %s lost %s min %s max %s" % (s["count"], s["lost"], s["min_ns"], s["max_ns"]))
cross = [(h["from_host"], h["to_host"]) for s in d["segments"] for h in s.get("hosts", [])]
check("cross-host segments host1 > host2 > host3", ("host1", "host2") in cross and ("host2", "host3") in cross, repr(cross))
' "$T/report.json" "$N"
else
	notok "hosts: vnt report --format json" "$(cat "$T/report.err")"
fi

for h in host1 host2 host3; do
	if kill -0 "${AGENT_PID[$h]}" 2>/dev/null; then ok "hosts: agent $h still serving"; else notok "hosts: agent $h still serving" "it exited"; fi
done
exit 0
