#!/bin/bash
# Inside real guests: one package, compiled here (Linux 6.18), dispatched
# over mutual TLS to the agents of two QEMU guests (Debian's 6.1 kernel:
# CO-RE against another kernel's BTF) and of the hypervisor host.  The hop
# kinds this host lacks run in the guests: kprobe (virtio-net's
# start_xmit), fentry (__dev_queue_xmit, udp_rcv) and uprobe (libc's
# sendto).  N datagrams vm1 -> vm2 (udpsink counts them): every hop sees
# exactly N, and `vnt report` joins all N across the three kernels into one
# path: vm1's stack -> vm1's virtio-net driver -> vm1's tap -> vm2's tap ->
# vm2's device -> vm2's UDP -> vm2's socket queue.
# vm2's kernel clock runs 1% fast (adjtimex): its offset, measured through
# the run, moves at that drift, and its records stay aligned.  Then the refusals: a package
# that needs a tracepoint the guest's kernel does not have, and a kprobe on
# a function it does not have, each named with the guest; nothing stays
# attached in the guests.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$VNT_TOP/tests/lib/vm.sh"

N=200
LIBC=/lib/x86_64-linux-gnu/libc.so.6
vm_setup || { skip "vm-guest: kprobe, fentry and uprobe hops in a guest" "no guest can run here (see the error above)"; exit 0; }
vm_host && vm_bridge || { notok "vm-guest: hypervisor namespace and bridge" "see above"; exit 1; }
vm_boot vm1 "$VM_NET.11" && vm_boot vm2 "$VM_NET.12" || { notok "vm-guest: start two guests" "see above"; exit 1; }
vm_host_agent || { notok "vm-guest: the host agent starts" "see above"; exit 1; }
vm_wait vm1 && vm_wait vm2 || { notok "vm-guest: two guests boot" "see above"; exit 1; }
# Static ARP: otherwise the first datagram leaves vm1 from softirq context
# once ARP is answered, and an fentry program already running there (for
# the agent's own TCP) makes the kernel skip that call (seen: 199 of 200).
vm_neigh vm1 vm2 || { notok "vm-guest: static neighbour entries" "see above"; exit 1; }
TA=${VM_TAP[vm1]} TB=${VM_TAP[vm2]}
# A clock that really differs: the guests' kernels booted after the host's,
# so their monotonic clocks (what BPF programs read) are seconds apart from
# it; and vm2's runs 1% fast from here on (adjtimex: 10100 us per 10 ms
# tick), drifting 10 ms per second from vm1's and the host's. The
# dispatcher measures each agent's offset every second; the report must put
# each record on the collector's clock with the offset of its own time.
DRIFT_PPM=10000
if out=$(vm_exec vm2 "adjtimex -t 10100 >/dev/null && adjtimex | grep -i tick" 2>&1) && [[ $out == *10100* ]]; then
	ok "vm-guest: vm2's clock set to run 1% fast (adjtimex tick 10100)"
else
	notok "vm-guest: vm2's clock set to run 1% fast (adjtimex tick 10100)" "$out"
	DRIFT_PPM=0
fi

cat >"$T/guest.vnt" <<EOF
import "net"
import "tun"
import "virtio"
import "sock"
trace path {
    where udp and dst port 11111
    hop g1_queue = fentry("__dev_queue_xmit", 0)    # vm1: the stack queues it for eth0
    hop g1_drv   = virtio.guest_xmit()              # vm1: virtio-net start_xmit (kprobe)
    hop h_from   = tun.from_guest("$VM_NS/$TA")     # host: out of vm1, into its tap
    hop h_to     = tun.to_guest("$VM_NS/$TB")       # host: towards vm2, through its tap
    hop g2_rx    = net.netif_receive("eth0")        # vm2: received on eth0
    hop g2_udp   = fentry("udp_rcv", 0)             # vm2: UDP takes it
    hop g2_sock  = sock.udp_queue()                 # vm2: queued on the socket
    count() by hop
    events
}
trace calls {
    hop send = virtio.user("$LIBC", "sendto")       # vm1: the application's sendto() calls
    count()
    events
}
EOF
"$VNT" compile -o "$T/guest.vntpkg" "$T/guest.vnt" 2>"$T/compile.err" ||
	{ notok "vm-guest: compile the package here" "$(cat "$T/compile.err")"; exit 1; }
cat >"$T/hosts" <<EOF
vm1   ${VM_IP[vm1]}:7878   hops=g1_queue,g1_drv,calls.send
host  $VM_NET.1:7878      hops=h_from,h_to
vm2   ${VM_IP[vm2]}:7878   hops=g2_rx,g2_udp,g2_sock
EOF

vm_dispatch_bg "$T/dispatch.out" "$T/dispatch.err" --hosts "$T/hosts" --db "$T/vnt.db" --duration 300 "$T/guest.vntpkg"
dpid=$VM_DISPATCH_PID
for _ in $(seq 1 1200); do
	grep -q 'hops attached; tracing' "$T/dispatch.err" && break
	kill -0 "$dpid" 2>/dev/null || break
	sleep 0.1
done
if grep -q '8 hops attached; tracing' "$T/dispatch.err"; then
	ok "vm-guest: one package attaches 8 hops on two guests (6.1) and the host (6.18), TLS"
else
	notok "vm-guest: one package attaches on two guests and the host" "$(tr '\n' ' ' <"$T/dispatch.err")"
	kill -INT "$dpid" 2>/dev/null
	wait "$dpid"
	exit 1
fi
vm_udp vm1 vm2 11111 "$N" --rate 100
traffic=$?
sleep 3 # the agents stream raw records as they come: a margin for the last ones
kill -INT "$dpid"
wait "$dpid"
rc=$?
sed 's/^/# dispatch: /' "$T/dispatch.out" "$T/dispatch.err"
check_eq "vm-guest: dispatch exits 0 after Ctrl-C" "$rc" 0
check_eq "vm-guest: traffic vm1 -> vm2 (sent received)" "$VM_SENT $VM_RECEIVED" "$N $N"
((traffic == 0)) || exit 1

"$VNT" report "$T/vnt.db" >"$T/report.txt" 2>&1 && sed 's/^/# report: /' "$T/report.txt" | head -n 40
if "$VNT" report --format json "$T/vnt.db" >"$T/report.json" 2>"$T/report.err"; then
	py '
import json, sqlite3, sys
d = json.load(open(sys.argv[1])); N = int(sys.argv[2])
def check(name, good, why=""):
    print(("ok vm-guest: %s" % name) if good else ("not ok vm-guest: %s: %s" % (name, why)))
path = ["g1_queue", "g1_drv", "h_from", "h_to", "g2_rx", "g2_udp", "g2_sock"]
kinds = {"g1_queue": "fentry", "g1_drv": "kprobe", "g2_udp": "fentry"}
hops = {h["name"]: h["packets"] for h in d["hops"] if h["name"] in path}
for h in path:
    what = {"fentry": "fentry hop", "kprobe": "kprobe hop"}.get(kinds.get(h), "hop")
    check("%s %s sees exactly %d packets" % (what, h, N), hops.get(h) == N, "got %r" % hops.get(h))
for s in d["segments"]:
    s["from"], s["to"] = s["from"].split(".")[-1], s["to"].split(".")[-1]
segs = [(s["from"], s["to"]) for s in d["segments"] if s["from"] in path]
check("report: one path of 6 segments, guest -> host -> guest, in order", segs == list(zip(path, path[1:])), repr(segs))
for h in d["hosts"]:
    print("# clock: %s offset %+.3f ms +/- %.3f ms" % (h["name"], h["clock_offset_ns"] / 1e6, h["clock_uncertainty_ns"] / 1e6))
unc = max(h["clock_uncertainty_ns"] for h in d["hosts"])
for s in d["segments"]:
    if s["from"] not in path:
        continue
    print("# segment %s -> %s: count %d lost %d p50 %.1f us p99 %.1f us" % (s["from"], s["to"], s["count"], s["lost"], s["p50_ns"] / 1e3, s["p99_ns"] / 1e3))
    check("%s -> %s: all %d joined by fingerprint, none lost, latency > -2x clock uncertainty" % (s["from"], s["to"], N),
          s["count"] == N and s["lost"] == 0 and s["min_ns"] > -2 * unc - 1000 and s["max_ns"] < 1e9,
          "count %s lost %s min %s max %s" % (s["count"], s["lost"], s["min_ns"], s["max_ns"]))
db = sqlite3.connect(sys.argv[3])
run = db.execute("select max(id) from runs").fetchone()[0]
# For a segment that did not join every packet: those packets, hop by hop.
names = {i: n for i, n in db.execute("select id, name from hops where run_id = ?", (run,))}
per = {}
for hop, fp, ts in db.execute("select hop, fp, ts_ns from events where run_id = ?", (run,)):
    per.setdefault(fp, []).append((names[hop], ts))
for s in d["segments"]:
    if s["from"] in path and s["count"] != N:
        for fp, evs in per.items():
            hs = [h for h, t in evs]
            if hs.count(s["from"]) != 1 or hs.count(s["to"]) != 1 or \
               dict(evs)[s["to"]] < dict(evs)[s["from"]]:
                print("# unjoined at %s -> %s: fp %x: %r" % (s["from"], s["to"], fp, sorted(evs, key=lambda e: e[1])))
# The clocks, measured through the run: vm2 offset moves at its drift
# (slope of offset over agent time, against vm1 as the control).
drift = int(sys.argv[4])
ids = {n: i for i, n in db.execute("select id, name from hosts where run_id = ?", (run,))}
def slope(host):
    pts = db.execute("select agent_ns, offset_ns from clock where run_id = ? and host_id = ? order by agent_ns",
                     (run, ids[host])).fetchall()
    if len(pts) < 3:
        return None, len(pts), 0
    n = len(pts); mx = sum(a for a, o in pts) / n; my = sum(o for a, o in pts) / n
    k = sum((a - mx) * (o - my) for a, o in pts) / sum((a - mx) ** 2 for a, o in pts)
    return k, n, pts[-1][0] - pts[0][0]
k1, n1, span1 = slope("vm1"); k2, n2, span2 = slope("vm2")
print("# MEASURED clock: %d and %d measurements over %.1f s; offset drift vm1 %s ppm, vm2 %s ppm" % (n1, n2, span2 / 1e9,
      "%.0f" % (k1 * 1e6) if k1 is not None else "?", "%.0f" % (k2 * 1e6) if k2 is not None else "?"))
if drift:
    rel = (k2 - k1) * 1e6 if k1 is not None and k2 is not None else None
    check("vm2 offset, measured through the run, moves at its drift: -%d ppm relative to vm1 (within 20%%)" % drift,
          rel is not None and abs(-rel - drift) <= 0.2 * drift, "measured %r ppm over %d points" % (rel, n2))
    # One offset for the whole run would have moved the vm2 records by up to
    # drift x span; aligned per interval, its segments stay sharp.
    err1 = drift * 1e-6 * span2
    for s in d["segments"]:
        if s["from"] == "h_to":
            check("h_to -> g2_rx across the drifting clock: spread p99 - p50 %.2f ms, under a quarter of the %.1f ms one offset would leave"
                  % ((s["p99_ns"] - s["p50_ns"]) / 1e6, err1 / 1e6),
                  s["p99_ns"] - s["p50_ns"] < err1 / 4, json.dumps(s)[:300])
n = db.execute("select count(*) from events e join hops h on h.run_id = e.run_id and h.id = e.hop where e.run_id = ? and h.name = ?", (run, "send")).fetchone()[0]
check("uprobe hop on the guest libc sendto() fires exactly %d times" % N, n == N, "got %d" % n)
' "$T/report.json" "$N" "$T/vnt.db" "$DRIFT_PPM"
else
	notok "vm-guest: vnt report --format json" "$(cat "$T/report.err")"
fi
check_eq "vm-guest: nothing left attached in vm1 (BPF programs held, kprobes)" "$(vm_bpf_left vm1)" "0 0"
check_eq "vm-guest: nothing left attached in vm2" "$(vm_bpf_left vm2)" "0 0"

# Refusals, named with the guest and the feature.
refuse() { # NAME SCRIPT-BODY WANT-REGEX
	printf 'import "net"\nimport "ovs"\ntrace t {\n    where udp\n    %s\n    count()\n}\n' "$2" >"$T/$1.vnt"
	"$VNT" compile -o "$T/$1.vntpkg" "$T/$1.vnt" 2>"$T/$1.cerr" || { notok "vm-guest: refusal $1: compiles here" "$(cat "$T/$1.cerr")"; return; }
	vm_dispatch --host "vm1=${VM_IP[vm1]}:7878" --db "$T/$1.db" --duration 5 "$T/$1.vntpkg" >"$T/$1.out" 2>"$T/$1.err"
	local rc=$?
	sed 's/^/# /' "$T/$1.out" "$T/$1.err"
	if ((rc == 1)) && grep -Eq "$3" "$T/$1.out" "$T/$1.err"; then
		ok "vm-guest: refusal $1: exit 1, error names vm1 and the missing feature"
	else
		notok "vm-guest: refusal $1" "exit $rc, want 1 and /$3/: $(tr '\n' ' ' <"$T/$1.err" | cut -c1-300)"
	fi
}
# tcp_sendmsg_locked is a tracepoint of 6.18 (this host), not of 6.1.
refuse no-tracepoint 'hop x = tp_btf("tcp_sendmsg_locked")' 'vm1.*no tracepoint tcp_sendmsg_locked'
refuse no-function 'hop x = kprobe("vnt_no_such_function", 0)' 'vm1.*kprobe on vnt_no_such_function, but this kernel has no such function'
# Open vSwitch's kernel datapath hops where the guest has kprobes but no openvswitch module.
refuse no-ovs-module 'hop x = ovs.vport_receive()' 'vm1.*ovs_vport_receive.*openvswitch module'
check_eq "vm-guest: nothing left attached in vm1 after the refusals" "$(vm_bpf_left vm1)" "0 0"
exit 0
