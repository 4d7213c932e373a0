#!/bin/bash
# tests/lib/vm.sh on real QEMU guests: two guests boot Debian's 6.1 kernel
# (not this host's), each with virtio-net on a tap in the hypervisor's
# namespace and vnt-agent listening with TLS; 20 pings from one to the
# other through a Linux bridge all come back; a guest that cannot boot is
# reported by name with its console's last lines; a test killed half-way
# leaves no QEMU, tap or namespace behind.  Prints boot time and memory.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$VNT_TOP/tests/lib/vm.sh"

vm_setup || { skip "vm: boot" "no guest can run here (see the error above)"; exit 0; }
vm_host && vm_bridge || { notok "vm: hypervisor namespace and bridge" "see above"; exit 1; }
vm_boot vm1 "$VM_NET.11" && vm_boot vm2 "$VM_NET.12" || { notok "vm: start two guests" "see above"; exit 1; }
if vm_wait vm1 && vm_wait vm2; then
	ok "vm: two guests boot and their agents listen (TLS on eth0:7878)"
else
	notok "vm: two guests boot and their agents listen" "see above"
	exit 1
fi
k=$(vm_exec vm1 'uname -r')
if [[ $k == "$VM_KVER" && $k != "$(uname -r)" ]]; then
	ok "vm: the guest runs its own kernel ($k; host $(uname -r))"
else
	notok "vm: the guest runs its own kernel" "guest says '$k', want $VM_KVER"
fi
out=$(vm_exec vm1 "ping -c 20 -i 0.2 -W 2 ${VM_IP[vm2]}")
echo "$out" | tail -n 2 | sed 's/^/# /'
if [[ $out == *"20 packets transmitted, 20 packets received"* ]]; then
	ok "vm: 20 pings vm1 -> vm2 across taps and the bridge, 20 answers"
else
	notok "vm: 20 pings vm1 -> vm2, 20 answers" "$(echo "$out" | tail -n 2 | tr '\n' ' ')"
fi
vm_mem vm1
mem1=$VM_MEM_LINE
vm_mem vm2
echo "# vm: MEASURED accel=$VM_ACCEL boot vm1=${VM_BOOT_S[vm1]}s vm2=${VM_BOOT_S[vm2]}s (both at once, QEMU start to agent listening); $mem1; $VM_MEM_LINE"

# A guest that cannot boot: its kernel is told to run an /init that does not exist.
VM_BOOT_TIMEOUT=60
vm_boot broken "$VM_NET.13" --append "rdinit=/no/such/init" >/dev/null
vm_wait broken >"$T/broken.out" 2>&1
rc=$?
sed 's/^/#   /' "$T/broken.out"
if ((rc != 0)) && grep -q "VM broken did not come up: the guest kernel panicked: Kernel panic" "$T/broken.out"; then
	ok "vm: a guest that does not boot: error names the VM, the cause and shows its console"
else
	notok "vm: a guest that does not boot is reported" "rc $rc; $(tr '\n' ' ' <"$T/broken.out" | cut -c1-300)"
fi
if [[ -z ${VM_PID[broken]:-} ]] && ! pgrep -f -- "-name broken,debug" >/dev/null; then
	ok "vm: the failed guest's QEMU is gone"
else
	notok "vm: the failed guest's QEMU is gone" "$(pgrep -af -- '-name broken,debug')"
fi

# A test killed half-way (SIGTERM while its guest boots) leaves nothing.
cat >"$T/killed.sh" <<EOS
#!/bin/bash
set -uo pipefail
export VNT_TEST_TMP=$T/killed
mkdir -p "\$VNT_TEST_TMP"
. "$VNT_TOP/tests/integration/lib.sh"
. "$VNT_TOP/tests/lib/vm.sh"
vm_setup >/dev/null && vm_host && vm_bridge && vm_boot victim 10.88.0.21 >/dev/null || exit 1
sleep 300 &
echo "\$VT_ID \${VM_PID[victim]} \$!" >"$T/killed.id"
wait
EOS
chmod +x "$T/killed.sh"
"$T/killed.sh" >"$T/killed.log" 2>&1 &
kpid=$!
for _ in $(seq 1 300); do [[ -s $T/killed.id ]] && break; kill -0 "$kpid" 2>/dev/null || break; sleep 0.1; done
read -r kid kqemu ksleep <"$T/killed.id" 2>/dev/null
sleep 1
kill -TERM "$kpid"
wait "$kpid"
kill "${ksleep:-}" 2>/dev/null
left=$(topo_leftovers "$kid")
if [[ -n ${kid:-} ]] && ! kill -0 "${kqemu:-0}" 2>/dev/null && [[ -z $left ]]; then
	ok "vm: a test killed while its guest boots leaves no QEMU, tap or namespace"
else
	notok "vm: a killed test leaves nothing" "id '${kid:-}', QEMU ${kqemu:-?} $(kill -0 "${kqemu:-0}" 2>/dev/null && echo alive); leftovers: $left"
fi
exit 0
