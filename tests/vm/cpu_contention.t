#!/bin/bash
# Case study 2 on the real stack, asserted: examples/vm-cpu-contention/run.sh
# (the I/O guest's and a CPU-bound guest's vCPU threads pinned to one host
# CPU; 1000 pings from the host to the I/O guest with the other guest idle,
# then spinning).  Ground truth: ping's own RTTs and the spinner, which
# keeps its vCPU thread runnable all the time.
#  - the network segments (bridge -> tap, tap -> bridge) see every ping and
#    stay flat in both phases (p99.9 under 1 ms);
#  - with the spinner, the I/O guest's vCPU waits for the CPU: its
#    wakeup-to-run p99 is between 1 ms and three 250 Hz ticks (12 ms): the
#    spinner runs until the scheduler's slice or tick ends it;
#  - vnt attributes the RTT's tail to that wait: the busy phase's RTT
#    p99 - p50 is at most twice the vCPU's wake->run p99.9 plus 1 ms,
#    and that wait is at least ten times the network segments' p99.9.
# The I/O guest's RTT p99.9 ratio (busy / idle) is measured and printed,
# not asserted: the seed's >= 10x needs a baseline far below the tick,
# and TCG's own RTT tail is already 2-5 ms (see README).
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

out=$T/out
if ! "$VNT_TOP/examples/vm-cpu-contention/run.sh" "$out" >"$T/run.log" 2>&1; then
	if grep -q 'no guest can run here' "$T/run.log"; then
		skip "vm-cpu-contention" "no guest can run here: $(grep ERROR "$T/run.log" | head -n 1)"
		exit 0
	fi
	sed 's/^/# /' "$T/run.log" | tail -n 40
	notok "vm-cpu-contention: run.sh" "it failed: $(grep -m1 'ERROR' "$T/run.log" || tail -n 1 "$T/run.log")"
	exit 1
fi
grep -E '^# (vm:|vm-cpu)' "$T/run.log"
sed 's/^/# summary: /' "$out/summary"
ok "vm-cpu-contention: run.sh runs the case study (two QEMU guests sharing a host CPU)"
py '
import json, sys
out = sys.argv[1]
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))]
def check(name, good, why=""):
    print(("ok vm-cpu-contention: %s" % name) if good else ("not ok vm-cpu-contention: %s: %s" % (name, why)))
ph = {}
for name in ("idle", "busy"):
    rtt = [float(x) * 1e6 for x in open("%s/rtt-%s" % (out, name))]
    segs = {}
    for line in open("%s/%s.jsonl" % (out, name)):
        if line.startswith("{"):
            d = json.loads(line)
            if d.get("type") == "final":
                for s in d.get("breakdown", []):
                    segs[(s["from"], s["to"])] = s
    ph[name] = (rtt, segs)
    check("%s: all 1000 pings answered" % name, len(rtt) == 1000, "%d RTTs" % len(rtt))
    for k in (("br_tx", "tap_to"), ("tap_from", "br_rx")):
        s = segs.get(k)
        check("%s: network segment %s -> %s sees every ping, p99.9 under 1 ms" % (name, k[0], k[1]),
              s is not None and s["count"] >= 1000 and s["p99_9_ns"] < 1e6, repr(s and (s["count"], s["p99_9_ns"])))
rtt, segs = ph["busy"]
w = segs[("wake", "run")]
net = max(segs[k]["p99_9_ns"] for k in (("br_tx", "tap_to"), ("tap_from", "br_rx")))
check("busy: the I/O vCPU waits for the spinner: wake->run p99 %.2f ms in [1 ms, 12 ms]" % (w["p99_ns"] / 1e6), 1e6 <= w["p99_ns"] <= 12e6)
# p99, not p99.9: of 1000 pings the p99.9 is the single worst, which can
# also hold time the vCPU spent preempted while runnable (switched out by
# the spinner mid-work: no wakeup, so not in wake->run).  Measured once
# under load: worst ping 36 ms, wake->run max 10.8 ms.
excess = pct(rtt, 99) - pct(rtt, 50)
check("busy: the RTT tail (p99 - p50 = %.2f ms) is the vCPU wait (wake->run p99.9 %.2f ms): at most twice it + 1 ms" % (
      excess / 1e6, w["p99_9_ns"] / 1e6), excess <= 2 * w["p99_9_ns"] + 1e6)
check("busy: the vCPU wait dwarfs the network (p99.9 %.2f ms vs %.0f us)" % (w["p99_9_ns"] / 1e6, net / 1e3), w["p99_9_ns"] >= 10 * net)
iw = ph["idle"][1][("wake", "run")]
ratio = pct(rtt, 99.9) / pct(ph["idle"][0], 99.9)
print("# MEASURED RTT p99.9 idle %.2f ms, busy %.2f ms: %.1fx (seed: 22x); wake->run p99.9 idle %.2f ms, busy %.2f ms; network p99.9 <= %.0f us" % (
    pct(ph["idle"][0], 99.9) / 1e6, pct(rtt, 99.9) / 1e6, ratio, iw["p99_9_ns"] / 1e6, w["p99_9_ns"] / 1e6, net / 1e3))
' "$out"
exit 0
