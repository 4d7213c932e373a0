#!/bin/sh
# Text and JSON output of snapshots (runtime/output/text.c, json.c).
# Builds tests/unit/output.c against the two outputs, runs its scenarios
# and checks the results; the expected values repeat those in output.c.
# Run from the repo top: sh tests/unit/output.t. Prints ok/not ok lines.
top=$(pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
CC=${CC:-cc}
srcs="tests/unit/output.c compiler/aggshape.c runtime/output/text.c runtime/output/json.c runtime/output/snapshot_json.c runtime/output/snapshot.c lang/ast.c"
flags="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$top"
jsonc=$(pkg-config --cflags --libs json-c 2>/dev/null || echo -ljson-c)

# Prefer a sanitizer build (catches overruns and leaks in the outputs);
# fall back where the toolchain or the environment does not support it.
# $jsonc is unquoted on purpose: it is a list of flags.
bin=$tmp/output
if ! { $CC $flags -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		-o "$bin" $srcs $jsonc 2>/dev/null && "$bin" pow2 json >/dev/null 2>&1; }; then
	if ! err=$($CC $flags -o "$bin" $srcs $jsonc 2>&1); then
		echo "not ok build: $(echo "$err" | head -5 | tr '\n' ' ')"
		exit 1
	fi
fi
echo "ok build"

python3 - "$bin" <<'EOF'
import json, re, subprocess, sys

bin = sys.argv[1]
failed = 0

def check(name, cond, why=""):
    global failed
    if cond:
        print("ok " + name)
    else:
        failed += 1
        print("not ok %s: %s" % (name, why or "check failed"))

def run(scenario, fmt):
    p = subprocess.run([bin, scenario, fmt], capture_output=True)
    if p.returncode != 0 or p.stderr:
        print("not ok run %s %s: rc %d %r" % (scenario, fmt, p.returncode, p.stderr[:300]))
        sys.exit(1)
    return p.stdout.decode("utf-8")

def eq(name, got, want):
    check(name, got == want, "got %r, want %r" % (got, want))

# ---------------- JSON read back (runtime/output/snapshot_json.c) ----------------
# What vnt report does with an agent's snapshot: the JSON read back and
# written again is the same document, and prints the same text.
for sc in ("scalars", "hists", "pow2"):
    for fmt in ("json", "text"):
        eq("read back %s %s" % (sc, fmt), run(sc, "re" + fmt), run(sc, fmt))

# ---------------- JSON ----------------
docs = {}
for sc in ("scalars", "hists", "pow2"):
    out = run(sc, "json")
    lines = out.split("\n")
    check("json %s one line" % sc, len(lines) == 2 and lines[1] == "", "got %d lines" % len(lines))
    try:
        docs[sc] = json.loads(lines[0])
        check("json %s parses" % sc, True)
    except ValueError as e:
        check("json %s parses" % sc, False, str(e))
        docs[sc] = {}

d = docs["scalars"]
head = {k: d.get(k) for k in ("vnt_json", "type", "trace", "script", "seq", "elapsed_s", "timestamp", "sample")}
eq("json header", head, {"vnt_json": 1, "type": "interval", "trace": "demo", "script": "examples/demo.vnt",
                         "seq": 3, "elapsed_s": 5.25, "timestamp": 1700000000.125, "sample": 10})
weird = 'we"ird\\dev\t/x \u00e9'
want_aggs = [
    {"title": "count() by hop, dev", "kind": "count", "shape": "scalar", "value_of": "count", "value": None, "unit": "", "keys": ["hop", "dev"],
     "rows": [{"key": {"hop": "tx", "dev": "veth-a"}, "count": 12, "value": 12},
              {"key": {"hop": "rx", "dev": weird}, "count": 7, "value": 7}], "map_full": 0, "no_memory": 0, "refused": 0},
    {"title": "sum(len) by dev", "kind": "sum", "shape": "scalar", "value_of": "sum", "value": "len", "unit": "bytes", "keys": ["dev"],
     "rows": [{"key": {"dev": "veth-a"}, "count": 3, "value": 4500}], "map_full": 0, "no_memory": 0, "refused": 0},
    {"title": "avg(latency(tx, rx))", "kind": "avg", "shape": "scalar", "value_of": "avg", "value": "latency(tx, rx)", "unit": "ns", "keys": [],
     "rows": [{"key": {}, "count": 4, "value": 2500.5}], "map_full": 0, "no_memory": 0, "refused": 0},
    {"title": "avg(len)", "kind": "avg", "shape": "scalar", "value_of": "avg", "value": "len", "unit": "bytes", "keys": [],
     "rows": [{"key": {}, "count": 3, "value": 10 / 3}], "map_full": 0, "no_memory": 0, "refused": 0},
    {"title": "min(len) by dev", "kind": "min", "shape": "scalar", "value_of": "min", "value": "len", "unit": "bytes", "keys": ["dev"],
     "rows": [{"key": {"dev": "eth0"}, "count": 2, "value": -5},
              {"key": {"dev": "eth1"}, "count": 0, "value": None}], "map_full": 0, "no_memory": 0, "refused": 0},
    {"title": 'max(latency(tx, rx)) "quoted"', "kind": "max", "shape": "scalar", "value_of": "max", "value": "latency(tx, rx)", "unit": "ns",
     "keys": [], "rows": [{"key": {}, "count": 1, "value": 1500000}], "map_full": 2, "no_memory": 1, "refused": 3},
]
aggs = d.get("aggregations", [])
eq("json scalars aggregation count", len(aggs), len(want_aggs))
for i, (got, want) in enumerate(zip(aggs, want_aggs)):
    eq("json scalars agg %d (%s)" % (i, want["kind"]), got, want)
check("json escaped key round-trips", len(aggs) > 0 and aggs[0]["rows"][1]["key"]["dev"] == weird)
check("json raw escapes", '\\"ird\\\\dev\\t' in run("scalars", "json"), "quote/backslash/tab not escaped")
eq("json hops", d.get("hops"), [{"name": "tx", "hits": 100}, {"name": "rx", "hits": 90}])
eq("json hop_events", d.get("hop_events"), 190)
eq("json latency", d.get("latency"), [{"from": "tx", "to": "rx", "started": 100, "matched": 85, "unmatched": 5, "displaced": 0}])
eq("json lost", d.get("lost"), {"events": 4, "latency_unmatched": 5, "map_full": 2, "no_memory": 1, "refused": 3})
check("json counts are integers", all(type(r["count"]) is int for a in aggs for r in a["rows"]))

d = docs["hists"]
eq("json final type", (d.get("type"), d.get("seq"), d.get("sample"), d.get("elapsed_s")), ("final", 4, 1, 10.5))
aggs = d.get("aggregations", [])
def b(lo, hi, n): return {"lo": lo, "hi": hi, "count": n}
want_rows = [
    [{"key": {}, "count": 21, "buckets": [b(0, 1, 1), b(1, 2, 2), b(1024, 2048, 12), b(2048, 4096, 6)]}],
    [{"key": {"hop": "rx"}, "count": 3, "buckets": [b(2**62, 2**63, 2), b(2**63, None, 1)]},
     {"key": {"hop": "tx"}, "count": 4, "buckets": [b(512, 1024, 3), b(1024, 2048, 1)]}],
    [{"key": {}, "count": 11, "buckets": [b(None, 0, 2), b(0, 100, 5), b(400, 500, 1), b(1000, None, 3)]}],
    [],
    [{"key": {}, "count": 4, "buckets": [b(500000, 1000000, 4)]}],
]
eq("json hists aggregation count", len(aggs), len(want_rows))
for i, (got, want) in enumerate(zip(aggs, want_rows)):
    eq("json hists agg %d rows (%s)" % (i, got.get("title")), got.get("rows"), want)
eq("json hists kinds", [a.get("kind") for a in aggs], ["hist", "hist", "lhist", "count", "lhist"])
eq("json hists shapes", [a.get("shape") for a in aggs], ["log2", "log2", "linear", "scalar", "linear"])
eq("json hists units", [a.get("unit") for a in aggs], ["bytes", "ns", "bytes", "", "ns"])
check("json hist rows have no value", all("value" not in r for a in aggs if "hist" in a["kind"] for r in a["rows"]))
eq("json empty lost", d.get("lost"), {"events": 0, "latency_unmatched": 0, "map_full": 0, "no_memory": 0, "refused": 0})
eq("json empty hops/latency", (d.get("hops"), d.get("latency")), ([], []))

bk = docs["pow2"].get("aggregations", [{}])[0].get("rows", [{}])[0].get("buckets", [])
eq("json pow2 bucket count", len(bk), 65)
bad = [k for k, x in enumerate(bk) if x != b(0 if k == 0 else 2**(k - 1), 1 if k == 0 else (2**k if k < 64 else None), k + 1)]
check("json pow2 bounds [2^(k-1), 2^k), slot 0 = [0, 1)", not bad, "wrong slots %s: %s" % (bad[:3], [bk[k] for k in bad[:3]]))

# ---------------- text ----------------
def has(name, text, pattern):
    check(name, re.search(pattern, text, re.M) is not None, "no line matching %r" % pattern)

def section(text, title):
    """Lines of one aggregation: from its title to the next blank line."""
    lines = text.split("\n")
    if title not in lines:
        return []
    i = lines.index(title) + 1
    j = lines.index("", i)
    return lines[i:j]

def hist_lines(lines):
    """(label, count, bar) of each histogram line."""
    out = []
    for l in lines:
        m = re.match(r"^ +(.*?) +(\d+) \|([@ ]*)\|$", l)
        if m:
            out.append((m.group(1), int(m.group(2)), m.group(3)))
    return out

t = run("scalars", "text")
has("text header interval", t, r"^=== trace demo: interval 3, 5\.25s elapsed, sampled 1/10 ===$")
has("text table header", t, r"^  hop  dev +count$")
has("text count row", t, r"^  tx   veth-a +12$")
has("text escaped key row", t, r"^  rx   we\"ird\\dev\\x09/x \u00e9 +7$")
eq("text sum table", section(t, "sum(len) by dev"), ["  dev      sum", "  veth-a  4500"])
eq("text avg ns", section(t, "avg(latency(tx, rx))"), ["     avg", "  2.50us"])
eq("text avg one decimal", section(t, "avg(len)"), ["  avg", "  3.3"])
eq("text min", section(t, "min(len) by dev"), ["  dev   min", "  eth0   -5", "  eth1    -"])
eq("text max ns", section(t, 'max(latency(tx, rx)) "quoted"'), ["     max", "  1.50ms"])
has("text hop tx", t, r"^hop tx: 100 hits$")
has("text hop rx", t, r"^hop rx: 90 hits$")
has("text latency", t, r"^latency tx -> rx: matched 85 of 100 started, 5 unmatched at rx$")
has("text lost warning", t, r"^WARNING: lost 4 events: ring buffer full$")
has("text map full warning", t, r'^WARNING: lost 2 events: map full \(more keys than it has room for\), for max\(latency\(tx, rx\)\) "quoted"$')
has("text no memory warning", t, r'^WARNING: lost 1 events: kernel out of memory for a new key, for max\(latency\(tx, rx\)\) "quoted"$')
has("text refused warning", t, r'^WARNING: lost 3 events: update refused by the kernel \(lock contention\), for max\(latency\(tx, rx\)\) "quoted"$')

t = run("hists", "text")
has("text header final", t, r"^=== trace demo: final, 10\.50s elapsed ===$")
check("text final has no sampling", "sampled" not in t)
h = hist_lines(section(t, "hist(len)"))
eq("text hist labels trimmed", [x[0] for x in h],
   ["[0]", "[1]", "[2, 4)", "[4, 8)", "[8, 16)", "[16, 32)", "[32, 64)", "[64, 128)", "[128, 256)",
    "[256, 512)", "[512, 1K)", "[1K, 2K)", "[2K, 4K)"])
eq("text hist counts", [x[1] for x in h], [1, 2] + [0] * 9 + [12, 6])
eq("text hist bars", [x[2] for x in h],
   ["@" * (n * 52 // 12) + " " * (52 - n * 52 // 12) for n in [1, 2] + [0] * 9 + [12, 6]])
has("text hist line shape", t, r"^  \[1K, 2K\)   12 \|@{52}\|$")
s = section(t, "hist(latency(tx, rx)) by hop")
check("text keyed hist key lines", "  [hop=rx]:" in s and "  [hop=tx]:" in s, repr(s))
tx = s[s.index("  [hop=tx]:") + 1:] if "  [hop=tx]:" in s else []
eq("text ns hist labels", [(x[0], x[1]) for x in hist_lines(tx)], [("[512ns, 1.02us)", 3), ("[1.02us, 2.05us)", 1)])
h = hist_lines(section(t, "lhist(len, 0, 1000, 100)"))
eq("text lhist labels", [x[0] for x in h],
   ["< 0"] + ["[%d, %d)" % (i, i + 100) for i in range(0, 1000, 100)] + [">= 1000"])
eq("text lhist counts", [x[1] for x in h], [2, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 3])
eq("text empty aggregation", section(t, "count() by flow"), ["  (no data)"])
eq("text ns lhist", [(x[0], x[1]) for x in hist_lines(section(t, "lhist(latency(tx, rx), 0, 2000000, 500000)"))],
   [("[500us, 1ms)", 4)])
check("text no warnings when none", "WARNING" not in t)

t = run("pow2", "text")
suf = ["", "K", "M", "G", "T", "P", "E"]
def p2(e): return "%d%s" % (2 ** (e % 10), suf[e // 10])
eq("text pow2 labels", [x[0] for x in hist_lines(section(t, "hist(len)"))],
   ["[0]", "[1]"] + ["[%s, %s)" % (p2(k - 1), p2(k)) for k in range(2, 65)])

sys.exit(1 if failed else 0)
EOF
