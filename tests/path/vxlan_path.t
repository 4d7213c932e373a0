#!/usr/bin/env bash
# The vxlan module over a real overlay: a packet is followed through
# encapsulation, the underlay and decapsulation with one `where`, counted
# exactly at every hop, and broken down per segment with nothing lost.
set -euo pipefail
. "$VNT_TOP/tests/lib/topo.sh"
. "$VNT_TOP/tests/path/lib.sh"
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
topo_vxlan >/dev/null
N=1500
cat > "$tmp/v.vnt" <<EOS
import "net"
import "vxlan"
trace overlay {
    where udp and dst port 11111
    hop vm1    = net.dev_xmit("$VX_NS_VM1/$VX_DEV_VM1")
    hop encap  = vxlan.encap("$VX_NS_HOST1/$VX_VXLAN1")
    hop u_out  = vxlan.underlay_out("$VX_NS_HOST1/$VX_UNDER1")
    hop u_in   = vxlan.underlay_in("$VX_NS_HOST2/$VX_UNDER2")
    hop decap  = vxlan.decap("$VX_NS_HOST2/$VX_VXLAN2")
    hop vm2    = net.netif_receive("$VX_NS_VM2/$VX_DEV_VM2")
    count() by hop
    breakdown()
}
EOS
vnt_start "$tmp/v.vnt" "$tmp/out.json" -d 60 || exit 0
topo_exec "$VX_NS_VM1" "$UDPGEN" --dst "$VX_IP_VM2" --dport 11111 --count $N --rate 5000 >/dev/null
topo_exec "$VX_NS_VM1" "$UDPGEN" --dst "$VX_IP_VM2" --dport 22222 --count 300 --rate 5000 >/dev/null
sleep 0.5; kill -INT $VNT_PID; wait $VNT_PID || true
python3 - "$tmp/out.json" $N <<'EOP'
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])][-1]
n = int(sys.argv[2])
hits = {h["name"]: h["hits"] for h in d["hops"]}
for h in ("vm1", "encap", "u_out", "u_in", "decap", "vm2"):
    print(("ok" if hits.get(h) == n else "not ok") + " vxlan-hop-%s-count" % h + ("" if hits.get(h) == n else ": %s, want %d" % (hits.get(h), n)))
for s in d["breakdown"]:
    ok = s["count"] == n and s["lost"] == 0
    print(("ok" if ok else "not ok") + " vxlan-segment-%s-%s" % (s["from"], s["to"]) + ("" if ok else ": count %d lost %d" % (s["count"], s["lost"])))
EOP
