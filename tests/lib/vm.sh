# shellcheck shell=bash
# tests/lib/vm.sh — real QEMU guests for the tests of the virtualized stack.
#
#   . "$VNT_TOP/tests/lib/vm.sh"      # sources tests/lib/topo.sh
#   vm_setup || exit 1                 # kernel, image, accelerator, PKI
#   vm_host                            # the hypervisor's namespace: $VM_NS
#   vm_boot vm1 10.88.0.11; vm_boot vm2 10.88.0.12   # start (in parallel)
#   vm_wait vm1 && vm_wait vm2         # until each guest's agent listens
#   vm_exec vm1 'ping -c 1 10.88.0.12' # a script in the guest
#
# Everything is removed on exit (topo_on_exit): QEMU processes, taps, the
# namespace.  A guest that does not come up is reported with its name, the
# accelerator and the last lines of its console.
#
# The guest: Debian's own kernel (the package linux-image-amd64 depends on,
# fetched with `apt-get download`, unpacked with `dpkg-deb -x`), and an
# initramfs made from this host's files: busybox-static, vnt-agent,
# tests/tools/udpgen and udpsink, the shared libraries `ldd` lists for
# them, and the virtio-net modules of the guest kernel.  /init is
# tests/lib/vm_init.sh.  Kernel and the image's fixed part are cached in
# $VNT_VM_CACHE (default <top>/build/vm, gitignored); the per-guest part
# (agent, tools, certificates) is made fresh for each guest.
#
# Functions
#   vm_setup                kernel + base image (cached), accelerator, PKI;
#                           prints what it found as '#' lines; returns 1
#                           (having printed why) when a guest cannot run here
#   vm_host                 make the namespace $VM_NS where taps and QEMU
#                           live (the "hypervisor host"; nothing is added to
#                           the root namespace)
#   vm_bridge [ADDR/PLEN]   a Linux bridge $VM_BR in $VM_NS with address
#                           ADDR (default 10.88.0.1/24); vm_boot then adds
#                           each tap to it
#   vm_boot NAME IP [--mem MB] [--no-bridge] [--append KERNEL-ARGS] [--tap TAP]
#                           start guest NAME with eth0 = IP/24 on tap
#                           ${VT_ID}tN (or TAP: names in $VM_NS are the
#                           test's own) in $VM_NS (virtio-net, checksum and
#                           segmentation offloads off: see KERNEL-FACTS.md),
#                           vnt-agent listening with TLS on IP:7878
#   vm_wait NAME            wait (at most $VM_BOOT_TIMEOUT s) until the agent
#                           listens; sets VM_BOOT_S[NAME]; on failure prints
#                           the console's last lines and returns 1
#   vm_exec NAME SCRIPT     run SCRIPT with the guest's sh; its output and
#                           exit status (124: no answer in $VM_EXEC_TIMEOUT s)
#   vm_mem NAME             '# NAME: guest MemTotal ..., used ..., QEMU RSS ...'
#   vm_monitor NAME CMD     a QEMU monitor command (stop, cont, info status...)
#   vm_vcpus NAME           "TID COMM" of each vCPU thread ("CPU 0/TCG", "CPU 0/KVM")
#   vm_ctxt PID TID         a thread's context switches so far, all and
#                           voluntary (from /proc: "ALL VOLUNTARY")
#   vm_host_agent           vnt-agent for the hypervisor host, in $VM_NS on
#                           $VM_NET.1:7878 (TLS, certificate "host")
#   vm_dispatch ARGS...     vnt dispatch from $VM_NS with the test PKI
#   vm_dispatch_bg OUT ERR ARGS...  the same in the background: VM_DISPATCH_PID
#   vm_bpf_left NAME        "PROGS KPROBES" still held/registered in the guest
#   vm_neigh NAME... [--host DEV]  permanent ARP entries between the guests
#                           (and for them on DEV in $VM_NS): no ARP on the path
#   vm_udp SRC DST PORT N [UDPGEN_ARGS]
#                           N datagrams SRC -> DST:PORT (udpgen, udpsink in the
#                           guests); sets VM_SENT, VM_RECEIVED
#   vm_stop NAME            stop one guest (also done for all on exit)
# Variables
#   VM_ACCEL                kvm or tcg (set it to force one; else probed)
#   VM_KVER                 the guest kernel's version
#   VM_PID[NAME] VM_TAP[NAME] VM_IP[NAME] VM_MAC[NAME] VM_LOG[NAME] VM_BOOT_S[NAME]
#   PKI                     ca.crt, client.crt/.key (the dispatcher), NAME.crt/.key
#                           (a certificate naming NAME for each guest); the
#                           layout of tests/hosts/lib.sh, whose dispatch helper works
#   VM_BR, VM_NET           the bridge and its /24 prefix (10.88.0)

: "${VNT_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=topo.sh
. "$VNT_TOP/tests/lib/topo.sh"
: "${VNT_AGENT:=$VNT_TOP/vnt-agent}"
: "${VNT_VM_CACHE:=$VNT_TOP/build/vm}"
: "${VM_BOOT_TIMEOUT:=180}"
: "${VM_EXEC_TIMEOUT:=60}"
: "${VM_MEM_MB:=256}"
: "${VM_AGENT_TIMEOUT:=15}"
: "${VM_KVM_PROBE_S:=25}"
: "${T:=${VNT_TEST_TMP:-$(mktemp -d /tmp/vnt-vm.XXXXXX)}}"
: "${PKI:=$T/pki}"
VM_NET=10.88.0
VM_NS="" VM_BR=""
VM_DIR=$T/vm
declare -A VM_PID=() VM_TAP=() VM_IP=() VM_MAC=() VM_LOG=() VM_BOOT_S=() VM_T0=() VM_SOCK=()
_vm_n=0
_vm_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The modules virtio-net needs, in load order (vm_init.sh loads them).
VM_MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net"

_vm_err() { echo "vm.sh: ERROR: $*" >&2; }

# The kernel: the version linux-image-amd64 depends on, cached by version.
# Without apt's lists (or offline) the newest cached one is used.
_vm_kernel() {
	local pkg ver d tmp
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	ver=${pkg#linux-image-}
	if [[ -z $ver ]]; then
		d=$(ls -d "$VNT_VM_CACHE"/kernel-* 2>/dev/null | sort -V | tail -n 1)
		[[ -n $d ]] || { _vm_err "cannot tell which kernel package to fetch: 'apt-cache depends linux-image-amd64' names none (run apt-get update)"; return 1; }
		ver=${d##*/kernel-}
	fi
	d=$VNT_VM_CACHE/kernel-$ver
	if [[ ! -s $d/vmlinuz || ! -s $d/modules/virtio_net.ko ]]; then
		local t0=$SECONDS
		tmp=$(mktemp -d "$VNT_VM_CACHE/fetch.XXXXXX") || return 1
		if ! (cd "$tmp" && apt-get download "linux-image-$ver" >download.log 2>&1); then
			_vm_err "apt-get download linux-image-$ver failed: $(tail -n 3 "$tmp/download.log" | tr '\n' ' ')"
			rm -rf "$tmp"
			return 1
		fi
		if ! dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/x"; then
			_vm_err "dpkg-deb -x of linux-image-$ver failed"
			rm -rf "$tmp"
			return 1
		fi
		mkdir -p "$tmp/k/modules"
		cp "$tmp/x/boot/vmlinuz-$ver" "$tmp/k/vmlinuz" && cp "$tmp/x/boot/config-$ver" "$tmp/k/config" || {
			_vm_err "linux-image-$ver has no /boot/vmlinuz-$ver"
			rm -rf "$tmp"
			return 1
		}
		local m f
		for m in $VM_MODULES; do
			f=$(find "$tmp/x/lib/modules/$ver" -name "$m.ko*" | head -n 1)
			[[ -n $f ]] || { _vm_err "linux-image-$ver has no module $m"; rm -rf "$tmp"; return 1; }
			case $f in
			*.ko) cp "$f" "$tmp/k/modules/$m.ko" ;;
			*.ko.xz) xz -dc "$f" >"$tmp/k/modules/$m.ko" ;;
			*.ko.zst) zstd -qdc "$f" >"$tmp/k/modules/$m.ko" ;;
			esac
		done
		rm -rf "$d" && mv "$tmp/k" "$d" && rm -rf "$tmp" || return 1
		echo "# vm: fetched and unpacked linux-image-$ver in $((SECONDS - t0))s (cached in $d)"
	fi
	VM_KVER=$ver VM_KDIR=$d
}

# The fixed part of the initramfs: busybox, the libraries, modules, /init.
# Cached under a hash of everything in it.
_vm_base_image() {
	local bins=("$VNT_AGENT" "$UDPGEN" "$UDPSINK") libs b key st l
	for b in "${bins[@]}"; do
		[[ -x $b ]] || { _vm_err "$b is not built (scripts/build.sh)"; return 1; }
	done
	mapfile -t libs < <(ldd "${bins[@]}" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u)
	((${#libs[@]})) || { _vm_err "ldd lists no libraries for ${bins[*]}"; return 1; }
	key=$({ sha256sum /bin/busybox "$_vm_lib/vm_init.sh" "${libs[@]}" "$VM_KDIR"/modules/*.ko | cut -c1-64; echo "${libs[*]}"; } | sha256sum | cut -c1-16)
	VM_BASE=$VNT_VM_CACHE/base-$VM_KVER-$key.cpio
	[[ -s $VM_BASE ]] && return 0
	st=$(mktemp -d "$VNT_VM_CACHE/stage.XXXXXX") || return 1
	mkdir -p "$st"/{bin,dev,etc/vnt,lib/modules,proc,sys,tmp} &&
		cp /bin/busybox "$st/bin/busybox" && cp "$_vm_lib/vm_init.sh" "$st/init" && chmod 755 "$st/init" &&
		cp "$VM_KDIR"/modules/*.ko "$st/lib/modules/" &&
		mknod "$st/dev/console" c 5 1 || { _vm_err "cannot stage the initramfs in $st"; rm -rf "$st"; return 1; }
	for l in "${libs[@]}"; do
		mkdir -p "$st$(dirname "$l")" && cp -L "$l" "$st$l" || { _vm_err "cannot copy $l"; rm -rf "$st"; return 1; }
	done
	if ! (cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc --quiet >"$VM_BASE.tmp"); then
		_vm_err "cpio failed building $VM_BASE"
		rm -rf "$st" "$VM_BASE.tmp"
		return 1
	fi
	mv "$VM_BASE.tmp" "$VM_BASE"
	rm -rf "$st"
	echo "# vm: built the base initramfs $(basename "$VM_BASE") ($(($(stat -c %s "$VM_BASE") / 1024)) KiB: busybox, ${#libs[@]} libraries, virtio-net modules)"
}

_vm_qemu_base() { # ACCEL NAME: the common part of a QEMU command line
	# TCG's translation cache defaults to 1 GiB; a small guest needs far less.
	local cpu=max accel=tcg,tb-size=128
	[[ $1 == kvm ]] && cpu=host accel=kvm
	echo "qemu-system-x86_64 -name $2,debug-threads=on -accel $accel -cpu $cpu -smp 1 -nodefaults -no-user-config -display none -no-reboot"
}

# KVM where a boot with a timeout shows it works, else TCG.  The answer is
# kept per host boot (a KVM probe that hangs costs $VM_KVM_PROBE_S s).
_vm_accel() {
	if [[ -n ${VM_ACCEL:-} ]]; then
		VM_ACCEL_WHY="forced by VM_ACCEL"
		return 0
	fi
	local boot f why
	boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	f=$VNT_VM_CACHE/accel-$boot
	if [[ -s $f ]]; then
		read -r VM_ACCEL VM_ACCEL_WHY <"$f"
		VM_ACCEL_WHY="$VM_ACCEL_WHY (probed earlier this boot)"
		return 0
	fi
	if [[ ! -w /dev/kvm ]]; then
		VM_ACCEL=tcg why="no usable /dev/kvm"
	else
		local log=$VNT_VM_CACHE/kvm-probe.log t0=$SECONDS
		# shellcheck disable=SC2046
		timeout -k 2 "$VM_KVM_PROBE_S" $(_vm_qemu_base kvm probe) -m 256 -serial "file:$log" \
			-kernel "$VM_KDIR/vmlinuz" -initrd "$VM_BASE" \
			-append "console=ttyS0 quiet panic=-1 vnt.probe=1" >/dev/null 2>&1
		if grep -q VNT-PROBE-OK "$log" 2>/dev/null; then
			VM_ACCEL=kvm why="a KVM guest reached user space in $((SECONDS - t0))s"
		else
			VM_ACCEL=tcg why="a KVM guest did not reach user space within ${VM_KVM_PROBE_S}s (last console line: $(tail -n 1 "$log" 2>/dev/null | tr -d '\r' | cut -c1-80))"
		fi
	fi
	echo "$VM_ACCEL $why" >"$f"
	VM_ACCEL_WHY=$why
}

_vm_certs() {
	[[ -s $PKI/ca.crt ]] && return 0
	mkdir -p "$PKI" || return 1
	(
		cd "$PKI" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -keyout ca.key -out ca.crt -subj /CN=vnt-test-ca \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
			vm_leaf client "DNS:dispatcher" clientAuth
	) >"$T/pki.log" 2>&1 || { _vm_err "openssl failed making the test PKI: $(tail -n 3 "$T/pki.log")"; return 1; }
}

vm_leaf() { # NAME SAN EKU: a certificate signed by $PKI/ca (run in $PKI)
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" &&
		printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$2" "$3" >"$1.ext" &&
		openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out "$1.crt" -extfile "$1.ext"
}

vm_setup() {
	local c
	for c in qemu-system-x86_64 busybox cpio dpkg-deb apt-get openssl; do
		command -v "$c" >/dev/null || { _vm_err "$c not found (scripts/install-deps.sh installs it)"; return 1; }
	done
	[[ -c /dev/net/tun ]] || { _vm_err "no /dev/net/tun: a guest's NIC needs a tap device"; return 1; }
	mkdir -p "$VNT_VM_CACHE" "$VM_DIR" || return 1
	_vm_kernel && _vm_base_image && _vm_accel && _vm_certs || return 1
	echo "# vm: guest kernel $VM_KVER, accelerator $VM_ACCEL ($VM_ACCEL_WHY)"
	[[ $VM_ACCEL == tcg ]] && echo "# vm: TCG emulates every guest instruction: guests boot in seconds and run 10-100x slower than the host; latencies measured in them are TCG's"
	topo_on_exit vm_cleanup
}

vm_host() {
	_topo_begin vm_host || return 1
	VM_NS=$VT_ID-hv
	_topo_ns_add "$VM_NS" || return 1
	export VM_NS
}

vm_bridge() { # [ADDR/PLEN]
	VM_BR=${VT_ID}vb
	_topo_bridge_add "$VM_NS" "$VM_BR" &&
		_topo_run ip -n "$VM_NS" addr add "${1:-$VM_NET.1/24}" dev "$VM_BR" || return 1
}

vm_boot() { # NAME IP [--mem MB] [--no-bridge] [--append KERNEL-ARGS] [--tap TAP]
	local name=$1 ip=$2 mem=$VM_MEM_MB bridge=1 extra="" tapname=""
	shift 2
	while (($#)); do
		case $1 in
		--mem) mem=$2; shift ;;
		--append) extra=$2; shift ;;
		--tap) tapname=$2; shift ;;
		--no-bridge) bridge=0 ;;
		*) _vm_err "vm_boot $name: unknown option $1"; return 1 ;;
		esac
		shift
	done
	[[ -n $VM_NS ]] || { _vm_err "vm_boot $name: call vm_host first"; return 1; }
	_vm_n=$((_vm_n + 1))
	local d=$VM_DIR/$name tap=${tapname:-${VT_ID}t$_vm_n} mac
	mac=$(printf '52:54:00:88:00:%02x' "$_vm_n")
	mkdir -p "$d/layer/bin" "$d/layer/etc/vnt" || return 1
	(cd "$PKI" && vm_leaf "$name" "DNS:$name,IP:$ip" serverAuth) >>"$T/pki.log" 2>&1 ||
		{ _vm_err "$name: openssl failed making its certificate"; return 1; }
	cp "$VNT_AGENT" "$UDPGEN" "$UDPSINK" "$d/layer/bin/" &&
		cp "$PKI/ca.crt" "$d/layer/etc/vnt/ca.crt" && cp "$PKI/$name.crt" "$d/layer/etc/vnt/agent.crt" &&
		cp "$PKI/$name.key" "$d/layer/etc/vnt/agent.key" && echo "$VM_AGENT_TIMEOUT" >"$d/layer/etc/vnt/agent_timeout" &&
		(cd "$d/layer" && find . | LC_ALL=C sort | cpio -o -H newc --quiet >"$d/layer.cpio") &&
		cat "$VM_BASE" "$d/layer.cpio" >"$d/initrd" || { _vm_err "$name: cannot build its initramfs in $d"; return 1; }
	_topo_run ip -n "$VM_NS" tuntap add dev "$tap" mode tap &&
		_topo_run ip -n "$VM_NS" link set "$tap" up || { _vm_err "$name: cannot create tap $tap in $VM_NS"; return 1; }
	if ((bridge)) && [[ -n $VM_BR ]]; then
		_topo_port "$VM_NS" "$VM_BR" "$tap" || return 1
	fi
	_topo_ns_no_ipv6 "$VM_NS"
	VM_TAP[$name]=$tap VM_IP[$name]=$ip VM_MAC[$name]=$mac VM_LOG[$name]=$d/console.log VM_SOCK[$name]=$d/ctl.sock
	: >"$d/console.log"
	VM_T0[$name]=$(date +%s.%N)
	# shellcheck disable=SC2046
	nsenter --net="/run/netns/$VM_NS" -- $(_vm_qemu_base "$VM_ACCEL" "$name") -m "$mem" \
		-kernel "$VM_KDIR/vmlinuz" -initrd "$d/initrd" \
		-append "console=ttyS0 quiet panic=-1 vnt.name=$name vnt.ip=$ip/24 vnt.gw=$VM_NET.1 $extra" \
		-chardev "file,id=con,path=$d/console.log" -serial chardev:con \
		-chardev "socket,id=ctl,path=$d/ctl.sock,server=on,wait=off" -serial chardev:ctl \
		-monitor "unix:$d/mon.sock,server=on,wait=off" \
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
		-device "virtio-net-pci,netdev=n0,mac=$mac,csum=off,guest_csum=off,gso=off,guest_tso4=off,guest_tso6=off,guest_ecn=off,guest_ufo=off,host_tso4=off,host_tso6=off,host_ecn=off,host_ufo=off,mrg_rxbuf=off" \
		>"$d/qemu.out" 2>&1 &
	VM_PID[$name]=$!
	echo "# vm: $name booting ($VM_ACCEL, ${mem} MiB, tap $tap in $VM_NS, $ip, QEMU pid ${VM_PID[$name]})"
}

_vm_fail() { # NAME WHY
	local name=$1
	echo "# vm: $name: $2 (accelerator $VM_ACCEL, kernel $VM_KVER); last console lines (${VM_LOG[$name]}):"
	tail -n 15 "${VM_LOG[$name]}" 2>/dev/null | tr -d '\r' | sed 's/^/#   | /'
	[[ -s $VM_DIR/$name/qemu.out ]] && sed 's/^/#   qemu: /' "$VM_DIR/$name/qemu.out"
	_vm_err "VM $name did not come up: $2"
	vm_stop "$name"
	return 1
}

vm_wait() { # NAME
	local name=$1 ip=${VM_IP[$1]:-} t0 panic
	[[ -n $ip ]] || { _vm_err "vm_wait: no VM named $name"; return 1; }
	t0=$SECONDS
	while ((SECONDS - t0 < VM_BOOT_TIMEOUT)); do
		grep -q "listening on $ip:7878" "${VM_LOG[$name]}" 2>/dev/null && break
		# panic=-1 and -no-reboot: a panicking guest ends its QEMU.
		panic=$(grep -o 'Kernel panic - .*' "${VM_LOG[$name]}" 2>/dev/null | head -n 1 | tr -d '\r')
		[[ -n $panic ]] && { _vm_fail "$name" "the guest kernel panicked: $panic"; return 1; }
		kill -0 "${VM_PID[$name]}" 2>/dev/null || { _vm_fail "$name" "QEMU exited"; return 1; }
		grep -q 'vnt-init: agent exited' "${VM_LOG[$name]}" 2>/dev/null && { _vm_fail "$name" "vnt-agent exited in the guest"; return 1; }
		sleep 0.2
	done
	grep -q "listening on $ip:7878" "${VM_LOG[$name]}" 2>/dev/null ||
		{ _vm_fail "$name" "its agent did not listen on $ip:7878 within ${VM_BOOT_TIMEOUT}s"; return 1; }
	VM_BOOT_S[$name]=$(awk -v a="${VM_T0[$name]}" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	echo "# vm: $name up: agent listening ${VM_BOOT_S[$name]}s after QEMU started ($VM_ACCEL); $(grep -o 'vnt-init: up: .*' "${VM_LOG[$name]}" | tr -d '\r')"
}

vm_exec() { # NAME SCRIPT
	[[ -n ${VM_SOCK[$1]:-} ]] || { _vm_err "vm_exec: no VM named $1"; return 1; }
	python3 "$_vm_lib/vm_ctl.py" "${VM_SOCK[$1]}" "$VM_EXEC_TIMEOUT" "$2"
}

vm_monitor() { # NAME COMMAND: a QEMU (HMP) monitor command; prints its answer
	python3 - "$VM_DIR/$1/mon.sock" "$2" <<'EOPY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
buf = b""
while b"(qemu)" not in buf:
    buf += s.recv(4096)
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while buf.count(b"(qemu)") < 1:
    c = s.recv(4096)
    if not c:
        break
    buf += c
out = buf.decode(errors="replace").replace("\r", "")
lines = [l for l in out.split("\n") if l.strip() and not l.startswith("(qemu)") and sys.argv[2] not in l]
print("\n".join(lines))
EOPY
}

# The guest's vCPU threads: "TID NAME" lines ("CPU 0/TCG", "CPU 0/KVM").
vm_vcpus() { # NAME
	local t
	for t in /proc/"${VM_PID[$1]}"/task/*; do
		case $(cat "$t/comm" 2>/dev/null) in
		"CPU "*) echo "${t##*/} $(cat "$t/comm")" ;;
		esac
	done
}

# Context switches of a thread so far (voluntary + involuntary): each one
# is a switch-out, so between two moments when it is asleep, the number
# of times it was switched in.
vm_ctxt() { # PID TID: "ALL VOLUNTARY"
	awk '/^voluntary_ctxt_switches/ { v = $2 } /^(non)?voluntary_ctxt_switches/ { n += $2 } END { print n + 0, v + 0 }' "/proc/$1/task/$2/status"
}

# UDP between two guests: udpsink in DST, udpgen in SRC; sets VM_SENT and
# VM_RECEIVED.  Returns 1 (saying why) if either tool failed.
vm_udp() { # SRC DST PORT COUNT [UDPGEN_ARGS...]
	local src=$1 dst=$2 port=$3 n=$4
	shift 4
	VM_SENT=0 VM_RECEIVED=0
	vm_exec "$dst" "rm -f /tmp/ready.$port /tmp/sink.$port
udpsink --bind ${VM_IP[$dst]} --port $port --idle-ms 3000 --start-timeout-ms 60000 --ready-file /tmp/ready.$port >/tmp/sink.$port 2>/tmp/sink.$port.err &
echo \$! >/tmp/sink.$port.pid
i=0; while [ ! -e /tmp/ready.$port ] && [ \$i -lt 200 ]; do sleep 0.1; i=\$((i + 1)); done
[ -e /tmp/ready.$port ] || { echo 'udpsink did not start:'; cat /tmp/sink.$port.err; exit 1; }" ||
		{ _vm_err "vm_udp: udpsink in $dst"; return 1; }
	VM_SENT=$(vm_exec "$src" "udpgen --src ${VM_IP[$src]} --dst ${VM_IP[$dst]} --dport $port --count $n $*") ||
		{ _vm_err "vm_udp: udpgen in $src: $VM_SENT"; return 1; }
	VM_RECEIVED=$(vm_exec "$dst" "p=\$(cat /tmp/sink.$port.pid); while kill -0 \$p 2>/dev/null; do sleep 0.2; done; cat /tmp/sink.$port") ||
		{ _vm_err "vm_udp: waiting for udpsink in $dst"; return 1; }
	VM_SENT=$(echo "$VM_SENT" | tr -dc 0-9) VM_RECEIVED=$(echo "$VM_RECEIVED" | tr -dc 0-9)
}

# The hypervisor host's own agent, in $VM_NS on the bridge's address
# ($VM_NET.1:7878, TLS, certificate naming "host"); VM_HOST_AGENT_PID.
vm_host_agent() {
	local ip=$VM_NET.1 log=$VM_DIR/host-agent.log i
	(cd "$PKI" && vm_leaf host "DNS:host,IP:$ip" serverAuth) >>"$T/pki.log" 2>&1 ||
		{ _vm_err "host agent: openssl failed making its certificate"; return 1; }
	nsenter --net="/run/netns/$VM_NS" -- "$VNT_AGENT" --config /dev/null --listen "$ip:7878" --name host \
		--cert "$PKI/host.crt" --key "$PKI/host.key" --ca "$PKI/ca.crt" --timeout "$VM_AGENT_TIMEOUT" >"$log" 2>&1 &
	VM_HOST_AGENT_PID=$!
	topo_on_exit 'kill -TERM "$VM_HOST_AGENT_PID" 2>/dev/null; wait "$VM_HOST_AGENT_PID" 2>/dev/null'
	for i in $(seq 1 100); do
		grep -q "listening on $ip:7878" "$log" && return 0
		kill -0 "$VM_HOST_AGENT_PID" 2>/dev/null || break
		sleep 0.1
	done
	_vm_err "the host agent did not start: $(cat "$log")"
	return 1
}

# vnt dispatch from the hypervisor's namespace (it reaches the guests over
# the bridge), with the test PKI's client certificate.
vm_dispatch() { # ARGS...
	nsenter --net="/run/netns/$VM_NS" -- "$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" "$@"
}

# The same in the background, stdout/stderr to OUT/ERR; VM_DISPATCH_PID is
# vnt's own pid (nsenter execs it), so `kill -INT` reaches it.
vm_dispatch_bg() { # OUT ERR ARGS...
	local out=$1 err=$2
	shift 2
	nsenter --net="/run/netns/$VM_NS" -- "$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" "$@" \
		>"$out" 2>"$err" &
	VM_DISPATCH_PID=$!
}

# BPF programs held by processes in the guest, and its registered kprobes:
# "PROGS KPROBES" (0 0 when nothing is attached).
vm_bpf_left() { # NAME
	vm_exec "$1" 'n=0; for f in /proc/[0-9]*/fdinfo/*; do grep -q "^prog_type:" "$f" 2>/dev/null && n=$((n + 1)); done
k=$(grep -c . /sys/kernel/debug/kprobes/list 2>/dev/null); echo "$n ${k:-0}"'
}

# Static neighbour entries between guests (and from the host's device DEV
# in $VM_NS): no ARP on the traced path.  ARP matters there: a request
# lost in a congested queue stalls resolution for seconds and the
# neighbour layer drops what it held (before any device hop sees it), and
# the first packet to a new neighbour leaves from softirq context once the
# answer comes.
vm_neigh() { # NAME... [--host DEV]
	local a b dev=""
	local names=()
	while (($#)); do
		case $1 in
		--host) dev=$2; shift ;;
		*) names+=("$1") ;;
		esac
		shift
	done
	for a in "${names[@]}"; do
		for b in "${names[@]}"; do
			[[ $a == "$b" ]] && continue
			vm_exec "$a" "arp -i eth0 -s ${VM_IP[$b]} ${VM_MAC[$b]}" ||
				{ _vm_err "vm_neigh: $a -> $b"; return 1; }
		done
		[[ -n $dev ]] && { ip -n "$VM_NS" neigh replace "${VM_IP[$a]}" lladdr "${VM_MAC[$a]}" dev "$dev" nud permanent ||
			{ _vm_err "vm_neigh: host -> $a"; return 1; }; }
	done
	return 0
}

vm_mem() { # NAME
	local name=$1 g rss
	g=$(vm_exec "$name" "awk '/^MemTotal|^MemAvailable/ { printf \"%s %d \", \$1, \$2 / 1024 }' /proc/meminfo")
	rss=$(awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/${VM_PID[$name]}/status" 2>/dev/null)
	VM_MEM_LINE="$name: guest ${g}MiB; QEMU RSS on the host ${rss:-?} MiB"
	echo "# vm: $VM_MEM_LINE"
}

vm_stop() { # NAME
	local pid=${VM_PID[$1]:-} i
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "VM_PID[$1]"
}

vm_cleanup() {
	local n
	for n in "${!VM_PID[@]}"; do
		vm_stop "$n"
	done
}
