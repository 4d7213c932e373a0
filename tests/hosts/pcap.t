#!/bin/bash
# `vnt report --pcap`: a dispatched run's packets, from the store, as
# pcapng on the collector's clock. Two hosts (hosts_pair's veth pair):
# tx on host1, rx on host2, whose agent reports its times 50 ms behind the
# host's clock (--test-clock-skew): only the store's clock offsets put its
# records after host1's. The package keeps 80 bytes of each packet
# (`vnt compile --snaplen 80`). Send N1 datagrams from source port 30001
# and N2 from 30002 to port 11111 (the script's filter) and M to port
# 11112 (not selected). tshark must read the file and show: the two
# interfaces (hop@netns/dev, the devices the script names); N1 and N2 per
# interface by udp.srcport, none to 11112; every packet at tx then rx
# (within the clocks' stated uncertainty, a few microseconds here, where
# the veth takes about ten), less than 20 ms apart on the collector's
# clock (-50 ms without the offsets); each host named in its packets' comments. An unwritable path
# fails before the store is read, with nothing left behind. The same with
# the SQLite store and, when clickhouse-server is installed, ClickHouse.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"
. "$VNT_TOP/tests/lib/clickhouse.sh"

N1=50 N2=30 M=20 SNAP=80 SIZE=200 SKEW_NS=-50000000

command -v tshark >/dev/null || { skip "hosts pcap" "tshark is not installed (scripts/install-deps.sh)"; exit 0; }
topo_veth_pair || { notok "hosts pcap: topology" "topo_veth_pair failed"; exit 1; }
need_openssl || exit 0
hosts_certs || { notok "hosts pcap: certificates" "openssl failed"; exit 1; }
hosts_mgmt "$VP_NS_A" 1 && MGMT_IP_OF[host1]=$MGMT_IP && hosts_mgmt "$VP_NS_B" 2 && MGMT_IP_OF[host2]=$MGMT_IP ||
	{ notok "hosts pcap: management network" "veth"; exit 1; }
agent_start host1 "$VP_NS_A" && agent_start host2 "$VP_NS_B" --enable-test-options --test-clock-skew "$SKEW_NS,0" ||
	{ notok "hosts pcap: agents start" "see above"; exit 1; }
cat >"$T/p.vnt" <<VNT
import "net"
trace t {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop rx = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    count() by hop
    events
}
VNT
"$VNT" compile --snaplen $SNAP -o "$T/p.vntpkg" "$T/p.vnt" 2>"$T/compile.err" ||
	{ notok "hosts pcap: compile --snaplen" "$(cat "$T/compile.err")"; exit 1; }
printf 'host1 %s:7878 hops=tx\nhost2 %s:7878 hops=rx\n' "${MGMT_IP_OF[host1]}" "${MGMT_IP_OF[host2]}" >"$T/hosts"

# uncertainty NAME DB: what the two clocks are known within (s), the sum
# of the hosts' largest measured uncertainties; and host2's offset (ms).
clocks() {
	if [[ $1 == sqlite ]]; then
		py '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
unc = sum(max(u for (u,) in db.execute("select uncertainty_ns from clock where host_id = ?", (h,)))
          for (h,) in db.execute("select id from hosts"))
off = db.execute("select clock_offset_ns from hosts where name = ?", ("host2",)).fetchone()[0]
print(unc / 1e9, "%.0f" % (off / 1e6))
' "$2"
	else
		echo "$(ch_query "SELECT sum(m) / 1e9 FROM (SELECT max(uncertainty_ns) AS m FROM vnt_test.clock GROUP BY host_id)")" \
			"$(ch_query "SELECT round(any(clock_offset_ns) / 1e6) FROM vnt_test.hosts WHERE name = 'host2'")"
	fi
}

# run_and_check NAME DB [DB_ARGS]: a dispatch into DB (DB_ARGS appended to
# it for the dispatcher), then its capture, checked.
run_and_check() {
	local name=$1 db=$2 rc
	dispatch --hosts "$T/hosts" --db "$db${3:-}" --duration 6 "$T/p.vntpkg" &
	local dpid=$!
	for _ in $(seq 1 300); do
		grep -q 'attached; tracing' "$T/dispatch.err" 2>/dev/null && break
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.1
	done
	send "$name-first" "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 $N1 --sport 30001 --size $SIZE --rate 1000 &&
		send "$name-second" "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 $N2 --sport 30002 --size $SIZE --rate 1000 &&
		send "$name-other" "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11112 $M --sport 30001 --size $SIZE --rate 1000
	local traffic_rc=$?
	wait "$dpid"
	check_eq "hosts pcap ($name): the dispatch ends well" "$?" 0
	if grep -q "kept in\|keeping what arrives" "$T/dispatch.err"; then
		notok "hosts pcap ($name): the store takes every event" "$(tr '\n' ' ' <"$T/dispatch.err")"
		return 1
	fi
	((traffic_rc == 0)) || return 1
	local unc off
	read -r unc off < <(clocks "$name" "$db")
	check_eq "hosts pcap ($name): host2's clock offset in the store (ms)" "$off" 50

	# An unwritable path: refused first, nothing left.
	"$VNT" report --pcap "$T/nodir/x.pcapng" "$db" >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	if [[ $rc == 1 ]] && grep -q "cannot write $T/nodir/x.pcapng" "$T/bad.err" && [[ ! -e $T/nodir ]]; then
		ok "hosts pcap ($name): an unwritable path is refused"
	else
		notok "hosts pcap ($name): an unwritable path is refused" "rc $rc: $(tr '\n' ' ' <"$T/bad.err")"
	fi

	local pcap=$T/$name.pcapng n=$((N1 + N2))
	if "$VNT" report --pcap "$pcap" "$db" >"$T/r.out" 2>"$T/r.err" &&
		grep -q "vnt: $((2 * n)) packets of run [0-9]* written to $pcap" "$T/r.err"; then
		ok "hosts pcap ($name): vnt report --pcap writes $((2 * n)) packets"
	else
		notok "hosts pcap ($name): vnt report --pcap writes $((2 * n)) packets" "$(tr '\n' ' ' <"$T/r.err")"
		return 1
	fi
	if ! tshark -r "$pcap" -T fields -E separator='|' -e frame.interface_name -e frame.time_epoch -e udp.srcport \
		-e frame.len -e frame.cap_len -e frame.comment >"$T/$name.fields" 2>"$T/tshark.err"; then
		notok "hosts pcap ($name): tshark reads the file" "$(tr '\n' ' ' <"$T/tshark.err")"
		return 1
	fi
	ok "hosts pcap ($name): tshark reads the file"
	count() { tshark -r "$pcap" -Y "$1" 2>/dev/null | wc -l; }
	local h
	for h in "tx@$VP_NS_A/$VP_DEV_A" "rx@$VP_NS_B/$VP_DEV_B"; do
		check_eq "hosts pcap ($name): $h: $N1 from port 30001" \
			"$(count "frame.interface_name == \"$h\" && ip.src == $VP_IP_A && udp.srcport == 30001 && udp.dstport == 11111")" $N1
		check_eq "hosts pcap ($name): $h: $N2 from port 30002" \
			"$(count "frame.interface_name == \"$h\" && udp.srcport == 30002")" $N2
	done
	check_eq "hosts pcap ($name): nothing to port 11112 (not selected)" "$(count 'udp.dstport == 11112')" 0

	py '
import sys
name, path, n, snap, size, unc = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
bad = 0
def check(what, cond, why):
    global bad
    print(("ok hosts pcap (%s): %s" % (name, what)) if cond else ("not ok hosts pcap (%s): %s: %s" % (name, what, why)))
    bad += not cond
by_fp, hosts, lens = {}, {}, set()
for line in open(path):
    ifname, ts, sport, flen, clen, comment = line.rstrip("\n").split("|")
    c = dict(kv.split("=", 1) for kv in comment.split(","))
    hop = ifname.split("@")[0]
    hosts.setdefault(hop, set()).add(c.get("host"))
    by_fp.setdefault(c.get("fp"), {})[hop] = float(ts)
    lens.add((int(flen), int(clen)))
check("each hop on its host (comments)", hosts == {"tx": {"host1"}, "rx": {"host2"}}, repr(hosts))
check("%d packets, each at tx and rx" % n, len(by_fp) == n and all(set(v) == {"tx", "rx"} for v in by_fp.values()),
      "%d fingerprints" % len(by_fp))
d = sorted(v["rx"] - v["tx"] for v in by_fp.values() if set(v) == {"tx", "rx"})
print("# rx - tx from %.6f to %.6f s; the clocks are known within %.6f s" % (d[0], d[-1], unc) if d else "# none")
check("rx after tx (within the clock uncertainty), less than 20 ms later, on the collector clock",
      d and -unc <= d[0] and d[-1] < 0.020, "rx - tx from %.6f to %.6f s, uncertainty %.6f s" % (d[0], d[-1], unc) if d else "none")
check("snap length %d, IP length kept" % snap, lens == {(20 + 8 + size, snap)}, repr(lens))
sys.exit(1 if bad else 0)
' "$name" "$T/$name.fields" $n $SNAP $SIZE "$unc" || NFAIL=$((NFAIL + 1))
}

run_and_check sqlite "$T/p.db"
if need_clickhouse; then
	if ch_start; then
		run_and_check clickhouse "$CH_URL" "?spool=$T/spool"
	else
		notok "hosts pcap (clickhouse): server starts" "see above"
	fi
fi
exit $((NFAIL > 0))
