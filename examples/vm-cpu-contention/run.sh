#!/bin/bash
# Case study 2, tail latency from CPU sharing, on the real stack: an I/O
# guest and a CPU-bound guest (QEMU, tests/lib/vm.sh) whose vCPU threads
# are pinned to the same host CPU.  The host pings the I/O guest ($PINGS
# echo requests, every $INTERVAL s) twice: with the other guest idle, then
# with it spinning.  vnt traces the host's side of each ping (bridge ->
# tap, tap -> bridge) and the I/O guest's vCPU thread (sched.vcpu_wakeup
# and vcpu_run by QEMU's pid): the added tail must be the vCPU's
# wakeup-to-run delay, the network segments flat.
#
#   examples/vm-cpu-contention/run.sh [OUTDIR]      (as root; ~1 minute)
# Leaves in OUTDIR (default ./vm-cpu-contention.out): rtt-idle, rtt-busy
# (ping's RTTs, ms), idle.jsonl, busy.jsonl (vnt run --format json) and
# summary (percentiles of both).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mkdir -p "${1:-vm-cpu-contention.out}" && cd "${1:-vm-cpu-contention.out}" && pwd)
: "${PINGS:=1000}" "${INTERVAL:=0.01}" "${IO_POLICY:=other}"
export VNT_TOP=$top VNT=$top/vnt
T=$(mktemp -d /tmp/vnt-vm-cpu.XXXXXX)
export VNT_TEST_TMP=$T
. "$top/tests/integration/lib.sh"
. "$top/tests/lib/vm.sh"
topo_on_exit "rm -rf '$T'"
die() { echo "vm-cpu-contention: ERROR: $*" >&2; exit 1; }

CPU=$(($(nproc) - 1))
vm_setup || die "no guest can run here (see above)"
vm_host && vm_bridge || die "cannot make the hypervisor's namespace and bridge"
vm_boot io "$VM_NET.11" && vm_boot cpu "$VM_NET.12" || die "cannot start the guests"
vm_wait io && vm_wait cpu || die "the guests did not come up"
for g in io cpu; do
	while read -r tid comm; do
		taskset -p -c "$CPU" "$tid" >/dev/null || die "cannot pin $g's vCPU thread $tid"
		echo "# vm-cpu-contention: $g: vCPU thread $tid '$comm' pinned to host CPU $CPU"
	done < <(vm_vcpus "$g")
done
if [[ $IO_POLICY == idle ]]; then
	# SCHED_IDLE: the I/O guest's vCPU cannot preempt the spinner when it
	# wakes (a VM given the least CPU weight, e.g. by a cgroup's cpu.weight).
	while read -r tid comm; do chrt -i -p 0 "$tid" || die "chrt -i on $tid"; done < <(vm_vcpus io)
	echo "# vm-cpu-contention: io's vCPU in SCHED_IDLE"
elif [[ $IO_POLICY == nice* ]]; then
	# A smaller CPU weight for the I/O guest's vCPU (nice N: what a VM in
	# a cgroup of lower cpu.weight gets).
	while read -r tid comm; do renice -n "${IO_POLICY#nice}" -p "$tid" >/dev/null || die "renice $tid"; done < <(vm_vcpus io)
	echo "# vm-cpu-contention: io's vCPU at nice ${IO_POLICY#nice}"
fi
sed -e "s|@NS@|$VM_NS|g" -e "s|@BR@|$VM_BR|g" -e "s|@TAP@|${VM_TAP[io]}|g" -e "s|@IP@|${VM_IP[io]}|g" \
	-e "s|@PID@|${VM_PID[io]}|g" "$top/examples/vm-cpu-contention/path.vnt.in" >"$OUT/path.vnt"

phase() { # NAME
	vnt_start "$1" "$OUT/path.vnt" --duration 600 --format json || die "vnt run did not attach"
	# -i below 0.2 s is root's: ping paces itself, one request in flight at a time
	nsenter --net="/run/netns/$VM_NS" ping -n -q -c 1 -W 2 "${VM_IP[io]}" >/dev/null
	nsenter --net="/run/netns/$VM_NS" ping -n -c "$PINGS" -i "$INTERVAL" -W 2 "${VM_IP[io]}" >"$T/ping-$1" 2>&1
	kill -INT "${VNT_PIDS[$1]}"
	vnt_finish "$1"
	cp "$T/$1.out" "$OUT/$1.jsonl"
	sed -n 's/.* time=\([0-9.]*\) ms/\1/p' "$T/ping-$1" >"$OUT/rtt-$1"
	echo "# vm-cpu-contention: $1: $(tail -n 2 "$T/ping-$1" | tr '\n' ' ')"
}
phase idle
# The CPU-bound guest spins: its vCPU thread now wants the host CPU all the time.
vm_exec cpu 'sh -c "while :; do :; done" >/dev/null 2>&1 &' || die "cannot start the spinner in the cpu guest"
sleep 1
phase busy
vm_exec cpu 'kill $(pidof sh) 2>/dev/null; true' >/dev/null
python3 - "$OUT" "$VM_ACCEL" "$IO_POLICY" <<'EOPY' | tee "$OUT/summary"
import json, sys
out, accel = sys.argv[1], sys.argv[2]
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))] if v else float("nan")
def segs(name):
    r = {}
    for line in open("%s/%s.jsonl" % (out, name)):
        if line.startswith("{"):
            d = json.loads(line)
            if d.get("type") == "final":
                for s in d.get("breakdown", []):
                    r["%s->%s" % (s["from"], s["to"])] = s
    return r
print("accelerator %s io_policy %s" % (accel, sys.argv[3]))
for ph in ("idle", "busy"):
    rtt = [float(x) for x in open("%s/rtt-%s" % (out, ph))]
    print("%s rtt_ms n %d p50 %.3f p99 %.3f p99.9 %.3f max %.3f" % (ph, len(rtt), pct(rtt, 50), pct(rtt, 99), pct(rtt, 99.9), max(rtt or [0])))
    for k, s in segs(ph).items():
        print("%s segment %s count %d p50_us %.1f p99_us %.1f p99.9_us %.1f max_us %.1f lost %d" % (
            ph, k, s["count"], s["p50_ns"] / 1e3, s["p99_ns"] / 1e3, s["p99_9_ns"] / 1e3, s["max_ns"] / 1e3, s["lost"]))
EOPY
