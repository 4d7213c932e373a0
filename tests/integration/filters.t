#!/bin/bash
# Filters select exactly the right packets.  Bridge topology with extra
# addresses (vm1: 10.78.0.1 and 10.78.0.11; vm2: 10.78.0.2 and 10.78.0.3).
# Six flows of known sizes, distinguishable by host, port and length, are
# sent from vm1 to vm2 while one script with one trace per filter counts at
# vm1's transmit (dev_xmit) and, for the device filters, at dev_xmit("*").
# Each trace's count must equal the sum of the flows the filter selects,
# computed here from the flow table (the ground truth).
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

topo_bridge || { notok "filters: topology" "topo_bridge failed"; exit 1; }
bridge_extra_addrs || { notok "filters: topology" "cannot add the extra addresses"; exit 1; }

# name  src-ip  sport  dst-ip  dport  count  payload
# (frame length = 14 + 20 + 8 + payload: 106 or 1042 bytes)
FLOWS="
A $BR_IP_VM1  20001 $BR_IP_VM2  11111 100 64
B $BR_IP_VM1  20002 $BR_IP_VM2  11112 200 64
C $BR_IP_VM1B 20003 $BR_IP_VM2  11113 300 64
D $BR_IP_VM1  20004 $BR_IP_VM2B 11114 400 64
E $BR_IP_VM1  11111 $BR_IP_VM2  20005 50 1000
F $BR_IP_VM1  20006 $BR_IP_VM2  11115 60 1000
"

# trace-name | filter | flows it selects
# (hop: vm1's dev_xmit; names dev_*: dev_xmit("*"); names rx_*: vm2's
# netif_receive, where the kernel has already pulled the Ethernet header:
# len is still the frame length, as in tcpdump).
TABLE="
port|udp and port 11111|A E
src_port|udp and src port 11111|E
dst_port|dst port 11111|A
udp_dst_port|udp dst port 11111|A
portrange|portrange 11112-11114|B C D
src_portrange|src portrange 20001-20003|A B C
host|host $BR_IP_VM1B|C
src_host|src host $BR_IP_VM1|A B D E F
dst_host|dst host $BR_IP_VM2B|D
host_any|udp and host $BR_IP_VM2|A B C E F
net_prefix|src net 10.78.0.8/29|C
net_mask|net 10.78.0.8 mask 255.255.255.248|C
net_all|udp and net $BR_NET|A B C D E F
dst_net32|dst net $BR_IP_VM2/32|A B C E F
not_port|udp and not dst port 11111|B C D E F
not_paren|udp and not (src host $BR_IP_VM1B or dst host $BR_IP_VM2B)|A B E F
or_mixed|dst port 11112 or dst host $BR_IP_VM2B|B D
or_three|src port 20001 or src port 20006 or src port 11111|A E F
and_or_prec|udp and dst port 11112 or src port 20003|B C
len_gt|udp and len > 500|E F
len_le|udp and len <= 106|A B C D
greater|udp and greater 1042|E F
less|udp and less 105|
len_eq|len == 106 and dst port 11114|D
proto17|ip proto 17|A B C D E F
tcp|tcp|
icmp|icmp|
udp_hdr|udp[2:2] == 11113|C
dev_vm1|udp and dev \"$BR_NS_VM1/$BR_DEV_VM1\"|A B C D E F
dev_port2|udp and dev \"$BR_NS_SW/$BR_PORT2\"|A B C D E F
dev_port1|udp and dev \"$BR_NS_SW/$BR_PORT1\"|
dev_vm1_port|dev \"$BR_NS_VM1/$BR_DEV_VM1\" and dst port 11113|C
rx_portrange|udp and portrange 11112-11114|B C D
rx_src_host|src host $BR_IP_VM1B|C
rx_dst_net|dst net 10.78.0.2/31 and not dst host $BR_IP_VM2|D
rx_len_eq|udp and len == 1042|E F
rx_less|udp and less 106|A B C D
"

declare -A fcount
while read -r name _ _ _ _ count _; do
	[[ -n $name ]] && fcount[$name]=$count
done <<<"$FLOWS"

# One trace per filter; a script holds at most 32 hops, so the traces are
# spread over several scripts (run at the same time, each its own vnt).
PER_SCRIPT=16
declare -A script_of
nscripts=0 i=0
while IFS='|' read -r tname filter _; do
	[[ -n $tname ]] || continue
	if ((i % PER_SCRIPT == 0)); then
		nscripts=$((nscripts + 1))
		echo 'import "net"' >"$T/filters$nscripts.vnt"
	fi
	i=$((i + 1))
	script_of[$tname]=filters$nscripts
	if [[ $tname == dev_* ]]; then
		hop='net.dev_xmit("*")'
	elif [[ $tname == rx_* ]]; then
		hop="net.netif_receive(\"$BR_NS_VM2/$BR_DEV_VM2\")"
	else
		hop="net.dev_xmit(\"$BR_NS_VM1/$BR_DEV_VM1\")"
	fi
	cat >>"$T/filters$nscripts.vnt" <<EOF
trace f_$tname {
    where $filter
    hop h = $hop
    count()
}
EOF
done <<<"$TABLE"
sed 's/^/# | /' "$T/filters1.vnt" | head -12

for ((k = 1; k <= nscripts; k++)); do
	if ! "$VNT" check "$T/filters$k.vnt" >"$T/check.err" 2>&1; then
		notok "filters: vnt check accepts script $k" "$(head -c 1500 "$T/check.err")"
		exit 1
	fi
done
ok "filters: vnt check accepts the $nscripts scripts"

for ((k = 1; k <= nscripts; k++)); do
	vnt_start "filters$k" "$T/filters$k.vnt" --duration 30 --format json ||
		{ notok "filters: vnt run attaches (script $k)" "see above"; exit 1; }
done
ok "filters: vnt run attaches ($nscripts runs)"
traffic_rc=0
while read -r name sip sport dip dport count size; do
	[[ -n $name ]] || continue
	send "flow-$name" "$BR_NS_VM1" "$sip" "$BR_NS_VM2" "$dip" "$dport" "$count" \
		--sport "$sport" --size "$size" --rate 20000 || traffic_rc=1
done <<<"$FLOWS"
for ((k = 1; k <= nscripts; k++)); do
	kill -0 "${VNT_PIDS[filters$k]}" 2>/dev/null ||
		notok "filters: traffic finished within run $k" "vnt ended before all traffic was sent: increase --duration"
done
for ((k = 1; k <= nscripts; k++)); do
	vnt_finish "filters$k"
	check_eq "filters: vnt run $k exits 0" "$VNT_RUN_RC" 0
done
((traffic_rc == 0)) || exit 1

while IFS='|' read -r tname filter flows; do
	[[ -n $tname ]] || continue
	want=0
	for f in $flows; do want=$((want + fcount[$f])); done
	doc=$(final_doc "${script_of[$tname]}" "f_$tname")
	if [[ -z $doc ]]; then
		notok "filters: $tname ($filter)" "no final document for trace $tname"
		continue
	fi
	got=$(py '
import json, sys
d = json.loads(sys.argv[1])
rows = d["aggregations"][0]["rows"]
print(sum(r["value"] for r in rows))' "$doc")
	filter=${filter//\\\"/\"}
	if [[ $got == "$want" ]]; then
		ok "filters: $tname: '$filter' counts $want (flows: ${flows:-none})"
	else
		notok "filters: $tname: '$filter' counts $want (flows: ${flows:-none})" "got $got"
	fi
done <<<"$TABLE"
exit 0
