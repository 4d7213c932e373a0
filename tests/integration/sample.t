#!/bin/bash
# `sample 1/10` on N = 20000 datagrams (veth pair a -> b).  The sampled
# count must lie within 5 standard deviations of N/10 (binomial), the same
# packets must be kept at both hops (sampling by packet identity: equal
# counts at tx and rx, all of them matched by the latency pair, none
# unmatched), and the JSON must say "sample": 10.  A second trace without
# sampling in the same script counts all N (the control).
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

N=20000
R=10

topo_veth_pair || { notok "sample: topology" "topo_veth_pair failed"; exit 1; }

cat >"$T/sample.vnt" <<EOF
import "net"
trace sampled {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop rx = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    count() by hop
    hist(latency(tx, rx))
    sample 1/$R
}
trace all {
    where udp and dst port 11111
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop rx = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    count() by hop
}
EOF

vnt_start sample "$T/sample.vnt" --duration 20 --format json || { notok "sample: vnt run attaches" "see above"; exit 1; }
ok "sample: vnt run attaches"
send sample "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 "$N" --rate 20000
traffic_rc=$?
kill -0 "$VNT_RUN_PID" 2>/dev/null ||
	notok "sample: traffic finished within the run" "vnt ended before all traffic was sent: increase --duration"
vnt_finish sample
check_eq "sample: vnt run exits 0" "$VNT_RUN_RC" 0
((traffic_rc == 0)) || exit 1

sdoc=$(final_doc sample sampled)
adoc=$(final_doc sample all)
if [[ -z $sdoc || -z $adoc ]]; then
	notok "sample: final JSON documents" "missing: $(head -c 600 "$T/sample.out")"
	exit 1
fi
ok "sample: final JSON documents"

py '
import json, math, sys
s = json.loads(sys.argv[1]); a = json.loads(sys.argv[2]); N = int(sys.argv[3]); R = int(sys.argv[4])
def check(name, cond, why):
    print(("ok sample: %s" % name) if cond else ("not ok sample: %s: %s" % (name, why)))
def byhop(d):
    return {r["key"]["hop"]: r["value"] for r in d["aggregations"][0]["rows"]}
sa, aa = byhop(s), byhop(a)
check("control trace counts N at tx and rx", aa == {"tx": N, "rx": N}, "got %r" % aa)
check("\"sample\" is %d in the sampled trace, 1 in the control" % R,
      (s["sample"], a["sample"]) == (R, 1), "got %r, %r" % (s["sample"], a["sample"]))
tx, rx = sa.get("tx"), sa.get("rx")
mean = N / R
sigma = math.sqrt(N * (1 / R) * (1 - 1 / R))
lo, hi = mean - 5 * sigma, mean + 5 * sigma
check("sampled count at tx within N/%d +- 5 sigma [%d, %d]" % (R, lo, hi),
      tx is not None and lo <= tx <= hi, "got %r" % tx)
check("same packets kept at both hops (count tx == count rx)", tx == rx and tx is not None, "tx %r, rx %r" % (tx, rx))
hits = {h["name"]: h["hits"] for h in s["hops"]}
check("hops[].hits equal the sampled counts", hits == {"tx": tx, "rx": rx}, "got %r" % hits)
lat = s["latency"][0] if s["latency"] else {}
check("latency: started == matched == sampled count, unmatched 0",
      (lat.get("started"), lat.get("matched"), lat.get("unmatched")) == (tx, tx, 0), "got %r" % lat)
rows = s["aggregations"][1]["rows"]
n = rows[0]["count"] if rows else 0
check("latency histogram holds the sampled count", n == tx, "got %r, want %r" % (n, tx))
print("# sampled %r of %d (expected %.0f +- %.1f)" % (tx, N, mean, sigma))
' "$sdoc" "$adoc" "$N" "$R"
exit 0
