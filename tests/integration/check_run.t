#!/bin/bash
# `vnt check` resolves what `vnt run` resolves (issue 17, item 5): for
# each script that names something this host does not have (a network
# namespace, a device, a kernel feature), `vnt check` and `vnt run`
# both exit 1 with the same error at the same FILE:LINE:COL; `vnt run`
# of the compiled package (no source at hand) names the same place;
# `vnt check --portable` accepts the script. Nothing is attached.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
export NO_COLOR=1

topo_veth_pair || { notok "check_run: topology" "topo_veth_pair failed"; exit 1; }

# case NAME LINE:COL MESSAGE-PREFIX SCRIPT-BODY
case_() {
	local name=$1 at=$2 want=$3 body=$4 f="$T/$1.vnt"
	printf 'import "net"\ntrace t {\n    where udp\n%s\n    count() by hop\n}\n' "$body" >"$f"
	local where="$f:$at: error: $want"
	"$VNT" check "$f" >"$T/check.out" 2>&1
	local crc=$?
	"$VNT" run -d 1 "$f" >"$T/run.out" 2>&1
	local rrc=$?
	"$VNT" compile -o "$T/$name.vntpkg" "$f" >"$T/compile.out" 2>&1 || { notok "check_run: $name: compile" "$(cat "$T/compile.out")"; return; }
	"$VNT" run -d 1 "$T/$name.vntpkg" >"$T/pkg.out" 2>&1
	local prc=$?
	"$VNT" check --portable "$f" >"$T/portable.out" 2>&1
	local porc=$?
	local first_check first_run
	first_check=$(grep -m1 ': error: ' "$T/check.out")
	first_run=$(grep -m1 ': error: ' "$T/run.out")
	if [[ $crc == 1 && $first_check == "$where"* ]]; then
		ok "check_run: $name: vnt check exits 1 at $at"
	else
		notok "check_run: $name: vnt check exits 1 at $at" "rc $crc: $(head -c 400 "$T/check.out")"
	fi
	if [[ $rrc == 1 && $first_run == "$first_check" ]] && ! grep -q 'attached' "$T/run.out"; then
		ok "check_run: $name: vnt run refuses it with the same error"
	else
		notok "check_run: $name: vnt run refuses it with the same error" "rc $rrc: $(head -c 400 "$T/run.out")"
	fi
	if [[ $prc == 1 ]] && grep -q "^vnt: error: $f:$at: $want" "$T/pkg.out"; then
		ok "check_run: $name: vnt run of the package names the place"
	else
		notok "check_run: $name: vnt run of the package names the place" "rc $prc: $(head -c 400 "$T/pkg.out")"
	fi
	check_eq "check_run: $name: vnt check --portable accepts it" "$porc" 0
}

case_ "namespace" 4:26 "no network namespace 'nc-zz' on this host" \
	'    hop a = net.dev_xmit("nc-zz/nc-va")'
case_ "device" 4:31 "no device 'nodev9' in network namespace '$VP_NS_B'" \
	"    hop a = net.netif_receive(\"$VP_NS_B/nodev9\")"
case_ "filter device" 4:11 "no network namespace 'nc-zz' on this host" \
	'    where dev "nc-zz/x"
    hop a = net.dev_xmit("*")'
case_ "tc device" 4:9 "hop 'a': no device 'nodev0' in network namespace '$VP_NS_A'" \
	"    hop a = tc_ingress(\"$VP_NS_A/nodev0\")"
if [[ -e /sys/bus/event_source/devices/kprobe/type ]]; then
	skip "check_run: kprobe" "this kernel has kprobes: nothing to refuse"
else
	case_ "kprobe" 4:9 "hop 'a' is a kprobe on dev_hard_start_xmit, but this kernel has no kprobes" \
		'    hop a = kprobe("dev_hard_start_xmit", 0)'
fi
exit 0
