#!/usr/bin/env bash
# Drops by reason and location: N datagrams to a port nobody listens on
# are dropped by UDP with reason NO_SOCKET, exactly N of them, and the
# location names the UDP receive function.
set -euo pipefail
. "$VNT_TOP/tests/lib/topo.sh"
. "$VNT_TOP/tests/path/lib.sh"
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
topo_veth_pair >/dev/null
N=777
cat > "$tmp/d.vnt" <<EOS
import "skb"
trace drops {
    where udp and dst port 33333
    hop d = skb.drop("*")
    count() by reason, location
}
EOS
vnt_start "$tmp/d.vnt" "$tmp/out.json" -d 60 || exit 0
topo_exec "$VP_NS_A" "$UDPGEN" --dst "$VP_IP_B" --dport 33333 --count $N >/dev/null
sleep 0.5; kill -INT $VNT_PID; wait $VNT_PID || true
python3 - "$tmp/out.json" $N <<'EOP'
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])][-1]
n = int(sys.argv[2])
rows = d["aggregations"][0]["rows"]
ns = [r for r in rows if r["key"]["reason"] == "NO_SOCKET"]
got = sum(r["count"] for r in ns)
print(("ok" if got == n else "not ok") + " drops-no-socket-count" + ("" if got == n else ": %d, want %d (%s)" % (got, n, rows)))
ok = ns and all(r["key"]["location"].startswith("__udp4_lib_rcv") or "udp" in r["key"]["location"] for r in ns)
print(("ok" if ok else "not ok") + " drops-location-udp" + ("" if ok else ": %s" % rows))
EOP
