#!/bin/bash
# What an agent refuses, and that it keeps serving afterwards. One "host"
# (a namespace) runs vnt-agent behind mutual TLS; the dispatcher, in the
# root namespace, tries in turn:
#   - no client certificate; a certificate from another CA; trusting
#     another CA itself (the agent's certificate is then refused by the
#     dispatcher)                          -> the TLS handshake fails
#   - a tampered package (one byte flipped inside object.o, re-compressed),
#     a truncated package                  -> refused by the dispatcher before
#     it reaches any host, and by the agent when sent by another client
#     (tests/lib/agent_client.py over --stdio)
#   - a package with a kprobe hop where this kernel has no kprobes
#                                          -> a clear ERROR from the agent
#   - an unknown hop name in the hosts file -> refused by the dispatcher
#   - limits: map memory, CPU time (an agent started with small budgets)
# Each is printed with the host's name, the dispatcher exits 1, and a
# valid dispatch right after it succeeds (the agent still serves).
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"

topo_veth_pair || { notok "refused: topology" "topo_veth_pair failed"; exit 1; }
need_openssl || exit 0
hosts_certs || { notok "refused: certificates" "openssl failed"; exit 1; }
hosts_mgmt "$VP_NS_A" 1 || { notok "refused: management network" "veth"; exit 1; }
MGMT_IP_OF[host1]=$MGMT_IP
H1=$MGMT_IP
agent_start host1 "$VP_NS_A" || { notok "refused: agent starts" "see above"; exit 1; }

cat >"$T/good.vnt" <<EOF
import "net"
trace t {
    where udp and dst port 11111
    hop a = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    count() by hop
    events
}
EOF
cat >"$T/kp.vnt" <<EOF
import "kprobe"
trace k {
    where udp and dst port 11111
    hop a = kprobe.dev_hard_start_xmit()
    count() by hop
}
EOF
for s in good kp; do
	"$VNT" compile -o "$T/$s.vntpkg" "$T/$s.vnt" 2>"$T/compile.err" ||
		{ notok "refused: compile $s" "$(cat "$T/compile.err")"; exit 1; }
done
python3 "$(dirname "$0")/../lib/vntpkg_variants.py" "$T/good.vntpkg" "$T"

# A valid dispatch: the agent is serving.
serving() { # NAME
	dispatch --host host1=${MGMT_IP_OF[host1]}:7878 --db "$T/good.db" --duration 2 "$T/good.vntpkg"
	if [[ $DISPATCH_RC == 0 ]] && grep -q '^host1: 1 hop attached (a)' "$T/dispatch.out"; then
		ok "refused: the agent still serves after $1"
	else
		notok "refused: the agent still serves after $1" "rc $DISPATCH_RC: $(tr '\n' ' ' <"$T/dispatch.err")"
	fi
}
# refused NAME EXPECTED-ERROR-SUBSTRING DISPATCH-ARGS...: dispatch exits 1
# and prints "host1: error: ...EXPECTED...".
refused() {
	local name=$1 want=$2
	shift 2
	"$VNT" dispatch --host host1=${MGMT_IP_OF[host1]}:7878 --db "$T/refused.db" --duration 2 "$@" \
		>"$T/dispatch.out" 2>"$T/dispatch.err"
	local rc=$?
	echo "# $name: exit $rc: $(grep 'error' "$T/dispatch.err" | head -3)"
	if [[ $rc == 1 ]] && grep -q "host1: error: .*$want" "$T/dispatch.err"; then
		ok "refused: $name: the dispatcher says '$want' for host1 and exits 1"
	else
		notok "refused: $name: the dispatcher says '$want' for host1 and exits 1" \
			"rc $rc: $(tr '\n' ' ' <"$T/dispatch.err")"
	fi
	serving "$name"
}

serving "start"
# TLS: the agent wants a certificate from its CA; the dispatcher wants the agent's from its own.
refused "no client certificate" "certificate required" --ca "$PKI/ca.crt" "$T/good.vntpkg"
refused "certificate of another CA" "unknown ca" \
	--cert "$PKI/rogue.crt" --key "$PKI/rogue.key" --ca "$PKI/ca.crt" "$T/good.vntpkg"
refused "the agent's certificate not trusted" "certificate is not accepted" \
	--cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/otherca.crt" "$T/good.vntpkg"
if grep -q 'refused .*certificate' "$T/agent-host1.log"; then
	ok "refused: the agent logs the refused handshakes"
else
	notok "refused: the agent logs the refused handshakes" "$(tail -5 "$T/agent-host1.log" | tr '\n' ' ')"
fi
# Packages: the agent verifies them.
C=(--cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt")
# A damaged package is refused by the dispatcher before any host is
# reached, and by the agent itself when something else sends it.
for v in "tampered:checksum of member object.o is wrong" "truncated:truncated or corrupt"; do
	name=${v%%:*} want=${v#*:}
	"$VNT" dispatch "${C[@]}" --host host1=${MGMT_IP_OF[host1]}:7878 --db "$T/refused.db" --duration 2 \
		"$T/$name.vntpkg" >"$T/dispatch.out" 2>"$T/dispatch.err"
	rc=$?
	if [[ $rc == 1 ]] && grep -q "^vnt: error: $T/$name.vntpkg: .*$want" "$T/dispatch.err" &&
		! grep -q "host1: agent" "$T/dispatch.err" && grep -q "^host1: NOT STARTED: $T/$name.vntpkg" "$T/dispatch.out"; then
		ok "refused: $name package: the dispatcher refuses it before reaching any host and exits 1"
	else
		notok "refused: $name package: the dispatcher refuses it before reaching any host and exits 1" \
			"rc $rc: $(tr '\n' ' ' <"$T/dispatch.err") / $(tr '\n' ' ' <"$T/dispatch.out")"
	fi
	got=$(python3 "$VNT_TOP/tests/lib/agent_client.py" load "$T/$name.vntpkg" -- \
		ip netns exec "$VP_NS_A" "$VNT_AGENT" --config /dev/null --stdio 2>"$T/stdio.err")
	if [[ $got == "ERROR 2 package refused: "*"$want"* ]]; then
		ok "refused: $name package: the agent refuses it too (package refused)"
	else
		notok "refused: $name package: the agent refuses it too (package refused)" "got '$got' $(head -c 300 "$T/stdio.err")"
	fi
	serving "$name package"
done
if [[ -e /sys/bus/event_source/devices/kprobe/type ]]; then
	skip "refused: kprobe package" "this kernel has kprobes"
else
	refused "package needing kprobes" "lacks a feature the package needs: hop 'a' is a kprobe" "${C[@]}" "$T/kp.vntpkg"
fi
printf 'host1 %s:7878 hops=nosuchhop\n' "$H1" >"$T/badhops"
"$VNT" dispatch "${C[@]}" --hosts "$T/badhops" --db "$T/refused.db" "$T/good.vntpkg" >"$T/dispatch.out" 2>"$T/dispatch.err"
rc=$?
if [[ $rc == 1 ]] && grep -q "vnt: error: host 'host1', hops=: the package has no hop 'nosuchhop' (its hops: t.a)" "$T/dispatch.err"; then
	ok "refused: unknown hop name in the hosts file"
else
	notok "refused: unknown hop name in the hosts file" "rc $rc: $(tr '\n' ' ' <"$T/dispatch.err")"
fi
serving "unknown hop name"

# ---- limits: a second agent with small budgets ----
agent_limits() { # PORT ARGS...
	local port=$1
	shift
	nsenter --net="/run/netns/$VP_NS_A" -- "$VNT_AGENT" --config /dev/null --listen "${MGMT_IP_OF[host1]}:$port" --name host1 \
		--cert "$PKI/host1.crt" --key "$PKI/host1.key" --ca "$PKI/ca.crt" --timeout "$AGENT_TIMEOUT" "$@" \
		>>"$T/agent-limits.log" 2>&1 &
	AGENT_PID[limits$port]=$!
	for _ in $(seq 1 100); do
		grep -q "listening on ${MGMT_IP_OF[host1]}:$port" "$T/agent-limits.log" && return 0
		sleep 0.1
	done
	return 1
}
agent_limits 7879 --max-map-memory 1M || notok "refused: limited agent starts" "$(cat "$T/agent-limits.log")"
"$VNT" dispatch "${C[@]}" --host host1=${MGMT_IP_OF[host1]}:7879 --db "$T/refused.db" --duration 2 "$T/good.vntpkg" \
	>"$T/dispatch.out" 2>"$T/dispatch.err"
rc=$?
if [[ $rc == 1 ]] && grep -q "host1: error: the trace's BPF maps would take .* MiB, more than this agent allows (max_map_memory = 1.0 MiB)" "$T/dispatch.err"; then
	ok "refused: map memory over max_map_memory"
else
	notok "refused: map memory over max_map_memory" "rc $rc: $(tr '\n' ' ' <"$T/dispatch.err")"
fi
agent_limits 7880 --max-cpu-ms 1 || notok "refused: CPU-limited agent starts" "$(cat "$T/agent-limits.log")"
"$VNT" dispatch "${C[@]}" --host host1=${MGMT_IP_OF[host1]}:7880 --db "$T/refused.db" --duration 120 "$T/good.vntpkg" \
	>"$T/dispatch.out" 2>"$T/dispatch.err" &
dpid=$!
for _ in $(seq 1 300); do
	grep -q 'attached; tracing' "$T/dispatch.err" && break
	sleep 0.1
done
# Enough packets for the programs to pass 1 ms of run time, however fast;
# stop as soon as the agent has stopped the trace.
for _ in $(seq 1 20); do
	kill -0 "$dpid" 2>/dev/null || break
	timeout 60 nsenter --net="/run/netns/$VP_NS_A" "$UDPGEN" --dst "$VP_IP_B" --dport 11111 --count 20000 >"$T/udpgen.out" 2>&1 ||
		echo "# udpgen: $(cat "$T/udpgen.out")"
done
for _ in $(seq 1 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
kill -INT "$dpid" 2>/dev/null
wait "$dpid"
rc=$?
if [[ $rc == 1 ]] && grep -q "host1: error: trace stopped: its programs ran for .* ms of CPU time, over this agent's budget (max_cpu_ms = 1)" "$T/dispatch.err"; then
	ok "refused: a trace over max_cpu_ms is stopped with a clear message"
else
	notok "refused: a trace over max_cpu_ms is stopped with a clear message" "rc $rc: $(tr '\n' ' ' <"$T/dispatch.err")"
fi

# ---- several traces at once; max_traces ----
"$VNT" dispatch "${C[@]}" --host "host1=$H1:7878" --db "$T/multi1.db" --duration 6 "$T/good.vntpkg" \
	>"$T/multi1.out" 2>"$T/multi1.err" &
m1=$!
"$VNT" dispatch "${C[@]}" --host "host1=$H1:7878" --db "$T/multi2.db" --duration 6 "$T/good.vntpkg" \
	>"$T/multi2.out" 2>"$T/multi2.err" &
m2=$!
wait "$m1"
r1=$?
wait "$m2"
r2=$?
if [[ $r1 == 0 && $r2 == 0 ]] && grep -q '^host1: 1 hop attached' "$T/multi1.out" && grep -q '^host1: 1 hop attached' "$T/multi2.out"; then
	ok "refused: one agent runs two traces at once"
else
	notok "refused: one agent runs two traces at once" "rc $r1/$r2: $(cat "$T/multi1.err" "$T/multi2.err" | tr '\n' ' ')"
fi
agent_limits 7881 --max-traces 1 || notok "refused: agent with max_traces 1 starts" "$(cat "$T/agent-limits.log")"
"$VNT" dispatch "${C[@]}" --host "host1=$H1:7881" --db "$T/multi1.db" --duration 60 "$T/good.vntpkg" \
	>"$T/multi1.out" 2>"$T/multi1.err" &
m1=$!
for _ in $(seq 1 300); do
	grep -q 'attached; tracing' "$T/multi1.err" && break
	sleep 0.1
done
"$VNT" dispatch "${C[@]}" --host "host1=$H1:7881" --db "$T/multi2.db" --duration 2 "$T/good.vntpkg" \
	>"$T/multi2.out" 2>"$T/multi2.err"
r2=$?
kill -INT "$m1"
wait "$m1"
r1=$?
if [[ $r1 == 0 && $r2 == 1 ]] && grep -q "host1: error: this agent already runs its maximum of 1 traces (max_traces)" "$T/multi2.err"; then
	ok "refused: a trace over max_traces is refused, the running one goes on"
else
	notok "refused: a trace over max_traces is refused, the running one goes on" "rc $r1/$r2: $(cat "$T/multi1.err" "$T/multi2.err" | tr '\n' ' ')"
fi
no_orphans "refused: no vnt_hop_* program left that no process holds"
exit 0
