#!/bin/bash
# The ovs stdlib module through a real ovs-vswitchd (Debian's OVS, the
# userspace datapath, started by the test with its own database and run
# directory: tests/lib/ovs.sh).  Two namespaces on veths into an OVS
# bridge: N datagrams a -> b (udpsink counts them) are seen exactly N
# times at ovs.port_in of a's port and ovs.port_queue / port_out of b's,
# all matched port to port.  ovs.vswitchd_run(pid) sees ovs-vswitchd's
# main thread only, no more often than /proc says it was switched in.
# OVS QoS (linux-htb) on b's port becomes an htb qdisc on the device.
# Bad input: the kernel datapath's kprobe hops on this host (no kprobes)
# are refused with a clear error (tests/vm/guest.t: on a guest with
# kprobes but no openvswitch module).  No OVS daemon is left.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$VNT_TOP/tests/lib/ovs.sh"

N=2000
command -v ovs-vswitchd >/dev/null || { skip "ovs: a real ovs-vswitchd" "openvswitch-switch is not installed (scripts/install-deps.sh)"; exit 0; }
_topo_begin ovs_topo || exit 1
H=$VT_ID-oh A=$VT_ID-oa B=$VT_ID-ob PA=${VT_ID}pa PB=${VT_ID}pb
_topo_ns_add "$H" && _topo_ns_add "$A" && _topo_ns_add "$B" &&
	_topo_veth "$A" eth0 "$H" "$PA" && _topo_veth "$B" eth0 "$H" "$PB" &&
	_topo_addr "$A" eth0 10.89.0.1/24 02:89:00:00:00:01 && _topo_addr "$B" eth0 10.89.0.2/24 02:89:00:00:00:02 &&
	_topo_neigh "$A" eth0 10.89.0.2 02:89:00:00:00:02 && _topo_neigh "$B" eth0 10.89.0.1 02:89:00:00:00:01 &&
	ip -n "$H" link set "$PA" up && ip -n "$H" link set "$PB" up || { notok "ovs: topology" "see above"; exit 1; }
# OVS reads and writes frames with AF_PACKET: offloaded checksums would
# reach b unfinished and be dropped (KERNEL-FACTS.md).
for x in "$A eth0" "$B eth0" "$H $PA" "$H $PB"; do
	set -- $x
	topo_exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1
done
ovs_start "$H" || { notok "ovs: ovsdb-server and ovs-vswitchd start" "see above"; exit 1; }
ovs_vsctl add-br obr -- set bridge obr datapath_type=netdev -- add-port obr "$PA" -- add-port obr "$PB" ||
	{ notok "ovs: a netdev bridge with two ports" "ovs-vsctl failed"; exit 1; }
_topo_ns_no_ipv6 "$H"
if topo_exec "$A" ping -c 3 -W 5 -q 10.89.0.2 >/dev/null; then
	ok "ovs: pings cross the OVS bridge (userspace datapath)"
else
	notok "ovs: pings cross the OVS bridge" "$(ovs_appctl dpif/show 2>&1 | tr '\n' ' ')"
	exit 1
fi
VS=$OVS_VSWITCHD_PID
ovs_threads | sed 's/^/# ovs-vswitchd thread: /'
read -r c0 _ <<<"$(awk '/^(non)?voluntary_ctxt_switches/ { n += $2 } END { print n }' "/proc/$VS/task/$VS/status")"

cat >"$T/ovs.vnt" <<EOF
import "ovs"
trace p {
    where udp and dst port 11111
    hop a_in  = ovs.port_in("$H/$PA")
    hop b_q   = ovs.port_queue("$H/$PB")
    hop b_out = ovs.port_out("$H/$PB")
    count() by hop
    breakdown()
}
trace t {
    hop wake = ovs.vswitchd_wakeup($VS)
    hop run  = ovs.vswitchd_run($VS)
    count() by hop, pid, comm
    hist(latency(wake, run))
}
trace h {
    hop hrun = ovs.thread_run($VS, "revalidator*")
    count() by comm
}
EOF
vnt_start ovs "$T/ovs.vnt" --duration 120 --format json || { notok "ovs: vnt run attaches" "see above"; exit 1; }
send a-to-b "$A" 10.89.0.1 "$B" 10.89.0.2 11111 "$N" --rate 2000
traffic=$?
kill -INT "${VNT_PIDS[ovs]}"
vnt_finish ovs
read -r c1 _ <<<"$(awk '/^(non)?voluntary_ctxt_switches/ { n += $2 } END { print n }' "/proc/$VS/task/$VS/status")"
((traffic == 0)) || exit 1
ok "ovs: $N datagrams a -> b through ovs-vswitchd, all received"
py '
import json, sys
docs = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        d = json.loads(line)
        if d.get("type") == "final":
            docs[d["trace"]] = d
N, ctxt, vs = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def check(name, good, why):
    print(("ok ovs: " + name) if good else ("not ok ovs: %s: %s" % (name, why)))
def agg(t, title):
    return [a for a in docs[t]["aggregations"] if a["title"].startswith(title)][0]
got = {r["key"]["hop"]: r["value"] for r in agg("p", "count() by hop")["rows"]}
check("exact counts at port_in, port_queue, port_out: %d each" % N, got == {"a_in": N, "b_q": N, "b_out": N}, repr(got))
for s in docs["p"]["breakdown"]:
    print("# MEASURED segment %s -> %s: count %d, p50 %.1f us, p99 %.1f us, lost %d" % (s["from"], s["to"], s["count"], s["p50_ns"] / 1e3, s["p99_ns"] / 1e3, s["lost"]))
segs = [(s["from"], s["to"], s["count"], s["lost"]) for s in docs["p"]["breakdown"]]
check("breakdown: port a in -> port b queued -> port b out, all %d, none lost" % N,
      segs == [("a_in", "b_q", N, 0), ("b_q", "b_out", N, 0)], repr(segs))
rows = agg("t", "count() by hop, pid, comm")["rows"]
keys = set((r["key"]["pid"], r["key"]["comm"]) for r in rows)
runs = sum(r["value"] for r in rows if r["key"]["hop"] == "run")
print("# MEASURED ovs-vswitchd main thread: %d switch-ins traced, %d context switches in /proc around the trace" % (runs, ctxt))
check("vswitchd_run(pid): only the main thread of that ovs-vswitchd", keys == {(vs, "ovs-vswitchd")}, repr(keys))
check("vswitchd_run(pid): 0 < traced switch-ins <= /proc context switches + 1", 0 < runs <= ctxt + 1, "%d traced, %d in /proc" % (runs, ctxt))
names = set(r["key"]["comm"] for r in agg("h", "count() by comm")["rows"])
check("thread_run(pid, \"revalidator*\"): only revalidator threads", all(n.startswith("revalidator") for n in names), repr(names))
' "$T/ovs.out" "$N" "$((c1 - c0))" "$VS"

# QoS: linux-htb on b's port is an htb qdisc on the device.
ovs_vsctl set port "$PB" qos=@q -- --id=@q create qos type=linux-htb other-config:max-rate=4000000 \
	queues:0=@q0 -- --id=@q0 create queue other-config:max-rate=4000000 >/dev/null
sleep 1
qd=$(tc -n "$H" qdisc show dev "$PB")
echo "$qd" | sed 's/^/# tc: /'
if [[ $qd == *"qdisc htb"* ]]; then ok "ovs: OVS QoS linux-htb is an htb qdisc on the port"; else notok "ovs: OVS QoS linux-htb is an htb qdisc" "$qd"; fi

# Bad input.  The kernel datapath on a host without kprobes:
printf 'import "ovs"\ntrace k {\n    hop x = ovs.vport_receive()\n    count()\n}\n' >"$T/kdp.vnt"
"$VNT" run -d 1 "$T/kdp.vnt" >"$T/kdp.out" 2>"$T/kdp.err"
rc=$?
sed 's/^/# /' "$T/kdp.err" | head -n 5
if ((rc != 0)) && grep -q "ovs_vport_receive" "$T/kdp.err" && grep -qi "kprobe" "$T/kdp.err"; then
	ok "ovs: the kernel datapath's hops on a kernel without kprobes: refused, naming the function and the feature"
else
	notok "ovs: kernel datapath hops refused without kprobes" "rc $rc: $(cat "$T/kdp.err")"
fi
ovs_stop
pgrep -f "$OVS_DIR" >/dev/null && notok "ovs: no OVS daemon left" "$(pgrep -af "$OVS_DIR")" || ok "ovs: no OVS daemon left"
exit 0
