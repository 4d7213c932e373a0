#!/bin/bash
# vnt report on a synthetic run written through the store API: two hosts
# with known clock offsets, packets with known per-hop times on the
# collector's clock, known losses, two flows, and a scheduler trace whose
# task fingerprint is the same on both hosts. The expected counts, exact
# (nearest-rank) percentiles, losses, per-host and per-flow values are
# computed here, independently, from the same data; JSON must match them
# exactly, text and HTML must show them.
set -u
top=${VNT_TOP:-$(pwd)}
vnt=${VNT:-$top/vnt}
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
cd "$top" || exit 1
test_prefix="collector report"
. tests/collector/build-tool.sh

python3 - "$tmp" <<'EOF' || { echo "not ok collector report: generate the run"; exit 1; }
import json, sys
tmp = sys.argv[1]
BASE = 1_700_000_000_000_000_000
OFF = {"a": 1_000_000, "b": -2_500_000}      # agent time + offset = collector time
UNC = {"a": 2_000, "b": 3_000}
manifest = {"vnt_manifest": 1, "script": "cross.vnt", "lru_entries": 1024,
            "traces": [{"name": "path", "first_hop": 0, "nhops": 4},
                       {"name": "sched", "first_hop": 4, "nhops": 2}],
            "hops": [{"id": 0, "trace": 0, "name": "tx", "kind": "tp_btf", "target": "net_dev_start_xmit", "task_arg": -1},
                     {"id": 1, "trace": 0, "name": "sw_out", "kind": "tp_btf", "target": "net_dev_start_xmit", "task_arg": -1},
                     {"id": 2, "trace": 0, "name": "nic_in", "kind": "tp_btf", "target": "netif_receive_skb", "task_arg": -1},
                     {"id": 3, "trace": 0, "name": "app_rx", "kind": "kprobe", "target": "udp_recvmsg", "task_arg": -1},
                     {"id": 4, "trace": 1, "name": "wake", "kind": "tp_btf", "target": "sched_wakeup", "task_arg": 0},
                     {"id": 5, "trace": 1, "name": "run", "kind": "tp_btf", "target": "sched_switch", "task_arg": 2}]}
json.dump(manifest, open(f"{tmp}/manifest.json", "w"))

events = []          # (host, collector time, fp, trace, hop, flow or None)
lat = {("tx", "sw_out"): [], ("sw_out", "nic_in"): [], ("nic_in", "app_rx"): [], ("wake", "run"): []}
flowlat = {}
entered = {k: 0 for k in lat}
fentered = {}
N = 1000
for k in range(N):
    fp = (k * 0x9E3779B97F4A7C15 + 12345) % (1 << 64)
    flow = None if k == N - 1 else (("10.0.0.1", 4000, "10.0.0.2", 5000, 17) if k % 3 == 0 else
                                    ("10.0.0.1", 4001, "10.0.0.2", 5000, 6))
    t = [BASE + k * 100_000]
    t.append(t[0] + 1000 + (k * 37) % 500)
    t.append(t[1] + 20000 + (k * k) % 3000)
    t.append(t[2] + 5000 + k % 100 + (1_000_000 if k == 500 else 0))
    hops = [("a", "tx"), ("a", "sw_out"), ("b", "nic_in"), ("b", "app_rx")]
    last = 4
    if k % 50 == 7:
        last = 2             # lost between sw_out and nic_in
    elif k % 100 == 3:
        last = 3             # lost between nic_in and app_rx
    for i in range(last):
        events.append((hops[i][0], t[i], fp, "path", hops[i][1], flow))
    for i in range(3):
        seg = (hops[i][1], hops[i + 1][1])
        if i < last:
            entered[seg] += 1
            if flow:
                fentered.setdefault((flow, seg), 0)
                fentered[(flow, seg)] += 1
        if i + 1 < last:
            lat[seg].append(t[i + 1] - t[i])
            if flow:
                flowlat.setdefault((flow, seg), []).append(t[i + 1] - t[i])
# The scheduler trace: one task fingerprint on both hosts, joined per host.
TASK = 0xabcdef
for host, hop, dt in [("a", "run", -5), ("a", "wake", 0), ("a", "run", 10), ("a", "wake", 100), ("a", "run", 130),
                      ("a", "wake", 200), ("a", "wake", 300), ("a", "run", 305), ("b", "wake", 50), ("b", "run", 90)]:
    events.append((host, BASE + 500_000_000 + dt, TASK, "sched", hop, None))
lat[("wake", "run")] = [10, 30, 5, 40]
entered[("wake", "run")] = 5

# The store's input: agent times (collector time - offset), in batches per host.
with open(f"{tmp}/run1.txt", "w") as f:
    f.write(f"run cross.vnt {tmp}/manifest.json {BASE - 1_000_000_000}\n")
    for h in ("a", "b"):
        f.write(f"host {h} {OFF[h]} {UNC[h]}\n")
    for n, (h, t, fp, tr, hop, flow) in enumerate(events):
        s = f"{flow[0]} {flow[2]} {flow[1]} {flow[3]} {flow[4]}" if flow else "- - 0 0 0"
        f.write(f"ev {h} {t - OFF[h]} {fp:x} {tr} {hop} {s}\n")
        if n % 97 == 96:
            f.write("flush\n")
    f.write('snapshot a {"vnt_json":1,"type":"final","seq":3,"trace":"path"}\n')
    f.write("status a done 4000 0\nstatus b done 3000 7\n")
    f.write(f"end {BASE + 1_000_000_000} done\n")
# A second, later run: `vnt report` shows the latest by default.
with open(f"{tmp}/run2.txt", "w") as f:
    f.write("run other.vnt - 5\nhost c 0 0\nev c 100 1 t x - - 0 0 0\nev c 150 1 t y - - 0 0 0\nend 10 done\n")

def rank(v, k, d):
    v = sorted(v)
    r = max(1, min(len(v), -(-len(v) * k // d)))
    return v[r - 1]

def stats(v):
    if not v:
        return {"count": 0}
    return {"count": len(v), "mean_ns": sum(v) / len(v), "min_ns": min(v), "p50_ns": rank(v, 1, 2),
            "p90_ns": rank(v, 9, 10), "p99_ns": rank(v, 99, 100), "p999_ns": rank(v, 999, 1000), "max_ns": max(v)}

def label(h):
    return ("sched." if h in ("wake", "run") else "path.") + h

exp = {"events": len(events), "packets": N + 1, "segments": [], "flows": [], "hosts": {}}
for (a, b), v in lat.items():
    s = stats(v)
    s.update({"from": label(a), "to": label(b), "entered": entered[(a, b)], "lost": entered[(a, b)] - len(v)})
    exp["segments"].append(s)
flows = {}
for (flow, seg), v in flowlat.items():
    flows.setdefault(flow, {})[seg] = v
for flow, segs in flows.items():
    fo = {"saddr": flow[0], "sport": flow[1], "daddr": flow[2], "dport": flow[3], "proto": flow[4],
          "packets": fentered[(flow, ("tx", "sw_out"))], "segments": []}
    for seg in [("tx", "sw_out"), ("sw_out", "nic_in"), ("nic_in", "app_rx"), ("wake", "run")]:
        s = stats(segs.get(seg, []))
        s.update({"from": label(seg[0]), "to": label(seg[1]), "entered": fentered.get((flow, seg), 0),
                  "lost": fentered.get((flow, seg), 0) - len(segs.get(seg, []))})
        fo["segments"].append(s)
    exp["flows"].append(fo)
exp["flows"].sort(key=lambda f: -f["packets"])
for h in ("a", "b"):
    he = {}
    for (hh, t, fp, tr, hop, flow) in events:
        if hh == h:
            he[label(hop)] = he.get(label(hop), 0) + 1
    exp["hosts"][h] = {"clock_offset_ns": OFF[h], "clock_uncertainty_ns": UNC[h], "hop_events": he}
json.dump(exp, open(f"{tmp}/expected.json", "w"))
EOF

db=$tmp/store.db
if "$store_tool" write "$db" < "$tmp/run1.txt" 2>"$tmp/err" && "$store_tool" write "$db" < "$tmp/run2.txt" 2>>"$tmp/err"; then
	echo "ok collector report: two runs written through the store API"
else
	echo "not ok collector report: write the runs: $(head -c 400 "$tmp/err")"
	exit 1
fi

# JSON: exact values.
if "$vnt" report --run 1 --format json --flows 5 "$db" >"$tmp/r1.json" 2>"$tmp/err"; then
	python3 - "$tmp/r1.json" "$tmp/expected.json" <<'EOF'
import json, sys
got, exp = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def check(name, cond, why=""):
    print(("ok" if cond else "not ok") + " collector report: " + name + ("" if cond else ": " + why))
def same_stats(g, e):
    for k, v in e.items():
        if k == "mean_ns":
            if g.get(k) is None or abs(g[k] - v) > 1e-6 * max(1, abs(v)):
                return f"{k}: got {g.get(k)}, expected {v}"
        elif g.get(k) != v:
            return f"{k}: got {g.get(k)}, expected {v}"
    return ""
check("json: run 1, its script and status", got["vnt_report"] == 1 and got["run"]["id"] == 1 and
      got["run"]["script"] == "cross.vnt" and got["run"]["status"] == "done", json.dumps(got["run"]))
check("json: events and packets", got["events"] == exp["events"] and got["packets"] == exp["packets"],
      f'{got["events"]}/{got["packets"]} vs {exp["events"]}/{exp["packets"]}')
check("json: hops in manifest order", [h["label"] for h in got["hops"]] ==
      ["path.tx", "path.sw_out", "path.nic_in", "path.app_rx", "sched.wake", "sched.run"],
      str([h["label"] for h in got["hops"]]))
check("json: segments (the empty path->sched boundary left out)",
      [(s["from"], s["to"]) for s in got["segments"]] == [(s["from"], s["to"]) for s in exp["segments"]],
      str([(s["from"], s["to"]) for s in got["segments"]]))
for g, e in zip(got["segments"], exp["segments"]):
    why = same_stats(g, e)
    check(f'json: segment {e["from"]} -> {e["to"]}: count, mean, exact percentiles, loss', not why, why)
# The cross-host segment is only right if both offsets were applied.
seg = got["segments"][1]
check("json: cross-host segment is a -> b, clocks aligned",
      [(p["from_host"], p["to_host"], p["count"]) for p in seg["hosts"]] == [("a", "b", 980)] and
      seg["min_ns"] == 20000, json.dumps(seg["hosts"]))
sched = got["segments"][3]
check("json: task hops joined per host", sorted((p["from_host"], p["to_host"], p["count"]) for p in sched["hosts"]) ==
      [("a", "a", 3), ("b", "b", 1)], json.dumps(sched["hosts"]))
check("json: flows", got["flows_total"] == 2 and len(got["flows"]) == 2, str(got["flows_total"]))
for g, e in zip(got["flows"], exp["flows"]):
    name = f'{e["saddr"]}:{e["sport"]} > {e["daddr"]}:{e["dport"]} {e["proto"]}'
    ok = all(g[k] == e[k] for k in ("saddr", "sport", "daddr", "dport", "proto", "packets"))
    why = "" if ok else json.dumps({k: g[k] for k in ("saddr", "sport", "daddr", "dport", "proto", "packets")})
    for gs, es in zip(g["segments"], e["segments"]):
        why = why or same_stats(gs, es)
    check(f"json: flow {name}", not why and len(g["segments"]) == 4, why or f'{len(g["segments"])} segments')
hosts = {h["name"]: h for h in got["hosts"]}
for name, e in exp["hosts"].items():
    h = hosts.get(name, {})
    ok = (h.get("clock_offset_ns") == e["clock_offset_ns"] and h.get("clock_uncertainty_ns") == e["clock_uncertainty_ns"]
          and {k: v for k, v in h.get("hop_events", {}).items() if v} == e["hop_events"])
    check(f"json: host {name}: clock offset, uncertainty, events per hop", ok, json.dumps(h))
check("json: host status", hosts["b"]["status"] == "done" and hosts["b"]["events_sent"] == 3000 and hosts["b"]["lost"] == 7,
      json.dumps(hosts["b"]))
EOF
else
	echo "not ok collector report: json report of run 1: $(head -c 400 "$tmp/err")"
fi

# The latest run by default.
out=$("$vnt" report -f json "$db" 2>&1)
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r["run"]["id"] == 2 and r["segments"][0]["p50_ns"] == 50' "$out" 2>/dev/null \
	&& echo "ok collector report: the latest run by default" || echo "not ok collector report: latest run: ${out:0:300}"

# Text: aligned tables with the same numbers.
if "$vnt" report --run 1 "$db" >"$tmp/r1.txt" 2>"$tmp/err"; then
	python3 - "$tmp/r1.txt" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
lines = text.splitlines()
def check(name, cond, why=""):
    print(("ok" if cond else "not ok") + " collector report: " + name + ("" if cond else ": " + why))
seg = [l for l in lines if re.match(r"^  path\.sw_out -> path\.nic_in ", l)]
check("text: segment row with count and loss", len(seg) == 1 and seg[0].split()[3] == "980" and seg[0].split()[-1] == "20",
      str(seg))
hdr = [l for l in lines if l.startswith("  segment ")]
check("text: columns aligned with the header", hdr and seg and len(hdr[0]) == len(seg[0]), f"{hdr[:1]} / {seg}")
check("text: host pair row", any(re.match(r"^    a > b +980 ", l) for l in lines), "no 'a > b' row")
check("text: clock offsets with uncertainty", "+1.00ms \u00b1 2.00us" in text and "-2.50ms \u00b1 3.00us" in text,
      "\n".join(l for l in lines if l.startswith("  a ") or l.startswith("  b ")))
check("text: flows", "10.0.0.1:4001 > 10.0.0.2:5000 tcp: 666 packets" in text and
      "10.0.0.1:4000 > 10.0.0.2:5000 udp: 333 packets" in text, "flow lines missing")
EOF
else
	echo "not ok collector report: text report: $(head -c 400 "$tmp/err")"
fi

# HTML: one self-contained page with an SVG plot per segment.
if "$vnt" report --run 1 --format html -o "$tmp/r1.html" "$db" 2>"$tmp/err"; then
	python3 - "$tmp/r1.html" <<'EOF'
import html.parser, sys
doc = open(sys.argv[1], encoding="utf-8").read()
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.stack, self.external, self.bad = [], [], [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in ("meta", "br", "line", "rect", "polyline", "path", "circle"):
            self.stack.append(tag)
        for k, v in attrs:
            if k in ("src", "href") or tag in ("script", "link", "img", "iframe"):
                self.external.append((tag, k, v))
    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.bad.append(tag)
        else:
            self.stack.pop()
p = P()
p.feed(doc)
p.close()
def check(name, cond, why=""):
    print(("ok" if cond else "not ok") + " collector report: " + name + ("" if cond else ": " + why))
check("html: parses, tags balanced", not p.bad and not p.stack and doc.startswith("<!DOCTYPE html>"),
      f"unbalanced {p.bad[:5]}, open {p.stack[:5]}")
check("html: an inline <svg> CDF per segment", doc.count('<svg class="cdf"') == 4, f'{doc.count("<svg class=")} CDF svg')
check("html: the answer, a path picture and the segments compared, first", doc.find('id="answer"') < doc.find('<svg id="path"') < doc.find('<svg id="compare"') < doc.find('<svg class="cdf"'), "order")
check("html: self-contained (no scripts, links or external sources)", not p.external, str(p.external[:3]))
check("html: the numbers", "path.sw_out &rarr; path.nic_in" in doc and "&plusmn;2.00us" in doc, "missing text")
EOF
else
	echo "not ok collector report: html report: $(head -c 400 "$tmp/err")"
fi

# Refusals: a missing file, a file that is not SQLite, another application's
# SQLite database, a run that does not exist. Each a clear message, status 1.
printf 'hello\n' > "$tmp/text.db"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.commit()' "$tmp/other.db"
refuse() { # NAME EXPECTED-SUBSTRING ARGS...
	local name=$1 want=$2 out rc
	shift 2
	out=$("$vnt" report "$@" 2>&1); rc=$?
	[[ $rc == 1 && $out == *"$want"* ]] && echo "ok collector report: refuses $name" \
		|| echo "not ok collector report: refuses $name: rc=$rc: ${out:0:300}"
}
refuse "a missing file" "No such file or directory" "$tmp/none.db"
refuse "a text file" "not a vnt store" "$tmp/text.db"
refuse "another application's SQLite database" "not a vnt store" "$tmp/other.db"
refuse "a run that does not exist" "no run 9" --run 9 "$db"
[[ ! -e $tmp/none.db ]] && echo "ok collector report: a missing store is not created" \
	|| echo "not ok collector report: a missing store is not created"
out=$("$vnt" report --format pdf "$db" 2>&1); rc=$?
[[ $rc == 2 && $out == *"unknown format"* ]] && echo "ok collector report: unknown format" \
	|| echo "not ok collector report: unknown format: rc=$rc: $out"
exit 0
