#!/usr/bin/env bash
# breakdown() and raw events on a real bridge path: every packet sent is
# seen at every hop, the raw events hold exactly the packets sent, and the
# in-kernel percentiles agree with exact ones computed from the raw events
# within the documented bound (3.2%: half a log-linear bucket).
set -euo pipefail
. "$VNT_TOP/tests/lib/topo.sh"
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
N=4000
topo_bridge >/dev/null
cat > "$tmp/bd.vnt" <<EOS
import "net"
trace path {
    where udp and dst port 11111
    hop vm1_tx = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    hop sw_in  = net.netif_receive("$BR_NS_SW/$BR_PORT1")
    hop sw_out = net.dev_xmit("$BR_NS_SW/$BR_PORT2")
    hop vm2_rx = net.netif_receive("$BR_NS_VM2/$BR_DEV_VM2")
    breakdown()
    events
}
EOS
"$VNT" run -f json -d 60 --events "$tmp/ev.jsonl" "$tmp/bd.vnt" > "$tmp/out.json" 2> "$tmp/err" &
pid=$!
for _ in $(seq 600); do grep -q attached "$tmp/err" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if ! grep -q attached "$tmp/err"; then
	echo "not ok breakdown-attach: $(tail -5 "$tmp/err" | tr '\n' ' ')"; kill $pid 2>/dev/null; exit 0
fi
echo "ok breakdown-attach"
topo_exec "$BR_NS_VM1" "$UDPGEN" --dst "$BR_IP_VM2" --dport 11111 --count $N --rate 8000 >/dev/null
topo_exec "$BR_NS_VM1" "$UDPGEN" --dst "$BR_IP_VM2" --dport 22222 --count 500 --rate 8000 >/dev/null
sleep 1
kill -INT $pid
wait $pid || true
python3 - "$tmp/out.json" "$tmp/ev.jsonl" $N <<'EOP'
import json, math, sys
out, evf, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
hops = ["vm1_tx", "sw_in", "sw_out", "vm2_rx"]
doc = [json.loads(l) for l in open(out)][-1]
def check(name, cond, why):
    print(("ok " if cond else "not ok ") + name + ("" if cond else ": " + why))
check("breakdown-final-doc", doc["type"] == "final", doc["type"])
segs = {(s["from"], s["to"]): s for s in doc.get("breakdown", [])}
check("breakdown-segments", list(segs) == list(zip(hops, hops[1:])), str(list(segs)))
pk = {}
for l in open(evf):
    e = json.loads(l)
    pk.setdefault(e["fp"], {})[e["hop"]] = e["ts_ns"]
check("events-exact", len(pk) == n and sum(len(v) for v in pk.values()) == 4 * n,
      "%d packets, %d records, want %d and %d" % (len(pk), sum(len(v) for v in pk.values()), n, 4 * n))
check("events-none-lost", doc["lost"]["events"] == 0 and doc["events"] == 4 * n,
      "lost %s delivered %s" % (doc["lost"]["events"], doc["events"]))
complete = [v for v in pk.values() if all(h in v for h in hops)]
for a, b in zip(hops, hops[1:]):
    s = segs.get((a, b), {})
    d = sorted(v[b] - v[a] for v in complete)
    check("segment-%s-%s-count" % (a, b), s.get("count") == n == len(d), "%s vs %d" % (s.get("count"), len(d)))
    check("segment-%s-%s-lost" % (a, b), s.get("lost") == 0, str(s.get("lost")))
    check("segment-%s-%s-max-exact" % (a, b), s.get("max_ns") == d[-1], "%s vs %d" % (s.get("max_ns"), d[-1]))
    check("segment-%s-%s-mean-exact" % (a, b), abs(s.get("mean_ns", 0) - sum(d) / len(d)) < 1e-6 * max(1, sum(d) / len(d)) + 0.01,
          "%s vs %f" % (s.get("mean_ns"), sum(d) / len(d)))
    for key, q in (("p50_ns", .5), ("p90_ns", .9), ("p99_ns", .99), ("p99_9_ns", .999)):
        exact = d[max(0, math.ceil(q * len(d)) - 1)]
        got = s.get(key, -1)
        err = abs(got - exact) / max(exact, 1)
        check("segment-%s-%s-%s" % (a, b, key), err <= 0.032 or abs(got - exact) <= 1,
              "in-kernel %s, exact %d (%.2f%% off)" % (got, exact, 100 * err))
EOP
