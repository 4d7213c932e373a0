# shellcheck shell=bash
# Helpers for path tests: run a script in the background until attached,
# and read values out of its final JSON document.
vnt_start() {   # vnt_start SCRIPT OUT [ARGS...]: starts vnt run, waits until attached; sets VNT_PID
	local script=$1 out=$2
	shift 2
	"$VNT" run -f json "$@" "$script" > "$out" 2> "$out.err" &
	VNT_PID=$!
	for _ in $(seq 600); do
		grep -q attached "$out.err" && return 0
		kill -0 $VNT_PID 2>/dev/null || break
		sleep 0.1
	done
	echo "not ok $(basename "$script"): not attached: $(tail -3 "$out.err" | tr '\n' ' ')"
	return 1
}
# seg OUT FROM TO FIELD: a field of a breakdown segment in the final document
seg() {
	python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])][-1]
for s in d.get("breakdown", []):
    if s["from"] == sys.argv[2] and s["to"] == sys.argv[3]:
        print(s[sys.argv[4]]); break
else:
    print(-1)' "$@"
}
# check NAME PYTHON-EXPR [WHY]: ok/not ok on a Python boolean expression
check() {
	if python3 -c "import sys; sys.exit(0 if ($2) else 1)"; then echo "ok $1"; else echo "not ok $1: $2 ${3:-}"; fi
}
