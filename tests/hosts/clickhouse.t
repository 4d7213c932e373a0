#!/bin/bash
# The ClickHouse store with a real clickhouse-server (tests/lib/clickhouse.sh):
# a dispatch across two namespace hosts lands in it (every datagram sent is
# a row at each hop, from its own host); a malformed URL, a server that is
# not there and one of an unsupported version are refused before any host
# is started; a server that refuses the events, or is killed mid-run,
# loses nothing: the dispatcher says so, exits 1, and the spool holds the
# rest (replayed into the restarted server, the rows are the datagrams sent).
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"
. "$VNT_TOP/tests/lib/clickhouse.sh"

need_clickhouse || exit 0
ch_start || { notok "clickhouse: server starts" "see above"; exit 1; }
ok "clickhouse: a server of our own on 127.0.0.1:$CH_PORT ($(ch_query 'SELECT version()'))"
hosts_pair ch
N=2000

# events_of RUN: "HOP COUNT HOST" lines of a run's events (hop names).
events_of() { # (18.16: one JOIN per SELECT, so they nest)
	ch_query "SELECT pname, count(), groupUniqArray(hname) FROM
		(SELECT hop, host_id, pname FROM (SELECT hop, host_id FROM vnt_test.events WHERE run_id = $1)
		 ANY LEFT JOIN (SELECT id AS hop, name AS pname FROM vnt_test.hops WHERE run_id = $1) USING hop)
		ANY LEFT JOIN (SELECT id AS host_id, any(name) AS hname FROM vnt_test.hosts WHERE run_id = $1 AND version = 1
		 GROUP BY id) USING host_id
		GROUP BY pname ORDER BY pname FORMAT TSV"
}
latest_run() {
	ch_query "SELECT id FROM vnt_test.runs WHERE version = 1 ORDER BY started_ns DESC LIMIT 1"
}

# Refused before any host is reached: nothing of the run on the agents.
refused() { # NAME WANT URL
	local before1 before2
	before1=$(grep -c "connection from\|accepted" "$T/agent-host1.log")
	dispatch --hosts "$T/hosts" --db "$3" --duration 2 "$T/ch.vntpkg"
	if [[ $DISPATCH_RC == 1 ]] && grep -q -- "$2" "$T/dispatch.err" && ! grep -q "agent .* on '" "$T/dispatch.err" &&
		grep -q "NOT STARTED" "$T/dispatch.out"; then
		ok "clickhouse: $1: a clear error before any host is started"
	else
		notok "clickhouse: $1: a clear error before any host is started" \
			"rc $DISPATCH_RC: $(tr '\n' ' ' <"$T/dispatch.err" | head -c 600)"
	fi
	sed 's/^/#   /' "$T/dispatch.err" | head -3
}
refused "malformed URL (no port)" "no port" "clickhouse://127.0.0.1/vnt_test"
refused "malformed URL (bad database name)" "bad database name" "clickhouse://127.0.0.1:$CH_PORT/vnt-test"
refused "no server there" "cannot reach the ClickHouse server" "clickhouse://127.0.0.1:1/vnt_test"
python3 "$VNT_TOP/tests/lib/fake_clickhouse.py" "$T/fake-old.port" old &
FAKE_OLD=$!
topo_on_exit "kill $FAKE_OLD 2>/dev/null"
for _ in $(seq 50); do [[ -s $T/fake-old.port ]] && break; sleep 0.1; done
refused "a server of an unsupported version" "ClickHouse 1.1.54394 is not supported" \
	"clickhouse://127.0.0.1:$(cat "$T/fake-old.port")/vnt_test"

# run_dispatch NAME URL DURATION: in the background until "tracing".
run_dispatch() {
	"$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" --hosts "$T/hosts" \
		--db "$2" --duration "$3" "$T/ch.vntpkg" >"$T/$1.out" 2>"$T/$1.err" &
	DPID=$!
	for _ in $(seq 1 300); do
		grep -q 'attached; tracing' "$T/$1.err" 2>/dev/null && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	notok "clickhouse: $1: dispatch starts" "$(tr '\n' ' ' <"$T/$1.err" | head -c 600)"
	return 1
}

# 1. A whole run lands in the server.
if run_dispatch ok "$CH_URL" 6; then
	send ok "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 "$N" --rate 2000
	wait "$DPID"
	rc=$?
	sed 's/^/# /' "$T/ok.out"
	run=$(latest_run)
	got=$(events_of "$run")
	echo "$got" | sed 's/^/# run '"$run"': /'
	check_eq "clickhouse: the dispatch ends well" "$rc" 0
	check_eq "clickhouse: $N rows at tx (host1) and rx (host2), one per datagram" "$(echo "$got" | tr '\t' ' ')" \
		"rx $N ['host2']
tx $N ['host1']"
	check_eq "clickhouse: the run's status and its two hosts' final status" \
		"$(ch_query "SELECT argMax(status, version) FROM vnt_test.runs WHERE id = $run GROUP BY id") $(ch_query \
			"SELECT groupArray(s) FROM (SELECT argMax(status, version) AS s FROM vnt_test.hosts WHERE run_id = $run GROUP BY id ORDER BY id)")" \
		"ok ['ok','ok']"
	check_eq "clickhouse: the hosts' events as they reported them" \
		"$(ch_query "SELECT groupArray(e) FROM (SELECT argMax(events, version) AS e FROM vnt_test.hosts WHERE run_id = $run GROUP BY id ORDER BY id)")" \
		"[$N,$N]"	# vnt report computes it in the server: every datagram joined tx -> rx.
	if "$VNT" report --format json --run "$run" "$CH_URL" >"$T/ok.json" 2>"$T/report.err" &&
		"$VNT" report --format html -o "$T/ok.html" --run "$run" "$CH_URL" 2>>"$T/report.err"; then
		check_eq "clickhouse: vnt report: tx -> rx joins all $N datagrams across the hosts, none lost" \
			"$(py 'import json,sys; r=json.load(open(sys.argv[1])); s=r["segments"][0]
print(r["events"], r["packets"], s["from"], s["to"], s["count"], s["lost"], s["hosts"][0]["from_host"], s["hosts"][0]["to_host"], int(s["min_ns"] > -2 * max(h["clock_uncertainty_ns"] for h in r["hosts"])), int(s["max_ns"] < 1e9))' "$T/ok.json")" \
			"$((2 * N)) $N tx rx $N 0 host1 host2 1 1"
		grep -q "<svg" "$T/ok.html" && ok "clickhouse: vnt report --format html on the server's numbers" ||
			notok "clickhouse: vnt report --format html" "no plot"
	else
		notok "clickhouse: vnt report" "$(head -c 400 "$T/report.err")"
	fi
fi

# 2. A server that refuses the events: all of them spooled, counted, exit 1.
python3 "$VNT_TOP/tests/lib/fake_clickhouse.py" "$T/fake-ref.port" refuse-events &
FAKE_REF=$!
topo_on_exit "kill $FAKE_REF 2>/dev/null"
for _ in $(seq 50); do [[ -s $T/fake-ref.port ]] && break; sleep 0.1; done
if run_dispatch refuse "clickhouse://127.0.0.1:$(cat "$T/fake-ref.port")/vnt_test?spool=$T/spool-refuse" 4; then
	send refuse "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 "$N" --rate 2000
	wait "$DPID"
	rc=$?
	sed 's/^/# /' "$T/refuse.err" | grep -i "store\|spool"
	if [[ $rc == 1 ]] && grep -q "Memory limit" "$T/refuse.err" &&
		grep -q "did not take $((2 * N)) events" "$T/refuse.err" && [[ -x $T/spool-refuse/replay.sh ]]; then
		ok "clickhouse: a server refusing the events: said, exit 1, all $((2 * N)) events spooled with a replay script"
	else
		notok "clickhouse: a server refusing the events: said, exit 1, all $((2 * N)) spooled" \
			"rc $rc: $(tr '\n' ' ' <"$T/refuse.err" | head -c 800)"
	fi
fi

# 3. The server killed mid-run, then restarted: the spool replayed into it
# makes the run whole.
if run_dispatch kill "$CH_URL?spool=$T/spool-kill" 30; then
	send kill1 "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 1000 --rate 2000
	sleep 1.5 # past the store's batch age: the first part is in the server
	run=$(latest_run)
	before=$(ch_query "SELECT count() FROM vnt_test.events WHERE run_id = $run")
	ch_kill
	send kill2 "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 1500 --rate 2000
	sleep 1
	kill -INT "$DPID"
	wait "$DPID"
	rc=$?
	sed 's/^/# /' "$T/kill.err" | grep -i "store\|spool"
	echo "# before the kill: $before rows of run $run in the server"
	if [[ $rc == 1 ]] && grep -q "did not take" "$T/kill.err" && grep -q "replay.sh" "$T/kill.err"; then
		ok "clickhouse: server killed mid-run: the dispatcher says so and exits 1"
	else
		notok "clickhouse: server killed mid-run: the dispatcher says so and exits 1" \
			"rc $rc: $(tr '\n' ' ' <"$T/kill.err" | head -c 800)"
	fi
	ch_start ch "$CH_PORT" || notok "clickhouse: restart" "see above"
	if sh "$T/spool-kill/replay.sh" >"$T/replay.out" 2>&1; then
		ok "clickhouse: the spool replays into the restarted server ($(grep -c loaded "$T/replay.out") batches)"
	else
		notok "clickhouse: the spool replays" "$(tr '\n' ' ' <"$T/replay.out" | head -c 400)"
	fi
	got=$(events_of "$run")
	echo "$got" | sed 's/^/# run '"$run"' after the replay: /'
	check_eq "clickhouse: after the replay every datagram is a row at tx and rx (2500 each), none twice" \
		"$(echo "$got" | cut -f1,2 | tr '\t\n' '  ')" "rx 2500 tx 2500 "
	check_eq "clickhouse: vnt report after the replay: 2500 datagrams tx -> rx, none lost" \
		"$("$VNT" report --format json --run "$run" "$CH_URL" 2>&1 | py 'import json,sys; s=json.load(sys.stdin)["segments"][0]; print(s["count"], s["lost"])')" \
		"2500 0"
	check_eq "clickhouse: the run's end is in the store too" \
		"$(ch_query "SELECT argMax(status, version) FROM vnt_test.runs WHERE id = $run GROUP BY id")" "interrupted"
fi
exit 0
