#!/usr/bin/env bash
# The demo topology: two "VMs" (network namespaces) joined by a Linux
# bridge in a third namespace, the virtual switch.
#
#   vnt-vm1: eth0 10.90.0.1 ── p1 ┐
#                                 ├─ br0 (vnt-sw)
#   vnt-vm2: eth0 10.90.0.2 ── p2 ┘
#
# usage: topology.sh up|down
set -euo pipefail
up() {
	down 2>/dev/null || true
	for ns in vnt-vm1 vnt-vm2 vnt-sw; do
		ip netns add $ns
		ip -n $ns link set lo up
		# no IPv6: neighbour discovery would add background packets
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	ip -n vnt-sw link add br0 type bridge stp_state 0
	ip -n vnt-sw link set br0 up
	for i in 1 2; do
		ip -n vnt-vm$i link add eth0 type veth peer name p$i netns vnt-sw
		ip -n vnt-vm$i addr add 10.90.0.$i/24 dev eth0
		ip -n vnt-vm$i link set eth0 up
		ip -n vnt-sw link set p$i master br0 up
	done
	ip netns exec vnt-vm1 ping -c1 -W2 10.90.0.2 >/dev/null
}
down() {
	for ns in vnt-vm1 vnt-vm2 vnt-sw; do ip netns del $ns 2>/dev/null || true; done
}
case "${1:-}" in
up) up ;;
down) down ;;
*) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
