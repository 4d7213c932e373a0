#!/usr/bin/env bash
# Control packages: made by `vnt compile -o X.vntpkg`, verified by
# `vnt inspect`, run by `vnt run` without a compiler; a tampered member, a
# truncated file, a newer format or a foreign file is refused clearly.
set -u
top=${VNT_TOP:-$(pwd)}
vnt=${VNT:-$top/vnt}
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
cd "$top" || exit 1
ok() { echo "ok package: $1"; }
nok() { echo "not ok package: $1: $2"; }
pkg=$tmp/bp.vntpkg
if "$vnt" compile -o "$pkg" examples/bridge-path.vnt 2>"$tmp/err"; then ok "compile -o .vntpkg"; else nok "compile -o .vntpkg" "$(cat "$tmp/err")"; exit 0; fi
out=$("$vnt" inspect --source "$pkg" 2>&1)
[[ $out == *"all checksums verified"* && $out == *"requires: tp_btf"* && $out == *"hop vm1_tx"* && $out == *"==> net.vnt <=="* && $out == *"==> bridge-path.vnt <=="* ]] \
	&& ok "inspect shows script, features, hops, sources" || nok "inspect" "$out"
# Each hop with the device it watches: vm1_tx = net.dev_xmit("vnt-vm1/eth0").
[[ $out =~ hop\ vm1_tx\ +tp_btf\ +net_dev_start_xmit\ +on\ vnt-vm1/eth0\ +=\ net.dev_xmit ]] \
	&& ok "inspect names each hop's device" || nok "inspect names each hop's device" "$(grep 'hop vm1_tx' <<<"$out")"
python3 "$top/tests/lib/vntpkg_variants.py" "$pkg" "$tmp"
refused() { # NAME FILE EXPECTED-SUBSTRING
	local out rc
	out=$("$vnt" inspect "$2" 2>&1); rc=$?
	if [[ $rc == 1 && $out == *"$3"* ]]; then ok "inspect refuses $1"; else nok "inspect refuses $1" "rc=$rc: $out"; fi
	if [[ $(id -u) != 0 ]]; then
		echo "skip package: run refuses $1: vnt run needs root"
		return
	fi
	out=$("$vnt" run -d 1 "$2" 2>&1); rc=$?
	if [[ $rc == 1 && $out == *"$3"* ]]; then ok "run refuses $1"; else nok "run refuses $1" "rc=$rc: $out"; fi
}
refused tampered "$tmp/tampered.vntpkg" "checksum of member object.o is wrong"
refused truncated "$tmp/truncated.vntpkg" "truncated or corrupt"
refused newer-format "$tmp/newer.vntpkg" "format 99 is newer than this vnt understands"
refused foreign "$tmp/foreign.vntpkg" "not a vnt package"
# A package runs as is (a real trace, with its hops attached).
if [[ $(id -u) != 0 ]]; then
	echo "skip package: run package: vnt run needs root"
	exit 0
fi
printf 'import "net"\ntrace t {\n    hop a = net.dev_xmit("*")\n    count() by dev\n}\n' > "$tmp/any.vnt"
"$vnt" compile -o "$tmp/any.vntpkg" "$tmp/any.vnt"
out=$("$vnt" run -q -d 1 -f json "$tmp/any.vntpkg" 2>&1); rc=$?
[[ $rc == 0 && $out == *'"type":"final"'* ]] && ok "run package" || nok "run package" "rc=$rc: ${out: -300}"
