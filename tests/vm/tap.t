#!/bin/bash
# Host-side hops of real QEMU guests (tests/lib/vm.sh): two guests on a
# Linux bridge in the hypervisor's namespace.  Exact counts on the taps in
# both directions: N1 datagrams vm1 -> vm2 and N2 vm2 -> vm1 (udpsink in
# the guests counts them: the ground truth) must be seen N1/N2 times at
# tun.from_guest and tun.receive of the sender's tap and at tun.to_guest
# of the receiver's tap, and matched from one tap to the other.
# The scheduler hops sched.vcpu_wakeup/vcpu_run(QEMU pid) of vm1: vm1 is
# paused (QEMU monitor `stop`) at both ends of the window, so its vCPU
# thread is asleep then and the number of times it was switched in equals
# (within the edges: see below) the context switches /proc counts for that
# thread in between (vm2's
# vCPU, busy too, must not be counted), and every sleep (voluntary switch)
# is ended by a traced wakeup.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$VNT_TOP/tests/lib/vm.sh"

N1=300 N2=200
vm_setup || { skip "vm-tap: host-side VM hops" "no guest can run here (see the error above)"; exit 0; }
vm_host && vm_bridge || { notok "vm-tap: hypervisor namespace and bridge" "see above"; exit 1; }
vm_boot vm1 "$VM_NET.11" && vm_boot vm2 "$VM_NET.12" && vm_wait vm1 && vm_wait vm2 ||
	{ notok "vm-tap: two guests boot" "see above"; exit 1; }
vm_neigh vm1 vm2 || { notok "vm-tap: static neighbour entries" "see above"; exit 1; }
TA=${VM_TAP[vm1]} TB=${VM_TAP[vm2]} P1=${VM_PID[vm1]} P2=${VM_PID[vm2]}
read -r TID1 C1 <<<"$(vm_vcpus vm1 | head -n 1)"
read -r TID2 C2 <<<"$(vm_vcpus vm2 | head -n 1)"
echo "# vm1: QEMU pid $P1, vCPU thread $TID1 '$C1'; vm2: QEMU pid $P2, vCPU thread $TID2 '$C2'"
want_comm="CPU 0/$(tr a-z A-Z <<<"$VM_ACCEL")"
check_eq "vm-tap: QEMU's vCPU thread is named '$want_comm' ($VM_ACCEL, debug-threads=on)" "$C1" "$want_comm"

cat >"$T/tap.vnt" <<EOF
import "tun"
import "sched"
trace ab {
    where udp and dst port 11111
    hop a_from = tun.from_guest("$VM_NS/$TA")
    hop a_rx   = tun.receive("$VM_NS/$TA")
    hop b_to   = tun.to_guest("$VM_NS/$TB")
    count() by hop
    hist(latency(a_from, b_to))
}
trace ba {
    where udp and dst port 11112
    hop b_from = tun.from_guest("$VM_NS/$TB")
    hop a_to   = tun.to_guest("$VM_NS/$TA")
    count() by hop
    hist(latency(b_from, a_to))
}
trace vcpu {
    hop wake = sched.vcpu_wakeup($P1)
    hop run  = sched.vcpu_run($P1)
    count() by hop, pid, comm
    hist(latency(wake, run))
}
trace vrun {
    hop run = sched.vcpu_run($P1)
    count()
}
trace vwake {
    hop wake = sched.vcpu_wakeup($P1)
    count()
}
EOF
vm_monitor vm1 stop >/dev/null
vnt_start tap "$T/tap.vnt" --duration 120 --format json || { notok "vm-tap: vnt run attaches" "see above"; exit 1; }
ok "vm-tap: vnt run attaches tun and vCPU hops"
read -r c0 v0 <<<"$(vm_ctxt "$P1" "$TID1")"
vm_monitor vm1 cont >/dev/null
vm_udp vm1 vm2 11111 "$N1" --rate 500 && s1="$VM_SENT $VM_RECEIVED" &&
	vm_udp vm2 vm1 11112 "$N2" --rate 500 && s2="$VM_SENT $VM_RECEIVED"
traffic=$?
vm_monitor vm1 stop >/dev/null
sleep 0.5
read -r c1 v1 <<<"$(vm_ctxt "$P1" "$TID1")"
kill -INT "${VNT_PIDS[tap]}"
vnt_finish tap
vm_monitor vm1 cont >/dev/null
check_eq "vm-tap: traffic vm1 -> vm2 (sent received)" "${s1:-}" "$N1 $N1"
check_eq "vm-tap: traffic vm2 -> vm1 (sent received)" "${s2:-}" "$N2 $N2"
((traffic == 0)) || exit 1

py '
import json, sys
docs = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        d = json.loads(line)
        if d.get("type") == "final":
            docs[d["trace"]] = d
N1, N2, ctxt = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def aggs(t):
    return {a["title"]: a for a in docs[t]["aggregations"]}
def check(name, good, why):
    print(("ok vm-tap: " + name) if good else ("not ok vm-tap: %s: %s" % (name, why)))
for t, want in (("ab", {"a_from": N1, "a_rx": N1, "b_to": N1}), ("ba", {"b_from": N2, "a_to": N2})):
    a = aggs(t)
    got = {r["key"]["hop"]: r["value"] for r in a["count() by hop"]["rows"]}
    print("# trace %s: %r" % (t, got))
    check("trace %s: exact counts at every tap hop %r" % (t, want), got == want, "got %r" % got)
    h = [x for x in a.values() if x["title"].startswith("hist(latency")][0]
    print("# %s" % json.dumps(h)[:800])
a = aggs("vcpu")
rows = a["count() by hop, pid, comm"]["rows"]
print("# vcpu rows: %r" % rows)
kruns = sum(r["value"] for r in rows if r["key"]["hop"] == "run")
kwakes = sum(r["value"] for r in rows if r["key"]["hop"] == "wake")
runs = aggs("vrun")["count()"]["rows"][0]["value"]
wakes = aggs("vwake")["count()"]["rows"][0]["value"]
print("# keyed count() by hop, pid, comm: %d runs, %d wakeups; count(): %d runs, %d wakeups" % (kruns, kwakes, runs, wakes))
keys = set((r["key"]["pid"], r["key"]["comm"]) for r in rows)
vol = int(sys.argv[7])
print("# MEASURED vcpu of vm1: %d switch-ins traced, %d context switches in /proc; %d wakeups traced, %d voluntary switches (sleeps) in /proc" % (runs, ctxt, wakes, vol))
check("sched.vcpu_run(pid): only vm1 vCPU thread", keys == {(sys.argv[5], sys.argv[6])}, repr(keys))
# Equal but for the edges of the window: a paused TCG vCPU thread is not quite
# silent (QEMU still kicks it now and then), and /proc is read a moment
# after attaching and before detaching.  Measured: 0 to 12 apart in ~4000.
check("sched.vcpu_run(pid): switch-ins == /proc context switches of the thread (%d), within 0.5%%" % ctxt,
      abs(runs - ctxt) <= max(2, ctxt // 200), "traced %d" % runs)
check("sched.vcpu_run(pid): keyed and plain counts agree", (kruns, kwakes) == (runs, wakes), "%r" % ((kruns, kwakes, runs, wakes),))
# Every sleep in the window ends with a wakeup in it (the thread sleeps at
# both ends); a wakeup of a thread that had not yet switched out is a
# wakeup without a sleep, so: wakeups >= sleeps.
check("sched.vcpu_wakeup(pid): a wakeup for every sleep (%d wakeups >= %d voluntary switches)" % (wakes, vol), vol > 0 and wakes >= vol, "wakeups %d, sleeps %d" % (wakes, vol))
' "$T/tap.out" "$N1" "$N2" "$((c1 - c0))" "$P1" "$C1" "$((v1 - v0))"
exit 0
