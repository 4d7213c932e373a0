#!/bin/sh
# Flow and protocol names (runtime/output/flowname.c), as the `flow` key of
# vnt run and the flows of vnt report print them: ports for TCP, UDP and
# SCTP only; ICMP's "ports" (the echo id, type << 8 | code) as what they
# are. Run from the repo top. Prints ok/not ok lines.
top=$(pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cat >"$tmp/t.c" <<'C'
#include <stdio.h>
#include "runtime/output/flowname.h"
int main(void)
{
	static const struct { const char *s, *d; unsigned sp, dp, pr; const char *want; } t[] = {
		{ "10.0.0.1", "10.0.0.2", 5000, 53, 17, "10.0.0.1:5000 > 10.0.0.2:53 udp" },
		{ "fe80::1", "fe80::2", 1, 2, 6, "[fe80::1]:1 > [fe80::2]:2 tcp" },
		{ "10.0.0.1", "10.0.0.2", 7, 9, 132, "10.0.0.1:7 > 10.0.0.2:9 sctp" },
		{ "10.123.0.1", "10.123.0.2", 37, 8 << 8, 1, "10.123.0.1 > 10.123.0.2 icmp echo-request id 37" },
		{ "10.123.0.2", "10.123.0.1", 37, 0, 1, "10.123.0.2 > 10.123.0.1 icmp echo-reply id 37" },
		{ "10.0.0.9", "10.0.0.1", 0, 3 << 8 | 3, 1, "10.0.0.9 > 10.0.0.1 icmp unreachable code 3" },
		{ "fe80::1", "ff02::1", 0, 135 << 8, 58, "fe80::1 > ff02::1 icmp6 neighbor-solicit code 0" },
		{ "fe80::1", "fe80::2", 5, 128 << 8, 58, "fe80::1 > fe80::2 icmp6 echo-request id 5" },
		{ "10.0.0.1", "10.0.0.2", 0, 13 << 8, 1, "10.0.0.1 > 10.0.0.2 icmp type 13 code 0" },
		{ "10.0.0.1", "10.0.0.2", 0, 0, 47, "10.0.0.1 > 10.0.0.2 proto 47" },
	};
	int bad = 0;
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char b[160];
		vnt_flow_name(b, sizeof(b), t[i].s, t[i].d, t[i].sp, t[i].dp, t[i].pr);
		int ok = !strcmp(b, t[i].want);
		printf("%s flowname: %s%s%s\n", ok ? "ok" : "not ok", t[i].want, ok ? "" : ": got ", ok ? "" : b);
		bad += !ok;
	}
	return bad != 0;
}
C
sed -i '1i #include <string.h>' "$tmp/t.c"
if ! err=$(${CC:-cc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$top" -o "$tmp/t" "$tmp/t.c" \
	"$top/runtime/output/flowname.c" 2>&1); then
	echo "not ok flowname: build: $(echo "$err" | head -5 | tr '\n' ' ')"
	exit 0
fi
"$tmp/t"
exit 0
