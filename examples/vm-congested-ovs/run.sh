#!/bin/bash
# Case study 1, congested virtual switch, on the real stack: two QEMU
# guests (tests/lib/vm.sh) on an Open vSwitch bridge (tests/lib/ovs.sh:
# ovs-vswitchd of our own, userspace datapath), the port towards vm2
# shaped by OVS QoS linux-htb at $RATE bit/s with a $LIMIT-frame FIFO,
# background UDP of 1000-byte datagrams at $LOAD_PPS from the host through
# that port, and $PROBES probes (64-byte UDP, $PROBE_PPS/s) from vm1 to
# vm2.  path.vnt is dispatched to both guests' agents and the host's;
# `vnt report` joins each probe across the three kernels.  Expected: the
# delay is on ovs_q -> ovs_out (the queue), about LIMIT x 1042 bytes x 8 /
# RATE (104 ms for 50 frames at 4 Mbit/s); the other segments stay small;
# the probes the full FIFO dropped are the loss of that segment (any that
# OVS lost between its ports would be the loss of ovs_in -> ovs_q).
#
#   examples/vm-congested-ovs/run.sh [OUTDIR]      (as root; ~1 minute)
# Leaves in OUTDIR (default ./vm-congested-ovs.out): report.txt,
# report.json, vnt.db, truth (probes sent and received, the shaping).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mkdir -p "${1:-vm-congested-ovs.out}" && cd "${1:-vm-congested-ovs.out}" && pwd)
: "${RATE:=4000000}" "${LIMIT:=50}" "${LOAD_PPS:=600}" "${PROBES:=300}" "${PROBE_PPS:=50}"
export VNT_TOP=$top VNT=$top/vnt
T=$(mktemp -d /tmp/vnt-vm-ovs.XXXXXX)
export VNT_TEST_TMP=$T
. "$top/tests/integration/lib.sh"
. "$top/tests/lib/vm.sh"
. "$top/tests/lib/ovs.sh"
# The guests' consoles stay with the results (the agents log there).
topo_on_exit "for c in '$T'/vm/*/console.log; do [ -e \"\$c\" ] && cp \"\$c\" '$OUT'/console-\$(basename \$(dirname \"\$c\")).log; done; cp '$T'/vm/host-agent.log '$OUT'/ 2>/dev/null; rm -rf '$T'"
die() { echo "vm-congested-ovs: ERROR: $*" >&2; exit 1; }

vm_setup || die "no guest can run here (see above)"
vm_host || die "cannot make the hypervisor's namespace"
ovs_start "$VM_NS" || die "Open vSwitch did not start (see above)"
ovs_vsctl add-br obr -- set bridge obr datapath_type=netdev || die "ovs-vsctl add-br failed"
ip -n "$VM_NS" addr add "$VM_NET.1/24" dev obr && ip -n "$VM_NS" link set obr up || die "no address on obr"
# OVS sends with AF_PACKET: a checksum left to offload would arrive unfinished.
nsenter --net="/run/netns/$VM_NS" ethtool -K obr tx off >/dev/null 2>&1
vm_boot vm1 "$VM_NET.11" --tap tap-vm1 && vm_boot vm2 "$VM_NET.12" --tap tap-vm2 || die "cannot start the guests"
ovs_vsctl add-port obr tap-vm1 -- add-port obr tap-vm2 || die "cannot add the taps to OVS"
ovs_vsctl set port tap-vm2 qos=@q -- --id=@q create qos type=linux-htb other-config:max-rate="$RATE" \
	queues:0=@q0 -- --id=@q0 create queue other-config:max-rate="$RATE" >/dev/null || die "OVS QoS failed"
# OVS's htb class 1:1 is queue 0; its FIFO is the device's txqueuelen
# (1000) unless given one: $LIMIT frames.
for _ in $(seq 1 50); do tc -n "$VM_NS" class show dev tap-vm2 | grep -q 'htb 1:1 ' && break; sleep 0.1; done
tc -n "$VM_NS" qdisc replace dev tap-vm2 parent 1:1 handle 10: pfifo limit "$LIMIT" || die "no FIFO on OVS's htb class"
tc -n "$VM_NS" qdisc show dev tap-vm2 | sed 's/^/# tc: /'
vm_host_agent || die "the host agent did not start"
vm_wait vm1 && vm_wait vm2 || die "the guests did not come up"
# Static ARP: an ARP request dropped by the full queue would stall vm1's
# neighbour resolution and lose probes before they reach any hop.
vm_neigh vm1 vm2 --host obr || die "cannot set the neighbour entries"

"$VNT" compile -o "$T/path.vntpkg" "$top/examples/vm-congested-ovs/path.vnt" || die "vnt compile failed"
cat >"$T/hosts" <<EOF
vm1   ${VM_IP[vm1]}:7878   hops=vm1_q,vm1_tx
host  $VM_NET.1:7878      hops=ovs_in,ovs_q,ovs_out
vm2   ${VM_IP[vm2]}:7878   hops=vm2_rx
EOF
rm -f "$OUT/vnt.db"
vm_dispatch_bg "$T/dispatch.out" "$T/dispatch.err" --hosts "$T/hosts" --db "$OUT/vnt.db" --duration 300 "$T/path.vntpkg"
for _ in $(seq 1 1200); do
	grep -q 'hops attached; tracing' "$T/dispatch.err" && break
	kill -0 "$VM_DISPATCH_PID" 2>/dev/null || break
	sleep 0.1
done
grep -q 'hops attached; tracing' "$T/dispatch.err" || die "vnt dispatch did not start: $(cat "$T/dispatch.err")"
echo "# vm-congested-ovs: shaping $RATE bit/s, FIFO $LIMIT frames; load $LOAD_PPS x 1042-byte frames/s from the host; $PROBES probes at $PROBE_PPS/s vm1 -> vm2"
nsenter --net="/run/netns/$VM_NS" "$UDPGEN" --src "$VM_NET.1" --dst "${VM_IP[vm2]}" --dport 22222 --size 1000 \
	--rate "$LOAD_PPS" --count $((LOAD_PPS * 60)) >/dev/null 2>&1 &
load=$!
sleep 1
vm_udp vm1 vm2 11111 "$PROBES" --rate "$PROBE_PPS"
probes_rc=$?
kill "$load" 2>/dev/null
wait "$load" 2>/dev/null
# What OVS itself counted as dropped sending on vm2's port (load and
# probes alike; 0 in the runs measured: OVS's own losses are at its input).
txdrop=$(ovs_vsctl get interface tap-vm2 statistics:tx_dropped 2>/dev/null | tr -dc 0-9)
sleep 2 # the last raw records
kill -INT "$VM_DISPATCH_PID"
wait "$VM_DISPATCH_PID"
drc=$?
sed 's/^/# dispatch: /' "$T/dispatch.out"
((probes_rc == 0)) || die "the probes did not run (see above)"
((drc == 0)) || die "vnt dispatch exited with $drc: $(cat "$T/dispatch.err")"
printf 'sent %s\nreceived %s\nrate_bps %s\nlimit %s\nframe_bytes 1042\nprobes %s\naccel %s\novs_tx_dropped %s\n' \
	"$VM_SENT" "$VM_RECEIVED" "$RATE" "$LIMIT" "$PROBES" "$VM_ACCEL" "${txdrop:-0}" >"$OUT/truth"
"$VNT" report "$OUT/vnt.db" | tee "$OUT/report.txt"
"$VNT" report --format json "$OUT/vnt.db" >"$OUT/report.json"
awk -v l="$LIMIT" -v r="$RATE" 'BEGIN { printf "# a full FIFO drains in %d x 1042 x 8 / %d s = %.1f ms\n", l, r, l * 1042 * 8 / r * 1000 }'
echo "# probes: $VM_SENT sent by vm1, $VM_RECEIVED received by vm2: $((VM_SENT - VM_RECEIVED)) lost"
echo "# OVS counted ${txdrop:-0} frames dropped sending to tap-vm2 (tx_dropped)"
