#!/usr/bin/env bash
# Case study 2, asserted: the receiver shares CPU 0 with a SCHED_FIFO task
# busy 2 ms of every 10 ms (the injected delay); the sender and the network
# path run on CPU 1. The breakdown must show the tail in wake -> run (about
# the burst), while tx -> rx stays flat.
set -euo pipefail
. "$VNT_TOP/tests/lib/topo.sh"
. "$VNT_TOP/tests/path/lib.sh"
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
topo_bridge >/dev/null
BURST_NS=2000000
cat > "$tmp/p.vnt" <<EOS
import "net"
import "sched"
trace rx {
    where udp and dst port 11111
    hop tx   = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    hop rx   = net.netif_receive("$BR_NS_VM2/$BR_DEV_VM2")
    hop wake = sched.wakeup("udpsink")
    hop run  = sched.run("udpsink")
    breakdown()
}
EOS
vnt_start "$tmp/p.vnt" "$tmp/out.json" -d 120 || exit 0
topo_exec "$BR_NS_VM2" taskset -c 0 "$UDPSINK" --port 11111 --idle-ms 1500 >/dev/null &
sink=$!
taskset -c 0 chrt -f 50 python3 "$VNT_TOP/examples/cpu-contention/hog.py" 0.002 0.010 5 &
hog=$!
sleep 0.3
topo_exec "$BR_NS_VM1" taskset -c 1 "$UDPGEN" --dst "$BR_IP_VM2" --dport 11111 --count 3000 --rate 1000 >/dev/null
wait $hog $sink || true
kill -INT $VNT_PID; wait $VNT_PID || true
w99=$(seg "$tmp/out.json" wake run p99_ns)
n99=$(seg "$tmp/out.json" tx rx p99_9_ns)
wn=$(seg "$tmp/out.json" wake run count)
check wakeups-seen "$wn >= 2500" "only $wn wakeups of udpsink matched"
check tail-is-scheduling "0.5 * $BURST_NS <= $w99 <= 4 * $BURST_NS" "wake->run p99 ${w99}ns, burst ${BURST_NS}ns"
check network-flat "0 <= $n99 < $BURST_NS / 4" "tx->rx p99.9 ${n99}ns"
check tail-dominated-by-cpu "$w99 > 10 * $n99" "wake->run p99 ${w99}ns vs network p99.9 ${n99}ns"
