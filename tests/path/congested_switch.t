#!/usr/bin/env bash
# Case study 1, asserted: a rate-limited switch port (htb 20 Mbit/s with a
# 100-packet FIFO) overloaded by background traffic. The breakdown must put
# the extra delay on the queueing segment (dev_queue -> dev_xmit of the
# port), equal to the queue's drain time, and nowhere else.
set -euo pipefail
. "$VNT_TOP/tests/lib/topo.sh"
. "$VNT_TOP/tests/path/lib.sh"
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
topo_bridge >/dev/null
RATE_MBIT=20 LIMIT=100 SIZE=1000
FRAME=$((SIZE + 8 + 20 + 14))   # UDP + IPv4 + Ethernet headers
EXPECT_NS=$((LIMIT * FRAME * 8 * 1000 / RATE_MBIT))   # drain time of a full FIFO
topo_exec "$BR_NS_SW" tc qdisc add dev "$BR_PORT2" root handle 1: htb default 10 r2q 100
topo_exec "$BR_NS_SW" tc class add dev "$BR_PORT2" parent 1: classid 1:10 htb rate ${RATE_MBIT}mbit ceil ${RATE_MBIT}mbit
topo_exec "$BR_NS_SW" tc qdisc add dev "$BR_PORT2" parent 1:10 handle 10: pfifo limit $LIMIT
cat > "$tmp/p.vnt" <<EOS
import "net"
import "skb"
trace probe {
    where udp and dst port 11111
    hop vm1_tx = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    hop sw_in  = net.netif_receive("$BR_NS_SW/$BR_PORT1")
    hop sw_q   = net.dev_queue("$BR_NS_SW/$BR_PORT2")
    hop sw_out = net.dev_xmit("$BR_NS_SW/$BR_PORT2")
    hop vm2_rx = net.netif_receive("$BR_NS_VM2/$BR_DEV_VM2")
    hop drop   = skb.drop("*")                        # where the lost ones die, and why
    breakdown()
}
EOS
probe() { topo_exec "$BR_NS_VM1" "$UDPGEN" --dst "$BR_IP_VM2" --dport 11111 --count 300 --rate 200 --size 64 >/dev/null; }

# Baseline: no background traffic, the queue stays empty.
vnt_start "$tmp/p.vnt" "$tmp/base.json" -d 120 || exit 0
probe; sleep 0.5; kill -INT $VNT_PID; wait $VNT_PID || true
q=$(seg "$tmp/base.json" sw_q sw_out p99_ns)
check baseline-queue-empty "0 <= $q < 1000000" "queue segment p99 ${q}ns"

# Congested: background at 24 Mbit/s into a 20 Mbit/s port.
vnt_start "$tmp/p.vnt" "$tmp/cong.json" -d 120 || exit 0
topo_exec "$BR_NS_VM1" "$UDPGEN" --dst "$BR_IP_VM2" --dport 22222 --count 9000 --rate 3000 --size $SIZE >/dev/null &
bg=$!
sleep 0.7   # let the FIFO fill
probe
wait $bg
sleep 0.5; kill -INT $VNT_PID; wait $VNT_PID || true
q50=$(seg "$tmp/cong.json" sw_q sw_out p50_ns)
check queue-delay-is-drain-time "0.75 * $EXPECT_NS <= $q50 <= 1.25 * $EXPECT_NS" "p50 ${q50}ns, expected ~${EXPECT_NS}ns"
for s in "vm1_tx sw_in" "sw_in sw_q" "sw_out vm2_rx"; do
	set -- $s
	v=$(seg "$tmp/cong.json" $1 $2 p99_ns)
	check "flat-$1-$2" "0 <= $v < 1000000" "p99 ${v}ns"
	l=$(seg "$tmp/cong.json" $1 $2 lost)
	check "no-loss-$1-$2" "$l == 0" "lost $l"
done
n=$(seg "$tmp/cong.json" sw_q sw_out count); l=$(seg "$tmp/cong.json" sw_q sw_out lost)
check probe-accounted "$n + $l == 300" "count $n + lost $l != 300 sent"
# The drop hop places every lost probe: dropped by the full FIFO (QDISC_DROP)
# in the queue segment, and nowhere else; it is no segment itself.
drops=$(python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])][-1]
print(" ".join("%s>%s:%s:%d" % (s["from"], s["to"], x["reason"], x["count"]) for s in d["breakdown"] for x in s["drops"]))
print(" ".join(s["from"] + ">" + s["to"] for s in d["breakdown"]))' "$tmp/cong.json")
echo "# drops by segment: $(head -1 <<<"$drops"); segments: $(tail -1 <<<"$drops")"
check lost-probes-placed "'$(head -1 <<<"$drops")' == 'sw_q>sw_out:QDISC_DROP:$l' and $l > 0" "drops $(head -1 <<<"$drops"), lost $l"
check drop-hop-is-no-segment "'$(tail -1 <<<"$drops")' == 'vm1_tx>sw_in sw_in>sw_q sw_q>sw_out sw_out>vm2_rx'" "segments: $(tail -1 <<<"$drops")"
