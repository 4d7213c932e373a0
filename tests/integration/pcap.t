#!/bin/bash
# `vnt run --pcap`: the raw events as pcapng, read back by tshark.
# Bridge topology (vm1 -> switch -> vm2), four hops: dev_xmit in vm1, tc
# ingress on the switch's first port (bytes from the Ethernet header), the
# switch's dev_xmit to vm2 and netif_receive in vm2 (bytes from the
# network header).  Send N1 datagrams from vm1's first address and N2 from
# its second to vm2 port 11111 (the script's filter), and M to port 11112
# (not selected).  tshark must read the file and show: one interface per
# hop, named hop@netns/dev; N1 + N2 packets at each interface; each
# fingerprint once per hop, at increasing times along the path, with the
# same IP identification; its display filters selecting N1 per hop by the
# first source address, N2 by the second, none to port 11112; the snap
# length cutting the bytes, the original length kept; hop, fingerprint
# and host as packet comments.  Bad paths: a directory that does not
# exist and a path that is a directory fail before anything is attached,
# with nothing left behind.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

N1=60 N2=40 M=30 SIZE=200 SNAP=96

command -v tshark >/dev/null || { skip "pcap" "tshark is not installed (scripts/install-deps.sh)"; exit 0; }

topo_bridge || { notok "pcap: topology" "topo_bridge failed"; exit 1; }
bridge_extra_addrs || { notok "pcap: topology" "cannot add the extra addresses"; exit 1; }

cat >"$T/pcap.vnt" <<VNT
import "net"
import "tc"
trace path {
    where udp and dst port 11111
    hop vm1_tx = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    hop sw_in  = tc.ingress("$BR_NS_SW/$BR_PORT1")
    hop sw_out = net.dev_xmit("$BR_NS_SW/$BR_PORT2")
    hop vm2_rx = net.netif_receive("$BR_NS_VM2/$BR_DEV_VM2")
    count() by hop
    events
}
VNT
cat >"$T/noevents.vnt" <<VNT
import "net"
trace path {
    hop tx = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    count()
}
VNT

# ---- bad input: refused before attaching, nothing left behind ----
"$VNT" run --pcap "$T/nodir/x.pcapng" -d 1 -e "$T/bad.jsonl" "$T/pcap.vnt" >"$T/bad1.out" 2>"$T/bad1.err"
rc=$?
check_eq "pcap: a path in a missing directory: exit 1" "$rc" 1
if grep -q "cannot write $T/nodir/x.pcapng" "$T/bad1.err" && ! grep -q attached "$T/bad1.err"; then
	ok "pcap: a path in a missing directory: clear error before attaching"
else
	notok "pcap: a path in a missing directory: clear error before attaching" "stderr: $(tr '\n' ' ' <"$T/bad1.err")"
fi
mkdir -p "$T/isdir.pcapng"
"$VNT" run --pcap "$T/isdir.pcapng" -d 1 -e "$T/bad.jsonl" "$T/pcap.vnt" >"$T/bad2.out" 2>"$T/bad2.err"
rc=$?
check_eq "pcap: a path that is a directory: exit 1" "$rc" 1
if grep -q "cannot write $T/isdir.pcapng: Is a directory" "$T/bad2.err" && ! grep -q attached "$T/bad2.err" &&
	[[ -z $(ls -A "$T/isdir.pcapng") && -z $(ls -a "$T" | grep '^\.isdir') && ! -e $T/bad.jsonl ]]; then
	ok "pcap: a path that is a directory: clear error, nothing written"
else
	notok "pcap: a path that is a directory: clear error, nothing written" "stderr: $(tr '\n' ' ' <"$T/bad2.err"); $(ls -a "$T")"
fi
"$VNT" run --pcap "$T/ev-bad.pcapng" -d 1 -e "$T/nodir/ev.jsonl" "$T/pcap.vnt" >"$T/bad5.out" 2>"$T/bad5.err"
rc=$?
if [[ $rc == 1 ]] && grep -q "cannot write events to $T/nodir/ev.jsonl" "$T/bad5.err" && ! grep -q attached "$T/bad5.err" &&
	[[ ! -e $T/ev-bad.pcapng ]]; then
	ok "pcap: an events file that cannot be written: clear error before attaching, no capture left"
else
	notok "pcap: an events file that cannot be written: clear error before attaching, no capture left" \
		"rc $rc, stderr: $(tr '\n' ' ' <"$T/bad5.err"); $(ls "$T")"
fi
"$VNT" run --pcap "$T/noev.pcapng" -d 1 "$T/noevents.vnt" >"$T/bad3.out" 2>"$T/bad3.err"
rc=$?
if [[ $rc == 1 ]] && grep -q "writes no raw events" "$T/bad3.err" && [[ ! -e $T/noev.pcapng ]]; then
	ok "pcap: a script without events is refused"
else
	notok "pcap: a script without events is refused" "rc $rc, stderr: $(tr '\n' ' ' <"$T/bad3.err")"
fi
"$VNT" run --snaplen 64 -d 1 "$T/pcap.vnt" >"$T/bad4.out" 2>"$T/bad4.err"
check_eq "pcap: --snaplen without --pcap: usage error" "$?" 2
"$VNT" run --pcap "$T/x.pcapng" --snaplen 100000 -d 1 "$T/pcap.vnt" >"$T/bad5.out" 2>"$T/bad5.err"
rc=$?
if [[ $rc == 2 ]] && grep -q -- "--snaplen takes a number of bytes from 1 to 248" "$T/bad5.err"; then
	ok "pcap: --snaplen out of range: usage error"
else
	notok "pcap: --snaplen out of range: usage error" "rc $rc, stderr: $(tr '\n' ' ' <"$T/bad5.err")"
fi

# Packages: the snap length is compiled in (the manifest says it); one
# without is refused by --pcap, one with runs (an empty capture, valid).
"$VNT" compile -o "$T/plain.vntpkg" "$T/pcap.vnt" 2>"$T/c1.err" &&
	"$VNT" compile --snaplen 64 -o "$T/snap.vntpkg" "$T/pcap.vnt" 2>"$T/c2.err" ||
	notok "pcap: packages compile" "$(cat "$T/c1.err" "$T/c2.err" | tr '\n' ' ')"
check_eq "pcap: the manifest keeps the snap length" \
	"$("$VNT" inspect --manifest "$T/snap.vntpkg" | py 'import json, sys; t = sys.stdin.read(); print(json.loads(t[t.index("{"):])["plan"].get("snaplen"))')" 64
"$VNT" run --pcap "$T/p1.pcapng" -d 1 -e "$T/p1.jsonl" "$T/plain.vntpkg" >"$T/p1.out" 2>"$T/p1.err"
rc=$?
if [[ $rc == 1 ]] && grep -q "carries no packet bytes for --pcap" "$T/p1.err" && grep -q -- "--snaplen N" "$T/p1.err" &&
	[[ ! -e $T/p1.pcapng ]]; then
	ok "pcap: a package without a snap length is refused"
else
	notok "pcap: a package without a snap length is refused" "rc $rc, stderr: $(tr '\n' ' ' <"$T/p1.err")"
fi
"$VNT" run --pcap "$T/p2.pcapng" -d 1 -e "$T/p2.jsonl" "$T/snap.vntpkg" >"$T/p2.out" 2>"$T/p2.err"
rc=$?
if [[ $rc == 0 ]] && [[ $(tshark -r "$T/p2.pcapng" 2>/dev/null | wc -l) == 0 ]] && tshark -r "$T/p2.pcapng" >/dev/null 2>&1; then
	ok "pcap: a package with a snap length runs; its empty capture reads"
else
	notok "pcap: a package with a snap length runs; its empty capture reads" "rc $rc, stderr: $(tr '\n' ' ' <"$T/p2.err")"
fi
"$VNT" compile --snaplen 64 -o "$T/noev.vntpkg" "$T/noevents.vnt" >"$T/c3.out" 2>"$T/c3.err"
rc=$?
if [[ $rc == 1 ]] && grep -q "writes no raw events" "$T/c3.err" && [[ ! -e $T/noev.vntpkg ]]; then
	ok "pcap: compile --snaplen of a script without events is refused"
else
	notok "pcap: compile --snaplen of a script without events is refused" "rc $rc: $(tr '\n' ' ' <"$T/c3.err")"
fi

# ---- the capture ----
PCAP=$T/path.pcapng
vnt_start pcap "$T/pcap.vnt" --duration 8 --format json --pcap "$PCAP" --snaplen $SNAP -e "$T/pcap.jsonl" ||
	{ notok "pcap: vnt run attaches" "see above"; exit 1; }
ok "pcap: vnt run attaches"
if [[ ! -e $PCAP ]]; then
	ok "pcap: nothing under the final name while running"
else
	notok "pcap: nothing under the final name while running" "$PCAP exists already"
fi
send first "$BR_NS_VM1" "$BR_IP_VM1" "$BR_NS_VM2" "$BR_IP_VM2" 11111 $N1 --size $SIZE --rate 2000 &&
	send second "$BR_NS_VM1" "$BR_IP_VM1B" "$BR_NS_VM2" "$BR_IP_VM2" 11111 $N2 --size $SIZE --rate 2000 &&
	send other "$BR_NS_VM1" "$BR_IP_VM1" "$BR_NS_VM2" "$BR_IP_VM2" 11112 $M --size $SIZE --rate 2000
traffic_rc=$?
vnt_finish pcap
check_eq "pcap: vnt run exits 0" "$VNT_RUN_RC" 0
((traffic_rc == 0)) || exit 1
N=$((N1 + N2))
if grep -q "vnt: $((4 * N)) packets written to $PCAP" "$T/pcap.err"; then
	ok "pcap: vnt says how many packets it wrote"
else
	notok "pcap: vnt says how many packets it wrote" "stderr: $(tr '\n' ' ' <"$T/pcap.err")"
fi
if [[ -z $(ls -a "$T" | grep '^\.path\.pcapng\.') ]]; then
	ok "pcap: no temporary file left"
else
	notok "pcap: no temporary file left" "$(ls -a "$T")"
fi

if ! tshark -r "$PCAP" -T fields -E separator='|' -e frame.interface_name -e frame.time_epoch -e ip.src \
	-e udp.dstport -e ip.id -e frame.len -e frame.cap_len -e frame.comment >"$T/fields" 2>"$T/tshark.err"; then
	notok "pcap: tshark reads the file" "$(tr '\n' ' ' <"$T/tshark.err")"
	exit 1
fi
ok "pcap: tshark reads the file"
count() { tshark -r "$PCAP" -Y "$1" 2>/dev/null | wc -l; }
for h in "vm1_tx@$BR_NS_VM1/$BR_DEV_VM1" "sw_in@$BR_NS_SW/$BR_PORT1" "sw_out@$BR_NS_SW/$BR_PORT2" \
	"vm2_rx@$BR_NS_VM2/$BR_DEV_VM2"; do
	check_eq "pcap: $h: $N1 packets from $BR_IP_VM1" \
		"$(count "frame.interface_name == \"$h\" && ip.src == $BR_IP_VM1 && udp.dstport == 11111")" $N1
	check_eq "pcap: $h: $N2 packets from $BR_IP_VM1B" \
		"$(count "frame.interface_name == \"$h\" && ip.src == $BR_IP_VM1B && udp.dstport == 11111")" $N2
done
check_eq "pcap: every packet at one of the four interfaces" "$(count 'frame')" $((4 * N))
check_eq "pcap: nothing to port 11112 (not selected)" "$(count 'udp.dstport == 11112')" 0

py '
import sys
path, n, snap, size, host = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
order = ["vm1_tx", "sw_in", "sw_out", "vm2_rx"]
bad = 0
def check(name, cond, why):
    global bad
    print(("ok pcap: %s" % name) if cond else ("not ok pcap: %s: %s" % (name, why)))
    bad += not cond
by_fp, lens, comments_ok = {}, {}, True
for line in open(path):
    ifname, ts, src, dport, ipid, flen, clen, comment = line.rstrip("\n").split("|")
    hop = ifname.split("@")[0]
    c = dict(kv.split("=", 1) for kv in comment.split(","))
    comments_ok &= c.get("hop") == hop and c.get("host") == host and c.get("trace") == "path" and len(c.get("fp", "")) == 16
    by_fp.setdefault(c.get("fp"), []).append((float(ts), hop, ipid))
    lens.setdefault(hop, set()).add((int(flen), int(clen)))
check("comments name hop, fingerprint, host, trace", comments_ok, "a comment differs")
check("%d fingerprints" % n, len(by_fp) == n, "got %d" % len(by_fp))
def in_order(v):
    v = sorted(v)
    return [x[1] for x in v] == order and len({x[0] for x in v}) == 4 and len({x[2] for x in v}) == 1
bad_fp = [v for v in by_fp.values() if not in_order(v)]
check("each packet at the four hops in path order, times increasing, one IP id", not bad_fp,
      "%d are not, e.g. %r" % (len(bad_fp), bad_fp[:1]))
ip_len, eth_len = 20 + 8 + size, 14 + 20 + 8 + size
want = {"vm1_tx": {(ip_len, snap)}, "sw_in": {(eth_len, snap)}, "sw_out": {(ip_len, snap)}, "vm2_rx": {(ip_len, snap)}}
check("snap length %d, original lengths kept (IP at sk_buff hops, Ethernet at tc)" % snap, lens == want,
      "got %r" % lens)
sys.exit(1 if bad else 0)
' "$T/fields" $N $SNAP $SIZE "$(hostname)" || NFAIL=$((NFAIL + 1))

exit $((NFAIL > 0))
