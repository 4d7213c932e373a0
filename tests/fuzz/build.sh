#!/usr/bin/env bash
# tests/fuzz/build.sh [TARGET...]: build the libFuzzer targets.
#
# The project's own sources (lib/, lang/, compiler/: every .c; of
# runtime/, the package reader and the wire protocol) are
# compiled with clang and the fuzzer's instrumentation plus ASan and UBSan
# (UB aborts) into $FUZZ_OUT/libvntfuzz.a (default tests/fuzz/out), and
# each target tests/fuzz/fuzz_NAME.c is linked with it into
# $FUZZ_OUT/fuzz_NAME. Objects are rebuilt when a file they depend on
# changed. The generated lang/parser.c and lang/lexer.c come from `make`
# in $FUZZ_BUILDDIR (default: the source tree), run here if missing.
# Without arguments every fuzz_*.c is built. Prints the paths built.
#
#   FUZZ_CC       the compiler (default clang-14, else clang)
#   FUZZ_CFLAGS   extra compile flags
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${FUZZ_OUT:-$here/out}
cc=${FUZZ_CC:-$(command -v clang-14 || command -v clang || true)}
[[ -n $cc ]] || { echo "build.sh: clang not found (set FUZZ_CC)" >&2; exit 1; }

bld=${FUZZ_BUILDDIR:-$top}   # where `make` put lang/parser.c, lang/lexer.c
gen=(lang/parser.c lang/parser.h lang/lexer.c lang/lexer.h)
for g in "${gen[@]}"; do
	if [[ ! -f $bld/$g ]]; then
		make -C "$bld" "${gen[@]}" >&2
		break
	fi
done

# Every source of the front end and the compiler, and the runtime's pure
# decoders (no BPF, no I/O); they go into an archive, so a target links
# only what it uses.
srcs=()
for s in "$top"/lib/*.c "$top"/lang/*.c "$top"/compiler/*.c "$top"/compiler/hops/*.c "$top"/compiler/aggs/*.c "$bld/lang/parser.c" "$bld/lang/lexer.c" \
	"$top"/runtime/loader/package.c "$top"/runtime/proto/proto.c; do
	[[ -f $s ]] || continue
	for o in "${srcs[@]}"; do [[ $(realpath "$o") == $(realpath "$s") ]] && continue 2; done
	srcs+=("$s")
done

san=(-fsanitize=address,undefined -fno-sanitize-recover=all)
cflags=(-std=c11 -D_GNU_SOURCE -DHAVE_CONFIG_H -g -O1 -fno-omit-frame-pointer
	-I"$bld" -I"$bld/lang" -I"$top" -I"$top/lang" -I"$top/lib" -I/usr/include/json-c
	-DVNT_PKGDATADIR="\"$top\"" -DVNT_SRCDIR="\"$top\"" -DVNT_FUZZ_TOP="\"$top\""
	"${san[@]}" ${FUZZ_CFLAGS:-})
libs=(-lbpf -lelf -lz -ljson-c -lcrypto)

# Does obj need rebuilding? (missing, or older than a dependency or this script)
stale() {
	local obj=$1 dep=${1%.o}.d f
	[[ -f $obj && -f $dep && $obj -nt "${BASH_SOURCE[0]}" ]] || return 0
	for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
		[[ -e $f && $obj -nt $f ]] || return 0
	done
	return 1
}

compile() {   # compile SRC OBJ EXTRA-FLAGS...
	local src=$1 obj=$2
	shift 2
	if stale "$obj"; then
		"$cc" "${cflags[@]}" "$@" -MMD -MF "${obj%.o}.d" -c "$src" -o "$obj"
	fi
}

mkdir -p "$out/obj"
exec 9> "$out/.lock"
flock 9   # one build at a time in this directory
objs=()
pids=()
for s in "${srcs[@]}"; do
	rel=${s#"$top"/}
	rel=${rel#"$bld"/}
	o=$out/obj/$(echo "${rel%.c}" | tr / _).o
	objs+=("$o")
	# flex's and bison's output is not warning-clean; the project's own
	# -Werror build is gcc's business, not this one's.
	compile "$s" "$o" -fsanitize=fuzzer-no-link -w &
	pids+=($!)
	if (( ${#pids[@]} >= $(nproc) * 2 )); then
		wait "${pids[0]}" || exit 1
		pids=("${pids[@]:1}")
	fi
done
for p in "${pids[@]}"; do wait "$p" || exit 1; done
lib=$out/libvntfuzz.a
if [[ ! -f $lib || $(find "${objs[@]}" -newer "$lib" | head -1) ]]; then
	rm -f "$lib"
	ar rcs "$lib" "${objs[@]}"
fi

if (($#)); then
	targets=("$@")
else
	targets=()
	for f in "$here"/fuzz_*.c; do
		n=$(basename "$f" .c)
		targets+=("${n#fuzz_}")
	done
fi
for t in "${targets[@]}"; do
	t=${t#fuzz_}
	[[ -f $here/fuzz_$t.c ]] || { echo "build.sh: no target $t" >&2; exit 1; }
	compile "$here/fuzz_$t.c" "$out/obj/fuzz_$t.o" -fsanitize=fuzzer -Wall -Wextra -Werror
	bin=$out/fuzz_$t
	if [[ ! -x $bin || $(find "$lib" "$out/obj/fuzz_$t.o" -newer "$bin" | head -1) ]]; then
		"$cc" "${san[@]}" -fsanitize=fuzzer -o "$bin" "$out/obj/fuzz_$t.o" "$lib" "${libs[@]}"
	fi
	echo "$bin"
done
