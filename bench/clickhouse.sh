#!/usr/bin/env bash
# bench/clickhouse.sh — the ClickHouse store against SQLite (issue 15):
#  1. raw records through the whole pipeline (vnt-evgen -> ring buffer ->
#     vnt-agent --stdio -> vnt dispatch -> store) into ClickHouse and into
#     SQLite at the same offered rates (bench/lib/rawevents_ch.py);
#  2. vnt report over one stored run of ~10 M records (bench/tools/storegen.c,
#     2.5 M packets x 4 hops), SQLite (in C) against ClickHouse (in SQL):
#     wall time and the report process's peak memory.
# A clickhouse-server of its own on loopback (tests/lib/clickhouse.sh), data
# under bench/out/. Called by bench/run; alone: bench/clickhouse.sh [--packets N]
# [--raw-secs S] [--raw-rates LIST]. Prints a table (CH RSS: the dispatcher's peak resident
# memory); JSON in bench/out/clickhouse.json.
set -uo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
packets=2500000 raw_secs=3 raw_rates=300000,1000000,0
while (($#)); do
	case $1 in
	--packets) packets=$2; shift 2 ;;
	--raw-secs) raw_secs=$2; shift 2 ;;
	--raw-rates) raw_rates=$2; shift 2 ;;
	*) echo "bench/clickhouse.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[[ $(id -u) -eq 0 ]] || { echo "bench/clickhouse.sh: needs root (BPF)" >&2; exit 1; }
OUT=$BENCH/out/clickhouse
rm -rf "$OUT"
mkdir -p "$OUT"
T=$OUT
skip() { echo "bench/clickhouse.sh: skipped: $2" >&2; exit 0; }
topo_on_exit() { trap "$1" EXIT; }
# shellcheck source=../tests/lib/clickhouse.sh
. "$TOP/tests/lib/clickhouse.sh"
ch_start bench || { echo "bench/clickhouse.sh: clickhouse-server did not start" >&2; exit 1; }
echo "bench/clickhouse.sh: ClickHouse $(ch_query 'SELECT version()') on 127.0.0.1:$CH_PORT" >&2

gcc -O2 -Wall -Wextra -Werror -o "$OUT/vnt-evgen" "$BENCH/tools/evgen.c" || exit 1
gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$TOP" -o "$OUT/storegen" "$BENCH/tools/storegen.c" \
	"$TOP"/runtime/collector/store.c "$TOP"/runtime/collector/store_sqlite.c "$TOP"/runtime/collector/store_sqlite_schema.c \
	"$TOP"/runtime/collector/{store_clickhouse,store_clickhouse_schema,ch_http,ch_native,store_hops,spool}.c "$TOP"/runtime/proto/clock.c \
	$(pkg-config --cflags --libs sqlite3 json-c libcurl) -lpthread || exit 1

# 1. Raw records.
raw_json=$OUT/raw.json
if [[ $raw_secs != 0 ]]; then
	echo "== raw records into ClickHouse and SQLite, ${raw_secs}s per rate" >&2
	python3 "$BENCH/lib/rawevents_ch.py" "$TOP/vnt" "$OUT/vnt-evgen" "$CH_URL" "$CH_PORT" "$raw_rates" "$raw_secs" >"$raw_json" ||
		echo '{"error": "rawevents_ch.py failed"}' >"$raw_json"
else
	echo '{"error": "not run: --raw-secs 0"}' >"$raw_json"
fi

# 2. vnt report over ~10 M records.
echo "== vnt report over $packets packets ($((packets * 4)) records, 1% lost) in both engines" >&2
store_sqlite=$("$OUT/storegen" "$OUT/run.db" "$packets") || exit 1
store_ch=$("$OUT/storegen" "$CH_URL" "$packets") || exit 1
echo "   SQLite: $store_sqlite; ClickHouse: $store_ch" >&2
rep() { # NAME DB
	python3 "$BENCH/lib/measure.py" "$OUT/$1.json" "$OUT/$1.time" "$TOP/vnt" report --format json "$2" 2>"$OUT/$1.err" ||
		{ echo "   $1: vnt report failed: $(head -c 300 "$OUT/$1.err")" >&2; return 1; }
	echo "   $1: $(cat "$OUT/$1.time") (wall s, max RSS KB, user s, sys s of the report process)" >&2
}
rep sqlite "$OUT/run.db"
rep clickhouse "$CH_URL"
ch_rss=$(ps -o rss= -p "$CH_PID" 2>/dev/null | tr -d ' ')

python3 - "$OUT" "$raw_json" "$store_sqlite" "$store_ch" "${ch_rss:-0}" <<'PY'
import json, sys
out, raw = sys.argv[1], json.load(open(sys.argv[2]))
def t(name):
    w, m = open(f"{out}/{name}.time").read().split()[:2]
    return float(w), int(m)
res = {"raw": raw, "store_sqlite": sys.argv[3], "store_clickhouse": sys.argv[4], "server_rss_kb": int(sys.argv[5])}
print("\nClickHouse store (bench/clickhouse.sh)")
if raw.get("error"):
    print("  raw records: n/a (%s)" % raw["error"])
else:
    print("  raw records, ring buffer -> vnt-agent --stdio -> vnt dispatch -> store, %gs per rate:" % raw["secs"])
    print("  %9s  %12s %9s %9s %12s %7s  |  %9s %9s %12s" % ("offered", "generated/s", "CH stored", "CH lost",
                                                               "CH deliv/s", "CH RSS", "SQL stor", "SQL lost",
                                                               "SQL deliv/s"))
    for c, s in zip(raw["clickhouse"], raw["sqlite"]):
        print("  %9s  %11.0fk %9d %9d %11.0fk %5.0fMB  |  %9d %9d %11.0fk" % (
            c["offered_rate"] or "max", c["offered_per_s"] / 1e3, c["stored"], c["lost"], c["delivered_per_s"] / 1e3,
            c.get("dispatch_rss_kb", 0) / 1024, s["stored"], s["lost"], s["delivered_per_s"] / 1e3))
try:
    (ws, ms), (wc, mc) = t("sqlite"), t("clickhouse")
    a, b = json.load(open(f"{out}/sqlite.json")), json.load(open(f"{out}/clickhouse.json"))
    same = all(x[k] == y[k] for x, y in zip(a["segments"], b["segments"]) for k in ("count", "p50_ns", "p99_ns", "p999_ns", "lost"))
    print("  vnt report over %d records: SQLite %.1f s (%d MB), ClickHouse %.1f s (report process %d MB; server %d MB"
          " after); ratio ClickHouse/SQLite %.2f; segments equal: %s" % (
              a["events"], ws, ms // 1024, wc, mc // 1024, int(sys.argv[5]) // 1024, wc / ws, same))
    res.update({"report_sqlite_s": ws, "report_sqlite_rss_kb": ms, "report_clickhouse_s": wc,
                "report_clickhouse_rss_kb": mc, "records": a["events"], "segments_equal": same})
except (OSError, ValueError, KeyError) as e:
    print("  vnt report: n/a (%s)" % e)
json.dump(res, open(f"{out}/../clickhouse.json", "w"), indent=1)
PY
