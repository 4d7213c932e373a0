#!/bin/bash
# Source me from a tests/collector .t: builds tests/collector/store_tool.c
# against the store into $tmp/store_tool, or prints "not ok" and exits.
# Needs: $tmp (scratch), the repository top as the working directory.
store_tool=$tmp/store_tool
if ! out=$(${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror -I. -o "$store_tool" \
		tests/collector/store_tool.c runtime/collector/store.c runtime/collector/store_sqlite.c runtime/collector/store_sqlite_schema.c \
		runtime/collector/store_clickhouse.c runtime/collector/store_clickhouse_schema.c runtime/collector/ch_http.c runtime/collector/ch_native.c \
		runtime/collector/store_hops.c runtime/collector/spool.c runtime/proto/clock.c \
		$(pkg-config --cflags --libs sqlite3 json-c libcurl) -lpthread 2>&1); then
	echo "not ok ${test_prefix:-collector}: build store_tool: $(echo "$out" | head -5 | tr '\n' ' ')"
	exit 1
fi
