#!/usr/bin/env bash
# Reproduce case study 2 on this host: the receiver pinned to CPU 0 with a
# SCHED_FIFO hog busy 2 ms of every 10 ms on the same CPU, the sender on
# CPU 1. Expected: wake -> run p90..p99.9 around the 2 ms burst while
# tx -> rx (the network) stays at microseconds.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
examples/topology.sh up
trap 'examples/topology.sh down' EXIT
log=$(mktemp)
./vnt run examples/cpu-contention/path.vnt "$@" 2> >(tee "$log" >&2) &
pid=$!
until grep -q attached "$log"; do kill -0 $pid || exit 1; sleep 0.1; done
ip netns exec vnt-vm2 taskset -c 0 tests/tools/udpsink --port 11111 --idle-ms 1500 >/dev/null &
taskset -c 0 chrt -f 50 python3 examples/cpu-contention/hog.py 0.002 0.010 4 &
sleep 0.3
ip netns exec vnt-vm1 taskset -c 1 tests/tools/udpgen --dst 10.90.0.2 --dport 11111 --count 3000 --rate 1000 >/dev/null
wait
rm -f "$log"
