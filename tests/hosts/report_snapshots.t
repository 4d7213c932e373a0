#!/bin/bash
# `vnt report` of a run whose trace has no `events`: no packets can be
# joined across hosts, and the report says so instead of printing a
# breakdown of zeros; it shows what the hosts did send, each host's own
# aggregations (its last snapshot), whose counts are the packets sent.
# Two hosts on a veth pair (tests/hosts/lib.sh, hosts_pair).
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"

hosts_pair snaps
N=150
cat >"$T/noev.vnt" <<EOF2
import "net"
trace t {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop rx = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    count() by hop
}
EOF2
"$VNT" compile -o "$T/noev.vntpkg" "$T/noev.vnt" 2>"$T/compile.err" || { notok "snapshots: compile" "$(cat "$T/compile.err")"; exit 1; }
dispatch --hosts "$T/hosts" --db "$T/noev.db" --duration 6 "$T/noev.vntpkg" &
dpid=$!
for _ in $(seq 1 100); do grep -q 'attached; tracing' "$T/dispatch.err" 2>/dev/null && break; sleep 0.1; done
send noev "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 "$N" --rate 500 || exit 1
wait "$dpid"
DISPATCH_RC=$?
check_eq "snapshots: dispatch exits 0" "$DISPATCH_RC" 0
if grep -q "note: trace 't' has no \`events\`" "$T/dispatch.err"; then
	ok "snapshots: dispatch notes that the trace has no events"
else
	notok "snapshots: dispatch notes that the trace has no events" "$(tr '\n' ' ' <"$T/dispatch.err")"
fi
"$VNT" report "$T/noev.db" >"$T/report.txt" 2>"$T/report.err"
check_eq "snapshots: vnt report exits 0" "$?" 0
sed 's/^/# /' "$T/report.txt"
if grep -q '^no raw events in this run: its traces have no `events`' "$T/report.txt" &&
	! grep -q '^per-hop latency breakdown' "$T/report.txt"; then
	ok "snapshots: the report says why there is no breakdown, and prints none"
else
	notok "snapshots: the report says why there is no breakdown, and prints none" "$(head -c 600 "$T/report.txt")"
fi
# Each host's count() by hop: host1 saw N at tx, host2 N at rx.
got=$(py '
import re, sys
host, out = None, {}
for line in open(sys.argv[1]):
    m = re.match(r"  host (\S+):$", line)
    if m:
        host = m.group(1)
        continue
    m = re.match(r"\s+(tx|rx)\s+(\d+)\s*$", line)
    if host and m:
        out[host + "." + m.group(1)] = int(m.group(2))
print(" ".join("%s=%d" % kv for kv in sorted(out.items())))
' "$T/report.txt")
check_eq "snapshots: each host's count() by hop is the packets sent" "$got" "host1.tx=$N host2.rx=$N"
"$VNT" report -f json "$T/noev.db" >"$T/report.json" 2>>"$T/report.err"
got=$(py '
import json, sys
d = json.load(open(sys.argv[1]))
out = []
for s in d["snapshots"]:
    for a in s["snapshot"]["aggregations"]:
        for r in a["rows"]:
            out.append("%s.%s=%d" % (s["host"], r["key"]["hop"], r["value"]))
print(" ".join(sorted(out)))
' "$T/report.json")
check_eq "snapshots: the JSON report holds the same snapshots" "$got" "host1.tx=$N host2.rx=$N"
exit 0
