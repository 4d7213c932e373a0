#!/bin/bash
# Nothing stays attached after vnt run ends: normally (--duration), on
# SIGINT, on SIGTERM, on SIGKILL, and when an attach fails part way.
#
# The script has a BTF-tracepoint hop, an XDP hop and a tc (TCX) hop on the
# bridge topology.  While a run is on, the programs and links it holds are
# read from /proc/PID/fdinfo (this bpftool cannot show owning pids); after
# the run none of them may exist (`bpftool prog list`, `bpftool link list`,
# polled up to 3 s: release is asynchronous), no vnt_hop_* program may be
# left that no live process holds (other vnt runs on the host hold theirs),
# and `bpftool net` in the namespaces shows nothing.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

topo_bridge || { notok "detach: topology" "topo_bridge failed"; exit 1; }

cat >"$T/detach.vnt" <<EOF
import "net"
import "tc"
import "xdp"
trace t {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    hop sw = tc.ingress("$BR_NS_SW/$BR_PORT1")
    hop rx = xdp.rx("$BR_NS_VM2/$BR_DEV_VM2")
    count() by hop
    hist(latency(tx, rx))
}
EOF

net_empty() { # NS: bpftool net shows no xdp/tc program
	topo_exec "$1" bpftool -j net show 2>/dev/null |
		py 'import json,sys; d=json.load(sys.stdin)[0]; sys.exit(0 if not d.get("xdp") and not d.get("tc") else 1)'
}
net_checks() { # NAME
	local i
	for i in $(seq 1 30); do
		net_empty "$BR_NS_SW" && net_empty "$BR_NS_VM2" && break
		sleep 0.1
	done
	if net_empty "$BR_NS_SW" && net_empty "$BR_NS_VM2"; then
		ok "detach: $1: bpftool net shows nothing in the namespaces"
	else
		notok "detach: $1: bpftool net shows nothing in the namespaces" \
			"switch: $(topo_exec "$BR_NS_SW" bpftool -j net show) vm2: $(topo_exec "$BR_NS_VM2" bpftool -j net show)"
	fi
}

# round NAME SIGNAL|"" DURATION
round() {
	local name=$1 sig=$2 dur=$3 pid rc
	if ! vnt_start "$name" "$T/detach.vnt" --duration "$dur" --format json; then
		notok "detach: $name: vnt run attaches" "see above"
		return
	fi
	pid=$VNT_RUN_PID
	bpf_ids_of "$pid" >"$T/$name.ids"
	local np nl
	np=$(grep -c '^prog ' "$T/$name.ids") nl=$(grep -c '^link ' "$T/$name.ids")
	echo "# $name: vnt (pid $pid) holds $np programs, $nl links: $(tr '\n' ' ' <"$T/$name.ids")"
	if ((np >= 3 && nl >= 3)); then
		ok "detach: $name: the run holds its 3 hops' programs and links"
	else
		notok "detach: $name: the run holds its 3 hops' programs and links" "$np programs, $nl links"
	fi
	# A few packets, so the programs have run.
	send "$name" "$BR_NS_VM1" "$BR_IP_VM1" "$BR_NS_VM2" "$BR_IP_VM2" 11111 20 >/dev/null
	if [[ -n $sig ]]; then
		kill -"$sig" "$pid"
		local i
		for i in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			notok "detach: $name: vnt exits within 10 s of SIG$sig" "still running"
			_vnt_kill "$pid"
		else
			ok "detach: $name: vnt exits within 10 s of SIG$sig"
		fi
		{ wait "$pid"; } 2>/dev/null # (no "Killed" job notice)
		rc=$?
		unset "VNT_PIDS[$name]"
		VNT_RUN_PID=""
		echo "# $name: exit status $rc"
		case $sig in
		INT | TERM)
			check_eq "detach: $name: exit status 0 after SIG$sig" "$rc" 0
			if [[ -n $(final_doc "$name") ]]; then
				ok "detach: $name: the final document is printed on SIG$sig"
			else
				notok "detach: $name: the final document is printed on SIG$sig" \
					"stdout: $(head -c 300 "$T/$name.out"); stderr: $(head -c 300 "$T/$name.err")"
			fi
			;;
		KILL) check_eq "detach: $name: killed by SIGKILL" "$rc" 137 ;;
		esac
	else
		vnt_finish "$name"
		check_eq "detach: $name: vnt run exits 0" "$VNT_RUN_RC" 0
	fi
	bpf_ids_gone "detach: $name: none of the run's programs and links exists afterwards" "$T/$name.ids"
	no_orphans "detach: $name: no vnt_hop_* program left that no process holds"
	net_checks "$name"
}

round normal-end "" 3
round sigint INT 60
round sigterm TERM 60
round sigkill KILL 60

# ---- attach fails part way: the last hop is a uprobe on a symbol the
# binary lacks (what vnt resolves before loading, a missing device or
# namespace, never gets this far: tests/integration/check_run.t) ----
cat >"$T/partial.vnt" <<EOF
import "net"
import "xdp"
trace t {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    hop rx = xdp.rx("$BR_NS_VM2/$BR_DEV_VM2")
    hop gone = uprobe("/bin/true", "vnt_no_such_symbol")
    count() by hop
}
EOF
# Under strace (when installed) to show that attaching did go part way.
strace_cmd=()
command -v strace >/dev/null && strace_cmd=(strace -f -e trace=bpf -o "$T/partial.strace")
timeout 120 "${strace_cmd[@]}" "$VNT" run "$T/partial.vnt" --duration 30 >"$T/partial.out" 2>"$T/partial.err"
rc=$?
echo "# partial attach: exit $rc; stderr:"
sed 's/^/#   /' "$T/partial.err"
if [[ $rc != 0 && $rc != 124 ]]; then
	ok "detach: partial attach: vnt run exits non-zero ($rc)"
else
	notok "detach: partial attach: vnt run exits non-zero" "exit status $rc"
fi
if grep -q "hop 'gone': cannot attach uprobe: /bin/true has no symbol 'vnt_no_such_symbol'" "$T/partial.err"; then
	ok "detach: partial attach: the message names the hop and the missing symbol"
else
	notok "detach: partial attach: the message names the hop and the missing symbol" \
		"stderr: $(tr '\n' ' ' <"$T/partial.err" | head -c 400)"
fi
if ((${#strace_cmd[@]})); then
	nlinks=$(grep -c 'BPF_LINK_CREATE.*= [0-9]' "$T/partial.strace")
	echo "# strace: $nlinks successful BPF_LINK_CREATE before the failure:"
	grep 'BPF_LINK_CREATE' "$T/partial.strace" | cut -c1-200 | sed 's/^/#   /'
	if ((nlinks == 2)); then
		ok "detach: partial attach: the first 2 hops were attached before the failure (strace)"
	else
		notok "detach: partial attach: the first 2 hops were attached before the failure (strace)" "$nlinks links created"
	fi
else
	skip "detach: partial attach: the first 2 hops were attached before the failure (strace)" "strace not installed"
fi
no_orphans "detach: partial attach: no vnt_hop_* program left that no process holds"
net_checks "partial attach"
exit 0
