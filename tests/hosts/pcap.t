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
# fails before the store is read, with nothing left behind.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"

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

dispatch --hosts "$T/hosts" --db "$T/p.db" --duration 6 "$T/p.vntpkg" &
DPID=$!
for _ in $(seq 1 300); do
	grep -q 'attached; tracing' "$T/dispatch.err" 2>/dev/null && break
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.1
done
send first "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 $N1 --sport 30001 --size $SIZE --rate 1000 &&
	send second "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 $N2 --sport 30002 --size $SIZE --rate 1000 &&
	send other "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11112 $M --sport 30001 --size $SIZE --rate 1000
traffic_rc=$?
wait "$DPID"
check_eq "hosts pcap: the dispatch ends well" "$?" 0
((traffic_rc == 0)) || exit 1

# The skew is real: host2's offset in the store is about +50 ms.
off=$(py '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print("%.0f" % (db.execute("select clock_offset_ns from hosts where name = ?", ("host2",)).fetchone()[0] / 1e6))
' "$T/p.db")
# What the two clocks are known within: the sum of the hosts' uncertainties.
UNC=$(py '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(sum(max(u for (u,) in db.execute("select uncertainty_ns from clock where host_id = ?", (h,))) for (h,) in db.execute("select id from hosts")) / 1e9)
' "$T/p.db")
check_eq "hosts pcap: host2's clock offset in the store (ms)" "$off" 50

# ---- an unwritable path: refused first, nothing left ----
"$VNT" report --pcap "$T/nodir/x.pcapng" "$T/p.db" >"$T/bad.out" 2>"$T/bad.err"
rc=$?
if [[ $rc == 1 ]] && grep -q "cannot write $T/nodir/x.pcapng" "$T/bad.err" && [[ ! -e $T/nodir ]]; then
	ok "hosts pcap: an unwritable path is refused"
else
	notok "hosts pcap: an unwritable path is refused" "rc $rc: $(tr '\n' ' ' <"$T/bad.err")"
fi

PCAP=$T/run.pcapng
N=$((N1 + N2))
if "$VNT" report --pcap "$PCAP" "$T/p.db" >"$T/r.out" 2>"$T/r.err" &&
	grep -q "vnt: $((2 * N)) packets of run 1 written to $PCAP" "$T/r.err"; then
	ok "hosts pcap: vnt report --pcap writes $((2 * N)) packets"
else
	notok "hosts pcap: vnt report --pcap writes $((2 * N)) packets" "$(tr '\n' ' ' <"$T/r.err")"
	exit 1
fi
if ! tshark -r "$PCAP" -T fields -E separator='|' -e frame.interface_name -e frame.time_epoch -e udp.srcport \
	-e frame.len -e frame.cap_len -e frame.comment >"$T/fields" 2>"$T/tshark.err"; then
	notok "hosts pcap: tshark reads the file" "$(tr '\n' ' ' <"$T/tshark.err")"
	exit 1
fi
ok "hosts pcap: tshark reads the file"
count() { tshark -r "$PCAP" -Y "$1" 2>/dev/null | wc -l; }
for h in "tx@$VP_NS_A/$VP_DEV_A" "rx@$VP_NS_B/$VP_DEV_B"; do
	check_eq "hosts pcap: $h: $N1 from port 30001" \
		"$(count "frame.interface_name == \"$h\" && ip.src == $VP_IP_A && udp.srcport == 30001 && udp.dstport == 11111")" $N1
	check_eq "hosts pcap: $h: $N2 from port 30002" \
		"$(count "frame.interface_name == \"$h\" && udp.srcport == 30002")" $N2
done
check_eq "hosts pcap: nothing to port 11112 (not selected)" "$(count 'udp.dstport == 11112')" 0

py '
import sys
path, n, snap, size, unc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
bad = 0
def check(name, cond, why):
    global bad
    print(("ok hosts pcap: %s" % name) if cond else ("not ok hosts pcap: %s: %s" % (name, why)))
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
' "$T/fields" $N $SNAP $SIZE "$UNC" || NFAIL=$((NFAIL + 1))
exit $((NFAIL > 0))
