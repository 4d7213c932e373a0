#!/bin/bash
# vnt run --metrics: a real Prometheus (Debian's, tests/lib/prometheus.sh)
# scrapes vnt every second on loopback during a UDP flood of known size
# along the bridged path; its PromQL answers, through its HTTP API, must
# agree with the datagrams sent and with vnt's own final JSON document:
#   - the counters at a moment after the flood: exactly N per hop, as in the JSON
#   - sum(rate(...[W])) * W over a window holding the whole flood: between N
#     and N * W / (W - 2.2 s) (rate() extrapolates to the window's end by at
#     most 1.1 scrape intervals; from a first sample of 0 not at all), for
#     series that exist at 0 before the flood: an unkeyed count() (2N: both
#     hops) and vnt_hop_packets_total
#   - histogram_quantile(0.99, ...) of the latency buckets: inside the log2
#     bucket the JSON's buckets put the 99th percentile in
#   - unmatched and lost counters as in the JSON
# Then the bad input: a metrics address in use (Prometheus' own) and a
# malformed one: an error naming it, non-zero exit, nothing attached.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$VNT_TOP/tests/lib/prometheus.sh"

need_prometheus || exit 0
N=3000

topo_bridge || { notok "prometheus: topology" "topo_bridge failed"; exit 1; }

cat >"$T/p.vnt" <<VNT
import "net"
trace path {
    where udp and dst port 11111 and dst host $BR_IP_VM2
    hop vm1_tx = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    hop vm2_rx = net.netif_receive("$BR_NS_VM2/$BR_DEV_VM2")
    count() by hop
    count()
    hist(latency(vm1_tx, vm2_rx))
}
VNT

MPORT=$(free_port)
vnt_start prom "$T/p.vnt" --duration 120 --format json --metrics "127.0.0.1:$MPORT" ||
	{ notok "prometheus: vnt run --metrics attaches" "see above"; exit 1; }
ok "prometheus: vnt run --metrics attaches"
if grep -q "metrics at http://127.0.0.1:$MPORT/metrics" "$T/prom.err"; then
	ok "prometheus: vnt says where the metrics are"
else
	notok "prometheus: vnt says where the metrics are" "$(cat "$T/prom.err")"
fi

prom_start "127.0.0.1:$MPORT" || { notok "prometheus: server starts" "see above"; exit 1; }
ok "prometheus: server starts on 127.0.0.1:$PROM_PORT"
prom_wait_up "127.0.0.1:$MPORT" || { notok "prometheus: scrapes vnt" "target never up"; exit 1; }
ok "prometheus: scrapes vnt"
sleep $((3 * PROM_SCRAPE_S))   # a few samples of 0 before the flood
t0=$(date +%s.%N)
send flood "$BR_NS_VM1" "$BR_IP_VM1" "$BR_NS_VM2" "$BR_IP_VM2" 11111 "$N" --rate 1000 || exit 1
sleep $((3 * PROM_SCRAPE_S))   # scrapes after the last datagram
tq=$(date +%s.%N)
sleep 1
kill -INT "$VNT_RUN_PID"
vnt_finish prom
check_eq "prometheus: vnt run exits 0 (Ctrl-C)" "$VNT_RUN_RC" 0
doc=$(final_doc prom path)
[[ -n $doc ]] || { notok "prometheus: final JSON document" "none: $(head -c 300 "$T/prom.out")"; exit 1; }

W=$(python3 -c "import math,sys; print(math.ceil(float(sys.argv[1]) - float(sys.argv[2])) + 1)" "$tq" "$t0")
sel='trace="path",aggregation="count() by hop"'
{
	echo "count_tx $(prom_query "sum(vnt_count_total{$sel,hop=\"vm1_tx\"})" "$tq")"
	echo "count_rx $(prom_query "sum(vnt_count_total{$sel,hop=\"vm2_rx\"})" "$tq")"
	# Series there before the flood, at 0: an unkeyed count() (keyed rows
	# appear with their first event) and the hops' packet counters.
	echo "rate_all $(prom_query "sum(rate(vnt_count_total{trace=\"path\",aggregation=\"count()\"}[${W}s]))" "$tq")"
	echo "rate_hop $(prom_query "sum(rate(vnt_hop_packets_total{trace=\"path\",hop=\"vm1_tx\"}[${W}s]))" "$tq")"
	echo "p99 $(prom_query 'histogram_quantile(0.99, sum by (le) (vnt_latency_seconds_bucket{trace="path"}))' "$tq")"
	echo "unmatched $(prom_query 'sum(vnt_latency_unmatched_total{trace="path"})' "$tq")"
	echo "lost $(prom_query 'sum(vnt_lost_events_total{trace="path"})' "$tq")"
	echo "ended $(prom_query 'vnt_trace_ended{trace="path"}' "$tq")"
} >"$T/answers"
sed 's/^/# /' "$T/answers"
echo "# samples in the window: $(prom_query "vnt_count_total{trace=\"path\",aggregation=\"count()\"}[${W}s]" "$tq")"

py '
import json, math, sys
doc = json.loads(sys.argv[1]); N = int(sys.argv[2]); W = float(sys.argv[3]); scrape = float(sys.argv[4])
ans = {}
for l in open(sys.argv[5]):
    k, v = l.split(" ", 1)
    try:
        r = json.loads(v)
    except ValueError:
        r = []
    ans[k] = float(r[0]["value"][1]) if r else None
bad = 0
def check(name, cond, why):
    global bad
    if cond:
        print("ok prometheus: " + name)
    else:
        bad += 1
        print("not ok prometheus: %s: %s" % (name, why))
aggs = {a["title"]: a for a in doc["aggregations"]}
byhop = {r["key"]["hop"]: r["value"] for r in aggs["count() by hop"]["rows"]}
check("JSON counts N at each hop (ground truth)", byhop == {"vm1_tx": N, "vm2_rx": N}, byhop)
check("PromQL count at vm1_tx == JSON, == N", ans["count_tx"] == byhop.get("vm1_tx") == N, (ans["count_tx"], byhop))
check("PromQL count at vm2_rx == JSON, == N", ans["count_rx"] == byhop.get("vm2_rx") == N, (ans["count_rx"], byhop))
check("JSON count() == 2N (both hops)", aggs["count()"]["rows"][0]["value"] == 2 * N, aggs["count()"]["rows"])
lo, hi = 2 * N, 2 * N * W / (W - 2.2 * scrape)
got = ans["rate_all"] * W if ans["rate_all"] is not None else None
check("sum(rate(vnt_count_total{count()}[%gs])) * %g in [%d, %.0f] (rate window math)" % (W, W, lo, hi),
      got is not None and lo - 1e-6 <= got <= hi + 1e-6, got)
lo, hi = N, N * W / (W - 2.2 * scrape)
got = ans["rate_hop"] * W if ans["rate_hop"] is not None else None
check("sum(rate(vnt_hop_packets_total{vm1_tx}[%gs])) * %g in [%d, %.0f]" % (W, W, lo, hi),
      got is not None and lo - 1e-6 <= got <= hi + 1e-6, got)
h = aggs["hist(latency(vm1_tx, vm2_rx))"]["rows"][0]
total = h["count"]
check("JSON latency hist holds N", total == N, total)
rank = math.ceil(0.99 * total); acc = 0
for b in h["buckets"]:
    acc += b["count"]
    if acc >= rank:
        break
q = ans["p99"]
# Prometheus interpolates inside the bucket (le_prev, le] = (lo - 1 ns, hi - 1 ns].
qlo, qhi = (b["lo"] - 1) * 1e-9, (b["hi"] - 1) * 1e-9
check("histogram_quantile(0.99) = %s s, inside the JSON p99 bucket [%d, %d) ns" % (q, b["lo"], b["hi"]),
      q is not None and qlo - 1e-12 <= q <= qhi + 1e-12, q)
unm = sum(l["unmatched"] for l in doc["latency"])
check("unmatched counter == JSON", ans["unmatched"] == unm, (ans["unmatched"], unm))
check("lost events counter == JSON", ans["lost"] == doc["lost"]["events"], (ans["lost"], doc["lost"]))
check("the trace was still running at the query time", ans["ended"] == 0, ans["ended"])
sys.exit(1 if bad else 0)
' "$doc" "$N" "$W" "$PROM_SCRAPE_S" "$T/answers" || NFAIL=$((NFAIL + 1))

# ---- vnt run -f prometheus: the final snapshot as a page ----
if "$VNT" run -q -d 1 -f prometheus "$T/p.vnt" >"$T/fmt.prom" 2>"$T/fmt.err" &&
	grep -qxF 'vnt_trace_ended{trace="path"} 1' "$T/fmt.prom" && out=$(promtool check metrics <"$T/fmt.prom" 2>&1) &&
	[[ -z $out ]]; then
	ok "prometheus: vnt run -f prometheus prints a final page promtool accepts"
else
	notok "prometheus: vnt run -f prometheus" "$(cat "$T/fmt.err") ${out:-} $(head -c 300 "$T/fmt.prom")"
fi

# ---- bad input ----
progs_before=$(bpftool prog show 2>/dev/null | grep -c "^[0-9]")
for bad in "127.0.0.1:$PROM_PORT" "127.0.0.1:notaport" "999.1.1.1:80"; do
	"$VNT" run "$T/p.vnt" --duration 5 --metrics "$bad" >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	if ((rc != 0)) && grep -qF "'$bad'" "$T/bad.err" && ! grep -q attached "$T/bad.err"; then
		ok "prometheus: --metrics $bad: an error naming it, exit $rc, nothing attached"
	else
		notok "prometheus: --metrics $bad refused" "rc $rc: $(cat "$T/bad.err")"
	fi
	sed 's/^/#   /' "$T/bad.err"
done
progs_after=$(bpftool prog show 2>/dev/null | grep -c "^[0-9]")
check_eq "prometheus: no BPF program left behind by the refused runs" "$progs_after" "$progs_before"
prom_stop
exit $((NFAIL > 0))
