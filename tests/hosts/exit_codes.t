#!/bin/bash
# `vnt dispatch` exits 1, and says why for each host, on every way a run
# can fail before or while it starts; it exits 0 only when every host ran
# the trace. Two hosts (host1, host2) on a veth pair, each with its agent
# (tests/hosts/lib.sh, hosts_pair). Each case checks the exit status, the
# error line, the per-host status line ("NOT STARTED: why" for a host the
# run never started, never "0 hops attached") and, where the run stops
# before any host is reached, that no agent saw a connection.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"

hosts_pair codes
H1=${MGMT_IP_OF[host1]} H2=${MGMT_IP_OF[host2]}
C=(--cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt")
connections() { cat "$T"/agent-host*.log 2>/dev/null | grep -c "dispatcher '.*' (.*) connected\|refused [0-9]"; }

# case NAME WANT-STDERR WANT-STDOUT-LINE REACHED(yes|no) DISPATCH-ARGS...
case_() {
	local name=$1 want_err=$2 want_out=$3 reached=$4
	shift 4
	local before
	before=$(connections)
	"$VNT" dispatch --db "$T/codes.db" --duration 2 "$@" >"$T/d.out" 2>"$T/d.err"
	local rc=$? why=""
	[[ $rc == 1 ]] || why="exit $rc, want 1; "
	grep -q -- "$want_err" "$T/d.err" || why+="no '$want_err' on stderr; "
	[[ -z $want_out ]] || grep -q -- "$want_out" "$T/d.out" || why+="no '$want_out' on stdout; "
	grep -q ' 0 hops attached' "$T/d.out" && why+="a '0 hops attached' line; "
	if [[ $reached == no ]]; then
		sleep 0.2
		(($(connections) == before)) || why+="an agent was reached; "
	fi
	if [[ -z $why ]]; then
		ok "exit codes: $name"
	else
		notok "exit codes: $name" "$why stderr: $(tr '\n' ' ' <"$T/d.err" | head -c 400) stdout: $(tr '\n' ' ' <"$T/d.out")"
	fi
}

case_ "no --ca: TLS cannot be set up" "vnt: error: TLS: .*--ca" "^host1: NOT STARTED: TLS:" no \
	--cert "$PKI/client.crt" --key "$PKI/client.key" --hosts "$T/hosts" "$T/codes.vntpkg"
case_ "a missing key file" "vnt: error: TLS: .*$T/nosuch.key" "^host2: NOT STARTED: TLS:" no \
	--cert "$PKI/client.crt" --key "$T/nosuch.key" --ca "$PKI/ca.crt" --hosts "$T/hosts" "$T/codes.vntpkg"
case_ "a package that does not exist" "vnt: error: cannot read $T/nosuch.vntpkg" "^host1: NOT STARTED: cannot read" no \
	"${C[@]}" --hosts "$T/hosts" "$T/nosuch.vntpkg"
printf 'host1 %s:7878 hops=tx\nhost2 %s:7878\n' "$H1" "$H2" >"$T/mixed"
case_ "a host without hops= beside one with" "host 'host2' has no hops= but host 'host1' lists its hops" "" no \
	"${C[@]}" --hosts "$T/mixed" "$T/codes.vntpkg"
printf 'host1 %s:7878 hops=tx\n' "$H1" >"$T/partial"
case_ "a hop on no host" "hop 't.rx' runs on no host" "^host1: NOT STARTED: hop 't.rx' runs on no host" no \
	"${C[@]}" --hosts "$T/partial" "$T/codes.vntpkg"
# Nothing listens on port 7999 of host2's address: refused at once.
printf 'host1 %s:7878 hops=tx\nhost2 %s:7999 hops=rx\n' "$H1" "$H2" >"$T/unreachable"
case_ "an unreachable host" "vnt: host2: error: .*$H2:7999" "^host1: NOT STARTED: another host failed" yes \
	"${C[@]}" --hosts "$T/unreachable" "$T/codes.vntpkg"
case_ "a store that cannot be written" "vnt: error: .*/nosuchdir/x.db" "" no \
	"${C[@]}" --hosts "$T/hosts" --db "$T/nosuchdir/x.db" "$T/codes.vntpkg"

# And the run that works exits 0, each host with its one hop.
"$VNT" dispatch "${C[@]}" --hosts "$T/hosts" --db "$T/codes.db" --duration 2 "$T/codes.vntpkg" >"$T/d.out" 2>"$T/d.err"
rc=$?
if [[ $rc == 0 ]] && grep -q '^host1: 1 hop attached (tx)' "$T/d.out" && grep -q '^host2: 1 hop attached (rx)' "$T/d.out"; then
	ok "exit codes: a good run exits 0"
else
	notok "exit codes: a good run exits 0" "rc $rc: $(tr '\n' ' ' <"$T/d.err") / $(tr '\n' ' ' <"$T/d.out")"
fi
exit 0
