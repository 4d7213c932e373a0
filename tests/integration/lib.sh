# shellcheck shell=bash
# tests/integration/lib.sh — helpers shared by the integration tests
# (tests/integration/*.t).  Source it after setting `set -uo pipefail`:
#
#   . "$VNT_TOP/tests/integration/lib.sh"      # also sources tests/lib/topo.sh
#
# Result lines:      ok NAME | notok NAME REASON | skip NAME REASON
# Running vnt:
#   vnt_start NAME FILE [VNT_RUN_ARGS...]
#       start `vnt run FILE ARGS...` in the background; stdout goes to
#       $T/NAME.out, stderr to $T/NAME.err; waits (at most $VNT_ATTACH_WAIT
#       seconds, default 60: the first compile runs clang) until vnt prints
#       "N hops attached".  Sets VNT_RUN_PID (also kept in VNT_PIDS[NAME];
#       several runs may go on at once).  Returns 1 (and prints the
#       stderr) if vnt exits or never attaches.
#   vnt_finish NAME
#       wait for the run NAME started by vnt_start to end by itself (its
#       --duration); sets VNT_RUN_RC.  Gives up after $VNT_FINISH_WAIT s
#       (default 120), killing it (rc 124).
#   vnt_stop_now
#       stop every run still going: SIGINT, SIGKILL after 5 s (used on EXIT).
#   final_doc NAME [TRACE]
#       print the final JSON document (of TRACE, if the script has several)
#       of run NAME on one line; nothing if there is none.
#   send NAME SRC_NS SRC_IP DST_NS DST_IP DPORT COUNT [UDPGEN_ARGS...]
#       topo_udp, then check that exactly COUNT were sent and received: the
#       ground truth the counts are held against.  Prints a `not ok` line
#       named "traffic NAME" if not, and returns 1.
#   py SCRIPT ARGS...    python3 -c SCRIPT ARGS... (for JSON checks)

: "${VNT_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export VNT_TOP
: "${VNT:=$VNT_TOP/vnt}"
: "${VNT_TEST_TMP:=$(mktemp -d /tmp/vnt-itest.XXXXXX)}"
: "${VNT_CACHE_DIR:=$VNT_TEST_TMP/cache}"
export VNT VNT_TEST_TMP VNT_CACHE_DIR
mkdir -p "$VNT_TEST_TMP" "$VNT_CACHE_DIR"
T=$VNT_TEST_TMP
: "${VNT_ATTACH_WAIT:=60}"
: "${VNT_FINISH_WAIT:=120}"

# shellcheck source=../lib/topo.sh
. "$VNT_TOP/tests/lib/topo.sh"

NFAIL=0
ok() { echo "ok $1"; }
notok() {
	NFAIL=$((NFAIL + 1))
	echo "not ok $1: $2"
}
skip() { echo "skip $1: $2"; }
# check NAME GOT WANT: equality test with a generated reason.
check_eq() {
	if [[ "$2" == "$3" ]]; then ok "$1"; else notok "$1" "got '$2', want '$3'"; fi
}

VNT_RUN_PID=""
VNT_RUN_RC=""

declare -A VNT_PIDS=()

_vnt_kill() { # PID: SIGINT, then SIGKILL after 5 s
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return; }
	kill -INT "$pid" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

vnt_stop_now() { # stop every run still going
	local n
	for n in "${!VNT_PIDS[@]}"; do
		_vnt_kill "${VNT_PIDS[$n]}"
		unset "VNT_PIDS[$n]"
	done
	VNT_RUN_PID=""
}
topo_on_exit vnt_stop_now

vnt_start() {
	local name=$1 file=$2
	shift 2
	VNT_RUN_RC=""
	# Raw events (breakdown) go to the test's tmp, not to vnt-events.jsonl in
	# the repository; a later --events of the caller wins.
	"$VNT" run --events "$T/$name.events.jsonl" "$file" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	VNT_RUN_PID=$!
	VNT_PIDS[$name]=$VNT_RUN_PID
	local i
	for ((i = 0; i < VNT_ATTACH_WAIT * 10; i++)); do
		if grep -q 'hops\{0,1\} attached' "$T/$name.err" 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$VNT_RUN_PID" 2>/dev/null; then
			wait "$VNT_RUN_PID"
			VNT_RUN_RC=$?
			VNT_RUN_PID=""
			unset "VNT_PIDS[$name]"
			echo "# vnt run $file exited with $VNT_RUN_RC before attaching; stderr:"
			sed 's/^/#   /' "$T/$name.err"
			return 1
		fi
		sleep 0.1
	done
	echo "# vnt run $file did not attach within ${VNT_ATTACH_WAIT}s; stderr:"
	sed 's/^/#   /' "$T/$name.err"
	_vnt_kill "$VNT_RUN_PID"
	unset "VNT_PIDS[$name]"
	VNT_RUN_PID=""
	return 1
}

vnt_finish() {
	local name=$1 i pid=${VNT_PIDS[$1]:-}
	VNT_RUN_PID=""
	if [[ -z $pid ]]; then
		VNT_RUN_RC=${VNT_RUN_RC:-1}
		return
	fi
	for ((i = 0; i < VNT_FINISH_WAIT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "# vnt run ($name) did not end within ${VNT_FINISH_WAIT}s: killing it"
		_vnt_kill "$pid"
		unset "VNT_PIDS[$name]"
		VNT_RUN_RC=124
		return
	fi
	wait "$pid"
	VNT_RUN_RC=$?
	unset "VNT_PIDS[$name]"
	if [[ $VNT_RUN_RC != 0 ]]; then
		echo "# vnt run ($name) exited with $VNT_RUN_RC; stderr:"
		sed 's/^/#   /' "$T/$name.err"
	fi
}

py() {
	local s=$1
	shift
	python3 -c "$s" "$@"
}

final_doc() {
	py '
import json, sys
want = sys.argv[2] if len(sys.argv) > 2 else None
last = None
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    try:
        d = json.loads(line)
    except ValueError:
        continue
    if d.get("type") == "final" and (want is None or d.get("trace") == want):
        last = line
if last:
    print(last)
' "$T/$1.out" "${@:2}"
}

send() {
	local name=$1 count=$7
	shift
	if ! topo_udp "$@"; then
		notok "traffic $name" "topo_udp failed (sent '$TOPO_SENT', received '$TOPO_RECEIVED')"
		return 1
	fi
	if [[ $TOPO_SENT != "$count" || $TOPO_RECEIVED != "$count" ]]; then
		notok "traffic $name" "sent $TOPO_SENT, received $TOPO_RECEIVED, want $count (traffic lost: counts would be meaningless)"
		return 1
	fi
	echo "# traffic $name: $count sent and received ($*)"
	return 0
}

# Extra addresses on the bridge topology, for flows that differ by host:
#   VM1 also has 10.78.0.11 (BR_IP_VM1B), VM2 also 10.78.0.3 (BR_IP_VM2B);
#   static neighbours so no ARP is sent.
bridge_extra_addrs() {
	BR_IP_VM1B=10.78.0.11 BR_IP_VM2B=10.78.0.3
	ip -n "$BR_NS_VM1" addr add "$BR_IP_VM1B/24" dev "$BR_DEV_VM1" &&
		ip -n "$BR_NS_VM2" addr add "$BR_IP_VM2B/24" dev "$BR_DEV_VM2" &&
		ip -n "$BR_NS_VM1" neigh replace "$BR_IP_VM2B" lladdr "$BR_MAC_VM2" dev "$BR_DEV_VM1" nud permanent &&
		ip -n "$BR_NS_VM2" neigh replace "$BR_IP_VM1B" lladdr "$BR_MAC_VM1" dev "$BR_DEV_VM2" nud permanent
}

# ---- BPF objects of a process ----
# bpf_ids_of PID: print "prog ID" and "link ID" for every BPF program and
# link the process holds a file descriptor of (from /proc/PID/fdinfo; this
# bpftool is too old to show the owning pids).
bpf_ids_of() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		awk '/^prog_id:/ { print "prog " $2 } /^link_id:/ { print "link " $2 }' "$f" 2>/dev/null
	done | sort -u
}

# bpf_ids_alive FILE: print the entries of FILE (bpf_ids_of output) that
# still exist in the kernel.
bpf_ids_alive() {
	local progs links
	progs=$(bpftool -j prog show 2>/dev/null | py 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin)))')
	links=$(bpftool -j link show 2>/dev/null | py 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin)))')
	local kind id
	while read -r kind id; do
		[[ -n $kind ]] || continue
		if [[ $kind == prog && " $progs " == *" $id "* ]]; then echo "prog $id"; fi
		if [[ $kind == link && " $links " == *" $id "* ]]; then echo "link $id"; fi
	done <"$1"
}

# bpf_ids_gone NAME FILE: poll up to 3 s (release is asynchronous) until no
# entry of FILE exists; ok/not ok NAME.
bpf_ids_gone() {
	local name=$1 file=$2 left i
	for i in $(seq 1 30); do
		left=$(bpf_ids_alive "$file")
		[[ -z $left ]] && break
		sleep 0.1
	done
	if [[ -z $left ]]; then
		ok "$name"
	else
		notok "$name" "still in the kernel after 3 s: $(echo $left) ($(bpftool prog show 2>/dev/null | grep -c 'name vnt_hop_') vnt_hop_* programs listed)"
	fi
}

# orphan_vnt_progs: vnt_hop_* programs that no live process holds a file
# descriptor of (left attached by a link or legacy attachment nobody owns,
# or pinned).  Other vnt runs on the host (other tests) hold theirs, so
# they do not count.
orphan_vnt_progs() {
	local ids held
	ids=$(bpftool -j prog show 2>/dev/null |
		py 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin) if p.get("name","").startswith("vnt_hop_")))')
	[[ -n $ids ]] || return 0
	held=" $(cat /proc/[0-9]*/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u | tr '\n' ' ') "
	local id
	for id in $ids; do
		[[ $held == *" $id "* ]] || echo "$id"
	done
}

# no_orphans NAME: poll up to 3 s until orphan_vnt_progs is empty.
no_orphans() {
	local name=$1 left i
	for i in $(seq 1 30); do
		left=$(orphan_vnt_progs)
		[[ -z $left ]] && break
		sleep 0.1
	done
	if [[ -z $left ]]; then
		ok "$name"
	else
		notok "$name" "vnt_hop_* programs held by no process: $(echo $left)"
	fi
}
