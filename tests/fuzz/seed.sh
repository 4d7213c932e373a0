#!/usr/bin/env bash
# tests/fuzz/seed.sh: (re)build the seed corpora under tests/fuzz/corpus/
# from the project's scripts and filters. The result is committed; run this
# again when examples/, stdlib/, tests/diag/ or tests/match/filters* change.
#
#   corpus/parse/    examples, stdlib, tests/diag/cases, tests/diag/valid
#   corpus/codegen/  the same (the valid ones reach the code generator)
#   corpus/filter/   one file per filter of tests/match/filters*, plus the
#                    filter definitions and where clauses of the scripts
#   corpus/package/  packages `./vnt compile -o X.vntpkg` makes of examples/
#                    and tests/diag/valid/, and variants (mkseeds.c)
#   corpus/proto/    frames of every message type and conversations
#                    (mkseeds.c, with the encoders of runtime/proto/proto.c)
# The last two need ./vnt built and a C compiler ($CC, default cc).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top"
c=$here/corpus
rm -rf "$c/parse" "$c/codegen" "$c/filter" "$c/package" "$c/proto"
mkdir -p "$c/parse" "$c/codegen" "$c/filter" "$c/package" "$c/proto"
scripts=(examples/*.vnt stdlib/*.vnt tests/diag/cases/*.vnt tests/diag/valid/*.vnt)
for f in "${scripts[@]}"; do
	[[ -f $f ]] || continue
	n=$(echo "${f%.vnt}" | tr / -)
	cp "$f" "$c/parse/$n"
	cp "$f" "$c/codegen/$n"
done
i=0
emit() {   # one filter per file, trimmed
	local t=$1
	t=${t#"${t%%[![:space:]]*}"}
	t=${t%"${t##*[![:space:]]}"}
	[[ -n $t ]] || return 0
	i=$((i + 1))
	printf '%s' "$t" > "$c/filter/$(printf '%s-%03d' "$2" "$i")"
}
for f in tests/match/filters tests/match/filters-unoptimized; do
	[[ -f $f ]] || continue
	while IFS= read -r line; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		emit "$line" "$(basename "$f")"
	done < "$f"
done
# `filter NAME = EXPR` and `where EXPR` of the scripts (to the end of the line)
for f in "${scripts[@]}"; do
	[[ -f $f ]] || continue
	sed -n -e 's/#.*//' -e 's/^[[:space:]]*filter[[:space:]]\+[A-Za-z_0-9]*[[:space:]]*=\(.*\)/\1/p' \
		-e 's/.*[[:space:]]where[[:space:]]\+\(.*\)/\1/p' -e 's/^[[:space:]]*where[[:space:]]\+\(.*\)/\1/p' "$f" |
	while IFS= read -r line; do emit "$line" script; done
done
# sub-shells above keep their own $i: name the script ones by content
cd "$c/filter"
for f in script-*; do
	[[ -f $f ]] || continue
	mv "$f" "script-$(sha1sum < "$f" | cut -c1-12)"
done

# packages and frames: mkseeds.c, built from the sources it tests and the
# plan and language libraries of the build (so it follows the tree's layout)
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -I"$top" -I"$top/lang" -I"$top/lib" -I/usr/include/json-c \
	-o "$tmp/mkseeds" "$here/mkseeds.c" runtime/loader/package.c runtime/proto/proto.c \
	./libvntplan.a ./libvntlang.a -lbpf -lelf -lz -lcrypto -ljson-c
pkgs=()
for f in examples/*.vnt examples/*/*.vnt tests/diag/valid/*.vnt; do
	[[ -f $f ]] || continue
	n=$(echo "${f%.vnt}" | tr / -)
	./vnt compile -o "$tmp/$n.vntpkg" "$f" >/dev/null
	pkgs+=("$tmp/$n.vntpkg")
done
"$tmp/mkseeds" package "$c/package" "${pkgs[@]}"
"$tmp/mkseeds" proto "$c/proto"
echo "parse: $(ls "$c/parse" | wc -l), codegen: $(ls "$c/codegen" | wc -l), filter: $(ls "$c/filter" | wc -l)," \
	"package: $(ls "$c/package" | wc -l), proto: $(ls "$c/proto" | wc -l) seeds"
