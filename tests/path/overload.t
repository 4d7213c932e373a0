#!/usr/bin/env bash
# Overload: a flood of raw events far above what the ring buffer and the
# JSON writer can carry. Every record is accounted for: written to the
# events file or counted as lost, exactly; the lost count is reported.
set -euo pipefail
. "$VNT_TOP/tests/lib/topo.sh"
. "$VNT_TOP/tests/path/lib.sh"
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
topo_veth_pair >/dev/null
N=300000
cat > "$tmp/o.vnt" <<EOS
import "net"
trace flood {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop rx = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    events
}
EOS
vnt_start "$tmp/o.vnt" "$tmp/out.json" -d 120 --events "$tmp/ev.jsonl" || exit 0
topo_exec "$VP_NS_A" "$UDPGEN" --dst "$VP_IP_B" --dport 11111 --count $N --size 16 >/dev/null
sleep 1; kill -INT $VNT_PID; wait $VNT_PID || true
python3 - "$tmp/out.json" "$tmp/ev.jsonl" $N <<'EOP'
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])][-1]
n = int(sys.argv[3])
lines = sum(1 for _ in open(sys.argv[2]))
lost, delivered = d["lost"]["events"], d["events"]
print("# %d records expected, %d written, %d delivered, %d lost" % (2 * n, lines, delivered, lost))
ok = delivered + lost == 2 * n
print(("ok" if ok else "not ok") + " overload-every-record-accounted" + ("" if ok else ": %d + %d != %d" % (delivered, lost, 2 * n)))
ok = lines == delivered
print(("ok" if ok else "not ok") + " overload-delivered-equals-written" + ("" if ok else ": %d vs %d" % (lines, delivered)))
hits = {h["name"]: h["hits"] for h in d["hops"]}
ok = hits["tx"] == n and hits["rx"] == n
print(("ok" if ok else "not ok") + " overload-counts-exact-despite-loss" + ("" if ok else ": %s" % hits))
EOP
