#!/bin/bash
# Each trace stops at its own `for` (issue 17, item 6). Two traces on the
# same hop, `for 2s` and `for 4s`; 40 datagrams are sent at 0.5 s after
# attaching and 30 more at 3 s: the short trace counts 40 and ends at
# 2.00 s, the long one counts 70 and ends at 4.00 s. Its hops are really
# detached at its end: nothing of the short trace's program stays. With
# --duration 3 both end at 3 s (40 each, the second burst comes after).
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

topo_veth_pair || { notok "durations: topology" "topo_veth_pair failed"; exit 1; }

cat >"$T/two.vnt" <<EOF
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
EOF

burst() { # N
	topo_exec "$VP_NS_A" "$UDPGEN" --src "$VP_IP_A" --dst "$VP_IP_B" --dport 11111 --count "$1" --rate 400 >/dev/null
}

# run NAME WANT-SHORT WANT-LONG WANT-END-SHORT WANT-END-LONG [ARGS]
run() {
	local name=$1 ws=$2 wl=$3 es=$4 el=$5
	shift 5
	vnt_start "$name" "$T/two.vnt" --format json "$@" || { notok "durations: $name: vnt run attaches" "see above"; return; }
	local t0=$SECONDS
	sleep 0.5
	burst 40
	sleep 2.4
	burst 30
	vnt_finish "$name"
	check_eq "durations: $name: vnt run exits 0" "$VNT_RUN_RC" 0
	local got
	got=$(py '
import json, sys
out = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        d = json.loads(line)
        if d["type"] == "final":
            out[d["trace"]] = (d["aggregations"][0]["rows"][0]["value"], "%.1f" % d["elapsed_s"])
print("short=%s@%s long=%s@%s" % (out.get("short", ("-", "-")) + out.get("long", ("-", "-"))))
' "$T/$name.out")
	check_eq "durations: $name: each trace counted and ended at its own time" "$got" "short=$ws@$es long=$wl@$el"
}

run own 40 70 2.0 4.0
# While the long trace runs on, the short one's hop is gone: one program
# attached (the long trace's), not two.
vnt_start gone "$T/two.vnt" --format json || { notok "durations: gone: vnt run attaches" "see above"; exit 1; }
sleep 1
n1=$(bpf_ids_of "$VNT_RUN_PID" | grep -c '^link ')
sleep 1.6
n2=$(bpf_ids_of "$VNT_RUN_PID" | grep -c '^link ')
check_eq "durations: the short trace's hop is detached at its end (links held at 1 s, at 2.6 s)" "$n1 $n2" "2 1"
vnt_finish gone
run override 40 40 3.0 3.0 --duration 3
exit 0
