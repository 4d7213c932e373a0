#!/bin/bash
# A dispatched run ends each trace at its own `for` too (issue 17, item
# 6): the agent detaches the short trace's hop at 2 s and sends its final
# snapshot, the long one goes on to 4 s. One agent (host1 of hosts_pair);
# 40 datagrams at 0.5 s, 30 more at 3 s.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"

hosts_pair durs
cat >"$T/two.vnt" <<EOF2
import "net"
trace short {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    count()
    for 2s
}
trace long {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    count()
    for 4s
}
EOF2
"$VNT" compile -o "$T/two.vntpkg" "$T/two.vnt" 2>"$T/compile.err" || { notok "durations: compile" "$(cat "$T/compile.err")"; exit 1; }
dispatch --host "host1=${MGMT_IP_OF[host1]}:7878" --db "$T/two.db" "$T/two.vntpkg" &
dpid=$!
for _ in $(seq 1 100); do grep -q 'attached; tracing' "$T/dispatch.err" 2>/dev/null && break; sleep 0.1; done
burst() { topo_exec "$VP_NS_A" "$UDPGEN" --src "$VP_IP_A" --dst "$VP_IP_B" --dport 11111 --count "$1" --rate 400 >/dev/null; }
sleep 0.5
burst 40
sleep 2.4
burst 30
wait "$dpid"
DISPATCH_RC=$?
check_eq "durations: dispatch exits 0" "$DISPATCH_RC" 0
got=$(py '
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out = {}
for (j,) in db.execute("select json from snapshots where type = ? order by id", ("final",)):
    d = json.loads(j)
    out[d["trace"]] = (d["aggregations"][0]["rows"][0]["value"], "%.0f" % d["elapsed_s"])
print("short=%s@%s long=%s@%s" % (out.get("short", ("-", "-")) + out.get("long", ("-", "-"))))
' "$T/two.db")
check_eq "durations: the agent ended each trace at its own time (count@seconds)" "$got" "short=40@2 long=70@4"
exit 0
