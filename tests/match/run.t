#!/usr/bin/env bash
# tests/match/run.t: `vnt match` against tcpdump, and the VXLAN layer.
#
# 1. Every filter of tests/match/filters must accept exactly the frames
#    tcpdump accepts, over two corpora, each reported on its own:
#    - "generated": ~11,000 frames tests/match/corpus.pl writes at run
#      time (deterministic; varied headers, VLAN tags, VXLAN with and
#      without the I flag, truncated and malformed frames), always; on it
#      each filter must also select some frames and not all, or the
#      comparison would prove little;
#    - "tcpdump-tests": the captures of tcpdump's own test suite in the
#      shared folder ($VNT_PCAPS), when they are there (many frames are
#      truncated or malformed on purpose).
#    One line per filter and corpus.
#    tcpdump's -# numbers the packets it prints, not their position in the
#    file (and frames with invalid headers are printed without timestamp),
#    so the captures are first normalised by libpcap (tcpdump -w) and
#    concatenated with each record's timestamp set to its position; the
#    timestamps of what `tcpdump -w` keeps are then the positions it
#    accepts (tests/match/pcap.pl). Each frame is judged on its own, so one
#    run over the concatenation is one comparison per filter and corpus.
#    Where vnt reads more than tcpdump's plain `F` does, tcpdump is asked
#    what vnt does instead (pcap.pl split sorts the frames): frames with one
#    or two VLAN tags (vnt looks through them) against `vlan and (F)` or
#    `vlan and vlan and (F)`; VXLAN frames (UDP to port 4789 with the I
#    flag: vnt also matches the inner packet by default) against F on the
#    outer frame or F on the inner frame, cut to what vnt sees of it and
#    with the outer length. UDP to 4789 without the I flag is not VXLAN and
#    is held to plain `F`. No frame is left out.
#    The filters of tests/match/filters-unoptimized are compared with
#    `tcpdump -O`: vnt aborts on a load past the capture as classic BPF
#    does, where libpcap's optimiser sometimes deletes a load whose outcome
#    cannot change the verdict (see that file). A short filter runs in its
#    fixed-offset form on plain IPv4 frames (bpf-templates/vnt_f4_on.h) and
#    in its general form on the others: both are held to tcpdump here.
# 2. `vnt match` exits 0 on every capture.
# 3. inner()/outer()/vxlan/vni and the default on the shared corpus's VXLAN
#    frames (ground truth: tcpdump with the inner headers' offsets) and on
#    frames built by pcap.pl (ground truth: how they were built, which
#    tcpdump -v shows); the packet fingerprint is the same with and without
#    VXLAN.
set -uo pipefail
top=$(git rev-parse --show-toplevel 2>/dev/null) || top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
here=tests/match
vnt=${VNT:-$top/vnt}
pcaps=${VNT_PCAPS:-$top/../shared/pcaps/tcpdump-tests}
export VNT_DATADIR=${VNT_DATADIR:-$top}
tmp=${VNT_TEST_TMP:-}
if [[ -z $tmp ]]; then
	tmp=$(mktemp -d) || exit 1
	trap 'rm -rf "$tmp"' EXIT
fi

prereq() {
	[[ -x $vnt ]] || { echo "skip match: $vnt is not built"; exit 0; }
	# one binary for the whole run, even if the tree is rebuilt meanwhile
	# (templates come from VNT_DATADIR)
	cp "$vnt" "$tmp/vnt" && vnt=$tmp/vnt || { echo "not ok match: cannot copy $vnt"; exit 0; }
	command -v tcpdump >/dev/null || { echo "skip match: tcpdump is not installed"; exit 0; }
	command -v perl >/dev/null || { echo "skip match: perl is not installed"; exit 0; }
	[[ $(id -u) -eq 0 ]] || { echo "skip match: BPF_PROG_TEST_RUN needs root"; exit 0; }
	shopt -s nullglob
	ext_files=("$pcaps"/*.pcap)
	files=()        # every capture, for no_errors
}

# positions of the frames tcpdump accepts in a pcap.pl-numbered file: the
# timestamps of what it writes (its printed lines lack the timestamp for
# frames with invalid headers, such as caplen 0)
tcpdump_pos() { # FILE FILTER [OPTION]
	tcpdump ${3:-} -r "$1" -w "$tmp/accepted.pcap" "$2" 2>"$tmp/tcpdump.err" &&
		perl "$here/pcap.pl" ts "$tmp/accepted.pcap"
}

# "PCAP packet N", or the generated frame's description, for a position
# of corpus DIR
where() { # DIR POSITION
	if [[ -f $1/desc ]]; then
		awk -v p="$2" '$1 == p { $1 = ""; print "frame " p " (" substr($0, 2) ")"; exit }' "$1/desc"
	else
		awk -v p="$2" 'p >= $1 && p < $1 + $2 { n = split($3, a, "/"); print a[n] " packet " p - $1 + 1; exit }' "$1/index"
	fi
}

# A corpus is a directory: all.pcap (timestamps = positions), index, and
# the frames sorted by pcap.pl split (o0..o2, i0..i2, counts in classes).
gen=$tmp/generated ext=$tmp/external
make_generated() {
	mkdir -p "$gen" &&
		perl "$here/corpus.pl" "$gen/all.pcap" "$gen/desc" 2>"$gen/log" &&
		echo "1 $(wc -l <"$gen/desc") generated" >"$gen/index" &&
		perl "$here/pcap.pl" split "$gen/all.pcap" "$gen" >"$gen/classes" &&
		nonempty "$gen"
}

# concatenate the shared captures into $ext (see the top of this file)
make_external() {
	local norm=() f i=0
	mkdir -p "$ext/norm"
	for f in "${ext_files[@]}"; do
		i=$((i + 1))
		norm+=("$ext/norm/$(printf %03d "$i")-$(basename "$f")")
		tcpdump -r "$f" -w "${norm[-1]}" 2>/dev/null || cp "$f" "${norm[-1]}"
	done
	perl "$here/pcap.pl" merge "$ext/all.pcap" "$ext/index" "${norm[@]}" &&
		perl "$here/pcap.pl" split "$ext/all.pcap" "$ext" >"$ext/classes" &&
		nonempty "$ext"
}

class_n() { # DIR CLASS: frames in that class
	awk -v c="$2" '{ for (i = 1; i < NF; i += 2) if ($i == c) print $(i + 1) }' "$1/classes"
}

nonempty() { # DIR: the classes with frames, into DIR/nonempty
	awk '{ for (i = 1; i < NF; i += 2) if ($(i + 1) > 0) print $i }' "$1/classes" >"$1/nonempty"
}

# What tcpdump says vnt should accept in corpus DIR: F on each class as
# vnt reads it (see the top of this file), positions sorted into $tmp/want.
truth() { # DIR FILTER [TCPDUMP-OPTION]
	local dir=$1 f=$2 opt=${3:-} c t acc=()
	for c in $(cat "$dir/nonempty"); do
		case $c in
		?0) t=$f ;;
		?1) t="vlan and ($f)" ;;
		?2) t="vlan and vlan and ($f)" ;;
		esac
		tcpdump $opt -r "$dir/$c.pcap" -w "$tmp/acc-$c.pcap" "$t" 2>"$tmp/tcpdump.err" || return 1
		acc+=("$tmp/acc-$c.pcap")
	done
	# one perl for all classes: its start costs more than a tcpdump run
	perl "$here/pcap.pl" ts "${acc[@]}" | sort -u >"$tmp/want"
}

compare_corpus() { # DIR LABEL DATAFILE [TCPDUMP-OPTION]: one line per filter
	local dir=$1 label=$2 data=$3 opt=${4:-} filter nf=0 nbad=0 total lo= hi=0
	total=$(awk '{ s += $2 } END { print s }' "$dir/index")
	while IFS= read -r filter; do
		[[ -z $filter || $filter == \#* ]] && continue
		nf=$((nf + 1))
		if ! truth "$dir" "$filter" $opt; then
			echo "not ok $label: $filter: tcpdump refuses it: $(grep -v '^reading' "$tmp/tcpdump.err" | head -1)"
			nbad=$((nbad + 1))
			continue
		fi
		if ! "$vnt" match -r "$dir/all.pcap" "$filter" >"$tmp/got.raw" 2>"$tmp/vnt.err"; then
			echo "not ok $label: $filter: vnt match failed: $(head -3 "$tmp/vnt.err" | tr '\n' ' ')"
			nbad=$((nbad + 1))
			continue
		fi
		sort -u "$tmp/got.raw" >"$tmp/got"
		local diff n first nw
		diff=$(comm -3 "$tmp/want" "$tmp/got" | tr -d '\t' | sort -n)
		nw=$(wc -l <"$tmp/want")
		((nw > hi)) && hi=$nw
		[[ -z $lo ]] || ((nw < lo)) && lo=$nw
		if [[ -n $diff ]]; then
			n=$(wc -l <<<"$diff")
			first=$(head -1 <<<"$diff")
			if grep -qx "$first" "$tmp/want"; then
				echo "not ok $label: $filter: $(where "$dir" "$first"): tcpdump accepts it, vnt does not ($n frames differ)"
			else
				echo "not ok $label: $filter: $(where "$dir" "$first"): vnt accepts it, tcpdump does not ($n frames differ)"
			fi
		elif [[ $dir == "$gen" ]] && ((nw == 0 || nw == total)); then
			# a filter that takes all or nothing tests nothing: the
			# generator must make frames on both sides of it
			echo "not ok $label: $filter: does not discriminate: tcpdump accepts $nw of the $total frames (extend tests/match/corpus.pl)"
		else
			echo "ok $label: $filter"
			continue
		fi
		nbad=$((nbad + 1))
	done <"$data"
	echo "# $label: $nf filters x $total frames ($(class_n "$dir" o1) with one VLAN tag, $(class_n "$dir" o2) with two;" \
		"$(($(class_n "$dir" i0) + $(class_n "$dir" i1) + $(class_n "$dir" i2))) VXLAN, compared inner and outer);" \
		"each filter accepts $lo to $hi frames; $nbad filters fail"
}

no_errors() { # FILTER...: vnt match exits 0 on every capture
	local bad=() f
	for f in "${files[@]}"; do
		"$vnt" match -r "$f" "$@" >/dev/null 2>"$tmp/vnt.err" || bad+=("$(basename "$f")")
	done
	if ((${#bad[@]})); then
		echo "not ok match: exits 0 on every capture ($*): fails on ${bad[*]}"
	else
		echo "ok match: exits 0 on every capture ($*)"
	fi
}

expect() { # NAME FILE WANT VNT-ARGS...: vnt match prints exactly the positions WANT
	local name=$1 file=$2 want=$3
	shift 3
	local got
	got=$("$vnt" match -r "$file" "$@" 2>&1 | tr '\n' ' ' | sed 's/ $//')
	if [[ $got == "$want" ]]; then
		echo "ok match: $name"
	else
		echo "not ok match: $name: want '$want', got '$got'"
	fi
}

vxlan_tests() {
	# The corpus's two VXLAN frames: outer IPv4 (IHL 5), inner IPv4 and
	# inner IPv6 TCP. Inner headers start at ip[50]; ip[48:2] is the inner
	# ethertype. tcpdump computes the truth on the same files.
	local v4="$pcaps/bigtcp-ipv4-vxlan-ipv4.pcap" v6="$pcaps/bigtcp-ipv4-vxlan-ipv6.pcap" f truth
	if [[ -r $v4 && -r $v6 ]]; then
		local vx='udp dst port 4789'
		local cases=(
			"inner(tcp)|$vx and ((ip[48:2] = 0x800 and ip[59] = 6) or (ip[48:2] = 0x86dd and ip[56] = 6))"
			"inner(udp)|$vx and ((ip[48:2] = 0x800 and ip[59] = 17) or (ip[48:2] = 0x86dd and ip[56] = 17))"
			"inner(host 192.168.1.1)|$vx and ip[48:2] = 0x800 and (ip[62:4] = 0xc0a80101 or ip[66:4] = 0xc0a80101)"
			"inner(dst host fd00::1)|$vx and ip[48:2] = 0x86dd and ip[74:4] = 0xfd000000 and ip[86:4] = 1"
			"inner(tcp dst port 36449)|$vx and ip[48:2] = 0x800 and ip[72:2] = 36449"
			"host 192.168.1.1|$vx and ip[48:2] = 0x800 and (ip[62:4] = 0xc0a80101 or ip[66:4] = 0xc0a80101)"
			"outer(host 10.25.132.11)|host 10.25.132.11"
			"outer(tcp)|tcp"
			"vni 5001|$vx and ip[32:4] >> 8 = 5001"
			"vni 5000|$vx and ip[32:4] >> 8 = 5000"
		)
		for c in "${cases[@]}"; do
			f=${c%%|*}
			for p in "$v4" "$v6"; do
				truth=$(tcpdump -r "$p" "${c#*|}" 2>/dev/null | wc -l)
				((truth)) && truth=1 || truth=
				expect "$f on $(basename "$p")" "$p" "$truth" "$f"
			done
		done
		expect "--outer-only host 192.168.1.1 on $(basename "$v4")" "$v4" "" --outer-only "host 192.168.1.1"
	else
		echo "skip match: VXLAN frames of the corpus: no bigtcp-ipv4-vxlan-ipv4.pcap / -ipv6.pcap in $pcaps"
	fi

	# Built frames (pcap.pl frames()): 1 VXLAN(100)/IPv4 UDP 10.1.0.1:1000 >
	# 10.1.0.2:2000; 2 VXLAN over IPv6 (vni 200)/IPv4 ICMP echo; 3 VXLAN/ARP;
	# 4 like 1 but to port 4790; 5 like 1 cut 8 bytes into the inner IP
	# header; 6 VXLAN(300)/VLAN 5/IPv4 TCP 10.1.0.7:3000 > 10.1.0.8:80;
	# 7 outer IPv4 with options, VXLAN/IPv6 TCP fd01::1:3001 > fd01::2:443;
	# 8 the inner frame of 1 alone; 9 VXLAN cut after its header; 10 UDP
	# 10.9.0.1:40000 > 10.9.0.2:4789 whose VXLAN header lacks the I flag
	# (flags 0x00), around IPv4 UDP 192.168.5.1:1000 > 192.168.5.2:2000:
	# not VXLAN (RFC 7348); 11 the same with flags 0x88 (I and G): VXLAN.
	local x="$tmp/vxlan.pcap"
	perl "$here/pcap.pl" vxlan "$x" || { echo "not ok match: cannot write the VXLAN frames"; return; }
	expect "built: inner(udp)" "$x" "1 11" "inner(udp)"
	expect "built: inner(icmp)" "$x" "2" "inner(icmp)"
	expect "built: inner(arp)" "$x" "3" "inner(arp)"
	expect "built: inner(tcp)" "$x" "6 7" "inner(tcp)"
	expect "built: inner(ip6)" "$x" "7" "inner(ip6)"
	expect "built: inner(ip)" "$x" "1 2 5 6 11" "inner(ip)"
	expect "built: inner(tcp port 80)" "$x" "6" "inner(tcp port 80)"
	expect "built: inner(host 10.1.0.1)" "$x" "1" "inner(host 10.1.0.1)"
	expect "built: inner(len > 0)" "$x" "1 2 3 5 6 7 11" "inner(len > 0)"
	# 5: reading the inner protocol is past the capture: the whole filter
	# aborts, as classic BPF does, `not` included
	expect "built: not inner(tcp)" "$x" "1 2 3 4 8 9 10 11" "not inner(tcp)"
	expect "built: host 10.1.0.1 (default: outer or inner)" "$x" "1 8" "host 10.1.0.1"
	expect "built: udp and host 10.1.0.1" "$x" "1 8" "udp and host 10.1.0.1"
	expect "built: icmp (default)" "$x" "2" "icmp"
	# the issue's case: without the I flag only the outer packet counts,
	# as for tcpdump; with it the inner packet matches too
	expect "built: not net 10.0.0.0/8 (default)" "$x" "2 7 11" "not net 10.0.0.0/8"
	expect "built: host 192.168.5.1 (default)" "$x" "11" "host 192.168.5.1"
	expect "built: udp port 2000 (default)" "$x" "1 8 11" "udp port 2000"
	expect "built: tcp port 443 (default)" "$x" "7" "tcp port 443"
	expect "built: --outer-only host 10.1.0.1" "$x" "8" --outer-only "host 10.1.0.1"
	expect "built: vxlan" "$x" "1 2 3 5 6 7 9 11" "vxlan"
	expect "built: not vxlan" "$x" "4 8 10" "not vxlan"
	expect "built: vni 100" "$x" "1 3 5 7 9 11" "vni 100"
	expect "built: vni 300" "$x" "6" "vni 300"
	expect "built: outer(ip6)" "$x" "2" "outer(ip6)"
	expect "built: inner(icmp) or outer(ip6)" "$x" "2" "inner(icmp) or outer(ip6)"
	# tcpdump agrees on the outer layer of the built frames
	local want
	# (tcpdump's udp[] is IPv4 only: the IPv6 flag byte is ip6[48])
	local vx='udp dst port 4789 and ((ip and udp[8] & 8 != 0) or (ip6 and ip6[48] & 8 != 0))'
	want=$(tcpdump_pos "$x" "$vx" | tr '\n' ' ' | sed 's/ $//')
	expect "built: vxlan is tcpdump's $vx" "$x" "$want" "vxlan"

	# Packet identity: frame 1's inner packet and frame 8 are one packet
	local fp1 fp8
	fp1=$("$vnt" match --flow -r "$x" 'len > 0' | awk '$1 == 1 { print $2 }')
	fp8=$("$vnt" match --flow -r "$x" 'len > 0' | awk '$1 == 8 { print $2, $3, $4, $5, $6 }')
	if [[ -n $fp1 && $fp8 == "$fp1 proto=17 10.1.0.1.1000 > 10.1.0.2.2000" ]]; then
		echo "ok match: fingerprint and flow of a packet are the same inside VXLAN and alone"
	else
		echo "not ok match: fingerprint inside VXLAN '$fp1', alone '$fp8'"
	fi
	# without the I flag the flow (and fingerprint) is the outer one
	local fl
	fl=$("$vnt" match --flow -r "$x" 'len > 0' | awk '$1 == 10 || $1 == 11 { print $1, $3, $4, $5, $6 }' | tr '\n' ';')
	if [[ $fl == "10 proto=17 10.9.0.1.40000 > 10.9.0.2.4789;11 proto=17 192.168.5.1.1000 > 192.168.5.2.2000;" ]]; then
		echo "ok match: the flow of UDP to 4789 is the inner one only with the VXLAN I flag"
	else
		echo "not ok match: flows of frames 10 (no I flag) and 11 (I flag): '$fl'"
	fi
}

errors_tests() {
	local out
	out=$("$vnt" match -r /dev/null 'tcp and dev "eth0"' 2>&1)
	if [[ $? -eq 1 && $out == *"<filter>:1:9: error: context predicates"* ]]; then
		echo "ok match: context predicates are refused at their column"
	else
		echo "not ok match: context predicate: $out"
	fi
	"$vnt" match >/dev/null 2>&1
	[[ $? -eq 2 ]] && echo "ok match: no filter is a usage error (2)" || echo "not ok match: no filter: exit $?"
	out=$("$vnt" match -r "$tmp/vxlan.pcap" 'ip[0] / 0 = 1' 2>&1)
	[[ $? -eq 1 && $out == *"division by zero"* ]] && echo "ok match: literal division by zero is refused" ||
		echo "not ok match: division by zero: $out"
}

# The flow parser's fixed-offset path for plain IPv4 TCP/UDP must give
# every frame of the corpus the flow and fingerprint the general header
# walk gives it (bpf-templates/vnt_pkt.h, vnt_flow_fast4).
compare_flow_paths() { # DIR LABEL
	local dir=$1 label=$2
	"$vnt" match --flow -r "$dir/all.pcap" 'len > 0' >"$tmp/flow.fast" 2>&1 &&
		VNT_FLOW_GENERIC=1 "$vnt" match --flow -r "$dir/all.pcap" 'len > 0' >"$tmp/flow.any" 2>&1 || {
		echo "not ok $label: flow parse paths: vnt match --flow failed: $(head -3 "$tmp/flow.fast" "$tmp/flow.any" | tr '\n' ' ')"
		return; }
	local n4 first
	n4=$(grep -cE 'proto=(6|17) [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+\.' "$tmp/flow.any")
	if cmp -s "$tmp/flow.fast" "$tmp/flow.any" && ((n4 > 100)); then
		echo "# $label: the flow parse paths agree on all $(wc -l <"$tmp/flow.any") IP frames ($n4 TCP/UDP over IPv4)"
		echo "ok $label: the fixed-offset IPv4 flow parse agrees with the general one"
	else
		first=$(diff "$tmp/flow.fast" "$tmp/flow.any" | grep -m1 '^[<>]' | awk '{ print $2 }')
		echo "not ok $label: flow parse paths differ ($n4 TCP/UDP over IPv4 frames), first at $(where "$dir" "${first:-0}")"
	fi
}

# compile every filter once, on every CPU (clang dominates the run time)
warm_cache() {
	cat "$@" | grep -v '^#' | grep . |
		xargs -d '\n' -P "$(nproc)" -I{} "$vnt" match -r "$gen/o2.pcap" {} >/dev/null 2>&1
}

prereq
if make_generated; then
	echo "# $(cat "$gen/log")"
	files+=("$gen/all.pcap")
	warm_cache "$here/filters" "$here/filters-unoptimized"
	compare_corpus "$gen" "match (generated)" "$here/filters"
	compare_corpus "$gen" "match (generated, tcpdump -O)" "$here/filters-unoptimized" -O
	compare_flow_paths "$gen" "match (generated)"
else
	echo "not ok match (generated): cannot write the corpus: $(tail -3 "$gen/log" 2>/dev/null | tr '\n' ' ')"
fi
if ((${#ext_files[@]})); then
	files+=("${ext_files[@]}")
	if make_external; then
		compare_corpus "$ext" "match (tcpdump-tests)" "$here/filters"
		compare_corpus "$ext" "match (tcpdump-tests, tcpdump -O)" "$here/filters-unoptimized" -O
		compare_flow_paths "$ext" "match (tcpdump-tests)"
	else
		echo "not ok match (tcpdump-tests): cannot concatenate the captures of $pcaps"
	fi
else
	echo "skip match (tcpdump-tests): no captures in $pcaps (an extra: the generated corpus was compared)"
fi
no_errors 'tcp port 80 or udp or icmp6 or arp or vxlan or tcp[13] & 2 != 0 or ip6 net fe80::/10'
no_errors 'host 10.0.0.1 or portrange 1-1000 or icmp[0] = 8'
no_errors --flow 'inner(udp or ip6) or len > 0'
vxlan_tests
errors_tests
exit 0
