#!/bin/bash
# Faults: whatever happens to the dispatcher or the agent, nothing of ours
# stays attached.  Two "hosts" (namespaces of a veth pair), each with a
# vnt-agent (--timeout $AGENT_TIMEOUT s).  Rounds, each on a fresh trace:
#   - the dispatcher SIGKILLed mid-trace: the connection ends, the agent
#     detaches at once;
#   - the dispatcher frozen (SIGSTOP) mid-trace: the connection stays open
#     but silent; the agent detaches within its timeout;
#   - the agent SIGKILLed mid-trace (its connection process too): the
#     kernel releases everything; the dispatcher reports the host and exits 1;
#   - the agent restarted: it serves again;
#   - the agent stopped with SIGTERM mid-trace: it sends its final data,
#     detaches, says why; the dispatcher names the host and exits 1;
#   - an agent over stdio (`NAME stdio:COMMAND`), the dispatcher killed.
# "Detached" is checked on the BPF programs and links the agent's processes
# held (read from /proc/PID/fdinfo while the trace ran): none may still
# exist, and no vnt_hop_* program may be held by no process.
set -uo pipefail
AGENT_TIMEOUT=5
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"

hosts_pair faults

DPID=""
# start_dispatch NAME HOSTSFILE: dispatch in the background until attached.
start_dispatch() {
	"$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" --hosts "$2" \
		--db "$T/faults.db" --duration 300 "$T/faults.vntpkg" >"$T/$1.out" 2>"$T/$1.err" &
	DPID=$!
	for _ in $(seq 1 600); do
		grep -q 'attached; tracing' "$T/$1.err" 2>/dev/null && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	notok "faults: $1: the dispatch starts tracing" "$(tr '\n' ' ' <"$T/$1.err")"
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	return 1
}
# held NAME HOST...: the BPF objects the agents' processes hold now, into $T/NAME.ids.
held() {
	local name=$1 h
	shift
	for h in "$@"; do agent_bpf_ids "$h"; done | sort -u >"$T/$name.ids"
	local np
	np=$(grep -c '^prog ' "$T/$name.ids")
	if ((np >= 1)); then
		ok "faults: $name: the agents hold the trace's programs ($np)"
	else
		notok "faults: $name: the agents hold the trace's programs" "none found in /proc/PID/fdinfo"
	fi
}
# gone_within NAME SECONDS: every object of $T/NAME.ids released within SECONDS.
gone_within() {
	local name=$1 s=$2 left=""
	for _ in $(seq 1 $((s * 10))); do
		left=$(bpf_ids_alive "$T/$name.ids")
		[[ -z $left ]] && break
		sleep 0.1
	done
	if [[ -z $left ]]; then
		ok "faults: $name: everything detached within ${s} s"
	else
		notok "faults: $name: everything detached within ${s} s" "still in the kernel: $(echo $left)"
	fi
	no_orphans "faults: $name: no vnt_hop_* program left that no process holds"
}
alive() { # NAME HOST
	if kill -0 "${AGENT_PID[$2]}" 2>/dev/null; then ok "faults: $1: agent $2 still serving"; else notok "faults: $1: agent $2 still serving" "it exited"; fi
}

# ---- the dispatcher killed ----
if start_dispatch kill "$T/hosts"; then
	held dispatcher-killed host1 host2
	send kill "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 50 >/dev/null
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
	gone_within dispatcher-killed $((AGENT_TIMEOUT + 5))
	alive dispatcher-killed host1
	alive dispatcher-killed host2
fi

# ---- the dispatcher frozen: silence, not a closed connection ----
if start_dispatch frozen "$T/hosts"; then
	held dispatcher-frozen host1 host2
	kill -STOP "$DPID"
	gone_within dispatcher-frozen $((AGENT_TIMEOUT + 10))
	if grep -q 'the dispatcher was silent for 5 s; the trace is detached' "$T/agent-host1.log"; then
		ok "faults: dispatcher-frozen: the agent says it detached for silence"
	else
		notok "faults: dispatcher-frozen: the agent says it detached for silence" "$(tail -3 "$T/agent-host1.log" | tr '\n' ' ')"
	fi
	kill -KILL "$DPID"
	kill -CONT "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
fi

# ---- the agent killed (listener and connection process alike) ----
if start_dispatch agentkill "$T/hosts"; then
	held agent-killed host1
	pids=$(agent_pids host1)
	kill -KILL $pids
	wait "${AGENT_PID[host1]}" 2>/dev/null
	unset "AGENT_PID[host1]"
	gone_within agent-killed 5
	# The dispatcher notices (end of stream or silence) and stops the rest.
	for _ in $(seq 1 300); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$DPID" 2>/dev/null; then
		kill -INT "$DPID"
		for _ in $(seq 1 300); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
	fi
	wait "$DPID"
	rc=$?
	if [[ $rc == 1 ]] && grep -q '^vnt: host1: error: ' "$T/agentkill.err" && grep -q '^host1: FAILED' "$T/agentkill.out"; then
		ok "faults: agent-killed: the dispatcher reports host1 failed and exits 1"
	else
		notok "faults: agent-killed: the dispatcher reports host1 failed and exits 1" \
			"rc $rc: $(tr '\n' ' ' <"$T/agentkill.err") $(tr '\n' ' ' <"$T/agentkill.out")"
	fi
	alive agent-killed host2
fi

# ---- the agent restarted serves again ----
agent_start host1 "$VP_NS_A" || notok "faults: restarted agent starts" "see above"
dispatch --hosts "$T/hosts" --db "$T/faults.db" --duration 3 "$T/faults.vntpkg"
if [[ $DISPATCH_RC == 0 ]] && grep -q '^host1: 1 hop attached (tx)' "$T/dispatch.out"; then
	ok "faults: a restarted agent serves again"
else
	notok "faults: a restarted agent serves again" "rc $DISPATCH_RC: $(tr '\n' ' ' <"$T/dispatch.err")"
fi

# ---- the agent stopped (SIGTERM) ----
if start_dispatch agentterm "$T/hosts"; then
	held agent-stopped host2
	kill -TERM "${AGENT_PID[host2]}"
	wait "${AGENT_PID[host2]}"
	rc=$?
	unset "AGENT_PID[host2]"
	check_eq "faults: agent-stopped: the agent exits 0 on SIGTERM" "$rc" 0
	gone_within agent-stopped 5
	for _ in $(seq 1 300); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
	kill -INT "$DPID" 2>/dev/null
	wait "$DPID"
	rc=$?
	if [[ $rc == 1 ]] && grep -q "^vnt: host2: error: the agent ended the trace: the agent is stopping" "$T/agentterm.err"; then
		ok "faults: agent-stopped: the dispatcher says host2's agent is stopping and exits 1"
	else
		notok "faults: agent-stopped: the dispatcher says host2's agent is stopping and exits 1" \
			"rc $rc: $(tr '\n' ' ' <"$T/agentterm.err")"
	fi
fi

# ---- the agent SIGKILLed at random moments under load, repeated ----
[[ -n ${AGENT_PID[host2]:-} ]] || agent_start host2 "$VP_NS_B" || notok "faults: randkill: agent host2 restarts" "see above"
for r in 1 2 3 4; do
	topo_spawn "$VP_NS_A" "$UDPGEN" --dst "$VP_IP_B" --dport 11111 --count 1000000 --rate 20000 >/dev/null 2>&1
	load=$TOPO_PID
	if start_dispatch "randkill$r" "$T/hosts"; then
		sleep "$(python3 -c 'import random; print(round(random.uniform(0.1, 2.0), 2))')"
		agent_bpf_ids host1 | sort -u >"$T/randkill$r.ids"
		kill -KILL $(agent_pids host1) 2>/dev/null
		wait "${AGENT_PID[host1]}" 2>/dev/null
		unset "AGENT_PID[host1]"
		gone_within "randkill$r" 5
		kill -INT "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	kill "$load" 2>/dev/null
	wait "$load" 2>/dev/null
	agent_start host1 "$VP_NS_A" || notok "faults: randkill$r: agent restarts" "see above"
done
dispatch --hosts "$T/hosts" --db "$T/faults.db" --duration 3 "$T/faults.vntpkg"
if [[ $DISPATCH_RC == 0 ]] && grep -q '^host1: 1 hop attached (tx)' "$T/dispatch.out"; then
	ok "faults: after repeated kills the restarted agent serves again"
else
	notok "faults: after repeated kills the restarted agent serves again" "rc $DISPATCH_RC: $(tr '\n' ' ' <"$T/dispatch.err")"
fi

# ---- an agent over stdio, the dispatcher killed ----
printf 'host1 stdio:nsenter --net=/run/netns/%s %s --stdio --timeout %s hops=tx\n' "$VP_NS_A" "$VNT_AGENT" "$AGENT_TIMEOUT" >"$T/stdio-hosts"
printf 'host2 stdio:nsenter --net=/run/netns/%s %s --stdio --timeout %s hops=rx\n' "$VP_NS_B" "$VNT_AGENT" "$AGENT_TIMEOUT" >>"$T/stdio-hosts"
dispatch --hosts "$T/stdio-hosts" --db "$T/faults.db" --duration 3 "$T/faults.vntpkg"
if [[ $DISPATCH_RC == 0 ]] && grep -q '^host1: 1 hop attached (tx)' "$T/dispatch.out" && grep -q '^host2: 1 hop attached (rx)' "$T/dispatch.out"; then
	ok "faults: agents over stdio run the trace"
else
	notok "faults: agents over stdio run the trace" "rc $DISPATCH_RC: $(tr '\n' ' ' <"$T/dispatch.err")"
fi
if start_dispatch stdiokill "$T/stdio-hosts"; then
	spids=$(pgrep -f -- "--stdio --timeout $AGENT_TIMEOUT" | tr '\n' ' ')
	for p in $spids; do bpf_ids_of "$p"; done | sort -u >"$T/stdio-killed.ids"
	np=$(grep -c '^prog ' "$T/stdio-killed.ids")
	((np >= 2)) && ok "faults: stdio-killed: the stdio agents hold the trace's programs ($np)" ||
		notok "faults: stdio-killed: the stdio agents hold the trace's programs" "$np (pids $spids)"
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
	gone_within stdio-killed $((AGENT_TIMEOUT + 5))
	left=""
	for _ in $(seq 1 50); do
		left=""
		for p in $spids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
		[[ -z $left ]] && break
		sleep 0.1
	done
	[[ -z $left ]] && ok "faults: stdio-killed: the stdio agents exit" || notok "faults: stdio-killed: the stdio agents exit" "still running:$left"
fi
exit 0
