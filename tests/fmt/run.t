#!/usr/bin/env bash
# vnt fmt (lang/format.c, tools/cmd_fmt.c), without root:
#   round trip  every script of examples/, stdlib/, tests/diag/, tests/golden/
#               and tests/fmt/cases: formatting twice changes nothing more,
#               every comment is kept (same text, same order), and the checked
#               plan is the same: `vnt compile --manifest` and `--emit-c`,
#               `vnt check`'s diagnostics and `vnt lib`'s documentation of
#               the formatted tree equal the original's (source positions aside)
#   golden      tests/fmt/cases/NAME.vnt formats to NAME.want exactly
#   --check     exit 0 and no output on a formatted file, 1 and its name
#               on one that would change, the file untouched either way
#   in place    the file rewritten (its mode kept), untouched when formatted
#   errors      a syntax error: FILE:LINE:COL, caret, hint, exit 1, the file
#               byte for byte as it was; usage errors exit 2
set -u
top=${VNT_TOP:-$(pwd)}
vnt=${VNT:-$top/vnt}
cd "$top" || exit 1
export NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# Two copies of the scripts: a/ as they are, b/ formatted in place by vnt
# fmt (stdlib too: the formatted scripts import the formatted modules).
files=$(ls examples/*.vnt examples/*/*.vnt stdlib/*.vnt tests/diag/*/*.vnt tests/golden/cases/*.vnt \
	tests/fmt/cases/*.vnt 2>/dev/null)
for d in a b; do
	mkdir -p "$tmp/$d"
	for f in $files; do
		mkdir -p "$tmp/$d/$(dirname "$f")"
		cp -p "$f" "$tmp/$d/$f"
	done
	ln -s "$top/bpf-templates" "$tmp/$d/bpf-templates"
done

# what a script means, its source positions aside
norm() {
	sed -E -e "s#$tmp/[ab]/#<top>/#g" -e 's#[A-Za-z0-9_./<>-]*\.vnt:[0-9]+:[0-9]+(-[0-9]+)?#<loc>#g' \
		-e 's/(at|on) line [0-9]+/\1 line N/g' -e '/^ *[0-9]+ \|/d' -e '/^ *\| /d'
}
plan() {   # plan DIR FILE
	(
		cd "$1" || exit 1
		export VNT_DATADIR=$1
		echo "## check"; "$vnt" check --portable "$2" 2>&1; echo "rc=$?"
		if grep -q '^ *trace ' "$2"; then
			echo "## manifest"; "$vnt" compile --manifest "$2" 2>&1; echo "rc=$?"
			echo "## C"; "$vnt" compile --emit-c "$2" 2>&1; echo "rc=$?"
		else
			echo "## lib"; "$vnt" lib -I "$(dirname "$2")" "$(basename "$2" .vnt)" 2>&1; echo "rc=$?"
		fi
	) | norm
}
# the comments of a script, in order: '#' to the end of the line, outside strings
comments() {
	sed -E -e 's/"([^"\\]|\\.)*"//g' -e 's/[ \t\r]+$//' "$1" | grep -o '#.*' || true
}
# what the grammar refuses (vnt fmt refuses it too): syntax errors, and a
# trace's where on a hop's line (its place is its meaning)
syntax_error() { [[ -f ${1%.vnt}.err ]] && grep -qE 'syntax error|would filter every hop' "${1%.vnt}.err"; }

for f in $files; do
	name=fmt:$f
	orig=$tmp/a/$f out=$tmp/b/$f
	if syntax_error "$f"; then
		# checked below with the other refusals
		continue
	fi
	if ! err=$("$vnt" fmt "$out" 2>&1); then
		echo "not ok $name: vnt fmt failed: $err"
		continue
	fi
	again=$("$vnt" fmt --stdout "$out" 2>&1)
	if [[ $again != "$(cat "$out")" ]]; then
		echo "not ok $name: formatting the formatted text changes it again:"
		diff <(cat "$out") <(printf '%s\n' "$again") | head -10 | sed 's/^/#   /'
		continue
	fi
	if ! cmp -s <(comments "$orig") <(comments "$out"); then
		echo "not ok $name: comments differ:"
		diff <(comments "$orig") <(comments "$out") | head -10 | sed 's/^/#   /'
		continue
	fi
	echo "ok $name: idempotent, $(comments "$orig" | wc -l) comments kept"
done
# plans once every file (and module) is formatted; a script vnt fmt left
# as it was, importing only stdlib modules it left as they were, keeps its
# plan without being compiled twice
stdlib_same=1
for f in $files; do
	[[ $f == stdlib/* ]] && ! cmp -s "$tmp/a/$f" "$tmp/b/$f" && stdlib_same=0
done
for f in $files; do
	syntax_error "$f" && continue
	name=fmt-plan:$f
	if ((stdlib_same)) && cmp -s "$tmp/a/$f" "$tmp/b/$f" && ! grep -qE '^ *import +"[^"]*(/|\.vnt")' "$f"; then
		echo "ok $name: already in the canonical layout (as is the stdlib)"
		continue
	fi
	if [[ $(id -u) != 0 ]] && grep -q 'tracepoint("' "$f"; then
		echo "skip $name: a classic tracepoint's record layout is in tracefs, which root reads"
		continue
	fi
	plan "$tmp/a" "$f" >"$tmp/plan.a"
	plan "$tmp/b" "$f" >"$tmp/plan.b"
	if cmp -s "$tmp/plan.a" "$tmp/plan.b"; then
		echo "ok $name: $(grep -m1 -A0 '^rc=' "$tmp/plan.a" | tr -d '\n'), $(wc -l <"$tmp/plan.a") lines the same"
	else
		echo "not ok $name: the plan of the formatted script differs:"
		diff "$tmp/plan.a" "$tmp/plan.b" | head -12 | sed 's/^/#   /'
	fi
done

# golden outputs
for f in tests/fmt/cases/*.vnt; do
	want=${f%.vnt}.want
	[[ -f $want ]] || continue
	name=fmt-golden:$(basename "$f" .vnt)
	if cmp -s "$tmp/b/$f" "$want"; then
		echo "ok $name"
	else
		echo "not ok $name: differs from $want:"
		diff "$want" "$tmp/b/$f" | head -20 | sed 's/^/#   /'
	fi
done

# --check, in place, stdin
m=tests/fmt/cases/messy.vnt
cp "$m" "$tmp/messy.vnt"
chmod 640 "$tmp/messy.vnt"
before=$(sha256sum <"$tmp/messy.vnt")
out=$("$vnt" fmt --check "$tmp/messy.vnt" 2>&1); rc=$?
if [[ $rc == 1 && $out == "$tmp/messy.vnt" && $(sha256sum <"$tmp/messy.vnt") == "$before" ]]; then
	echo "ok fmt-check: a file that would change: exit 1, its name, untouched"
else
	echo "not ok fmt-check: a file that would change: exit $rc, output '$out'"
fi
"$vnt" fmt "$tmp/messy.vnt"; rc=$?
if [[ $rc == 0 ]] && cmp -s "$tmp/messy.vnt" "${m%.vnt}.want" && [[ $(stat -c %a "$tmp/messy.vnt") == 640 ]] &&
	[[ -z $(find "$tmp" -maxdepth 1 -name 'messy.vnt.fmt-*') ]]; then
	echo "ok fmt-in-place: rewritten as the golden file, mode 640 kept, no temporary file left"
else
	echo "not ok fmt-in-place: exit $rc, mode $(stat -c %a "$tmp/messy.vnt")"
fi
touch -d '2020-01-01' "$tmp/messy.vnt"
out=$("$vnt" fmt --check "$tmp/messy.vnt" 2>&1); rc=$?
"$vnt" fmt "$tmp/messy.vnt"
if [[ $rc == 0 && -z $out && $(stat -c %Y "$tmp/messy.vnt") == $(date -d 2020-01-01 +%s) ]]; then
	echo "ok fmt-check-clean: a formatted file: exit 0, no output; vnt fmt leaves it untouched"
else
	echo "not ok fmt-check-clean: exit $rc, output '$out'"
fi
got=$("$vnt" fmt - <"$m"); rc=$?
if [[ $rc == 0 && $got == "$(cat "${m%.vnt}.want")" ]]; then
	echo "ok fmt-stdin: - formats standard input to standard output"
else
	echo "not ok fmt-stdin: exit $rc"
fi
"$vnt" fmt --check --stdout "$m" >/dev/null 2>&1; rc=$?
"$vnt" fmt >/dev/null 2>&1; rc2=$?
if [[ $rc == 2 && $rc2 == 2 ]]; then
	echo "ok fmt-usage: exit 2 on usage errors"
else
	echo "not ok fmt-usage: --check --stdout exit $rc, no file exit $rc2"
fi

# refusals: every syntax-error case of tests/diag, and a broken copy of messy
printf 'trace t {\n    hop a = net.dev_xmit("*")\n    count() by hop\n    for 5sec\n}\n' >"$tmp/broken.vnt"
for f in "$tmp/broken.vnt" $(for f in $files; do syntax_error "$f" && echo "$f"; done); do
	name=fmt-refuses:$(basename "$f")
	cp "$f" "$tmp/r.vnt"
	err=$("$vnt" fmt "$tmp/r.vnt" 2>&1); rc=$?
	if [[ $rc != 1 ]]; then
		echo "not ok $name: exit $rc, want 1"
	elif ! cmp -s "$f" "$tmp/r.vnt"; then
		echo "not ok $name: the file was changed"
	elif ! grep -qE "^$tmp/r.vnt:[0-9]+:[0-9]+: error: " <<<"$err" || ! grep -q '\^' <<<"$err"; then
		echo "not ok $name: no FILE:LINE:COL and caret: $err"
	elif [[ -n $(find "$tmp" -maxdepth 1 -name 'r.vnt.fmt-*') ]]; then
		echo "not ok $name: a temporary file was left"
	else
		echo "ok $name: $(grep -m1 -o 'error: .*' <<<"$err")"
	fi
done
if err=$("$vnt" fmt "$tmp/broken.vnt" 2>&1); [[ $err == *"hint:"* ]]; then
	echo "ok fmt-refuses-hint: the syntax error comes with its hint"
else
	echo "not ok fmt-refuses-hint: $err"
fi
"$vnt" fmt "$tmp/no-such.vnt" 2>"$tmp/err"; rc=$?
if [[ $rc == 1 ]] && grep -q "cannot read $tmp/no-such.vnt" "$tmp/err"; then
	echo "ok fmt-missing: a missing file: exit 1, named"
else
	echo "not ok fmt-missing: exit $rc: $(cat "$tmp/err")"
fi
