#!/bin/sh
# The Prometheus text format of snapshots (runtime/output/prometheus.c):
# tests/unit/prometheus.c reads snapshot JSON documents written here with
# known numbers, renders and merges them; the page must hold exactly the
# series those numbers make (cumulative buckets in base units, escaped
# label values) and Prometheus' own `promtool check metrics` must accept
# it, one trace alone and two merged. Root-free (tests/check/run).
top=$(pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
CC=${CC:-cc}
srcs="tests/unit/prometheus.c runtime/output/prometheus.c runtime/output/snapshot_json.c runtime/output/snapshot.c compiler/aggshape.c lang/ast.c lib/strbuf.c lib/fileutil.c"
flags="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$top"
jsonc=$(pkg-config --cflags --libs json-c 2>/dev/null || echo -ljson-c)
bin=$tmp/prometheus
if ! { $CC $flags -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		-o "$bin" $srcs $jsonc 2>/dev/null && "$bin" /dev/null >/dev/null 2>&1; [ -x "$bin" ]; }; then
	if ! err=$($CC $flags -o "$bin" $srcs $jsonc 2>&1); then
		echo "not ok prometheus: build: $(echo "$err" | head -5 | tr '\n' ' ')"
		exit 1
	fi
fi
echo "ok prometheus: build"

python3 - "$bin" "$tmp" <<'EOF'
import json, re, shutil, subprocess, sys

bin, tmp = sys.argv[1], sys.argv[2]
failed = 0

def check(name, cond, why=""):
    global failed
    if cond:
        print("ok prometheus: " + name)
    else:
        failed += 1
        print("not ok prometheus: %s: %s" % (name, why or "check failed"))

def agg(title, kind, shape, keys, rows, value=None, unit="", value_of=None, **kw):
    a = {"title": title, "kind": kind, "shape": shape, "value": value, "unit": unit, "keys": keys, "rows": rows,
         "map_full": kw.get("map_full", 0), "no_memory": 0, "refused": 0}
    if value_of:
        a["value_of"] = value_of
    if "lhist" in kw:
        a["lhist"] = kw["lhist"]
    return a

def doc(trace, final=False):
    return {
        "vnt_json": 1, "type": "final" if final else "interval", "trace": trace, "script": "/tmp/p.vnt",
        "seq": 3, "elapsed_s": 3.0, "timestamp": 1.7e9, "sample": 1,
        "aggregations": [
            agg("count() by hop, dev", "count", "scalar", ["hop", "dev"],
                [{"key": {"hop": "tx", "dev": "ns1/veth-a"}, "count": 1000, "value": 1000},
                 {"key": {"hop": "rx", "dev": 'we"ird\\dev\nx'}, "count": 7, "value": 7}],
                value_of="count", map_full=2),
            agg("count() by hop", "count", "scalar", ["hop"],
                [{"key": {"hop": "tx"}, "count": 1000, "value": 1000}], value_of="count"),
            agg("hist(latency(tx, rx))", "hist", "log2", [],
                [{"key": {}, "count": 15, "buckets": [{"lo": 1024, "hi": 2048, "count": 10},
                                                      {"lo": 2048, "hi": 4096, "count": 5}]}],
                value="latency(tx, rx)", unit="ns"),
            agg("lhist(len, 0, 1500, 100) by dev", "lhist", "linear", ["dev"],
                [{"key": {"dev": "eth0"}, "count": 5, "buckets": [{"lo": 0, "hi": 100, "count": 3},
                                                                  {"lo": 1500, "hi": None, "count": 2}]}],
                value="len", unit="bytes", lhist={"min": 0, "max": 1500, "step": 100}),
            agg("count()", "count", "scalar", [], [], value_of="count"),
            agg("hist(len)", "hist", "log2", [], [], value="len", unit="bytes"),
            agg("sum(len)", "sum", "scalar", [], [{"key": {}, "count": 1000, "value": 64000}],
                value="len", unit="bytes", value_of="sum"),
            agg("avg(latency(tx, rx))", "avg", "scalar", [], [{"key": {}, "count": 4, "value": 1500.0}],
                value="latency(tx, rx)", unit="ns", value_of="avg"),
            agg("percentiles(latency(tx, rx))", "percentiles", "quantiles", [],
                [{"key": {}, "count": 100, "p50": 1000.0, "p90": 2000.0, "p99": 3000.0, "p99_9": 4000.0,
                  "mean": 1200.0, "max": 5000}], value="latency(tx, rx)", unit="ns"),
        ],
        "hops": [{"name": "tx", "hits": 1000}, {"name": "rx", "hits": 998}],
        "hop_events": 1998,
        "latency": [{"from": "tx", "to": "rx", "started": 1000, "matched": 990, "unmatched": 3, "displaced": 1}],
        "events": 0,
        "lost": {"events": 5, "skipped_runs": 0, "latency_unmatched": 3, "map_full": 2, "no_memory": 0, "refused": 0},
    }

open(tmp + "/a.json", "w").write(json.dumps(doc("path")))
open(tmp + "/b.json", "w").write(json.dumps(doc("other", final=True)))
p = subprocess.run([bin, tmp + "/a.json"], capture_output=True, text=True)
check("renders one snapshot", p.returncode == 0 and not p.stderr, "rc %d %r" % (p.returncode, p.stderr[:300]))
page = p.stdout
lines = set(page.splitlines())

def has(name, line):
    check(name, line in lines, "no line %r in:\n%s" % (line, page[:3000]))

T = 'trace="path"'
has("count() by hop, dev: a counter with the keys as labels",
    'vnt_count_total{%s,aggregation="count() by hop, dev",hop="tx",dev="ns1/veth-a"} 1000' % T)
has("label values escaped (quote, backslash, newline)",
    'vnt_count_total{%s,aggregation="count() by hop, dev",hop="rx",dev="we\\"ird\\\\dev\\nx"} 7' % T)
has("count() by hop: same family, its own aggregation label",
    'vnt_count_total{%s,aggregation="count() by hop",hop="tx"} 1000' % T)
check("one # TYPE line per family",
      page.count("# TYPE vnt_count_total counter\n") == 1, page.count("# TYPE vnt_count_total"))
H = '%s,aggregation="hist(latency(tx, rx))",from="tx",to="rx"' % T
has("hist: # TYPE histogram", "# TYPE vnt_latency_seconds histogram")
has("hist: bucket below the first slot is 0", 'vnt_latency_seconds_bucket{%s,le="1.023e-06"} 0' % H)
has("hist: le = slot's top - 1 ns, in seconds", 'vnt_latency_seconds_bucket{%s,le="2.047e-06"} 10' % H)
has("hist: buckets are cumulative", 'vnt_latency_seconds_bucket{%s,le="4.095e-06"} 15' % H)
has("hist: +Inf counts all", 'vnt_latency_seconds_bucket{%s,le="+Inf"} 15' % H)
has("hist: _count", 'vnt_latency_seconds_count{%s} 15' % H)
nb = len([l for l in lines if l.startswith("vnt_latency_seconds_bucket{%s," % H)])
check("hist: every log2 slot is a bucket (64 finite + Inf)", nb == 65, nb)
L = '%s,aggregation="lhist(len, 0, 1500, 100) by dev",dev="eth0"' % T
has("lhist: bytes, underflow bucket", 'vnt_length_bytes_bucket{%s,le="-1"} 0' % L)
has("lhist: first step", 'vnt_length_bytes_bucket{%s,le="99"} 3' % L)
has("lhist: last finite bucket", 'vnt_length_bytes_bucket{%s,le="1499"} 3' % L)
has("lhist: overflow only in +Inf", 'vnt_length_bytes_bucket{%s,le="+Inf"} 5' % L)
has("an unkeyed count() without events: its series at 0", 'vnt_count_total{%s,aggregation="count()"} 0' % T)
has("an unkeyed hist() without events: its buckets at 0", 'vnt_length_bytes_bucket{%s,aggregation="hist(len)",le="63"} 0' % T)
has("... and +Inf 0", 'vnt_length_bytes_bucket{%s,aggregation="hist(len)",le="+Inf"} 0' % T)
has("sum(len): a bytes counter", 'vnt_length_bytes_total{%s,aggregation="sum(len)"} 64000' % T)
has("avg(latency): a gauge in seconds",
    'vnt_latency_avg_seconds{%s,aggregation="avg(latency(tx, rx))",from="tx",to="rx"} 1.5e-06' % T)
Q = '%s,aggregation="percentiles(latency(tx, rx))",from="tx",to="rx"' % T
has("percentiles: a summary", "# TYPE vnt_latency_percentiles_seconds summary")
has("percentiles: quantile label, seconds", 'vnt_latency_percentiles_seconds{%s,quantile="0.99"} 3e-06' % Q)
has("percentiles: _count", 'vnt_latency_percentiles_seconds_count{%s} 100' % Q)
has("percentiles: _sum = mean * count", 'vnt_latency_percentiles_seconds_sum{%s} 0.00012' % Q)
has("hop packets", 'vnt_hop_packets_total{%s,hop="rx"} 998' % T)
has("latency unmatched", 'vnt_latency_unmatched_total{%s,from="tx",to="rx"} 3' % T)
has("latency matched", 'vnt_latency_matched_total{%s,from="tx",to="rx"} 990' % T)
has("lost events", 'vnt_lost_events_total{%s} 5' % T)
has("refused updates by cause",
    'vnt_refused_updates_total{%s,aggregation="count() by hop, dev",cause="map_full"} 2' % T)
has("trace not ended", 'vnt_trace_ended{%s} 0' % T)
for l in page.splitlines():
    if l and not l.startswith("#"):
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$', l)
        if not m:
            check("sample line shape", False, repr(l))
            break
        if not m.group(1).startswith("vnt_"):
            check("prefix vnt_", False, repr(l))
            break

tl = [l for l in page.splitlines() if l.startswith("# TYPE vnt_latency_seconds ")]
check("vnt_latency_seconds typed once", len(tl) == 1, tl)

p2 = subprocess.run([bin, tmp + "/a.json", tmp + "/b.json"], capture_output=True, text=True)
merged = p2.stdout
check("two traces merged: each family once",
      merged.count("# TYPE vnt_count_total counter\n") == 1 and 'trace="other"' in merged and 'trace="path"' in merged)
has2 = set(merged.splitlines())
check("merged: the ended trace says so", 'vnt_trace_ended{trace="other"} 1' in has2)
open(tmp + "/one.prom", "w").write(page)
open(tmp + "/two.prom", "w").write(merged)
promtool = shutil.which("promtool")
if not promtool:
    print("skip prometheus: promtool check metrics: promtool not installed (scripts/install-deps.sh installs prometheus)")
else:
    for f in ("one", "two"):
        r = subprocess.run([promtool, "check", "metrics"], stdin=open(tmp + "/%s.prom" % f), capture_output=True, text=True)
        check("promtool check metrics accepts the %s page" % ("one-trace" if f == "one" else "merged"),
              r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), (r.stdout + r.stderr)[:800])
sys.exit(1 if failed else 0)
EOF
