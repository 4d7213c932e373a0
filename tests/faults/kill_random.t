#!/usr/bin/env bash
# Faults: `vnt run` killed with SIGKILL at random moments (during compile
# or load, right after attaching, under load), repeated. Afterwards no
# program or link it held remains, no vnt program is orphaned, and no XDP
# or tc program stays on the devices; traffic still flows.
set -euo pipefail
. "$VNT_TOP/tests/lib/topo.sh"
. "$VNT_TOP/tests/integration/lib.sh"
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
topo_veth_pair >/dev/null
ROUNDS=${KILL_ROUNDS:-10}
cat > "$tmp/k.vnt" <<EOS
import "net"
import "tc"
import "xdp"
trace k {
    where udp
    hop a = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop b = tc.egress("$VP_NS_A/$VP_DEV_A")
    hop c = xdp.rx("$VP_NS_B/$VP_DEV_B")
    hop d = tc.ingress("$VP_NS_B/$VP_DEV_B")
    hop e = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    count() by hop
    hist(latency(a, e))
    events
}
EOS
# background load for the whole test
topo_spawn "$VP_NS_A" "$UDPGEN" --dst "$VP_IP_B" --dport 11111 --count 100000000 --rate 20000 >/dev/null 2>&1
load=$TOPO_PID
topo_on_exit "kill $load 2>/dev/null || true"
"$VNT" compile "$tmp/k.vnt" >/dev/null   # warm the cache: some rounds kill during load, some during compile
for r in $(seq 1 "$ROUNDS"); do
	[[ $r == 3 ]] && export VNT_CACHE_DIR="$tmp/cold-$r"   # one round kills clang's parent mid-compile
	"$VNT" run -q --events /dev/null "$tmp/k.vnt" >/dev/null 2>&1 &
	pid=$!
	delay=$(python3 -c "import random; print(round(random.uniform(0.05, 2.5), 2))")
	sleep "$delay"
	bpf_ids_of $pid > "$tmp/ids-$r"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	unset VNT_CACHE_DIR
	bpf_ids_gone "kill-round-$r-after-${delay}s-nothing-left ($(grep -c . "$tmp/ids-$r") held)" "$tmp/ids-$r"
done
no_orphans "kill-no-orphan-vnt-programs"
left=$( (topo_exec "$VP_NS_A" bpftool net; topo_exec "$VP_NS_B" bpftool net) 2>/dev/null | grep -E "vnt_hop|xdp.*id|tcx" || true)
[[ -z $left ]] && ok "kill-devices-clean" || notok "kill-devices-clean" "$left"
kill $load 2>/dev/null || true
wait $load 2>/dev/null || true
topo_udp "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 12345 200 >/dev/null 2>&1 || true
[[ ${TOPO_RECEIVED:-0} == 200 ]] && ok "kill-traffic-still-flows" || notok "kill-traffic-still-flows" "received ${TOPO_RECEIVED:-?} of 200"
