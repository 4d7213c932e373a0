#!/bin/bash
# The compile cache (VNT_CACHE_DIR, fresh and empty for this test).
# Whether clang runs is established independently of what vnt prints: every
# command runs under `strace -f -e trace=execve` and the test looks for an
# exec of clang.  Expected:
#   1st `vnt compile -v`      clang runs, the object lands in the cache
#   2nd `vnt compile -v`      no clang; -v says the object came from the cache
#   `vnt run -v` (same)       no clang; -v says so; the run works
#   changed script            clang runs again, a second object is cached
#   --no-cache                clang runs although the object is cached
#   the precompiled vnt_kernel.h  `make` builds it; clang gets it; a bad
#                             one costs a second clang run, not the compile
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

if ! command -v strace >/dev/null; then
	skip "cache" "strace is not installed (apt-get install strace)"
	exit 0
fi

cache=$VNT_CACHE_DIR
n_obj() { find "$cache" -type f -name '*.o' | wc -l; }
if [[ -z $(ls -A "$cache") ]]; then
	ok "cache: VNT_CACHE_DIR starts empty"
else
	notok "cache: VNT_CACHE_DIR starts empty" "$(ls -A "$cache" | head)"
fi

# No device needed: "*" is every device.
cat >"$T/a.vnt" <<'EOF'
import "net"
trace a {
    where udp and dst port 11111
    hop tx = net.dev_xmit("*")
    count()
}
EOF
sed 's/11111/22222/' "$T/a.vnt" >"$T/b.vnt"

# traced NAME CMD...: run CMD under strace; sets RC, CLANG (number of clang
# execs), ERR (stderr of CMD).
traced() {
	local name=$1
	shift
	strace -f -qq -e trace=execve -o "$T/$name.strace" "$@" >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
	CLANG=$(grep -cE 'execve\("[^"]*/clang[^"/]*"' "$T/$name.strace")
	ERR=$(tr '\n' ' ' <"$T/$name.err")
	echo "# $name: exit $RC, clang executed $CLANG time(s); stderr: $ERR"
}

traced first "$VNT" compile -v "$T/a.vnt" -o "$T/a1.o"
check_eq "cache: first compile exits 0" "$RC" 0
check_eq "cache: first compile runs clang" "$CLANG" 1
if grep -q 'clang' "$T/first.err" && ! grep -qi 'from cache' "$T/first.err"; then
	ok "cache: first compile -v shows clang, not the cache"
else
	notok "cache: first compile -v shows clang, not the cache" "stderr: $ERR"
fi
check_eq "cache: one object in the cache" "$(n_obj)" 1
data=${VNT_DATADIR:-$VNT_TOP}
pch=$data/bpf-templates/vnt_kernel.pch
if [[ -f $pch ]] && grep -qF -- "-include-pch $pch" "$T/first.err" && ! grep -q refused "$T/first.err"; then
	ok "cache: clang starts from the precompiled kernel header make built"
else
	notok "cache: clang starts from the precompiled kernel header make built" "$pch: $(ls -l "$pch" 2>&1); stderr: $ERR"
fi

traced second "$VNT" compile -v "$T/a.vnt" -o "$T/a2.o"
check_eq "cache: second compile exits 0" "$RC" 0
check_eq "cache: second compile of the same script does not run clang" "$CLANG" 0
if grep -qi 'from cache' "$T/second.err"; then
	ok "cache: second compile -v says the object came from the cache"
else
	notok "cache: second compile -v says the object came from the cache" "stderr: $ERR"
fi
if cmp -s "$T/a1.o" "$T/a2.o"; then
	ok "cache: the cached object is the one compiled first"
else
	notok "cache: the cached object is the one compiled first" "$T/a1.o and $T/a2.o differ"
fi

traced run "$VNT" run -v "$T/a.vnt" --duration 1 --format json
check_eq "cache: vnt run -v of the same script exits 0" "$RC" 0
check_eq "cache: vnt run of the same script does not run clang" "$CLANG" 0
if grep -qi 'from cache\|cached object' "$T/run.err"; then
	ok "cache: vnt run -v says the object came from the cache"
else
	notok "cache: vnt run -v says the object came from the cache" "stderr: $ERR"
fi
if [[ -n $(final_doc run) ]]; then ok "cache: the run from the cached object reports"; else notok "cache: the run from the cached object reports" "no final document: $(head -c 300 "$T/run.out")"; fi

traced changed "$VNT" compile -v "$T/b.vnt" -o "$T/b.o"
check_eq "cache: a changed script compiles (exit 0)" "$RC" 0
check_eq "cache: a changed script runs clang again" "$CLANG" 1
check_eq "cache: two objects in the cache" "$(n_obj)" 2
if cmp -s "$T/a1.o" "$T/b.o"; then
	notok "cache: the changed script's object differs" "same object for dst port 11111 and 22222"
else
	ok "cache: the changed script's object differs"
fi

traced changed_run "$VNT" run -v "$T/b.vnt" --duration 1 --format json
check_eq "cache: vnt run of the changed script uses its cached object (no clang)" "$CLANG" 0

traced nocache "$VNT" compile -v --no-cache "$T/a.vnt" -o "$T/a3.o"
check_eq "cache: --no-cache exits 0" "$RC" 0
check_eq "cache: --no-cache runs clang although the object is cached" "$CLANG" 1

# A precompiled header clang refuses (here: not one at all) must not fail
# the compile: vnt compiles again without it.
mkdir -p "$T/data" && cp -rp "$data/bpf-templates" "$data/stdlib" "$T/data/" &&
	echo "not a PCH" >"$T/data/bpf-templates/vnt_kernel.pch"
VNT_DATADIR=$T/data traced badpch "$VNT" compile -v --no-cache "$T/a.vnt" -o "$T/a4.o"
check_eq "cache: a bad precompiled header: the compile still exits 0" "$RC" 0
check_eq "cache: a bad precompiled header: clang runs again without it" "$CLANG" 2
if grep -q 'compiling again without it' "$T/badpch.err" && [[ -s $T/a4.o ]]; then
	ok "cache: a bad precompiled header: -v says so and the object is written"
else
	notok "cache: a bad precompiled header: -v says so and the object is written" "stderr: $ERR"
fi
exit 0
