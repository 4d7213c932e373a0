#!/usr/bin/env bash
# The compiler under valgrind: check, code generation and compilation of
# the example scripts (clang and the object cache included) make no
# memory errors and leak nothing.
set -u
top=${VNT_TOP:-$(pwd)}
vnt=${VNT:-$top/vnt}
cd "$top" || exit 1
command -v valgrind >/dev/null || { echo "skip valgrind: valgrind is not installed"; exit 0; }
export VNT_CACHE_DIR=${VNT_TEST_TMP:-$(mktemp -d)}/vgcache
for f in examples/bridge-path.vnt examples/congested-switch/path.vnt examples/cpu-contention/path.vnt tests/diag/valid/everything.vnt; do
	# `check` resolves the script's devices on this host: the examples' do
	# not exist outside their topologies, so it exits 1 after reporting
	# them, which is the error path under test (9 is valgrind's verdict).
	for cmd in "check" "check --portable" "compile --emit-c" "compile" "compile -o ${VNT_TEST_TMP:-/tmp}/vg.vntpkg"; do
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
			"$vnt" $cmd "$f" >/dev/null 2>"${VNT_TEST_TMP:-/tmp}/vg.err"
		rc=$?
		if [[ $rc == 0 || ($rc == 1 && $cmd == check) ]] && ! grep -q '^==[0-9]*==' "${VNT_TEST_TMP:-/tmp}/vg.err"; then
			echo "ok valgrind: vnt $cmd $f"
		else
			echo "not ok valgrind: vnt $cmd $f: exit $rc: $(head -c 600 "${VNT_TEST_TMP:-/tmp}/vg.err")"
		fi
	done
done
