#!/usr/bin/env bash
# Packet identity, measured: 100k UDP packets of one flow (IP IDs wrap
# past 65535) through the bridge path; every packet must be recognised at
# both ends. Prints the mismatch count (unmatched at the far hop plus
# remembered but never matched) and fails above 0.1%.
set -euo pipefail
. "$VNT_TOP/tests/lib/topo.sh"
. "$VNT_TOP/tests/path/lib.sh"
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
topo_bridge >/dev/null
N=100000
cat > "$tmp/i.vnt" <<EOS
import "net"
trace id {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    hop rx = net.netif_receive("$BR_NS_VM2/$BR_DEV_VM2")
    count() by hop
    hist(latency(tx, rx))
}
EOS
vnt_start "$tmp/i.vnt" "$tmp/out.json" -d 120 || exit 0
topo_exec "$BR_NS_VM1" "$UDPGEN" --dst "$BR_IP_VM2" --dport 11111 --sport 40000 --count $N --rate 40000 --size 32 >/dev/null
sleep 0.5; kill -INT $VNT_PID; wait $VNT_PID || true
python3 - "$tmp/out.json" $N <<'EOP'
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])][-1]
n = int(sys.argv[2])
l = d["latency"][0]
hits = {h["name"]: h["hits"] for h in d["hops"]}
mism = l["unmatched"] + (l["started"] - l["matched"])
print("# identity: %d packets, %d started, %d matched, %d unmatched: %d mismatched (%.4f%%)"
      % (n, l["started"], l["matched"], l["unmatched"], mism, 100.0 * mism / n))
ok = hits["tx"] == n and hits["rx"] == n
print(("ok" if ok else "not ok") + " identity-seen-at-both-hops" + ("" if ok else ": %s" % hits))
ok = mism <= n // 1000
print(("ok" if ok else "not ok") + " identity-mismatches-below-0.1%" + ("" if ok else ": %d" % mism))
EOP
