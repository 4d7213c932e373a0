#!/bin/bash
# The same run stored in both engines, SQLite and ClickHouse (a real
# clickhouse-server, tests/lib/clickhouse.sh), gives the same report number
# for number: `vnt report --format json` of both, with only what names the
# store (db, run id, host ids) taken out, must be equal; so must the text.
# "Equal" includes the percentiles: both are exact nearest rank (the value
# at position ceil(n*p) of the sorted latencies), the SQLite report's
# computed in C (runtime/report_stats.c), ClickHouse's in SQL
# (runtime/report/report_sql_pairs.c); and the mean (both sum / count).
#
# The run is synthetic (deterministic, through the store API): three hosts
# with clock offsets and uncertainties, a four-hop path across them with
# losses, a drop hop, packets seen twice at a hop (within and beyond the
# clock slack), 40 flows and packets without IP, a scheduler trace whose
# task identities pair per host, and clock measurements during the run
# (one host's offset drifting: each record aligned with the offset of its
# time, interpolated in C for SQLite and in SQL for ClickHouse).
set -u
top=${VNT_TOP:-$(pwd)}
vnt=${VNT:-$top/vnt}
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
cd "$top" || exit 1
test_prefix="report engines"
. tests/collector/build-tool.sh
T=$tmp
skip() { echo "skip $1: $2"; }
. tests/lib/clickhouse.sh
need_clickhouse || exit 0
ch_start || { echo "not ok report engines: clickhouse-server starts"; exit 1; }

python3 - "$tmp" <<'EOF' || { echo "not ok report engines: generate the run"; exit 1; }
import json, random, sys
tmp = sys.argv[1]
rnd = random.Random(15)
BASE = 1_800_000_000_000_000_000
OFF = {"h1": 3_000_000, "h2": -1_250_000, "h3": 17}
UNC = {"h1": 4_000, "h2": 9_000, "h3": 1_500}   # slack: 2 * 9 us
manifest = {"vnt_manifest": 1, "script": "engines.vnt", "lru_entries": 1024,
            "traces": [{"name": "path", "first_hop": 0, "nhops": 5},
                       {"name": "sched", "first_hop": 5, "nhops": 2}],
            "hops": [{"id": 0, "trace": 0, "name": "tx", "kind": "tp_btf", "target": "net_dev_start_xmit", "task_arg": -1},
                     {"id": 1, "trace": 0, "name": "sw", "kind": "tp_btf", "target": "net_dev_start_xmit", "task_arg": -1},
                     {"id": 2, "trace": 0, "name": "nic", "kind": "tp_btf", "target": "netif_receive_skb", "task_arg": -1},
                     {"id": 3, "trace": 0, "name": "app", "kind": "tp_btf", "target": "netif_receive_skb", "task_arg": -1},
                     {"id": 4, "trace": 0, "name": "drop", "kind": "tracepoint", "target": "skb/kfree_skb",
                      "task_arg": -1, "reason_arg": 1},
                     {"id": 5, "trace": 1, "name": "wake", "kind": "tp_btf", "target": "sched_wakeup", "task_arg": 0},
                     {"id": 6, "trace": 1, "name": "run", "kind": "tp_btf", "target": "sched_switch", "task_arg": 2}]}
json.dump(manifest, open(f"{tmp}/manifest.json", "w"))
where = {"tx": "h1", "sw": "h1", "nic": "h2", "app": "h3", "drop": "h2"}
flows = [(f"10.1.{i // 7}.{i % 7 + 1}", 1000 + i, "10.2.0.9", 5000 + i % 3, 17 if i % 4 else 6) for i in range(40)]
flows.append(("fd00::1", 7, "fd00::2", 8, 17))
ev = []
for k in range(20000):
    fp = rnd.getrandbits(64)
    flow = None if k % 97 == 5 else flows[min(int(rnd.expovariate(0.15)), len(flows) - 1)]
    t = BASE + k * 50_000 + rnd.randrange(1000)
    times = {"tx": t}
    times["sw"] = times["tx"] + 500 + rnd.randrange(2000)
    times["nic"] = times["sw"] + 20_000 + int(rnd.expovariate(1 / 5000))
    times["app"] = times["nic"] + 3_000 + rnd.randrange(400) + (2_000_000 if k % 1000 == 1 else 0)
    last = 4
    u = rnd.random()
    if u < 0.02:
        last = 1
    elif u < 0.05:
        last = 2
        if rnd.random() < 0.5:   # dropped there, and a drop hop saw it
            ev.append(("h2", times["sw"] + 10_000, fp, "path", "drop", None))
    elif u < 0.06:
        last = 3
    hops = ["tx", "sw", "nic", "app"][:last]
    for h in hops:
        ev.append((where[h], times[h], fp, "path", h, flow if h != "app" or k % 5 else None))
    r = rnd.random()
    if r < 0.01 and last >= 3:   # a second passage at nic, shortly after (inside the slack)
        ev.append(("h2", times["nic"] + rnd.randrange(-15_000, 15_000), fp, "path", "nic", flow))
    elif r < 0.02 and last >= 2: # a retransmission seen again at tx and sw much later
        ev.append(("h1", times["tx"] + 300_000, fp, "path", "tx", flow))
        ev.append(("h1", times["sw"] + 300_000 + rnd.randrange(-50_000, 50_000), fp, "path", "sw", flow))
    elif r < 0.025 and last >= 2:  # a duplicate at sw before tx (clocks)
        ev.append(("h1", times["tx"] - rnd.randrange(0, 30_000), fp, "path", "sw", flow))
# Scheduler: task identities on two hosts, wakeups and runs in bursts.
for task in range(300):
    fp = 0x1000 + task
    for host in ("h1", "h2"):
        t = BASE + 400_000_000 + task * 1_000_000
        for n in range(rnd.randrange(1, 5)):
            t += rnd.randrange(10_000, 100_000)
            if rnd.random() < 0.9:
                ev.append((host, t, fp, "sched", "wake", None))
            if rnd.random() < 0.9:
                ev.append((host, t + rnd.randrange(-500, 3000), fp, "sched", "run", None))
rnd.shuffle(ev)
with open(f"{tmp}/run.txt", "w") as f:
    f.write(f"run engines.vnt {tmp}/manifest.json {BASE - 1_000_000_000}\n")
    for h in ("h1", "h2", "h3"):
        f.write(f"host {h} {OFF[h]} {UNC[h]}\n")
    for n, (h, t, fp, tr, hop, flow) in enumerate(ev):
        s = f"{flow[0]} {flow[2]} {flow[1]} {flow[3]} {flow[4]}" if flow else "- - 0 0 0"
        f.write(f"ev {h} {t - OFF[h]} {fp:x} {tr} {hop} {s}\n")
        if n % 5000 == 4999:
            f.write("flush\n")
    f.write('snapshot h1 {"vnt_json":1,"type":"interval","seq":1,"trace":"path"}\n')
    f.write('snapshot h1 {"vnt_json":1,"type":"final","seq":2,"trace":"path","tab":"a\\tb \\"q\\""}\n')
    f.write('snapshot h2 {"vnt_json":1,"type":"final","seq":2,"trace":"path"}\n')
    # Clock measurements: h2's offset drifts (records are put on the
    # collector's clock with the offset of their time, interpolated), h1
    # has one, h3 none (its host row's offset).
    span = 20000 * 50_000
    for j in range(7):
        at = BASE - OFF["h2"] + j * span // 6 + (0 if j != 3 else 12345)
        f.write(f"clock h2 {at} {OFF['h2'] + j * 37_013 - (j % 2) * 5_000} {UNC['h2'] + j * 100}\n")
    f.write(f"clock h2 {BASE - OFF['h2'] + span // 2} {OFF['h2'] + 90_001} 9100\n")  # two at one time
    f.write(f"clock h1 {BASE} {OFF['h1'] + 11} 3000\n")
    f.write("status h1 ok 1000 0\nstatus h2 ok 2000 3\nstatus h3 failed 500 1\n")
    f.write(f"end {BASE + 2_000_000_000} ok\n")
print(f"# {len(ev)} events")
EOF

if "$store_tool" write "$tmp/run.db" <"$tmp/run.txt" 2>"$tmp/err" && "$store_tool" write "$CH_URL" <"$tmp/run.txt" 2>>"$tmp/err"; then
	echo "ok report engines: the run written to SQLite and to ClickHouse through the store API"
else
	echo "not ok report engines: write the run: $(head -c 400 "$tmp/err")"
	exit 1
fi

for fmt in json text; do
	for e in sqlite clickhouse; do
		db=$tmp/run.db
		[[ $e == clickhouse ]] && db=$CH_URL
		start=$(date +%s.%N)
		if ! "$vnt" report --format "$fmt" --flows 25 "$db" >"$tmp/$e.$fmt" 2>"$tmp/$e.err"; then
			echo "not ok report engines: $e $fmt report: $(head -c 400 "$tmp/$e.err")"
			continue
		fi
		echo "# $e $fmt report: $(python3 -c "import sys; print('%.2f s' % (float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$(date +%s.%N)")"
	done
done

python3 - "$tmp/sqlite.json" "$tmp/clickhouse.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def norm(r):
    r = json.loads(json.dumps(r))
    r.pop("db", None)
    r["run"].pop("id", None)
    for h in r["hosts"]:
        h.pop("id", None)
    for s in r["segments"]:
        for p in s.get("hosts", []):
            p.pop("from_host_id", None)
            p.pop("to_host_id", None)
    return r
na, nb = norm(a), norm(b)
def check(name, cond, why=""):
    print(("ok" if cond else "not ok") + " report engines: " + name + ("" if cond else ": " + why))
def first_diff(x, y, path=""):
    if type(x) != type(y):
        return f"{path}: {x!r} vs {y!r}"
    if isinstance(x, dict):
        for k in sorted(set(x) | set(y)):
            if k not in x or k not in y:
                return f"{path}.{k}: only in {'sqlite' if k in x else 'clickhouse'}"
            d = first_diff(x[k], y[k], f"{path}.{k}")
            if d:
                return d
        return ""
    if isinstance(x, list):
        if len(x) != len(y):
            return f"{path}: {len(x)} vs {len(y)} elements"
        for i, (p, q) in enumerate(zip(x, y)):
            d = first_diff(p, q, f"{path}[{i}]")
            if d:
                return d
        return ""
    return "" if x == y else f"{path}: sqlite {x!r}, clickhouse {y!r}"
print(f"# {a['events']} events, {a['packets']} packets, {a['repeats']} repeats, {a['flows_total']} flows, "
      f"{len(a['segments'])} segments")
for s in a["segments"]:
    print(f"#   {s['from']} -> {s['to']}: {s['count']} p50 {s['p50_ns']} p99.9 {s['p999_ns']} lost {s['lost']} "
          f"dropped {s.get('dropped')} pairs of hosts {len(s['hosts'])}")
check("the run is not trivial (repeats, drops, losses, flows, cross-host pairs)",
      a["repeats"] > 100 and a["flows_total"] == 41 and any(s.get("dropped") for s in a["segments"]) and
      all(s["count"] > 0 for s in a["segments"]) and any(len(s["hosts"]) > 1 for s in a["segments"]), "")
for key in ("events", "packets", "repeats", "orphans", "flows_total"):
    check(f"json: {key} equal", na[key] == nb[key], f"sqlite {na[key]}, clickhouse {nb[key]}")
check("json: hops equal", na["hops"] == nb["hops"], first_diff(na["hops"], nb["hops"], "hops"))
for i, (x, y) in enumerate(zip(na["segments"], nb["segments"])):
    check(f"json: segment {x['from']} -> {x['to']}: counts, mean, exact percentiles, loss, drops, host pairs equal",
          x == y, first_diff(x, y, f"segments[{i}]"))
check("json: as many segments", len(na["segments"]) == len(nb["segments"]), "")
check("json: the first 25 flows and their segments equal", na["flows"] == nb["flows"], first_diff(na["flows"], nb["flows"], "flows"))
check("json: hosts (clock, status, events sent, kept, per hop) equal", na["hosts"] == nb["hosts"],
      first_diff(na["hosts"], nb["hosts"], "hosts"))
check("json: the whole report equal", na == nb, first_diff(na, nb))
EOF

# Text: the same lines but the one that names the store and run.
if diff <(grep -v -E '^(run |store|db)' "$tmp/sqlite.text" | sed -E 's/run [0-9]+/run N/') \
	<(grep -v -E '^(run |store|db)' "$tmp/clickhouse.text" | sed -E 's/run [0-9]+/run N/') >"$tmp/text.diff"; then
	echo "ok report engines: text reports equal (but the store's name and run id)"
else
	echo "not ok report engines: text reports differ: $(head -c 600 "$tmp/text.diff" | tr '\n' '|')"
fi

# Refusals of the ClickHouse reader.
out=$("$vnt" report --run 12345 "$CH_URL" 2>&1); rc=$?
[[ $rc == 1 && $out == *"no run 12345"* ]] && echo "ok report engines: clickhouse: a run that does not exist" ||
	echo "not ok report engines: clickhouse: a run that does not exist: rc=$rc: ${out:0:300}"
out=$("$vnt" report "clickhouse://127.0.0.1:$CH_PORT/nosuchdb" 2>&1); rc=$?
[[ $rc == 1 && $out == *"not a vnt store"* ]] && echo "ok report engines: clickhouse: a database that is not a vnt store" ||
	echo "not ok report engines: clickhouse: a database that is not a vnt store: rc=$rc: ${out:0:300}"
exit 0
