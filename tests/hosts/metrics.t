#!/bin/bash
# The agent's metrics page under a real `vnt dispatch`: two "hosts"
# (namespaces on a veth pair), each running vnt-agent behind mutual TLS
# with `--metrics MGMT_IP:PORT`; a real Prometheus (tests/lib/prometheus.sh,
# on loopback) scrapes both every second. N datagrams host1 -> host2:
#   - each agent's page shows the dispatched trace's counter at its own hop
#     equal to N, and promtool check metrics accepts the page
#   - PromQL over both agents: N at tx (host1) and N at rx (host2)
#   - only the metrics server's process holds the metrics socket (not the
#     connection process that runs the trace)
#   - once the dispatcher has ended the trace, its final counts stay on the
#     page (vnt_trace_ended 1, still N) for metrics_keep seconds
#   - a second agent with the same metrics address: an error naming it, exit 1
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"
. "$VNT_TOP/tests/lib/prometheus.sh"

need_prometheus || exit 0
N=2000
MPORT=9750

hosts_pair_net metrics
for h in host1 host2; do
	ns=$VP_NS_A
	[[ $h == host2 ]] && ns=$VP_NS_B
	agent_start "$h" "$ns" --metrics "${MGMT_IP_OF[$h]}:$MPORT" --metrics-keep 120 ||
		{ notok "metrics: agent $h starts with --metrics" "see above"; exit 1; }
	if grep -q "metrics on http://${MGMT_IP_OF[$h]}:$MPORT/metrics" "$T/agent-$h.log"; then
		ok "metrics: agent $h serves metrics on ${MGMT_IP_OF[$h]}:$MPORT"
	else
		notok "metrics: agent $h serves metrics" "$(cat "$T/agent-$h.log")"
	fi
done
page() { curl -s --max-time 5 "http://${MGMT_IP_OF[$1]}:$MPORT/metrics"; }

# The address in use: another agent in host1's namespace on the same one.
nsenter --net="/run/netns/$VP_NS_A" -- "$VNT_AGENT" --config /dev/null --listen "${MGMT_IP_OF[host1]}:7979" \
	--cert "$PKI/host1.crt" --key "$PKI/host1.key" --ca "$PKI/ca.crt" --metrics "${MGMT_IP_OF[host1]}:$MPORT" \
	>"$T/busy.out" 2>"$T/busy.err"
rc=$?
if ((rc == 1)) && grep -qF "'${MGMT_IP_OF[host1]}:$MPORT'" "$T/busy.err" && grep -q "in use" "$T/busy.err"; then
	ok "metrics: a second agent on the same metrics address: error naming it, exit 1"
else
	notok "metrics: a second agent on the same metrics address refused" "rc $rc: $(cat "$T/busy.err")"
fi
sed 's/^/#   /' "$T/busy.err"

hosts_pair_pkg metrics

prom_start "${MGMT_IP_OF[host1]}:$MPORT" "${MGMT_IP_OF[host2]}:$MPORT" ||
	{ notok "metrics: prometheus starts" "see above"; exit 1; }
ok "metrics: prometheus starts on 127.0.0.1:$PROM_PORT"
for h in host1 host2; do
	prom_wait_up "${MGMT_IP_OF[$h]}:$MPORT" || { notok "metrics: prometheus scrapes $h" "never up"; exit 1; }
done
ok "metrics: prometheus scrapes both agents"

"$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" \
	--hosts "$T/hosts" --db "$T/vnt.db" --duration 60 "$T/metrics.vntpkg" >"$T/dispatch.out" 2>"$T/dispatch.err" &
dpid=$!
for _ in $(seq 1 600); do
	grep -q 'hops attached; tracing' "$T/dispatch.err" && break
	kill -0 "$dpid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q '2 hops attached; tracing' "$T/dispatch.err"; then
	notok "metrics: dispatch attaches 2 hops on 2 hosts" "$(tr '\n' ' ' <"$T/dispatch.err")"
	kill -INT "$dpid" 2>/dev/null
	wait "$dpid"
	exit 1
fi
ok "metrics: dispatch attaches 2 hops on 2 hosts"
send flood "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 "$N" --rate 2000 || { kill -INT "$dpid"; wait "$dpid"; exit 1; }
sleep $((3 * PROM_SCRAPE_S))
tq=$(date +%s.%N)

sel='trace="t",aggregation="count() by hop"'
for h in host1 host2; do
	hop=tx
	[[ $h == host2 ]] && hop=rx
	page "$h" >"$T/page-$h.txt"
	line="vnt_count_total{$sel,hop=\"$hop\"} $N"
	if grep -qxF "$line" "$T/page-$h.txt"; then
		ok "metrics: $h's page: the trace counted the $N datagrams at $hop"
	else
		notok "metrics: $h's page shows '$line'" "$(grep -E 'vnt_count_total|vnt_trace' "$T/page-$h.txt" | head -10)"
	fi
	if out=$(promtool check metrics <"$T/page-$h.txt" 2>&1) && [[ -z $out ]]; then
		ok "metrics: promtool check metrics accepts $h's page"
	else
		notok "metrics: promtool check metrics accepts $h's page" "$out"
	fi
	# Who holds the metrics socket: the metrics server's process alone, a
	# child of the listener that holds no BPF object; the trace's
	# connection process (holding the links) does not.
	ns=$VP_NS_A
	[[ $h == host2 ]] && ns=$VP_NS_B
	holders=$(ip netns exec "$ns" ss -ltnpH "sport = :$MPORT" | grep -o 'pid=[0-9]*' | sort -u | cut -d= -f2)
	kids=$(pgrep -P "${AGENT_PID[$h]}" | tr '\n' ' ')
	tracers=$(for p in $kids; do [[ -n $(bpf_ids_of "$p" | grep '^link') ]] && echo "$p"; done)
	if [[ $(wc -w <<<"$holders") == 1 && " $kids " == *" $holders "* && -z $(bpf_ids_of "$holders") && -n $tracers ]] &&
		! grep -qw "$holders" <<<"$tracers"; then
		ok "metrics: $h: only the metrics server holds the metrics socket (not the listener, not the trace's process)"
	else
		notok "metrics: $h: metrics socket holders" "holders '$holders', listener ${AGENT_PID[$h]}, children '$kids', tracing '$tracers'"
	fi
done
{
	echo "tx $(prom_query "sum(vnt_count_total{$sel,hop=\"tx\"})" "$tq")"
	echo "rx $(prom_query "sum(vnt_count_total{$sel,hop=\"rx\"})" "$tq")"
	echo "tx_host $(prom_query "count(vnt_count_total{$sel,hop=\"tx\",instance=\"${MGMT_IP_OF[host1]}:$MPORT\"})" "$tq")"
} >"$T/answers"
sed 's/^/# /' "$T/answers"
py '
import json, sys
N = int(sys.argv[2])
ans = {}
for l in open(sys.argv[1]):
    k, v = l.split(" ", 1)
    try:
        r = json.loads(v)
    except ValueError:
        r = []
    ans[k] = float(r[0]["value"][1]) if r else None
for k, want, what in (("tx", N, "PromQL: N at tx"), ("rx", N, "PromQL: N at rx"), ("tx_host", 1, "PromQL: tx scraped from host1")):
    print(("ok metrics: %s" % what) if ans[k] == want else ("not ok metrics: %s: got %r, want %r" % (what, ans[k], want)))
' "$T/answers" "$N"

kill -INT "$dpid"
for _ in $(seq 1 300); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
wait "$dpid"
check_eq "metrics: dispatch exits 0 after Ctrl-C" "$?" 0
# The trace's connection processes have ended; its final counts stay.
sleep 1
for h in host1 host2; do
	hop=tx
	[[ $h == host2 ]] && hop=rx
	page "$h" >"$T/final-$h.txt"
	if grep -qxF "vnt_count_total{$sel,hop=\"$hop\"} $N" "$T/final-$h.txt" &&
		grep -qxF 'vnt_trace_ended{trace="t"} 1' "$T/final-$h.txt"; then
		ok "metrics: $h: the ended trace's final counts stay on the page"
	else
		notok "metrics: $h: final counts after the end" "$(grep -E 'vnt_count_total|vnt_trace_ended' "$T/final-$h.txt")"
	fi
done
prom_stop
dirs=$(sed -n 's/.*pages in \([^ ,]*\),.*/\1/p' "$T/agent-host1.log" "$T/agent-host2.log")
agent_stop_all
left=0
for d in $dirs; do [[ -e $d ]] && left=$((left + 1)); done
if [[ -n $dirs ]] && ((left == 0)); then
	ok "metrics: the stopped agents removed their metrics directories"
else
	notok "metrics: metrics directories removed" "dirs '$dirs', $left left"
fi
exit 0
