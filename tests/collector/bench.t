#!/bin/bash
# Insert rate of the SQLite store (issue 5 asks for 1 M event rows/s):
# builds tests/collector/bench_insert.c with -O2 and stores 1,000,000
# synthetic events in batches of 4096, with the default synchronous=NORMAL
# and with VNT_STORE_SYNC=off. Prints the rates; never fails on timing
# (only if the bench cannot build or run). BENCH_EVENTS overrides the count.
set -u
top=${VNT_TOP:-$(pwd)}
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
cd "$top" || exit 1
n=${BENCH_EVENTS:-1000000}
bin=$tmp/bench_insert
if ! out=$(${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I. -o "$bin" tests/collector/bench_insert.c \
		runtime/collector/store.c runtime/collector/store_sqlite.c runtime/collector/store_sqlite_schema.c \
		runtime/collector/store_clickhouse.c runtime/collector/store_clickhouse_schema.c runtime/collector/ch_http.c runtime/collector/ch_native.c \
		runtime/collector/store_hops.c runtime/collector/spool.c runtime/proto/clock.c \
		$(pkg-config --cflags --libs sqlite3 json-c libcurl) -lpthread 2>&1); then
	echo "not ok collector bench: build: $(echo "$out" | head -5 | tr '\n' ' ')"
	exit 1
fi
for sync in normal off; do
	rm -f "$tmp/bench.db" "$tmp/bench.db-wal" "$tmp/bench.db-shm"
	if out=$(VNT_STORE_SYNC=$sync "$bin" "$tmp/bench.db" "$n" 4096 2>&1); then
		echo "synchronous=$sync: $out"
		echo "ok collector bench: synchronous=$sync: $(sed -n 's/.*: [0-9.]* s, \([0-9]*\) rows\/s;.*/\1/p' <<<"$out") rows/s"
	else
		echo "not ok collector bench: synchronous=$sync: $out"
	fi
done
rm -f "$tmp/bench.db" "$tmp/bench.db-wal" "$tmp/bench.db-shm"
exit 0
