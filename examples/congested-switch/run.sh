#!/usr/bin/env bash
# Reproduce case study 1 on this host: the demo topology with the switch
# port to vm2 limited to 20 Mbit/s (htb, 100-packet FIFO), background UDP
# at 24 Mbit/s through it, and 200 probe packets/s traced with path.vnt.
# Expected: the whole extra delay on sw_q -> sw_out, about
# 100 packets x 1042 bytes x 8 / 20 Mbit/s = 41.7 ms; the other segments
# stay at microseconds; probe packets dropped by the full queue show as
# loss on that segment.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
examples/topology.sh up
trap 'examples/topology.sh down' EXIT
ip netns exec vnt-sw tc qdisc add dev p2 root handle 1: htb default 10 r2q 100
ip netns exec vnt-sw tc class add dev p2 parent 1: classid 1:10 htb rate 20mbit ceil 20mbit
ip netns exec vnt-sw tc qdisc add dev p2 parent 1:10 handle 10: pfifo limit 100
log=$(mktemp)
./vnt run examples/congested-switch/path.vnt "$@" 2> >(tee "$log" >&2) &
pid=$!
until grep -q attached "$log"; do kill -0 $pid || exit 1; sleep 0.1; done
ip netns exec vnt-vm1 tests/tools/udpgen --dst 10.90.0.2 --dport 22222 --count 12000 --rate 3000 --size 1000 >/dev/null &
sleep 0.5
ip netns exec vnt-vm1 tests/tools/udpgen --dst 10.90.0.2 --dport 11111 --count 500 --rate 200 >/dev/null
wait
rm -f "$log"
