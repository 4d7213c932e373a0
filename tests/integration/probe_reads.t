#!/bin/bash
# Both ways of copying packet bytes at BTF-typed hops give the same
# answers.  Where the kernel's verifier allows loads through untrusted
# pointers, a hop reads its first 64 bytes with plain loads through
# skb->head; elsewhere (or with VNT_PROBE_READS set) with
# bpf_probe_read_kernel.  Veth pair, N matching datagrams A -> B plus M to
# another port, traced at A's transmit and B's receive with a 5-tuple-ish
# filter and latency(): each way must count exactly N per hop and match N
# latency samples.  The loaded programs show which way is in use (one
# probe-read call fewer when direct).
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

N=2000
M=500
topo_veth_pair || { notok "probe_reads: topology" "topo_veth_pair failed"; exit 1; }
cat >"$T/pr.vnt" <<EOF
import "net"
trace pr {
    where udp and src host $VP_IP_A and dst host $VP_IP_B and dst port 11111
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop rx = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    count() by hop
    hist(latency(tx, rx))
}
EOF

# probe_read_calls PID: bpf_probe_read_kernel calls in the programs PID holds.
probe_read_calls() {
	local id n=0
	for id in $(bpf_ids_of "$1" | awk '$1 == "prog" { print $2 }'); do
		n=$((n + $(bpftool prog dump xlated id "$id" 2>/dev/null | grep -c 'bpf_probe_read_kernel')))
	done
	echo "$n"
}

declare -A CALLS=()
for way in direct probe; do
	if [[ $way == probe ]]; then export VNT_PROBE_READS=1; else unset VNT_PROBE_READS; fi
	vnt_start "$way" "$T/pr.vnt" --duration 8 --format json || { notok "probe_reads: $way: vnt run attaches" "see above"; continue; }
	CALLS[$way]=$(probe_read_calls "$VNT_RUN_PID")
	send "$way" "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 "$N" --rate 20000 &&
		send "$way-other" "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11112 "$M" --rate 20000
	vnt_finish "$way"
	check_eq "probe_reads: $way: vnt run exits 0" "$VNT_RUN_RC" 0
	final_doc "$way" | py '
import json, sys
N, way = int(sys.argv[1]), sys.argv[2]
d = json.load(sys.stdin)
def eq(name, got, want):
    print(("ok probe_reads: %s: %s" % (way, name)) if got == want else
          ("not ok probe_reads: %s: %s: got %r, want %r" % (way, name, got, want)))
eq("count at each hop", {r["key"]["hop"]: r["value"] for r in d["aggregations"][0]["rows"]}, {"tx": N, "rx": N})
l = d["latency"][0]
eq("latency started, matched, unmatched", (l["started"], l["matched"], l["unmatched"]), (N, N, 0))
' "$N" "$way"
done
unset VNT_PROBE_READS
echo "# bpf_probe_read_kernel calls in the loaded programs: direct ${CALLS[direct]:-?}, probe ${CALLS[probe]:-?}"
if [[ -n ${CALLS[direct]:-} && -n ${CALLS[probe]:-} ]] && ((CALLS[direct] < CALLS[probe])); then
	ok "probe_reads: this kernel takes the direct loads (fewer probe reads loaded)"
else
	skip "probe_reads: direct loads in use" "this kernel's verifier refuses loads through untrusted pointers; the probe-read programs were loaded instead (direct ${CALLS[direct]:-?}, probe ${CALLS[probe]:-?} probe-read calls)"
fi
