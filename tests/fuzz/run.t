#!/usr/bin/env bash
# tests/fuzz/run.t: the libFuzzer targets (tests/fuzz/fuzz_*.c).
#
# 1. Builds them (tests/fuzz/build.sh; clang with libFuzzer, ASan, UBSan).
# 2. Fuzzes each for FUZZ_SECONDS (default 20) from its seed corpus
#    tests/fuzz/corpus/TARGET/ with the dictionary tests/fuzz/TARGET.dict
#    (default tests/fuzz/vnt.dict) and the libFuzzer flags, one a line, of
#    tests/fuzz/fuzz_TARGET.options if there is one, and
#    prints `ok fuzz:TARGET` or `not ok fuzz:TARGET: ...` with the path of
#    the input that crashed, leaked or timed out (kept under
#    tests/fuzz/out/artifacts/). New inputs go to a scratch corpus
#    ($FUZZ_CORPUS/TARGET, default a temporary directory) so the committed
#    seeds do not change. Bugs already recorded in tests/fuzz/regressions/
#    and not fixed yet are ignored here (tests/fuzz/known.supp) so that
#    only new findings fail this part.
# 3. Replays every file of tests/fuzz/regressions/TARGET/ (inputs that
#    crashed once; see the README there): `ok fuzz-replay:TARGET/FILE`, or
#    `not ok ... still fails` with the sanitizer's summary -- for a bug not
#    fixed yet, that is the line that says so.
#
#   FUZZ_SECONDS  seconds per target (`make fuzz` uses 600)
#   FUZZ_TARGETS  targets to run, space-separated (default: all)
#   FUZZ_CORPUS   directory of the growing corpora (default: temporary)
#   FUZZ_ARGS     extra libFuzzer flags (e.g. -jobs=2 -workers=2)
# Exits 1 if anything failed (for `make fuzz`), else 0.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 1
secs=${FUZZ_SECONDS:-20}
out=${FUZZ_OUT:-$here/out}
arts=$out/artifacts
[[ $secs =~ ^[0-9]+$ ]] || { echo "not ok fuzz: bad FUZZ_SECONDS '$secs'"; exit 1; }

tmp=${VNT_TEST_TMP:-}
if [[ -z $tmp ]]; then
	tmp=$(mktemp -d) || exit 1
	trap 'rm -rf "$tmp"' EXIT
fi
corpus=${FUZZ_CORPUS:-$tmp/corpus}
# The targets' scratch directories (left behind when a target dies) go here.
mkdir -p "$tmp/scratch" && export TMPDIR=$tmp/scratch

targets=()
if [[ -n ${FUZZ_TARGETS:-} ]]; then
	for t in $FUZZ_TARGETS; do targets+=("${t#fuzz_}"); done
else
	for f in "$here"/fuzz_*.c; do
		t=$(basename "$f" .c)
		targets+=("${t#fuzz_}")
	done
fi

# ---- build ----
cc=${FUZZ_CC:-$(command -v clang-14 || command -v clang || true)}
if [[ -z $cc ]] || ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
	"$cc" -x c -fsanitize=fuzzer,address -o "$tmp/probe" - >/dev/null 2>&1; then
	for t in "${targets[@]}"; do echo "skip fuzz:$t: no clang with libFuzzer (libclang-rt-14-dev)"; done
	exit 0
fi
if ! "$here/build.sh" "${targets[@]}" > "$tmp/build.log" 2>&1; then
	tail -n 30 "$tmp/build.log" | sed 's/^/#   /'
	echo "not ok fuzz-build: tests/fuzz/build.sh failed"
	exit 1
fi
echo "ok fuzz-build"

# The sanitizers' settings: UBSan reports abort (build flags), ASan and
# LSan as libFuzzer sets them; known.supp only for the fuzzing part.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
san_summary() { # LOG: one line saying what went wrong
	local l
	if grep -q 'ERROR: LeakSanitizer' "$1"; then
		l=$(sed -n 's/^SUMMARY: AddressSanitizer: \(.*leaked.*\)/LeakSanitizer: \1/p' "$1" | head -n 1)
	else
		l=$(grep -m 1 -E '==[0-9]+==ERROR|runtime error:|ALARM: working on the last Unit|ERROR: libFuzzer' "$1" |
			sed -e 's/^==[0-9]*==//' -e 's/^ERROR: //' -e 's/^[^ ]*:[0-9]*:[0-9]*: runtime error/UBSan: runtime error/')
	fi
	echo "${l:-exit status $2}"
}

# ---- bounded fuzzing ----
failed=0
mkdir -p "$arts"
for t in "${targets[@]}"; do
	bin=$out/fuzz_$t
	seeds=$here/corpus/$t
	mkdir -p "$corpus/$t"
	log=$arts/fuzz_$t.log
	dict=$here/$t.dict
	[[ -f $dict ]] || dict=$here/vnt.dict
	args=(-max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -max_len=8192
		-dict="$dict" -artifact_prefix="$arts/${t}-" -print_final_stats=1)
	# The target's own flags, after these (libFuzzer: the later wins).
	if [[ -f $here/fuzz_$t.options ]]; then
		while read -r o; do
			[[ $o == -* ]] && args+=("$o")
		done < "$here/fuzz_$t.options"
	fi
	[[ -d $seeds ]] || seeds=
	LSAN_OPTIONS=suppressions=$here/known.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS} \
		"$bin" "${args[@]}" ${FUZZ_ARGS:-} "$corpus/$t" ${seeds:+"$seeds"} > "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	echo "# fuzz_$t: ${runs:-?} inputs (budget ${secs}s), ${cov:-cov: ?} (log: ${log#"$top"/})"
	if ((rc == 0)) && grep -q '^Done [0-9]* runs' "$log"; then
		echo "ok fuzz:$t"
		continue
	fi
	input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' "$log" | tail -n 60 | sed 's/^/#   /'
	why=$(san_summary "$log" "$rc")
	failed=1
	echo "not ok fuzz:$t: $why; input: ${input:-none written} (replay: ${bin#"$top"/} INPUT; minimize: add -minimize_crash=1 -runs=100000)"
done

# ---- regressions ----
for t in "${targets[@]}"; do
	dir=$here/regressions/$t
	[[ -d $dir ]] || continue
	bin=$out/fuzz_$t
	for f in "$dir"/*; do
		[[ -f $f && $(basename "$f") != README* ]] || continue
		name=fuzz-replay:$t/$(basename "$f")
		log=$tmp/replay.log
		"$bin" -timeout=10 -rss_limit_mb=2048 "$f" > "$log" 2>&1
		rc=$?
		if ((rc == 0)); then
			echo "ok $name"
		else
			grep -E '^\s+#[0-9]+ .* in ' "$log" | grep -v -E 'in (fuzzer::|__interceptor|main |__libc|_start)' |
				head -n 12 | sed 's/^/#   /'
			failed=1
			echo "not ok $name: known bug, not fixed yet: $(san_summary "$log" "$rc") (tests/fuzz/regressions/README)"
		fi
	done
done
exit $failed
