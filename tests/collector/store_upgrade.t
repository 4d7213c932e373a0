#!/bin/bash
# Stores written before packet bytes were kept are upgraded by the next
# writer, their rows intact: an SQLite file of schema 2 (made here with
# the schema-2 DDL, one run) gets events.pkt_link and events.pkt and
# user_version 3; a ClickHouse database of schema 1 (its events table
# without the columns) gets them with ALTER TABLE and a vnt_schema row 2.
# A new run's events without bytes have none (NULL, pkt_link 0), and
# `vnt report --pcap` of it says so (exit 1, no file left).
set -u
top=${VNT_TOP:-$(pwd)}
vnt=${VNT:-$top/vnt}
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
cd "$top" || exit 1
test_prefix="collector upgrade"
. tests/collector/build-tool.sh
fail=0
check() { # NAME GOT WANT
	if [[ $2 == "$3" ]]; then echo "ok collector upgrade: $1"; else echo "not ok collector upgrade: $1: got '$2', want '$3'"; fail=1; fi
}

if ! "$vnt" compile --manifest examples/bridge-path.vnt >"$tmp/manifest.json" 2>"$tmp/err"; then
	echo "not ok collector upgrade: vnt compile --manifest: $(head -c 300 "$tmp/err")"
	exit 1
fi
cat >"$tmp/run.txt" <<EOF
run examples/bridge-path.vnt $tmp/manifest.json 1700000000000000000
host vm1 0 20
ev vm1 1700000000000001000 ff00000000000001 path vm1_tx 10.0.0.1 10.0.0.2 1234 80 6
ev vm1 1700000000000002000 ff00000000000001 path sw_in 10.0.0.1 10.0.0.2 1234 80 6
flush
status vm1 done 2 0
end 1700000000100000000 done
EOF

# ---- SQLite: schema 2 -> 3 ----
db=$tmp/old.db
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
PRAGMA page_size=8192;
CREATE TABLE runs(id INTEGER PRIMARY KEY, script TEXT, manifest_json TEXT,
 started_ns INTEGER NOT NULL, ended_ns INTEGER, status TEXT, first_event INTEGER, last_event INTEGER);
CREATE TABLE hosts(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
 name TEXT NOT NULL, clock_offset_ns REAL NOT NULL, clock_uncertainty_ns REAL NOT NULL,
 status TEXT, events INTEGER, lost INTEGER);
CREATE INDEX hosts_run ON hosts(run_id);
CREATE TABLE hops(run_id INTEGER NOT NULL REFERENCES runs(id), trace INTEGER NOT NULL,
 trace_name TEXT, id INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT, target TEXT, identity TEXT,
 PRIMARY KEY(run_id, id)) WITHOUT ROWID;
CREATE TABLE events(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, host_id INTEGER NOT NULL, ts_ns INTEGER NOT NULL,
 fp INTEGER NOT NULL, trace INTEGER NOT NULL, hop INTEGER NOT NULL, len INTEGER, ifindex INTEGER,
 netns INTEGER, cpu INTEGER, pid INTEGER, saddr TEXT, daddr TEXT, sport INTEGER, dport INTEGER, proto INTEGER);
CREATE TABLE snapshots(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
 host_id INTEGER NOT NULL, seq INTEGER, type TEXT, json TEXT NOT NULL);
CREATE INDEX snapshots_run ON snapshots(run_id, host_id, seq);
CREATE TABLE clock(run_id INTEGER NOT NULL, host_id INTEGER NOT NULL, agent_ns INTEGER NOT NULL,
 offset_ns INTEGER NOT NULL, uncertainty_ns INTEGER NOT NULL, rtt_ns INTEGER);
CREATE INDEX clock_host ON clock(host_id, agent_ns);
INSERT INTO runs VALUES(1, 'old.vnt', NULL, 1, 2, 'done', 1, 1);
INSERT INTO hosts VALUES(1, 1, 'h', 0, 0, 'done', 1, 0);
INSERT INTO hops VALUES(1, 0, 't', 0, 'tx', NULL, NULL, NULL);
INSERT INTO events VALUES(1, 1, 1, 5, 7, 0, 0, 60, 1, 2, 0, 9, '10.0.0.1', '10.0.0.2', 1, 2, 17);
PRAGMA application_id=1447973971;
PRAGMA user_version=2;
""")
c.commit()
PY
if ! "$store_tool" write "$db" <"$tmp/run.txt" 2>"$tmp/err"; then
	echo "not ok collector upgrade: sqlite: a writer opens a schema-2 store: $(head -c 300 "$tmp/err")"
	exit 1
fi
got=$(python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
cols = [r[1] for r in c.execute("PRAGMA table_info(events)")]
print(c.execute("PRAGMA user_version").fetchone()[0], cols[-2:], c.execute("select count(*) from events").fetchone()[0],
      c.execute("select len, saddr, pkt_link, pkt from events where id = 1").fetchone(),
      c.execute("select count(*) from events where run_id = 2 and pkt is null and pkt_link is null").fetchone()[0])
PY
)
check "sqlite: schema 3, the packet columns, old rows kept, new rows without bytes" "$got" \
	"3 ['pkt_link', 'pkt'] 3 (60, '10.0.0.1', None, None) 2"
"$vnt" report --pcap "$tmp/x.pcapng" "$db" >"$tmp/r.out" 2>"$tmp/r.err"
rc=$?
check "sqlite: report --pcap of a run without bytes: exit 1, no file" "$rc $([[ -e $tmp/x.pcapng ]] && echo file)" "1 "
if grep -q "run 2 has 2 events but no packet bytes: compile its package with \`vnt compile --snaplen N\`" "$tmp/r.err"; then
	echo "ok collector upgrade: sqlite: ... and says why"
else
	echo "not ok collector upgrade: sqlite: ... and says why: $(tr '\n' ' ' <"$tmp/r.err")"
	fail=1
fi

# ---- ClickHouse: schema 1 -> 2 ----
T=$tmp
skip() { echo "skip $1: $2"; }
. tests/lib/clickhouse.sh
need_clickhouse || exit $fail
ch_start || { echo "not ok collector upgrade: clickhouse-server starts"; exit 1; }
ch_query "CREATE DATABASE vnt_test" &&
	ch_query "CREATE TABLE vnt_test.vnt_schema (version UInt32, written_ns Int64) ENGINE = TinyLog" &&
	ch_query "INSERT INTO vnt_test.vnt_schema VALUES (1, 0)" &&
	ch_query "CREATE TABLE vnt_test.events (run_id UInt64, host_id UInt32, ts_ns Int64, fp UInt64,
 trace UInt16, hop UInt16, len UInt32, ifindex UInt32, netns UInt32, cpu UInt32, pid UInt32,
 family UInt8, saddr String, daddr String, sport UInt16, dport UInt16, proto UInt8)
 ENGINE = MergeTree PARTITION BY run_id ORDER BY (run_id, fp, hop, ts_ns)" &&
	ch_query "INSERT INTO vnt_test.events VALUES (1, 1, 5, 7, 0, 0, 60, 1, 2, 0, 9, 4, '10.0.0.1', '10.0.0.2', 1, 2, 17)" ||
	{ echo "not ok collector upgrade: clickhouse: a schema-1 store made"; exit 1; }
if ! "$store_tool" write "$CH_URL" <"$tmp/run.txt" 2>"$tmp/err"; then
	echo "not ok collector upgrade: clickhouse: a writer opens a schema-1 store: $(head -c 300 "$tmp/err")"
	exit 1
fi
got="$(ch_query "SELECT max(version) FROM vnt_test.vnt_schema") $(ch_query "SELECT count() FROM system.columns WHERE database = 'vnt_test' AND table = 'events' AND name IN ('pkt', 'pkt_link')")"
got="$got $(ch_query "SELECT count(), sum(pkt_link), sum(length(pkt)) FROM vnt_test.events FORMAT CSV")"
got="$got $(ch_query "SELECT len, saddr FROM vnt_test.events WHERE run_id = 1 FORMAT CSV")"
check "clickhouse: schema 2, the packet columns, old rows kept, new rows without bytes" "$got" '2 2 3,0,0 60,"10.0.0.1"'
exit $fail
