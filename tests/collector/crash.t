#!/bin/bash
# Crash consistency of the SQLite store: a writer storing batches of events
# is killed with SIGKILL in the middle of its stream, three times over the
# same file. After each kill the store passes PRAGMA integrity_check, every
# batch the writer saw committed is there, the rows of the run are whole
# batches (no part of a batch), and the store reopens for the next writer.
# `vnt report` reads a run that never ended.
set -u
top=${VNT_TOP:-$(pwd)}
vnt=${VNT:-$top/vnt}
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
cd "$top" || exit 1
test_prefix="collector crash"
. tests/collector/build-tool.sh

db=$tmp/crash.db
BATCH=2000
for round in 1 2 3; do
	want=$((10 * round))         # batches committed before the kill
	: >"$tmp/progress.$round"    # exists before the writer's own redirection does
	"$store_tool" crash "$db" $BATCH >>"$tmp/progress.$round" 2>"$tmp/err.$round" &
	pid=$!
	# Wait (no time limit but the driver's) until the writer has committed
	# `want` batches, then kill it while it writes the next ones.
	while kill -0 $pid 2>/dev/null && (($(wc -l <"$tmp/progress.$round") < want + 1)); do
		sleep 0.02
	done
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	run=$(sed -n 's/^run //p' "$tmp/progress.$round")
	last=$(tail -n 1 "$tmp/progress.$round")
	if [[ -z $run || $(wc -l <"$tmp/progress.$round") -lt $((want + 1)) ]]; then
		echo "not ok collector crash: round $round: the writer stopped early: $(head -c 300 "$tmp/err.$round")"
		continue
	fi
	python3 - "$db" "$run" "$last" "$BATCH" "$round" <<'PY'
import sqlite3, sys
db, run, last, batch, rnd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def check(name, cond, why=""):
    print(("ok" if cond else "not ok") + f" collector crash: round {rnd}: " + name + ("" if cond else ": " + str(why)))
c = sqlite3.connect(db)
check("integrity_check after SIGKILL", c.execute("PRAGMA integrity_check").fetchall() == [("ok",)])
n, lo, hi = c.execute("SELECT count(*), min(fp), max(fp) FROM events WHERE run_id=?", (run,)).fetchone()
check("whole batches only", n % batch == 0, f"{n} rows, batch {batch}")
m = n // batch
print(f"round {rnd}: killed with {m} batches stored, batch {last} reported committed")
check("every committed batch is there", m >= last + 1, f"{m} batches stored, batch {last} was reported committed")
check("rows are batches 0..m-1 exactly", n == 0 or (lo == 0 and hi == n - 1 and
      c.execute("SELECT count(DISTINCT fp) FROM events WHERE run_id=?", (run,)).fetchone()[0] == n and
      c.execute("SELECT count(*) FROM events WHERE run_id=? AND ts_ns != fp / ?", (run, batch)).fetchone()[0] == 0),
      (n, lo, hi))
fl = c.execute("SELECT first_event, last_event FROM runs WHERE id=?", (run,)).fetchone()
rng = c.execute("SELECT min(id), max(id) FROM events WHERE run_id=?", (run,)).fetchone()
check("the run's event range matches its rows", fl == rng, (fl, rng))
prev = c.execute("SELECT run_id, count(*) FROM events WHERE run_id < ? GROUP BY run_id", (run,)).fetchall()
check("earlier runs intact", all(k % batch == 0 for _, k in prev), prev)
PY
done

# The store reopens for a writer and for a report; a crashed run reports.
printf 'run after.vnt - 1\nhost h 0 0\nev h 10 1 t a - - 0 0 0\nev h 15 1 t b - - 0 0 0\nend 2 done\n' >"$tmp/after.txt"
if "$store_tool" write "$db" <"$tmp/after.txt" 2>"$tmp/err"; then
	echo "ok collector crash: the store reopens for writing"
else
	echo "not ok collector crash: reopen for writing: $(head -c 300 "$tmp/err")"
fi
run=$(sed -n 's/^run //p' "$tmp/progress.3")
out=$("$vnt" report -f json --run "$run" "$db" 2>&1)
python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert r["run"]["status"] == "running" and r["run"]["ended_ns"] is None
assert r["events"] == r["packets"] > 0 and r["segments"][0]["lost"] == r["events"] // 2
' "$out" 2>/dev/null && echo "ok collector crash: vnt report reads the crashed run" \
	|| echo "not ok collector crash: vnt report reads the crashed run: ${out:0:300}"
exit 0
