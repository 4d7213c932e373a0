#!/bin/bash
# A flood of raw records across hosts: N datagrams as fast as udpgen can
# send them, traced with `events` on two agents (host1: dev_xmit on the
# sender, host2: netif_receive on the receiver).  The agent must keep
# reading its connection while it drains the ring buffer (a long drain is
# not the dispatcher's silence), the dispatcher must keep every agent
# alive while another drains, and nothing may vanish: at the sender's hop,
# where every datagram passes exactly once, records stored + records the
# kernel counted lost = N, exactly.
set -uo pipefail
AGENT_TIMEOUT=3   # short: a false "silent" would show within the flood
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"

N=${FLOOD_N:-2000000}
hosts_pair flood

"$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" --hosts "$T/hosts" \
	--timeout "$AGENT_TIMEOUT" --db "$T/flood.db" --duration 300 "$T/flood.vntpkg" >"$T/flood.out" 2>"$T/flood.err" &
DPID=$!
for _ in $(seq 1 300); do
	grep -q 'attached; tracing' "$T/flood.err" 2>/dev/null && break
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.1
done
sent=$(topo_exec "$VP_NS_A" "$UDPGEN" --dst "$VP_IP_B" --dport 11111 --count "$N" 2>/dev/null)
sleep 1
kill -INT "$DPID" 2>/dev/null
wait "$DPID"
rc=$?
echo "# udpgen sent: $sent"
sed 's/^/# /' "$T/flood.err"
if [[ $rc == 0 ]]; then
	ok "flood: the dispatch ends without a failed host"
else
	notok "flood: the dispatch ends without a failed host" "rc $rc: $(tr '\n' ' ' <"$T/flood.err")"
fi
if grep -h "silent" "$T/agent-host1.log" "$T/agent-host2.log" >"$T/silent.txt"; then
	notok "flood: no agent took the dispatcher for silent" "$(tr '\n' ' ' <"$T/silent.txt")"
else
	ok "flood: no agent took the dispatcher for silent"
fi
py '
import sqlite3, sys
N, db = int(sys.argv[1]), sqlite3.connect(sys.argv[2])
run = db.execute("select max(id) from runs").fetchone()[0]
def check(name, good, why):
    print(("ok flood: %s" % name) if good else ("not ok flood: %s: %s" % (name, why)))
for name, status, events, lost in db.execute("select name, status, events, lost from hosts where run_id = ? order by name", (run,)):
    stored = db.execute("select count(*) from events e join hosts h on h.id = e.host_id where h.run_id = ? and h.name = ?",
                        (run, name)).fetchone()[0]
    print("# %s: status %s, %d records stored, %d reported sent, %d lost in the kernel" % (name, status, stored, events, lost))
    check("%s: every record the agent sent is stored" % name, stored == events, "%d stored, %d sent" % (stored, events))
    if name == "host1":
        check("host1: stored + lost = the %d datagrams sent" % N, stored + lost == N,
              "%d + %d = %d" % (stored, lost, stored + lost))
    else:
        check("host2: stored + lost <= the %d datagrams sent" % N, 0 < stored + lost <= N,
              "%d + %d = %d" % (stored, lost, stored + lost))
' "${sent:-0}" "$T/flood.db"
