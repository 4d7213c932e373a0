#!/usr/bin/env bash
# Diagnostics as data: every tests/diag/cases/X.vnt must make `vnt check`
# fail with exactly the text of X.err (the repo top shown as <top>); every
# script under tests/diag/valid, stdlib and examples must check cleanly,
# and the valid scripts must also compile and pass the kernel's verifier.
set -u
top=${VNT_TOP:-$(pwd)}
vnt=${VNT:-$top/vnt}
cd "$top" || exit 1
export NO_COLOR=1
for f in tests/diag/cases/*.vnt; do
	name=diag:$(basename "$f" .vnt)
	got=$("$vnt" check "$f" 2>&1 >/dev/null); rc=$?
	got=${got//$top/<top>}
	want=$(cat "${f%.vnt}.err")
	if [[ $rc != 1 ]]; then
		echo "not ok $name: exit status $rc, want 1"
	elif [[ "$got" != "$want" ]]; then
		echo "not ok $name: diagnostics differ"
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/#   /'
	else
		echo "ok $name"
	fi
done
# The examples name the devices of their own topologies (examples/*.sh):
# checked without this host's devices (--portable).
for f in tests/diag/valid/*.vnt stdlib/*.vnt examples/*.vnt; do
	portable=()
	[[ $f == examples/* ]] && portable=(--portable)
	if [[ $(id -u) != 0 ]] && grep -q 'tracepoint("' "$f"; then
		echo "skip check-valid:$f: a classic tracepoint's record layout is in tracefs, which root reads"
		continue
	fi
	if out=$("$vnt" check "${portable[@]}" "$f" 2>&1); then
		echo "ok check-valid:$f"
	else
		echo "not ok check-valid:$f: $out"
	fi
done
# The valid scripts load: clang and the verifier accept every construct
# (as root; `make check` runs the rest without).
for f in tests/diag/valid/*.vnt; do
	if [[ $(id -u) != 0 ]]; then
		echo "skip verifier-accepts:$f: loading BPF programs needs root"
		continue
	fi
	if out=$(timeout 120 "$vnt" run -q -d 0.5 "$f" 2>&1 >/dev/null); then
		echo "ok verifier-accepts:$f"
	else
		echo "not ok verifier-accepts:$f: ${out: -600}"
	fi
done
# Usage errors exit 2; unreadable files exit 1 with the reason.
"$vnt" check >/dev/null 2>&1; rc=$?
[[ $rc == 2 ]] && echo "ok usage-exit-2" || echo "not ok usage-exit-2: got $rc"
out=$("$vnt" check /nonexistent.vnt 2>&1); rc=$?
[[ $rc == 1 && $out == *"No such file"* ]] && echo "ok missing-file" || echo "not ok missing-file: $rc $out"
# Module search path: -I, then VNT_PATH, then the stdlib; aliases.
printf 'import "team"\nimport "net" as n\ntrace t {\n  where team.app\n  hop a = team.egress("*")\n  hop b = n.netif_receive("*")\n  count()\n}\n' > "${VNT_TEST_TMP:-/tmp}/usesteam.vnt"
if VNT_PATH=/nonexistent:"$top/tests/diag/lib" "$vnt" check "${VNT_TEST_TMP:-/tmp}/usesteam.vnt" 2>/dev/null; then echo "ok import-vnt-path"; else echo "not ok import-vnt-path"; fi
if "$vnt" check -I "$top/tests/diag/lib" "${VNT_TEST_TMP:-/tmp}/usesteam.vnt" 2>/dev/null; then echo "ok import-dash-I"; else echo "not ok import-dash-I"; fi
if ! out=$(VNT_PATH= "$vnt" check "${VNT_TEST_TMP:-/tmp}/usesteam.vnt" 2>&1) && [[ $out == *'cannot find module "team"'* ]]; then
	echo "ok import-not-on-path"
else
	echo "not ok import-not-on-path: $out"
fi
out=$("$vnt" lib -I "$top/tests/diag/lib" team 2>&1)
[[ $out == *"team.egress(d)"* && $out == *"Where our traffic leaves a host."* && $out == *"team.app"* ]] && echo "ok lib-shows-module-docs" || echo "not ok lib-shows-module-docs: $out"
out=$("$vnt" lib 2>&1)
[[ $out == *"net "* && $out == *"sched "* && $out == *"vxlan "* ]] && echo "ok lib-lists-stdlib" || echo "not ok lib-lists-stdlib: $out"
# vnt lib lists each module with the first sentence of its documentation,
# whole (wrapped under the summary column), never cut at a line's end.
libdoc=${VNT_TEST_TMP:-/tmp}/libdoc
mkdir -p "$libdoc"
printf '%s\n' '# wrapdoc: a module whose first sentence runs over two comment lines and' \
	'# past the width of one listing line, e.g. this one, before it ends. The' \
	'# second sentence is not shown.' '' 'filter x = udp' >"$libdoc/wrapdoc.vnt"
printf '%s\n' '# nostop: a first paragraph without a full stop' '# is shown whole' '' 'filter y = tcp' >"$libdoc/nostop.vnt"
want="$libdoc:
  nostop       nostop: a first paragraph without a full stop is shown whole
  wrapdoc      wrapdoc: a module whose first sentence runs over two comment
               lines and past the width of one listing line, e.g. this one,
               before it ends."
out=$(VNT_PATH= "$vnt" lib -I "$libdoc" 2>&1 | head -5)
[[ $out == "$want" ]] && echo "ok lib-summary-first-sentence" ||
	{ echo "not ok lib-summary-first-sentence: got:"; printf '%s\n' "$out" | sed 's/^/#   /'; }
# Every stdlib module's documentation starts with a sentence ending in a
# full stop: each listed summary (continuation lines joined) ends with one
# and every line fits in 79 columns.
bad=$(VNT_PATH= "$vnt" lib 2>&1 | awk '
	/^  [^ ]/ { if (s != "" && s !~ /\.$/) print s; s = $0; if (length($0) > 79) print "too wide: " $0; next }
	/^      / { sub(/^ +/, " "); s = s $0; if (length($0) > 79) print "too wide: " $0; next }
	END { if (s != "" && s !~ /\.$/) print s }')
n=$(VNT_PATH= "$vnt" lib 2>&1 | grep -c '^  [^ ]')
[[ -z $bad && $n -ge 10 ]] && { echo "# vnt lib: $n stdlib modules listed"; echo "ok lib-stdlib-summaries-whole"; } ||
	echo "not ok lib-stdlib-summaries-whole: $n modules, cut or too wide: $bad"
