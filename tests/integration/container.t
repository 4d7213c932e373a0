#!/bin/bash
# A container's network namespace, the way container users know it: not
# by an `ip netns` name (docker, podman and `unshare --net` make none) but
# by a process in it. A "container" here is `unshare --net` running a
# program called vntctr; a veth pair joins it (ctr0 inside) to namespace A
# (an `ip netns` namespace). N datagrams from the container to A:
#   - hops "pid:PID/ctr0" and "pid:PID(vntctr)/ctr0" count exactly N, and
#     the output names the device "pid:PID(vntctr)/ctr0" (by dev) and the
#     namespace "pid:PID(vntctr)" (by netns), A's by its ip netns name;
#   - a filter `netns "pid:PID(vntctr)"` at every device's transmit keeps
#     exactly the container's N (A sends nothing that matches);
#   - a PID that does not exist, one whose program has another name, and
#     a malformed "pid:" are refused with a sentence and exit 1.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

N=500
command -v unshare >/dev/null && command -v nsenter >/dev/null ||
	{ skip "container: all" "unshare/nsenter (util-linux) not installed"; exit 0; }
topo_veth_pair || { notok "container: topology" "topo_veth_pair failed"; exit 1; }

cp "$(command -v sleep)" "$T/vntctr" || { notok "container: setup" "cannot copy sleep"; exit 1; }
unshare --net -- "$T/vntctr" 600 &
CPID=$!
topo_on_exit "kill $CPID 2>/dev/null"
for _ in $(seq 1 50); do
	[[ $(readlink "/proc/$CPID/ns/net") != "$(readlink /proc/self/ns/net)" ]] && break
	sleep 0.05
done
CDEV=ctr0 ADEV=${VT_ID}c CIP=10.77.9.2 AIP=10.77.9.1
ip -n "$VP_NS_A" link add "$ADEV" type veth peer name "$CDEV" netns "$CPID" &&
	ip -n "$VP_NS_A" addr add "$AIP/24" dev "$ADEV" && ip -n "$VP_NS_A" link set "$ADEV" up &&
	nsenter -t "$CPID" -n sh -c "ip addr add $CIP/24 dev $CDEV && ip link set $CDEV up && ip link set lo up &&
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1" ||
	{ notok "container: veth into the container" "ip failed"; exit 1; }
named=$(ip netns identify "$CPID")
check_eq "container: the container's namespace has no ip netns name" "$named" ""

cat >"$T/c.vnt" <<EOF
import "net"
trace path {
    where udp and dst port 11111
    hop tx  = net.dev_xmit("pid:$CPID/$CDEV")
    hop tx2 = net.dev_xmit("pid:$CPID(vntctr)/$CDEV")
    hop rx  = net.netif_receive("$VP_NS_A/$ADEV")
    count() by hop, dev
    count() by netns
}
trace inside {
    where udp and dst port 11111 and netns "pid:$CPID(vntctr)"
    hop any_tx = net.dev_xmit("*")
    count() by dev
}
EOF
vnt_start c "$T/c.vnt" --duration 15 --format json || { notok "container: vnt run attaches" "see above"; exit 1; }
ok "container: vnt run attaches hops named pid:PID/DEV"
topo_exec "$VP_NS_A" "$UDPSINK" --bind "$AIP" --port 11111 --count "$N" --ready-file "$T/ready" >"$T/sink.out" 2>"$T/sink.err" &
sink=$!
for _ in $(seq 1 100); do [[ -e $T/ready ]] && break; sleep 0.05; done
sent=$(nsenter -t "$CPID" -n "$UDPGEN" --src "$CIP" --dst "$AIP" --dport 11111 --count "$N" --rate 20000 2>"$T/gen.err")
wait "$sink"
check_eq "container: traffic: $N sent from the container, $N received in A" "$sent $(cat "$T/sink.out")" "$N $N"
vnt_finish c
check_eq "container: vnt run exits 0" "$VNT_RUN_RC" 0

path=$(final_doc c path)
inside=$(final_doc c inside)
py '
import json, sys
path, inside = json.loads(sys.argv[1]), json.loads(sys.argv[2])
N, cpid, cdev, nsa, adev = int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
def check(name, got, want):
    print(("ok container: %s" % name) if got == want else ("not ok container: %s: got %r, want %r" % (name, got, want)))
def rows(doc, title):
    a = [a for a in doc["aggregations"] if a["title"] == title]
    return {tuple(r["key"].values()): r["value"] for r in a[0]["rows"]} if a else None
me = "pid:%s(vntctr)" % cpid
check("count() by hop, dev: %d at pid:PID/ctr0 and pid:PID(vntctr)/ctr0, named %s/%s" % (N, me, cdev),
      rows(path, "count() by hop, dev"),
      {("tx", me + "/" + cdev): N, ("tx2", me + "/" + cdev): N, ("rx", nsa + "/" + adev): N})
check("count() by netns names the container by its process, A by its ip netns name",
      rows(path, "count() by netns"), {(me,): 2 * N, (nsa,): N})
check("netns \"pid:PID(vntctr)\" as a filter: exactly the %d of the container" % N,
      rows(inside, "count() by dev"), {(me + "/" + cdev,): N})
' "$path" "$inside" "$N" "$CPID" "$CDEV" "$VP_NS_A" "$ADEV"

# Refusals, each before anything is attached.
refused() { # NAME SPEC MESSAGE
	printf 'import "net"\ntrace t {\n    hop tx = net.dev_xmit("%s")\n    count()\n}\n' "$2" >"$T/bad.vnt"
	"$VNT" run -d 1 "$T/bad.vnt" >"$T/bad.out" 2>"$T/bad.err"
	local rc=$?
	if [[ $rc == 1 ]] && grep -qF -- "$3" "$T/bad.err"; then
		ok "container: $1: exit 1, says why"
	else
		notok "container: $1: exit 1, says why" "rc $rc, want '$3' in: $(cat "$T/bad.err")"
	fi
}
gone=$((CPID + 100000))
while [[ -e /proc/$gone ]]; do gone=$((gone + 1)); done
refused "a process that does not exist" "pid:$gone/$CDEV" "network namespace 'pid:$gone': no process $gone"
refused "a process with another name" "pid:$CPID(nginx)/$CDEV" "process $CPID is 'vntctr', not 'nginx'"
refused "a malformed pid: form" "pid:vntctr/$CDEV" "not a process's namespace: write pid:PID or pid:PID(COMM)"
refused "no such device in the container" "pid:$CPID/eth9" "no device 'eth9' in network namespace 'pid:$CPID'"
exit 0
