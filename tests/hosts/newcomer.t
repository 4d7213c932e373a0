#!/bin/bash
# The README's walk-through ("Across hosts: Walk-through", between the
# `<!-- newcomer.t: begin -->` and `<!-- newcomer.t: end -->` markers) run
# as a new user would: its commands, taken from README.md itself (every
# line indented by 7 or more spaces, i.e. the code blocks of the numbered
# steps, with those 7 spaces removed), in order, in one bash with -e, in an
# empty directory with the tree's vnt and vnt-agent on PATH. If the README
# changes, this runs what it says now.
#
# The walk-through makes namespaces, a bridge and addresses with fixed
# names (try-h1, 10.123.0.0/24): it runs in network, mount and PID
# namespaces of its own (a private /run/netns), so it cannot meet another
# test's or the machine's, and whatever it leaves is gone with them.
#
# Ground truth: ping's own count of echo requests sent. The dispatch must
# exit 0 with every host's events equal to it, and the report must join
# exactly that many packets across the two hosts, none lost.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

readme=$VNT_TOP/README.md
W=$T/walk
mkdir -p "$W"
nb=$(grep -c '^<!-- newcomer.t: begin -->$' "$readme")
ne=$(grep -c '^<!-- newcomer.t: end -->$' "$readme")
if [[ $nb != 1 || $ne != 1 ]]; then
	notok "newcomer: README.md has the walk-through's markers once each" "begin $nb, end $ne"
	exit 1
fi
sed -n '/^<!-- newcomer.t: begin -->$/,/^<!-- newcomer.t: end -->$/p' "$readme" |
	sed -n 's/^       //p' >"$W/walk.sh"
echo "# the walk-through's commands, from README.md:"
sed 's/^/#   /' "$W/walk.sh"
missing=()
for want in "vnt certs init" "vnt certs issue" "vnt-agent" "vnt compile" "vnt dispatch" "vnt report" "ping "; do
	grep -q -- "$want" "$W/walk.sh" || missing+=("$want")
done
if ((${#missing[@]})); then
	notok "newcomer: the walk-through has every step" "no '${missing[*]}' in the extracted commands"
	exit 1
fi
ok "newcomer: $(wc -l <"$W/walk.sh") command lines taken from README.md"
for t in ip ping unshare; do
	command -v "$t" >/dev/null || { skip "newcomer: walk-through" "$t is not installed"; exit 0; }
done

# After the README's last step: what is left (nothing, if step 8 worked).
cat >>"$W/walk.sh" <<'EOF'
wait
echo "newcomer-left: netns=$(ip netns list | wc -l) agents=$(pgrep -c vnt-agent || true)"
EOF
(
	cd "$W" &&
		PATH=$VNT_TOP:$PATH timeout 240 unshare --net --mount --pid --fork --mount-proc bash -c '
			mkdir -p /run/netns && mount -t tmpfs newcomer /run/netns || exit 1
			exec bash -e -x walk.sh' >"$W/walk.out" 2>&1
)
rc=$?
echo "# the walk-through's output (exit $rc):"
sed 's/^/#   /' "$W/walk.out"
check_eq "newcomer: every command of the walk-through succeeds (bash -e)" "$rc" 0

sent=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$W/walk.out")
read -r N got <<<"$sent"
if [[ -z ${N:-} || $N == 0 || $N != "${got:-}" ]]; then
	notok "newcomer: ping sent and got its echo requests" "ping says '${sent:-nothing}'"
	exit 1
fi
ok "newcomer: ping sent $N echo requests, $N answered"
check_eq "newcomer: host1 ran tx and sent $N events" \
	"$(grep -o '^host1: 1 hop attached (tx), [0-9]* events, [0-9]* lost' "$W/walk.out")" "host1: 1 hop attached (tx), $N events, 0 lost"
check_eq "newcomer: host2 ran rx and sent $N events" \
	"$(grep -o '^host2: 1 hop attached (rx), [0-9]* events, [0-9]* lost' "$W/walk.out")" "host2: 1 hop attached (rx), $N events, 0 lost"
check_eq "newcomer: the report: 2 hosts, $N packets" "$(grep -o '^2 hosts, 2 hops, [0-9]* events, [0-9]* packets' "$W/walk.out")" \
	"2 hosts, 2 hops, $((2 * N)) events, $N packets"
seg=$(awk '$1 == "tx" && $2 == "->" && $3 == "rx" { print $4, $NF; exit }' "$W/walk.out")
check_eq "newcomer: the report's segment tx -> rx: $N packets joined across the hosts, 0 lost" "$seg" "$N 0"
if [[ -s $W/report.html ]] && grep -q '<svg' "$W/report.html" && grep -q 'tx' "$W/report.html"; then
	ok "newcomer: report.html written ($(wc -c <"$W/report.html") bytes, with a plot)"
else
	notok "newcomer: report.html written" "$(ls -l "$W")"
fi
check_eq "newcomer: step 8 leaves no namespace and no agent" "$(grep -o '^newcomer-left: .*' "$W/walk.out")" \
	"newcomer-left: netns=0 agents=0"
exit 0
