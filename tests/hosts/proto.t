#!/bin/bash
# The wire protocol's codecs (runtime/proto/proto.c) built with AddressSanitizer
# and UndefinedBehaviorSanitizer: every message round-trips, then 200000
# randomly mutated streams (bit flips, random and extreme bytes, truncation;
# fed in random pieces) go through the frame reader and every decoder with
# no fault or leak.  tests/hosts/proto_fuzz.c is also a libFuzzer target
# (clang -fsanitize=fuzzer -DVNT_LIBFUZZER).
set -uo pipefail
top=${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
if ! cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-I"$top" -o "$tmp/proto_fuzz" "$top/tests/hosts/proto_fuzz.c" "$top/runtime/proto/proto.c" 2>"$tmp/cc.err"; then
	echo "not ok proto: build with sanitizers: $(head -c 600 "$tmp/cc.err")"
	exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$tmp/proto_fuzz" roundtrip || echo "not ok proto: roundtrip exited $?"
seed=${VNT_PROTO_SEED:-$RANDOM$RANDOM}
echo "# seed $seed (VNT_PROTO_SEED=$seed to repeat)"
"$tmp/proto_fuzz" mutate 200000 "$seed" 2>"$tmp/fuzz.err" ||
	echo "not ok proto: mutated streams (seed $seed): $(grep -m3 'ERROR\|runtime error\|SUMMARY' "$tmp/fuzz.err" | tr '\n' ' ')"
exit 0
