#!/bin/busybox sh
# /init of the test guests (tests/lib/vm.sh builds it into the initramfs).
# Parameters come on the kernel command line:
#   vnt.name=NAME vnt.ip=ADDR/PLEN [vnt.gw=ADDR] [vnt.probe=1]
# and certificates in /etc/vnt/ (the per-VM part of the initramfs).
# Everything it says goes to the console (ttyS0), which vm.sh logs; the
# lines vm.sh waits for are "vnt-init: ..." and the agent's "listening on".
# A shell serves tests/lib/vm_ctl.py on the second serial port (ttyS1).
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /var /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/null >/dev/console 2>&1
say() { echo "vnt-init: $*"; }

NAME=guest IP= GW= PROBE=0
for kv in $(cat /proc/cmdline); do
	case $kv in
	vnt.name=*) NAME=${kv#vnt.name=} ;;
	vnt.ip=*) IP=${kv#vnt.ip=} ;;
	vnt.gw=*) GW=${kv#vnt.gw=} ;;
	vnt.probe=1) PROBE=1 ;;
	esac
done
hostname "$NAME"

if [ "$PROBE" = 1 ]; then
	# The accelerator probe: reaching user space is all it asks.
	echo "VNT-PROBE-OK"
	poweroff -f
fi

mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
ulimit -l unlimited

# virtio-net is modular in Debian's kernel; this is the dependency order.
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net; do
	insmod "/lib/modules/$m.ko" || say "ERROR: insmod $m failed"
done
for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do echo 1 >"$f"; done
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /sys/class/net/eth0 ] || say "ERROR: no eth0 (virtio-net did not come up)"
ip link set lo up
ip link set eth0 up
[ -n "$IP" ] && ip addr add "$IP" dev eth0
[ -n "$GW" ] && ip route add default via "$GW"
for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do echo 1 >"$f"; done
say "network: eth0 $IP $(cat /sys/class/net/eth0/address 2>/dev/null)"

# The control channel: vm_ctl.py sends one line "TAG BASE64-SCRIPT"; the
# script runs with sh and a marker with TAG and its exit status ends its
# output.  Raw mode, no echo; `read` takes the line whole (no shell reads
# the tty itself: on a tty it would be interactive, prompts and echo).
(
	stty -F /dev/ttyS1 raw -echo
	while :; do
		while read -r tag b64; do
			echo "$b64" | base64 -d >/tmp/ctl.sh
			sh /tmp/ctl.sh </dev/null >/dev/ttyS1 2>&1
			echo "@@VNTRC-$tag=$?@@" >/dev/ttyS1
		done </dev/ttyS1
		sleep 0.2
	done
) &

ADDR=${IP%/*}
if [ -x /bin/vnt-agent ] && [ -n "$ADDR" ]; then
	(
		vnt-agent --config /dev/null --listen "$ADDR:7878" --name "$NAME" \
			--cert /etc/vnt/agent.crt --key /etc/vnt/agent.key --ca /etc/vnt/ca.crt \
			--timeout "$(cat /etc/vnt/agent_timeout 2>/dev/null || echo 10)"
		say "agent exited with status $?"
	) &
fi
say "up: $(cut -d' ' -f1 /proc/uptime)s after kernel start"
while :; do sleep 3600; done
