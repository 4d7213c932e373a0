#!/bin/bash
# Self-test of the test infrastructure: for each topology of tests/lib/topo.sh,
# build it, send exactly N UDP datagrams across it with udpgen, check that
# udpsink received exactly N, tear it down and check nothing of it remains.
# Also checks the tools' argument handling and that a sink counts 0 when
# datagrams go to another port.
set -uo pipefail
: "${VNT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
export VNT_TOP
. "$VNT_TOP/tests/lib/topo.sh"

N=500

ok() { echo "ok $1"; }
notok() { echo "not ok $1: $2"; }
check() { # check NAME COND-COMMAND... ; reason printed from $reason
	local name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name" "${reason:-check failed}"; fi
}

# ---- tools ----
if [[ -x $UDPGEN && -x $UDPSINK ]]; then
	ok "tools: udpgen and udpsink are built"
else
	notok "tools: udpgen and udpsink are built" "missing $UDPGEN or $UDPSINK (make)"
	exit 1
fi
if "$UDPGEN" --help | grep -q -- '--interval-us' && "$UDPSINK" --help | grep -q -- '--idle-ms'; then
	ok "tools: --help"
else
	notok "tools: --help" "help text lacks the documented flags"
fi
"$UDPGEN" --dst 127.0.0.1 --count 1 >/dev/null 2>&1
rc=$?
reason="udpgen without --dport exited $rc, want 2"
check "tools: udpgen rejects a missing --dport" test "$rc" -eq 2
"$UDPGEN" --dst 127.0.0.1 --dport 9 --count 1 --size 70000 >/dev/null 2>&1
rc=$?
reason="udpgen --size 70000 exited $rc, want 2"
check "tools: udpgen rejects an oversized payload" test "$rc" -eq 2

# One topology round: NAME BUILDER SRC_NS SRC_IP DST_NS DST_IP [VARS-TO-CHECK...]
round() {
	local name=$1 builder=$2
	local t0 id sent recv left
	t0=$(date +%s%N)
	if ! "$builder"; then
		notok "$name: build" "$builder failed"
		topo_cleanup
		return
	fi
	ok "$name: build"
	echo "# $name built in $((($(date +%s%N) - t0) / 1000000)) ms, VT_ID=$VT_ID"
	local sns=${!3} sip=${!4} dns=${!5} dip=${!6}
	shift 6
	local v missing=""
	for v in "$@"; do
		[[ -n ${!v:-} ]] || missing+=" $v"
	done
	if [[ -z $missing ]]; then ok "$name: variables exported"; else notok "$name: variables exported" "unset:$missing"; fi

	# IPv6 must be off in every namespace of ours.
	local ns bad=""
	for ns in $(ip netns list | awk -v id="$VT_ID" 'index($1, id "-") == 1 {print $1}'); do
		[[ $(topo_exec "$ns" cat /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null) == 1 ]] || bad+=" $ns"
		topo_exec "$ns" ip -6 addr show 2>/dev/null | grep -q inet6 && bad+=" $ns(has-inet6)"
	done
	if [[ -z $bad ]]; then ok "$name: IPv6 disabled"; else notok "$name: IPv6 disabled" "not disabled in:$bad"; fi

	topo_udp "$sns" "$sip" "$dns" "$dip" 11111 "$N" --size 200
	sent=$TOPO_SENT recv=$TOPO_RECEIVED
	if [[ $sent == "$N" && $recv == "$N" ]]; then
		ok "$name: $N datagrams sent, exactly $N received"
	else
		notok "$name: $N datagrams sent, exactly $N received" "sent $sent, received $recv"
	fi

	# Paced and larger (1400-byte, near the 1500 MTU even over VXLAN).
	topo_udp "$sns" "$sip" "$dns" "$dip" 11112 100 --size 1400 --rate 5000
	if [[ $TOPO_SENT == 100 && $TOPO_RECEIVED == 100 ]]; then
		ok "$name: 100 paced 1400-byte datagrams received"
	else
		notok "$name: 100 paced 1400-byte datagrams received" "sent $TOPO_SENT, received $TOPO_RECEIVED"
	fi

	# Datagrams to a port nobody counts: the sink on 11113 must see 0 while
	# the generator sends to 11114 (and gets ICMP port unreachable, which it
	# must tolerate).
	local tmp
	tmp=$(mktemp -d)
	topo_exec "$dns" "$UDPSINK" --bind "$dip" --port 11113 --start-timeout-ms 1500 \
		--ready-file "$tmp/r" >"$tmp/out" 2>/dev/null &
	local spid=$!
	for _ in $(seq 1 100); do [[ -e $tmp/r ]] && break; sleep 0.02; done
	sent=$(topo_exec "$sns" "$UDPGEN" --src "$sip" --dst "$dip" --dport 11114 --count 50 2>&1)
	local grc=$?
	wait "$spid"
	recv=$(cat "$tmp/out")
	rm -rf "$tmp"
	if [[ $grc == 0 && $sent == 50 && $recv == 0 ]]; then
		ok "$name: other-port datagrams not counted, ICMP errors tolerated"
	else
		notok "$name: other-port datagrams not counted, ICMP errors tolerated" \
			"udpgen rc $grc output '$sent', sink counted '$recv'"
	fi

	id=$VT_ID
	topo_cleanup
	left=$(topo_leftovers "$id")
	if [[ -z $left ]]; then
		ok "$name: teardown leaves nothing"
	else
		notok "$name: teardown leaves nothing" "left: ${left//$'\n'/ }"
	fi
}

round "veth_pair" topo_veth_pair VP_NS_A VP_IP_A VP_NS_B VP_IP_B \
	VP_NS_A VP_NS_B VP_DEV_A VP_DEV_B VP_IP_A VP_IP_B VP_MAC_A VP_MAC_B VP_NET

round "bridge" topo_bridge BR_NS_VM1 BR_IP_VM1 BR_NS_VM2 BR_IP_VM2 \
	BR_NS_VM1 BR_NS_VM2 BR_NS_SW BR_DEV_VM1 BR_DEV_VM2 BR_PORT1 BR_PORT2 BR_BRIDGE \
	BR_IP_VM1 BR_IP_VM2 BR_MAC_VM1 BR_MAC_VM2 BR_NET

round "vxlan" topo_vxlan VX_NS_VM1 VX_IP_VM1 VX_NS_VM2 VX_IP_VM2 \
	VX_NS_HOST1 VX_NS_HOST2 VX_NS_VM1 VX_NS_VM2 VX_UNDER1 VX_UNDER2 VX_UIP1 VX_UIP2 \
	VX_VXLAN1 VX_VXLAN2 VX_BR1 VX_BR2 VX_PORT1 VX_PORT2 VX_DEV_VM1 VX_DEV_VM2 \
	VX_IP_VM1 VX_IP_VM2 VX_MAC_VM1 VX_MAC_VM2 VX_NET VX_VNI VX_DSTPORT

# The VXLAN overlay really encapsulates: capture on the underlay while sending.
if topo_vxlan; then
	cap=$(mktemp)
	topo_exec "$VX_NS_HOST2" timeout 10 tcpdump -c 20 -nn -i "$VX_UNDER2" -w "$cap" \
		"udp dst port $VX_DSTPORT" 2>/dev/null &
	tpid=$!
	sleep 1
	topo_udp "$VX_NS_VM1" "$VX_IP_VM1" "$VX_NS_VM2" "$VX_IP_VM2" 12345 20 --size 100
	wait "$tpid"
	inner=$(tcpdump -nn -r "$cap" 2>/dev/null | grep -c "10.79.0.1.* > 10.79.0.2.12345: UDP")
	vni=$(tcpdump -nn -r "$cap" 2>/dev/null | grep -c "VXLAN, flags \[I\] (0x08), vni 42")
	rm -f "$cap"
	if [[ $TOPO_RECEIVED == 20 && $inner == 20 && $vni == 20 ]]; then
		ok "vxlan: datagrams cross the underlay VXLAN-encapsulated (VNI 42)"
	else
		notok "vxlan: datagrams cross the underlay VXLAN-encapsulated (VNI 42)" \
			"received $TOPO_RECEIVED, captured $inner inner / $vni with VNI 42 of 20"
	fi
	# No background traffic: a quiet topology sends nothing on the underlay.
	cap=$(mktemp)
	topo_exec "$VX_NS_HOST1" timeout 3 tcpdump -nn -i "$VX_UNDER1" -w "$cap" 2>/dev/null
	quiet=$(tcpdump -nn -r "$cap" 2>/dev/null | wc -l)
	rm -f "$cap"
	if [[ $quiet == 0 ]]; then
		ok "vxlan: no background packets on an idle topology"
	else
		notok "vxlan: no background packets on an idle topology" "$quiet packets captured in 3 s"
	fi
	id=$VT_ID
	topo_cleanup
	[[ -z $(topo_leftovers "$id") ]] || notok "vxlan capture: teardown" "leftovers: $(topo_leftovers "$id")"
else
	notok "vxlan: capture round" "topo_vxlan failed"
fi

# The EXIT trap removes a topology the script did not tear down itself.
out=$(bash -c '. "$VNT_TOP/tests/lib/topo.sh"; topo_bridge >/dev/null && echo "$VT_ID"; exit 3' 2>&1)
rc=$?
sub_id=$(tail -n1 <<<"$out")
if [[ $rc == 3 && $sub_id =~ ^v[tr][0-9a-f]{6}$ && -z $(topo_leftovers "$sub_id") ]]; then
	ok "cleanup on EXIT removes an abandoned topology"
else
	notok "cleanup on EXIT removes an abandoned topology" "rc $rc, id '$sub_id', left: $(topo_leftovers "$sub_id")"
fi

# A killed run's namespaces are swept by topo_sweep_stale.
{ bash -c '. "$VNT_TOP/tests/lib/topo.sh"; topo_veth_pair >/dev/null && echo "$VT_ID" && kill -9 $$' \
	>"${VNT_TEST_TMP:-/tmp}/sweep.$$"; } 2>/dev/null
sub_id=$(cat "${VNT_TEST_TMP:-/tmp}/sweep.$$")
rm -f "${VNT_TEST_TMP:-/tmp}/sweep.$$"
before=$(topo_leftovers "$sub_id" | wc -l)
topo_sweep_stale 2>/dev/null
sleep 0.5
after=$(topo_leftovers "$sub_id")
if [[ $before -gt 0 && -z $after ]]; then
	ok "topo_sweep_stale removes a killed run's namespaces"
else
	notok "topo_sweep_stale removes a killed run's namespaces" "before $before entries, after: $after"
fi
exit 0
