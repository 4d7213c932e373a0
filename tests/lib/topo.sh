# shellcheck shell=bash
# tests/lib/topo.sh — real network topologies for vNetTracer integration tests.
#
#   . "$VNT_TOP/tests/lib/topo.sh"
#   topo_bridge                      # build; everything is removed on EXIT
#   topo_udp "$BR_NS_VM1" "$BR_IP_VM1" "$BR_NS_VM2" "$BR_IP_VM2" 11111 500
#   [[ $TOPO_RECEIVED == 500 ]]
#
# Needs root, iproute2 (ip, bridge), util-linux (nsenter), iputils-ping.
# Sourcing has no side effect; the first topo_* builder picks the run's
# unique name prefix and installs the EXIT trap.  Works under `set -euo pipefail`.
#
# ---------------------------------------------------------------------------
# Names.  Every namespace and device carries the per-run prefix $VT_ID:
#   VT_ID     "vt" + the 6-hex-digit pid of the sourcing shell (e.g. vt00a1b2),
#             or "vr" + 6 random hex digits if that is taken by a leftover;
#             set (and exported) by the first builder.
#             Device names are $VT_ID + 2 chars (10 chars, < IFNAMSIZ);
#             namespaces are $VT_ID-<role>.
# All devices are created directly inside their namespace: nothing is
# created in the root namespace.  IPv6 is disabled in every namespace,
# neighbour (ARP) entries are static and bridges have static FDB entries,
# so no ARP, ND, or flooding adds background packets; STP and multicast
# snooping are off.  Each builder ends with one ping across the topology
# (set TOPO_NO_PING=1 to skip) and fails loudly if it does not answer.
#
# ---------------------------------------------------------------------------
# topo_veth_pair — two namespaces joined by one veth pair
#   VP_NS_A,  VP_NS_B     namespaces                      ($VT_ID-a, $VT_ID-b)
#   VP_DEV_A, VP_DEV_B    the veth ends in A and in B     (${VT_ID}pa, ${VT_ID}pb)
#   VP_IP_A,  VP_IP_B     10.77.0.1, 10.77.0.2 (/24)
#   VP_MAC_A, VP_MAC_B    02:77:00:00:00:01, 02:77:00:00:00:02
#   VP_NET                10.77.0.0/24
#
# topo_bridge — two "VM" namespaces, each with a veth into a Linux bridge
#               in a third "switch" namespace
#   BR_NS_VM1, BR_NS_VM2  VM namespaces                   ($VT_ID-bvm1, $VT_ID-bvm2)
#   BR_NS_SW              switch namespace                ($VT_ID-bsw)
#   BR_DEV_VM1, BR_DEV_VM2  the VMs' interfaces           (${VT_ID}b1, ${VT_ID}b2)
#   BR_PORT1, BR_PORT2    their peers, bridge ports in SW (${VT_ID}s1, ${VT_ID}s2)
#   BR_BRIDGE             the bridge in SW                (${VT_ID}br)
#   BR_IP_VM1, BR_IP_VM2  10.78.0.1, 10.78.0.2 (/24)
#   BR_MAC_VM1, BR_MAC_VM2  02:78:00:00:00:01, 02:78:00:00:00:02
#   BR_NET                10.78.0.0/24
#   Path VM1 -> VM2: BR_DEV_VM1 -> BR_PORT1 -> BR_BRIDGE -> BR_PORT2 -> BR_DEV_VM2
#
# topo_vxlan — two "host" namespaces joined by an underlay veth; in each host
#              a VXLAN device (VNI 42, UDP dstport 4789) enslaved to a bridge,
#              and one "VM" namespace attached by veth to that bridge
#   VX_NS_HOST1, VX_NS_HOST2  host namespaces             ($VT_ID-xh1, $VT_ID-xh2)
#   VX_NS_VM1, VX_NS_VM2  VM namespaces                   ($VT_ID-xvm1, $VT_ID-xvm2)
#   VX_UNDER1, VX_UNDER2  underlay veth ends in host1/2   (${VT_ID}u1, ${VT_ID}u2), MTU 1600
#   VX_UIP1, VX_UIP2      underlay addresses 192.168.77.1, 192.168.77.2 (/24)
#   VX_UMAC1, VX_UMAC2    underlay MACs 02:77:77:00:00:01, 02:77:77:00:00:02
#   VX_VXLAN1, VX_VXLAN2  the vxlan devices ("vxlan0") in host1/2 (${VT_ID}x1, ${VT_ID}x2), MTU 1500
#   VX_BR1, VX_BR2        the bridges in host1/2          (${VT_ID}h1, ${VT_ID}h2)
#   VX_PORT1, VX_PORT2    host-side veth ends (bridge ports) (${VT_ID}p1, ${VT_ID}p2)
#   VX_DEV_VM1, VX_DEV_VM2  the VMs' interfaces           (${VT_ID}v1, ${VT_ID}v2)
#   VX_IP_VM1, VX_IP_VM2  10.79.0.1, 10.79.0.2 (/24)
#   VX_MAC_VM1, VX_MAC_VM2  02:79:00:00:00:01, 02:79:00:00:00:02
#   VX_NET                10.79.0.0/24
#   VX_VNI=42  VX_DSTPORT=4789
#   Path VM1 -> VM2: VX_DEV_VM1 -> VX_PORT1 -> VX_BR1 -> VX_VXLAN1 (encap)
#     -> VX_UNDER1 -> VX_UNDER2 -> VX_VXLAN2 (decap) -> VX_BR2 -> VX_PORT2 -> VX_DEV_VM2
#   The outer packets are UDP 192.168.77.1 -> 192.168.77.2 port 4789 (the
#   source port is a hash of the inner flow).
#
# Each builder may be called once per run (after topo_cleanup, again).
#
# ---------------------------------------------------------------------------
# Helpers
#   topo_exec NS CMD...       run CMD in namespace NS (nsenter --net: unlike
#                             `ip netns exec`, keeps the host's /sys, so
#                             bpffs/tracefs stay visible)
#   topo_spawn NS CMD...      start CMD in NS in the background and set
#                             TOPO_PID to CMD's own pid (`topo_exec ... &`
#                             gives a subshell's pid: killing it leaves CMD
#                             running)
#   topo_ifindex NS DEV       print DEV's ifindex inside NS
#   topo_netns_inode NS       print NS's inode number (what `stat -L /proc/PID/ns/net` shows)
#   topo_udp SRC_NS SRC_IP DST_NS DST_IP DPORT COUNT [UDPGEN_ARGS...]
#                             start udpsink on DST_IP:DPORT in DST_NS, send COUNT
#                             datagrams with udpgen from SRC_IP in SRC_NS, wait
#                             until the sink is idle for $TOPO_SINK_IDLE_MS
#                             (default 500) ms, or for $TOPO_SINK_START_MS
#                             (default 10000) ms if nothing arrives; sets
#                             TOPO_SENT and TOPO_RECEIVED (bare integers).
#                             Returns 1 if udpgen or udpsink failed.
#   topo_on_exit 'CMD'        add a command to run on EXIT before the topology
#                             is removed (use this instead of `trap ... EXIT`)
#   topo_cleanup              remove everything created so far (also runs on EXIT,
#                             INT, TERM); kills processes left in our namespaces
#   topo_leftovers [ID]       print namespaces/devices still named after ID
#                             (default $VT_ID); empty output = clean
#   topo_sweep_stale          remove namespaces of runs whose process is gone
#                             (names vtXXXXXX with a dead pid); used by tests/run
#   UDPGEN, UDPSINK           paths of tests/tools/udpgen and udpsink (override
#                             by setting them before sourcing)
# ---------------------------------------------------------------------------

_topo_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${VNT_TOP:=$(cd "$_topo_lib_dir/../.." && pwd)}"
: "${UDPGEN:=$VNT_TOP/tests/tools/udpgen}"
: "${UDPSINK:=$VNT_TOP/tests/tools/udpsink}"
: "${TOPO_SINK_IDLE_MS:=500}"
: "${TOPO_SINK_START_MS:=10000}"

_topo_ns=()        # namespaces created, in creation order
_topo_exit_cmds=() # commands registered with topo_on_exit
_topo_built=" "    # names of the builders already run
_topo_inited=0

_topo_die() {
	echo "topo.sh: ERROR: $*" >&2
	return 1
}

# Run a command, echoing it to stderr if it fails.
_topo_run() {
	local out
	if ! out=$("$@" 2>&1); then
		echo "topo.sh: command failed: $*" >&2
		[[ -n $out ]] && echo "$out" >&2
		return 1
	fi
}

_topo_id_taken() {
	local id=$1
	ip netns list 2>/dev/null | grep -q "^$id-" && return 0
	ip -o link show 2>/dev/null | grep -q ": $id" && return 0
	return 1
}

_topo_init() {
	((_topo_inited)) && return 0
	[[ $(id -u) -eq 0 ]] || _topo_die "topologies need root" || return 1
	command -v ip >/dev/null || _topo_die "ip (iproute2) not found" || return 1
	command -v nsenter >/dev/null || _topo_die "nsenter (util-linux) not found" || return 1
	# Never reuse an inherited VT_ID: it belongs to the parent's run.
	VT_ID=$(printf 'vt%06x' $$)
	if _topo_id_taken "$VT_ID"; then
		VT_ID=$(printf 'vr%06x' $(((RANDOM * 32768 + RANDOM) % 16777216)))
		while _topo_id_taken "$VT_ID"; do
			VT_ID=$(printf 'vr%06x' $(((RANDOM * 32768 + RANDOM) % 16777216)))
		done
	fi
	export VT_ID
	# Keep an EXIT trap the sourcing script may already have set.
	local prev
	prev=$(trap -p EXIT)
	if [[ -n $prev ]]; then
		eval "set -- ${prev#trap }"
		[[ ${2:-} != _topo_on_exit ]] && _topo_exit_cmds+=("$2")
	fi
	trap '_topo_on_exit' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	_topo_inited=1
}

_topo_on_exit() {
	local rc=$? c
	set +e
	for c in "${_topo_exit_cmds[@]}"; do
		eval "$c"
	done
	topo_cleanup
	return $rc
}

topo_on_exit() {
	_topo_exit_cmds+=("$1")
	_topo_init
}

topo_exec() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

topo_spawn() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@" &
	TOPO_PID=$!
}

topo_ifindex() {
	ip -n "$1" -o link show dev "$2" | cut -d: -f1
}

topo_netns_inode() {
	stat -L -c %i "/run/netns/$1"
}

# Create a namespace with lo up and IPv6 disabled.
_topo_ns_add() {
	local ns=$1
	_topo_run ip netns add "$ns" || return 1
	_topo_ns+=("$ns")
	_topo_run ip -n "$ns" link set lo up || return 1
	topo_exec "$ns" sh -c '
		for f in /proc/sys/net/ipv6/conf/default/disable_ipv6 /proc/sys/net/ipv6/conf/all/disable_ipv6; do
			[ -e "$f" ] && echo 1 > "$f"
		done
		exit 0' || return 1
}

# Disable IPv6 on every device of a namespace (after the devices exist).
_topo_ns_no_ipv6() {
	topo_exec "$1" sh -c '
		for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do [ -e "$f" ] && echo 1 > "$f"; done
		exit 0'
}

# _topo_veth NS1 DEV1 NS2 DEV2 [MTU]
_topo_veth() {
	local mtu=${5:-1500}
	_topo_run ip -n "$1" link add "$2" mtu "$mtu" type veth peer name "$4" netns "$3" mtu "$mtu" || return 1
}

# _topo_addr NS DEV IP/PLEN MAC
_topo_addr() {
	_topo_run ip -n "$1" link set dev "$2" address "$4" || return 1
	_topo_run ip -n "$1" addr add "$3" dev "$2" || return 1
	_topo_run ip -n "$1" link set dev "$2" up || return 1
}

# _topo_neigh NS DEV IP MAC
_topo_neigh() {
	_topo_run ip -n "$1" neigh replace "$3" lladdr "$4" dev "$2" nud permanent
}

# _topo_bridge_add NS BR
_topo_bridge_add() {
	_topo_run ip -n "$1" link add "$2" type bridge stp_state 0 mcast_snooping 0 forward_delay 0 || return 1
	_topo_run ip -n "$1" link set dev "$2" up || return 1
}

# _topo_port NS BR PORT : enslave and bring up
_topo_port() {
	_topo_run ip -n "$1" link set dev "$3" master "$2" || return 1
	_topo_run ip -n "$1" link set dev "$3" up || return 1
}

# _topo_fdb NS PORT MAC : static bridge FDB entry
_topo_fdb() {
	_topo_run bridge -n "$1" fdb replace "$3" dev "$2" master static
}

_topo_ping() {
	[[ ${TOPO_NO_PING:-0} == 1 ]] && return 0
	if ! topo_exec "$1" ping -c 1 -W 2 -q "$2" >/dev/null 2>&1; then
		_topo_die "no connectivity: ping from namespace $1 to $2 failed"
		return 1
	fi
}

_topo_begin() {
	_topo_init || return 1
	if [[ $_topo_built == *" $1 "* ]]; then
		_topo_die "$1 already built in this run (call topo_cleanup first)"
		return 1
	fi
	_topo_built+="$1 "
}

topo_veth_pair() {
	_topo_begin topo_veth_pair || return 1
	VP_NS_A=$VT_ID-a VP_NS_B=$VT_ID-b
	VP_DEV_A=${VT_ID}pa VP_DEV_B=${VT_ID}pb
	VP_IP_A=10.77.0.1 VP_IP_B=10.77.0.2 VP_NET=10.77.0.0/24
	VP_MAC_A=02:77:00:00:00:01 VP_MAC_B=02:77:00:00:00:02
	export VP_NS_A VP_NS_B VP_DEV_A VP_DEV_B VP_IP_A VP_IP_B VP_NET VP_MAC_A VP_MAC_B
	_topo_ns_add "$VP_NS_A" && _topo_ns_add "$VP_NS_B" &&
		_topo_veth "$VP_NS_A" "$VP_DEV_A" "$VP_NS_B" "$VP_DEV_B" &&
		_topo_addr "$VP_NS_A" "$VP_DEV_A" "$VP_IP_A/24" "$VP_MAC_A" &&
		_topo_addr "$VP_NS_B" "$VP_DEV_B" "$VP_IP_B/24" "$VP_MAC_B" &&
		_topo_neigh "$VP_NS_A" "$VP_DEV_A" "$VP_IP_B" "$VP_MAC_B" &&
		_topo_neigh "$VP_NS_B" "$VP_DEV_B" "$VP_IP_A" "$VP_MAC_A" &&
		_topo_ns_no_ipv6 "$VP_NS_A" && _topo_ns_no_ipv6 "$VP_NS_B" &&
		_topo_ping "$VP_NS_A" "$VP_IP_B" ||
		_topo_die "topo_veth_pair: setup failed"
}

topo_bridge() {
	_topo_begin topo_bridge || return 1
	BR_NS_VM1=$VT_ID-bvm1 BR_NS_VM2=$VT_ID-bvm2 BR_NS_SW=$VT_ID-bsw
	BR_DEV_VM1=${VT_ID}b1 BR_DEV_VM2=${VT_ID}b2
	BR_PORT1=${VT_ID}s1 BR_PORT2=${VT_ID}s2 BR_BRIDGE=${VT_ID}br
	BR_IP_VM1=10.78.0.1 BR_IP_VM2=10.78.0.2 BR_NET=10.78.0.0/24
	BR_MAC_VM1=02:78:00:00:00:01 BR_MAC_VM2=02:78:00:00:00:02
	export BR_NS_VM1 BR_NS_VM2 BR_NS_SW BR_DEV_VM1 BR_DEV_VM2 BR_PORT1 BR_PORT2 BR_BRIDGE \
		BR_IP_VM1 BR_IP_VM2 BR_NET BR_MAC_VM1 BR_MAC_VM2
	_topo_ns_add "$BR_NS_VM1" && _topo_ns_add "$BR_NS_VM2" && _topo_ns_add "$BR_NS_SW" &&
		_topo_bridge_add "$BR_NS_SW" "$BR_BRIDGE" &&
		_topo_veth "$BR_NS_VM1" "$BR_DEV_VM1" "$BR_NS_SW" "$BR_PORT1" &&
		_topo_veth "$BR_NS_VM2" "$BR_DEV_VM2" "$BR_NS_SW" "$BR_PORT2" &&
		_topo_port "$BR_NS_SW" "$BR_BRIDGE" "$BR_PORT1" &&
		_topo_port "$BR_NS_SW" "$BR_BRIDGE" "$BR_PORT2" &&
		_topo_fdb "$BR_NS_SW" "$BR_PORT1" "$BR_MAC_VM1" &&
		_topo_fdb "$BR_NS_SW" "$BR_PORT2" "$BR_MAC_VM2" &&
		_topo_addr "$BR_NS_VM1" "$BR_DEV_VM1" "$BR_IP_VM1/24" "$BR_MAC_VM1" &&
		_topo_addr "$BR_NS_VM2" "$BR_DEV_VM2" "$BR_IP_VM2/24" "$BR_MAC_VM2" &&
		_topo_neigh "$BR_NS_VM1" "$BR_DEV_VM1" "$BR_IP_VM2" "$BR_MAC_VM2" &&
		_topo_neigh "$BR_NS_VM2" "$BR_DEV_VM2" "$BR_IP_VM1" "$BR_MAC_VM1" &&
		_topo_ns_no_ipv6 "$BR_NS_VM1" && _topo_ns_no_ipv6 "$BR_NS_VM2" && _topo_ns_no_ipv6 "$BR_NS_SW" &&
		_topo_ping "$BR_NS_VM1" "$BR_IP_VM2" ||
		_topo_die "topo_bridge: setup failed"
}

topo_vxlan() {
	_topo_begin topo_vxlan || return 1
	VX_NS_HOST1=$VT_ID-xh1 VX_NS_HOST2=$VT_ID-xh2 VX_NS_VM1=$VT_ID-xvm1 VX_NS_VM2=$VT_ID-xvm2
	VX_UNDER1=${VT_ID}u1 VX_UNDER2=${VT_ID}u2
	VX_UIP1=192.168.77.1 VX_UIP2=192.168.77.2
	VX_UMAC1=02:77:77:00:00:01 VX_UMAC2=02:77:77:00:00:02
	VX_VXLAN1=${VT_ID}x1 VX_VXLAN2=${VT_ID}x2 VX_BR1=${VT_ID}h1 VX_BR2=${VT_ID}h2
	VX_PORT1=${VT_ID}p1 VX_PORT2=${VT_ID}p2 VX_DEV_VM1=${VT_ID}v1 VX_DEV_VM2=${VT_ID}v2
	VX_IP_VM1=10.79.0.1 VX_IP_VM2=10.79.0.2 VX_NET=10.79.0.0/24
	VX_MAC_VM1=02:79:00:00:00:01 VX_MAC_VM2=02:79:00:00:00:02
	VX_VNI=42 VX_DSTPORT=4789
	export VX_NS_HOST1 VX_NS_HOST2 VX_NS_VM1 VX_NS_VM2 VX_UNDER1 VX_UNDER2 VX_UIP1 VX_UIP2 \
		VX_UMAC1 VX_UMAC2 VX_VXLAN1 VX_VXLAN2 VX_BR1 VX_BR2 VX_PORT1 VX_PORT2 \
		VX_DEV_VM1 VX_DEV_VM2 VX_IP_VM1 VX_IP_VM2 VX_NET VX_MAC_VM1 VX_MAC_VM2 VX_VNI VX_DSTPORT
	local i h vm under uip umac rip rmac vx br port dev ip mac rvm_mac
	_topo_ns_add "$VX_NS_HOST1" && _topo_ns_add "$VX_NS_HOST2" &&
		_topo_ns_add "$VX_NS_VM1" && _topo_ns_add "$VX_NS_VM2" &&
		_topo_veth "$VX_NS_HOST1" "$VX_UNDER1" "$VX_NS_HOST2" "$VX_UNDER2" 1600 ||
		{ _topo_die "topo_vxlan: setup failed"; return 1; }
	for i in 1 2; do
		if ((i == 1)); then
			h=$VX_NS_HOST1 vm=$VX_NS_VM1 under=$VX_UNDER1 uip=$VX_UIP1 umac=$VX_UMAC1
			rip=$VX_UIP2 rmac=$VX_UMAC2 vx=$VX_VXLAN1 br=$VX_BR1 port=$VX_PORT1
			dev=$VX_DEV_VM1 ip=$VX_IP_VM1 mac=$VX_MAC_VM1 rvm_mac=$VX_MAC_VM2
		else
			h=$VX_NS_HOST2 vm=$VX_NS_VM2 under=$VX_UNDER2 uip=$VX_UIP2 umac=$VX_UMAC2
			rip=$VX_UIP1 rmac=$VX_UMAC1 vx=$VX_VXLAN2 br=$VX_BR2 port=$VX_PORT2
			dev=$VX_DEV_VM2 ip=$VX_IP_VM2 mac=$VX_MAC_VM2 rvm_mac=$VX_MAC_VM1
		fi
		_topo_addr "$h" "$under" "$uip/24" "$umac" &&
			_topo_neigh "$h" "$under" "$rip" "$rmac" &&
			_topo_run ip -n "$h" link add "$vx" mtu 1500 type vxlan id "$VX_VNI" dstport "$VX_DSTPORT" \
				local "$uip" remote "$rip" dev "$under" nolearning &&
			_topo_bridge_add "$h" "$br" &&
			_topo_port "$h" "$br" "$vx" &&
			_topo_veth "$vm" "$dev" "$h" "$port" &&
			_topo_port "$h" "$br" "$port" &&
			_topo_fdb "$h" "$port" "$mac" &&
			_topo_fdb "$h" "$vx" "$rvm_mac" &&
			_topo_addr "$vm" "$dev" "$ip/24" "$mac" ||
			{ _topo_die "topo_vxlan: setup of host $i failed"; return 1; }
	done
	_topo_neigh "$VX_NS_VM1" "$VX_DEV_VM1" "$VX_IP_VM2" "$VX_MAC_VM2" &&
		_topo_neigh "$VX_NS_VM2" "$VX_DEV_VM2" "$VX_IP_VM1" "$VX_MAC_VM1" &&
		_topo_ns_no_ipv6 "$VX_NS_HOST1" && _topo_ns_no_ipv6 "$VX_NS_HOST2" &&
		_topo_ns_no_ipv6 "$VX_NS_VM1" && _topo_ns_no_ipv6 "$VX_NS_VM2" &&
		_topo_ping "$VX_NS_VM1" "$VX_IP_VM2" ||
		_topo_die "topo_vxlan: setup failed"
}

# Kill every process still running in namespace NS (TERM, then KILL).
_topo_kill_ns_pids() {
	local ns=$1 pids i
	pids=$(ip netns pids "$ns" 2>/dev/null | grep -vx "$$" || true)
	[[ -z $pids ]] && return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || true
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(ip netns pids "$ns" 2>/dev/null | grep -vx "$$" || true)
		[[ -z $pids ]] && return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null || true
}

topo_cleanup() {
	local ns i
	for ((i = ${#_topo_ns[@]} - 1; i >= 0; i--)); do
		ns=${_topo_ns[i]}
		[[ -e /run/netns/$ns ]] || continue
		_topo_kill_ns_pids "$ns"
		ip netns del "$ns" 2>/dev/null || echo "topo.sh: warning: cannot delete namespace $ns" >&2
	done
	_topo_ns=()
	_topo_built=" "
	# Deleting a namespace frees its devices asynchronously; wait briefly.
	if [[ -n ${VT_ID:-} ]]; then
		for i in $(seq 1 50); do
			[[ -z $(topo_leftovers "$VT_ID") ]] && break
			sleep 0.1
		done
	fi
	return 0
}

topo_leftovers() {
	local id=${1:-${VT_ID:-}}
	[[ -n $id ]] || return 0
	ip netns list 2>/dev/null | awk -v id="$id" 'index($1, id "-") == 1 { print "netns " $1 }'
	ip -o link show 2>/dev/null | awk -F': ' -v id="$id" '{ sub(/@.*/, "", $2) } index($2, id) == 1 { print "link " $2 }'
}

topo_sweep_stale() {
	local ns id pid
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E '^vt[0-9a-f]{6}-' || true); do
		id=${ns%%-*}
		pid=$((16#${id#vt}))
		# Alive unless gone or a zombie (a killed test not yet reaped).
		if [[ -r /proc/$pid/stat ]] && ! awk '{ exit ($3 == "Z") ? 0 : 1 }' "/proc/$pid/stat" 2>/dev/null; then
			continue
		fi
		_topo_kill_ns_pids "$ns"
		ip netns del "$ns" 2>/dev/null && echo "topo.sh: removed stale namespace $ns" >&2
	done
	return 0
}

# topo_udp SRC_NS SRC_IP DST_NS DST_IP DPORT COUNT [UDPGEN_ARGS...]
topo_udp() {
	local sns=$1 sip=$2 dns=$3 dip=$4 dport=$5 count=$6
	shift 6
	local tmp rc=0 i
	TOPO_SENT=0 TOPO_RECEIVED=0
	[[ -x $UDPGEN && -x $UDPSINK ]] || _topo_die "udpgen/udpsink not built ($UDPGEN, $UDPSINK)" || return 1
	tmp=$(mktemp -d /tmp/topo-udp.XXXXXX)
	topo_exec "$dns" "$UDPSINK" --bind "$dip" --port "$dport" --idle-ms "$TOPO_SINK_IDLE_MS" \
		--start-timeout-ms "$TOPO_SINK_START_MS" --ready-file "$tmp/ready" >"$tmp/sink.out" 2>"$tmp/sink.err" &
	local sink_pid=$!
	for i in $(seq 1 100); do
		[[ -e $tmp/ready ]] && break
		kill -0 "$sink_pid" 2>/dev/null || break
		sleep 0.05
	done
	if [[ ! -e $tmp/ready ]]; then
		kill "$sink_pid" 2>/dev/null || true
		wait "$sink_pid" 2>/dev/null || true
		echo "topo.sh: udpsink did not start: $(cat "$tmp/sink.err")" >&2
		rm -rf "$tmp"
		return 1
	fi
	if ! TOPO_SENT=$(topo_exec "$sns" "$UDPGEN" --src "$sip" --dst "$dip" --dport "$dport" \
		--count "$count" "$@" 2>"$tmp/gen.err"); then
		echo "topo.sh: udpgen failed: $(cat "$tmp/gen.err")" >&2
		rc=1
	fi
	wait "$sink_pid" || { echo "topo.sh: udpsink failed: $(cat "$tmp/sink.err")" >&2; rc=1; }
	TOPO_RECEIVED=$(cat "$tmp/sink.out")
	[[ -s $tmp/sink.err ]] && cat "$tmp/sink.err" >&2
	: "${TOPO_SENT:=0}" "${TOPO_RECEIVED:=0}"
	export TOPO_SENT TOPO_RECEIVED
	rm -rf "$tmp"
	return $rc
}
