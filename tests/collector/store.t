#!/bin/bash
# The SQLite store (runtime/collector/store_sqlite.c): the documented schema, WAL,
# hops taken from a real manifest, snapshots, host status and run end;
# files that are not vnt stores are refused and left untouched.
set -u
top=${VNT_TOP:-$(pwd)}
vnt=${VNT:-$top/vnt}
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
cd "$top" || exit 1
test_prefix="collector store"
. tests/collector/build-tool.sh
echo "ok collector store: store_tool builds with -Wall -Wextra -Werror"

if ! "$vnt" compile --manifest examples/bridge-path.vnt >"$tmp/manifest.json" 2>"$tmp/err"; then
	echo "not ok collector store: vnt compile --manifest: $(head -c 300 "$tmp/err")"
	exit 1
fi
cat >"$tmp/run.txt" <<EOF
run examples/bridge-path.vnt $tmp/manifest.json 1700000000000000000
host vm1 1500.5 20
host vm2 -300 40
ev vm1 1700000000000001000 ff00000000000001 path vm1_tx 10.0.0.1 10.0.0.2 1234 80 6
ev vm1 1700000000000002000 ff00000000000001 path sw_in 10.0.0.1 10.0.0.2 1234 80 6
ev vm2 1700000000000003000 ff00000000000001 path vm2_rx 10.0.0.1 10.0.0.2 1234 80 6
ev vm2 1700000000000004000 ff00000000000001 path extra - - 0 0 0
flush
snapshot vm1 {"vnt_json":1,"type":"interval","seq":1,"trace":"path"}
snapshot vm1 {"vnt_json":1,"type":"final","seq":2,"trace":"path"}
status vm1 done 2 0
status vm2 lost 2 5
end 1700000000100000000 done
EOF
db=$tmp/s.db
if "$store_tool" write "$db" <"$tmp/run.txt" 2>"$tmp/err"; then
	echo "ok collector store: a run written"
else
	echo "not ok collector store: write a run: $(head -c 300 "$tmp/err")"
	exit 1
fi

python3 - "$db" "$tmp/manifest.json" <<'EOF'
import json, sqlite3, sys
db, manifest = sys.argv[1], json.load(open(sys.argv[2]))
c = sqlite3.connect(db)
def check(name, cond, why=""):
    print(("ok" if cond else "not ok") + " collector store: " + name + ("" if cond else ": " + str(why)))
cols = lambda t: [r[1] for r in c.execute(f"PRAGMA table_info({t})")]
want = {
    "runs": ["id", "script", "manifest_json", "started_ns", "ended_ns", "status", "first_event", "last_event"],
    "hosts": ["id", "run_id", "name", "clock_offset_ns", "clock_uncertainty_ns", "status", "events", "lost"],
    "hops": ["run_id", "trace", "trace_name", "id", "name", "kind", "target", "identity"],
    "events": ["id", "run_id", "host_id", "ts_ns", "fp", "trace", "hop", "len", "ifindex", "netns", "cpu", "pid",
               "saddr", "daddr", "sport", "dport", "proto", "pkt_link", "pkt"],
    "snapshots": ["id", "run_id", "host_id", "seq", "type", "json"],
    "clock": ["run_id", "host_id", "agent_ns", "offset_ns", "uncertainty_ns", "rtt_ns"],
}
for t, w in want.items():
    check(f"schema: table {t}", cols(t) == w, cols(t))
check("schema: application id and version",
      c.execute("PRAGMA application_id").fetchone()[0] == 0x564E5453 and c.execute("PRAGMA user_version").fetchone()[0] == 3,
      (c.execute("PRAGMA application_id").fetchone(), c.execute("PRAGMA user_version").fetchone()))
check("schema: WAL journal", c.execute("PRAGMA journal_mode").fetchone()[0] == "wal")
idx = {r[1] for r in c.execute("SELECT type, name FROM sqlite_master WHERE type='index'")}
check("schema: indexes", {"hosts_run", "snapshots_run", "clock_host"} <= idx, idx)
plan = " ".join(str(r) for r in c.execute("EXPLAIN QUERY PLAN SELECT fp FROM events WHERE id BETWEEN 1 AND 9 AND run_id=1"))
check("schema: a run's events are a range of the primary key", "INTEGER PRIMARY KEY" in plan or "rowid" in plan, plan)
run = c.execute("SELECT script, manifest_json, started_ns, ended_ns, status, first_event, last_event FROM runs").fetchall()
check("run row", len(run) == 1 and run[0][0] == "examples/bridge-path.vnt" and json.loads(run[0][1]) == manifest and
      run[0][2:] == (1700000000000000000, 1700000000100000000, "done", 1, 4), run)
hops = c.execute("SELECT trace, trace_name, id, name, kind, target, identity FROM hops ORDER BY id").fetchall()
exp = [(h["trace"], manifest["traces"][h["trace"]]["name"], h["id"], h["name"], h["kind"], h["target"], "packet")
       for h in manifest["hops"]]
check("hops from the manifest", hops[:len(exp)] == exp, hops)
check("a hop the manifest lacks is added", hops[len(exp):] == [(0, "path", len(exp), "extra", None, None, None)], hops[len(exp):])
hosts = c.execute("SELECT name, clock_offset_ns, clock_uncertainty_ns, status, events, lost FROM hosts ORDER BY id").fetchall()
check("hosts: clocks and final status", hosts == [("vm1", 1500.5, 20.0, "done", 2, 0), ("vm2", -300.0, 40.0, "lost", 2, 5)], hosts)
ev = c.execute("SELECT e.ts_ns, e.fp, h.name, e.saddr, e.daddr, e.sport, e.dport, e.proto, e.trace FROM events e"
               " JOIN hops h ON h.run_id = e.run_id AND h.id = e.hop ORDER BY e.id").fetchall()
fp = 0xff00000000000001 - (1 << 64)   # stored as a signed 64-bit integer
check("events", ev == [(1700000000000001000, fp, "vm1_tx", "10.0.0.1", "10.0.0.2", 1234, 80, 6, 0),
                       (1700000000000002000, fp, "sw_in", "10.0.0.1", "10.0.0.2", 1234, 80, 6, 0),
                       (1700000000000003000, fp, "vm2_rx", "10.0.0.1", "10.0.0.2", 1234, 80, 6, 0),
                       (1700000000000004000, fp, "extra", None, None, None, None, None, 0)], ev)
snaps = c.execute("SELECT host_id, seq, type, json FROM snapshots ORDER BY id").fetchall()
check("snapshots", [(s[1], s[2]) for s in snaps] == [(1, "interval"), (2, "final")] and
      json.loads(snaps[1][3])["trace"] == "path", snaps)
check("integrity", c.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
EOF

# A store that is not a vnt store is refused for writing, and left as it was.
printf 'not a database\n' >"$tmp/text.db"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.execute("insert into t values(1)"); c.commit()' "$tmp/other.db"
for f in text other; do
	what=$([[ $f == text ]] && echo "a text file" || echo "another application's SQLite database")
	before=$(md5sum <"$tmp/$f.db")
	out=$("$store_tool" write "$tmp/$f.db" </dev/null 2>&1); rc=$?
	after=$(md5sum <"$tmp/$f.db")
	[[ $rc != 0 && $out == *"not a vnt store"* && $before == "$after" ]] \
		&& echo "ok collector store: refuses to write into $what" \
		|| echo "not ok collector store: refuses to write into $what: rc=$rc: $out"
done

# A snapshot that is not JSON is refused; nothing is written.
printf 'run a.vnt - 1\nhost h 0 0\nsnapshot h {not json\n' >"$tmp/bad.txt"
out=$("$store_tool" write "$db" <"$tmp/bad.txt" 2>&1)
n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from snapshots").fetchone()[0])' "$db")
[[ $out == *"not a JSON object"* && $n == 2 ]] && echo "ok collector store: a snapshot that is not JSON is refused" \
	|| echo "not ok collector store: a snapshot that is not JSON is refused: $n snapshots: $out"
exit 0
