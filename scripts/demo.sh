#!/usr/bin/env bash
# The main job, end to end on this host: install what is needed, build,
# create the demo topology (two namespaces on a bridge), send traffic
# through it and trace it with examples/bridge-path.vnt.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[[ $(id -u) == 0 ]] || { echo "demo: run as root (it loads eBPF programs and creates namespaces)" >&2; exit 1; }
scripts/build.sh >&2
. scripts/kernel-fs.sh
kernel_fs_mount demo
examples/topology.sh up
log=$(mktemp)
trap 'examples/topology.sh down; rm -f "$log"' EXIT
./vnt run examples/bridge-path.vnt "$@" 2> >(tee "$log" >&2) &
vnt_pid=$!
# Send only once the programs are attached (the first run compiles with clang).
for _ in $(seq 300); do
	grep -q "attached" "$log" 2>/dev/null && break
	kill -0 $vnt_pid 2>/dev/null || break
	sleep 0.1
done
echo "demo: sending 2000 UDP packets vm1 -> 10.90.0.2:11111 (traced) and 500 to port 22222 (filtered out)" >&2
ip netns exec vnt-vm2 tests/tools/udpsink --port 11111 --idle-ms 1000 >/dev/null &
sleep 0.2
ip netns exec vnt-vm1 tests/tools/udpgen --dst 10.90.0.2 --dport 11111 --count 2000 --rate 1000 --size 200 >/dev/null
ip netns exec vnt-vm1 tests/tools/udpgen --dst 10.90.0.2 --dport 22222 --count 500 --rate 1000 >/dev/null
wait $vnt_pid
