#!/bin/bash
# A fleet split across two dispatchers writing to one ClickHouse server at
# once (a real one, tests/lib/clickhouse.sh): 8 agents each (loopback, TLS),
# both made to draw the same run id first (VNT_STORE_TEST_RUN_ID, a test
# hook): the store must end with two runs of distinct ids, each with only
# its own hosts and N events from each. One agent of the second dispatcher
# starts listening 2 s after that dispatcher tried it: --connect-timeout
# keeps trying a refused connection, so it takes part too.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"
. "$VNT_TOP/tests/lib/fleet.sh"
. "$VNT_TOP/tests/lib/clickhouse.sh"

N=200
need_openssl || exit 0
need_clickhouse || exit 0
ch_start || { notok "fleet two: server starts" "see above"; exit 1; }
topo_veth_pair || { notok "fleet two: topology" "topo_veth_pair failed"; exit 1; }
fleet_certs 17 || { notok "fleet two: certificates" "$(tail -3 "$T/pki.log")"; exit 1; }
fleet_agents 17 || { notok "fleet two: agents start" "see above"; exit 1; }
# agent17 stops listening now, and comes back once dispatcher B tried it.
kill -TERM "${FLEET_PID[17]}"
wait "${FLEET_PID[17]}" 2>/dev/null
printf 'import "net"\ntrace t {\n    where udp and dst port 11111\n    hop tx = net.dev_xmit("%s/%s")\n    count() by hop\n    events\n}\n' \
	"$VP_NS_A" "$VP_DEV_A" >"$T/fleet.vnt"
"$VNT" compile -o "$T/fleet.vntpkg" "$T/fleet.vnt" 2>"$T/compile.err" || { notok "fleet two: compile" "$(cat "$T/compile.err")"; exit 1; }
fleet_hosts "$T/hosts-a" 1 8
fleet_hosts "$T/hosts-b" 9 17

go() { # NAME HOSTS [ARGS]
	local name=$1 hosts=$2
	shift 2
	VNT_STORE_TEST_RUN_ID=4242 "$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" \
		--hosts "$hosts" --db "$CH_URL" --duration 5 "$@" "$T/fleet.vntpkg" >"$T/$name.out" 2>"$T/$name.err" &
}
go a "$T/hosts-a"
PA=$!
go b "$T/hosts-b" --connect-timeout 20
PB=$!
sleep 2
"$VNT_AGENT" --config /dev/null --listen "127.0.0.1:${FLEET_PORT[17]}" --name agent17 --cert "$PKI/fleet.crt" \
	--key "$PKI/fleet.key" --ca "$PKI/ca.crt" --timeout 5 >>"$T/fleet-agent17.log" 2>&1 &
FLEET_PID[17]=$!
for _ in $(seq 1 600); do
	grep -q 'attached; tracing' "$T/a.err" 2>/dev/null && grep -q 'attached; tracing' "$T/b.err" 2>/dev/null && break
	kill -0 "$PA" 2>/dev/null || break
	kill -0 "$PB" 2>/dev/null || break
	sleep 0.1
done
send two "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 "$N" --rate 1000
wait "$PA"
ra=$?
wait "$PB"
rb=$?
check_eq "fleet two: both dispatchers end well" "$ra $rb" "0 0"
[[ "$ra $rb" == "0 0" ]] || sed 's/^/# /' "$T/a.err" "$T/b.err" | head -30
check_eq "fleet two: agent17, listening only 2 s after it was first tried, takes part (--connect-timeout)" \
	"$(grep -c "^agent17: 1 hop attached (tx), $N events, 0 lost" "$T/b.out")" 1

runs=$(ch_query "SELECT id FROM vnt_test.runs GROUP BY id, claim HAVING argMax(status, version) != 'abandoned' ORDER BY id")
echo "# runs:" $runs
echo "# abandoned: $(ch_query "SELECT groupArray(id) FROM vnt_test.runs WHERE status = 'abandoned'")"
check_eq "fleet two: two runs of distinct ids (one first drew 4242 too: it drew again)" \
	"$(echo "$runs" | sort -u | wc -l) $(ch_query "SELECT count() >= 1 FROM vnt_test.runs WHERE status = 'abandoned' AND id = 4242")" "2 1"
for run in $runs; do
	got=$(ch_query "SELECT groupArray(c) FROM (SELECT host_id, count() AS c FROM vnt_test.events WHERE run_id = $run
		GROUP BY host_id ORDER BY host_id)")
	names=$(ch_query "SELECT arrayStringConcat(groupArray(name), ',') FROM (SELECT id, anyIf(name, version = 1) AS name
		FROM vnt_test.hosts WHERE run_id = $run GROUP BY id ORDER BY id)")
	echo "# run $run: hosts $names; events per host $got"
	case $names in
	agent1,agent2,*) want="agent1,agent2,agent3,agent4,agent5,agent6,agent7,agent8" wantn="[$N,$N,$N,$N,$N,$N,$N,$N]" ;;
	*) want="agent9,agent10,agent11,agent12,agent13,agent14,agent15,agent16,agent17" wantn="[$N,$N,$N,$N,$N,$N,$N,$N,$N]" ;;
	esac
	check_eq "fleet two: run $run has only its dispatcher's hosts, $N events from each" "$names $got" "$want $wantn"
done
exit 0
