#!/bin/bash
# `vnt run --format json` with `every 1s`, checked field by field against
# doc/json-output.md.  Veth pair a -> b; 600 datagrams of 64 bytes then 400
# of 1000 bytes (frames of 106 and 1042 bytes), all 10.77.0.1:30000 ->
# 10.77.0.2:11111, paced so that the traffic spans several intervals.
# Every line must be one JSON document; interval documents come first with
# seq 1, 2, 3, ...; the last line is the final document with the next seq;
# counts are cumulative (never decrease); the final document has the
# documented types and exactly the expected values.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

N1=600 N2=400 S1=64 S2=1000 SPORT=30000 DPORT=11111

topo_veth_pair || { notok "json: topology" "topo_veth_pair failed"; exit 1; }

cat >"$T/json.vnt" <<EOF
import "net"
trace jtrace {
    where udp and dst port $DPORT
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    hop rx = net.netif_receive("$VP_NS_B/$VP_DEV_B")
    count() by hop
    count() at rx by dport, sport, proto
    sum(len) at tx
    min(len) at rx
    max(len) at rx
    avg(len) at tx
    sum(1)
    hist(len) at tx
    lhist(len, 0, 1600, 200) at rx
    hist(latency(tx, rx))
    avg(latency(tx, rx))
    count() at tx by flow, saddr, daddr
    count() by hop, len
    count() at tx by dev
    lhist(len, 200, 1000, 100) at tx
    every 1s
}
EOF

t_start=$(date +%s.%N)
vnt_start json "$T/json.vnt" --duration 8 --format json || { notok "json: vnt run attaches" "see above"; exit 1; }
ok "json: vnt run attaches"
send small "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" $DPORT $N1 --sport $SPORT --size $S1 --rate 500 &&
	send large "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" $DPORT $N2 --sport $SPORT --size $S2 --rate 500
traffic_rc=$?
kill -0 "$VNT_RUN_PID" 2>/dev/null ||
	notok "json: traffic finished within the run" "vnt ended before all traffic was sent: increase --duration"
vnt_finish json
t_end=$(date +%s.%N)
check_eq "json: vnt run exits 0" "$VNT_RUN_RC" 0
((traffic_rc == 0)) || exit 1
echo "# $(wc -l <"$T/json.out") lines of output"

py '
import json, sys
path, script, t_start, t_end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
N1, N2, S1, S2, SPORT, DPORT = map(int, sys.argv[5:11])
ns_a, dev_a, ip_a, ip_b = sys.argv[11:15]
N = N1 + N2
L1, L2 = 14 + 20 + 8 + S1, 14 + 20 + 8 + S2     # frame lengths
bad = 0
def check(name, cond, why=""):
    global bad
    if cond:
        print("ok json: " + name)
    else:
        bad += 1
        print("not ok json: %s: %s" % (name, why or "check failed"))
def eq(name, got, want):
    check(name, got == want, "got %r, want %r" % (got, want))
def isint(v):
    return isinstance(v, int) and not isinstance(v, bool)
def isnum(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)

# ---- the stream ----
raw = open(path).read()
check("output ends with a newline", raw.endswith("\n"), "last bytes %r" % raw[-20:])
lines = raw.split("\n")[:-1] if raw.endswith("\n") else raw.split("\n")
docs = []
for i, l in enumerate(lines):
    try:
        docs.append(json.loads(l))
    except ValueError as e:
        check("line %d is one JSON document" % (i + 1), False, "%s: %r" % (e, l[:200]))
        sys.exit(1)
check("every line is one JSON document (%d lines)" % len(lines), len(docs) > 0, "no output")
if not docs:
    sys.exit(1)
types = [d.get("type") for d in docs]
check("exactly one final document, the last line", types.count("final") == 1 and types[-1] == "final",
      "types %r" % types)
check("every other document is an interval", all(t == "interval" for t in types[:-1]), "types %r" % types)
check("at least one interval document (every 1s, run of 8s)", len(docs) >= 2, "only %d documents" % len(docs))
seqs = [d.get("seq") for d in docs]
eq("seq is 1, 2, ... over intervals and the final", seqs, list(range(1, len(docs) + 1)))
el = [d.get("elapsed_s") for d in docs]
check("elapsed_s is a number, increasing", all(isnum(x) for x in el) and all(a < b for a, b in zip(el, el[1:])),
      "got %r" % el)
ts = [d.get("timestamp") for d in docs]
check("timestamp is a number, within the run, non-decreasing",
      all(isnum(x) and t_start - 1 <= x <= t_end + 1 for x in ts) and all(a <= b for a, b in zip(ts, ts[1:])),
      "got %r (run from %.3f to %.3f)" % (ts, t_start, t_end))
for k, want in (("vnt_json", 1), ("trace", "jtrace"), ("script", script), ("sample", 1)):
    vals = set(json.dumps(d.get(k)) for d in docs)
    eq("%s is %r in every document" % (k, want), vals, {json.dumps(want)})
shape = lambda d: [(a.get("title"), a.get("kind"), a.get("value"), a.get("unit"), a.get("keys")) for a in d["aggregations"]]
check("every document has the same aggregations (title, kind, value, unit, keys)",
      all(shape(d) == shape(docs[-1]) for d in docs), "differs")

# cumulative: per aggregation and key, count never decreases
def counts(d):
    out = {}
    for a in d["aggregations"]:
        for r in a["rows"]:
            out[(a["title"], json.dumps(r["key"], sort_keys=True))] = r["count"]
    for h in d["hops"]:
        out[("hop", h["name"])] = h["hits"]
    return out
mono = True
for p, q in zip(docs, docs[1:]):
    cp, cq = counts(p), counts(q)
    for k, v in cp.items():
        if cq.get(k, -1) < v:
            mono = False
            why = "%r went from %r to %r (seq %r -> %r)" % (k, v, cq.get(k), p["seq"], q["seq"])
check("counts are cumulative (never decrease from one document to the next)", mono, mono or why)
seen_partial = any(0 < counts(d).get(("hop", "tx"), 0) < N for d in docs[:-1])
print("# an interval saw part of the traffic: %s" % seen_partial)

# ---- the final document: types ----
d = docs[-1]
top = {"vnt_json": isint, "type": lambda v: isinstance(v, str), "trace": lambda v: isinstance(v, str),
       "script": lambda v: isinstance(v, str), "seq": isint, "elapsed_s": isnum, "timestamp": isnum,
       "sample": isint, "aggregations": lambda v: isinstance(v, list), "hops": lambda v: isinstance(v, list),
       "hop_events": isint, "latency": lambda v: isinstance(v, list), "lost": lambda v: isinstance(v, dict)}
for k, f in top.items():
    check("final: field %s has the documented type" % k, k in d and f(d[k]), "got %r" % (d.get(k),))
ok_types = True
for a in d["aggregations"]:
    t = (isinstance(a.get("title"), str) and a.get("kind") in ("count", "sum", "min", "max", "avg", "hist", "lhist")
         and (a.get("value") is None or isinstance(a.get("value"), str)) and isinstance(a.get("unit"), str)
         and isinstance(a.get("keys"), list) and all(isinstance(k, str) for k in a["keys"])
         and isinstance(a.get("rows"), list) and isint(a.get("map_full")))
    for r in a.get("rows", []):
        t = t and isinstance(r.get("key"), dict) and sorted(r["key"]) == sorted(a["keys"]) and isint(r.get("count"))
        t = t and all(isinstance(v, str) or v is None for v in r["key"].values())
        if a["kind"] in ("hist", "lhist"):
            t = t and "value" not in r and isinstance(r.get("buckets"), list) and all(
                isint(b.get("count")) and (b.get("lo") is None or isint(b["lo"])) and (b.get("hi") is None or isint(b["hi"]))
                for b in r["buckets"])
        else:
            t = t and "buckets" not in r and (r.get("value") is None or isnum(r.get("value")))
    if not t:
        ok_types = False
        why = "aggregation %r" % a
check("final: aggregations[] and rows have the documented fields and types", ok_types, ok_types or why)

# ---- the final document: values ----
A = {a["title"]: a for a in d["aggregations"]}
titles = ["count() by hop", "count() at rx by dport, sport, proto", "sum(len) at tx", "min(len) at rx",
          "max(len) at rx", "avg(len) at tx", "sum(1)", "hist(len) at tx", "lhist(len, 0, 1600, 200) at rx",
          "hist(latency(tx, rx))", "avg(latency(tx, rx))", "count() at tx by flow, saddr, daddr",
          "count() by hop, len", "count() at tx by dev",
          "lhist(len, 200, 1000, 100) at tx"]
eq("final: aggregation titles as written, in script order", [a["title"] for a in d["aggregations"]], titles)
def meta(t):
    a = A.get(t, {})
    return (a.get("kind"), a.get("value"), a.get("unit"), a.get("keys"))
eq("final: count() by hop: kind/value/unit/keys", meta("count() by hop"), ("count", None, "", ["hop"]))
eq("final: sum(len): kind/value/unit/keys", meta("sum(len) at tx"), ("sum", "len", "bytes", []))
eq("final: hist(latency): kind/value/unit/keys", meta("hist(latency(tx, rx))"), ("hist", "latency(tx, rx)", "ns", []))
eq("final: lhist(len): kind/value/unit/keys", meta("lhist(len, 0, 1600, 200) at rx"), ("lhist", "len", "bytes", []))
eq("final: count() at rx by dport, sport, proto: keys", meta("count() at rx by dport, sport, proto")[3],
   ["dport", "sport", "proto"])
eq("final: sum(1): kind/unit/keys", (meta("sum(1)")[0],) + meta("sum(1)")[2:], ("sum", "", []))
# doc/json-output.md: "value: the aggregated expression" (as for "len", "latency(tx, rx)").
eq("final: sum(1): value is the aggregated expression", A.get("sum(1)", {}).get("value"), "1")
for a in d["aggregations"]:
    eq("final: %s: map_full 0" % a["title"], a["map_full"], 0)

def rows(t):
    return [(r["key"], r["count"], r.get("value")) for r in A.get(t, {}).get("rows", [])]
def rowset(t):
    return sorted(json.dumps(x, sort_keys=True) for x in rows(t))
def js(l):
    return sorted(json.dumps(x, sort_keys=True) for x in l)
eq("final: count() by hop", rowset("count() by hop"), js([({"hop": "tx"}, N, N), ({"hop": "rx"}, N, N)]))
eq("final: count() at rx by dport, sport, proto", rows("count() at rx by dport, sport, proto"),
   [({"dport": str(DPORT), "sport": str(SPORT), "proto": "udp"}, N, N)])
eq("final: sum(len) at tx", rows("sum(len) at tx"), [({}, N, N1 * L1 + N2 * L2)])
eq("final: min(len) at rx", rows("min(len) at rx"), [({}, N, L1)])
eq("final: max(len) at rx", rows("max(len) at rx"), [({}, N, L2)])
avg = rows("avg(len) at tx")
want_avg = (N1 * L1 + N2 * L2) / N
check("final: avg(len) at tx == %.1f" % want_avg,
      len(avg) == 1 and avg[0][:2] == ({}, N) and abs(avg[0][2] - want_avg) < 1e-6, "got %r" % avg)
eq("final: sum(1) (both hops)", rows("sum(1)"), [({}, 2 * N, 2 * N)])
def hb(t):
    return [(r["key"], r["count"], r["buckets"]) for r in A.get(t, {}).get("rows", [])]
def log2b(v):
    if v == 0:
        return (0, 1)
    k = v.bit_length()
    return (1 << (k - 1), 1 << k)
want = {}
for v, n in ((L1, N1), (L2, N2)):
    want.setdefault(log2b(v), 0)
    want[log2b(v)] += n
eq("final: hist(len) at tx buckets", hb("hist(len) at tx"),
   [({}, N, [{"lo": lo, "hi": hi, "count": c} for (lo, hi), c in sorted(want.items())])])
want = {}
for v, n in ((L1, N1), (L2, N2)):
    lo = v // 200 * 200
    want.setdefault((lo, lo + 200), 0)
    want[(lo, lo + 200)] += n
eq("final: lhist(len, 0, 1600, 200) at rx buckets", hb("lhist(len, 0, 1600, 200) at rx"),
   [({}, N, [{"lo": lo, "hi": hi, "count": c} for (lo, hi), c in sorted(want.items())])])
lh = hb("hist(latency(tx, rx))")
check("final: hist(latency) one row of N samples in ordered, half-open log2 buckets",
      len(lh) == 1 and lh[0][1] == N and sum(b["count"] for b in lh[0][2]) == N
      and all(b["count"] > 0 and b["hi"] == (1 if b["lo"] == 0 else 2 * b["lo"]) for b in lh[0][2])
      and all(x["lo"] < y["lo"] for x, y in zip(lh[0][2], lh[0][2][1:])), "got %r" % lh)
al = rows("avg(latency(tx, rx))")
check("final: avg(latency) over N samples, within the histogram range",
      len(al) == 1 and al[0][1] == N and isnum(al[0][2]) and lh and lh[0][2]
      and lh[0][2][0]["lo"] <= al[0][2] < (lh[0][2][-1]["hi"] or float("inf")), "got %r" % al)
eq("final: count() at tx by flow, saddr, daddr", rows("count() at tx by flow, saddr, daddr"),
   [({"flow": "%s:%d > %s:%d udp" % (ip_a, SPORT, ip_b, DPORT), "saddr": ip_a, "daddr": ip_b}, N, N)])
eq("final: count() by hop, len", rowset("count() by hop, len"),
   js([({"hop": h, "len": str(l)}, n, n) for h in ("tx", "rx") for l, n in ((L1, N1), (L2, N2))]))
# both frame lengths outside [200, 1000): the open-ended buckets, null bounds
eq("final: lhist(len, 200, 1000, 100) at tx: open-ended buckets", hb("lhist(len, 200, 1000, 100) at tx"),
   [({}, N, [{"lo": None, "hi": 200, "count": N1}, {"lo": 1000, "hi": None, "count": N2}])])
# keyed first by hop: the hops in path order, the rows of a hop by value, descending
hl = [(r[0]["hop"], r[2]) for r in rows("count() by hop, len")]
eq("final: rows keyed by hop follow the path, then the value, descending", hl,
   sorted(hl, key=lambda x: (("tx", "rx").index(x[0]), -x[1])))
eq("final: count() at tx by dev", rows("count() at tx by dev"), [({"dev": "%s/%s" % (ns_a, dev_a)}, N, N)])
eq("final: hops", d["hops"], [{"name": "tx", "hits": N}, {"name": "rx", "hits": N}])
eq("final: hop_events", d["hop_events"], 2 * N)
eq("final: latency", d["latency"], [{"from": "tx", "to": "rx", "started": N, "matched": N, "unmatched": 0, "displaced": 0}])
eq("final: lost", d["lost"], {"events": 0, "latency_unmatched": 0, "map_full": 0, "no_memory": 0, "refused": 0})
sys.exit(1 if bad else 0)
' "$T/json.out" "$T/json.vnt" "$t_start" "$t_end" $N1 $N2 $S1 $S2 $SPORT $DPORT "$VP_NS_A" "$VP_DEV_A" "$VP_IP_A" "$VP_IP_B"
exit 0
