#!/bin/bash
# percentiles() and top() against traffic whose answer is known (issue 13,
# item 3). Veth pair a -> b; from a, UDP datagrams with payloads of 1..1000
# bytes to port 7001 (each size once, shuffled), 300 of 100 bytes to 7002,
# and 8k datagrams of 64 bytes to port 7100+9-k for k = 8..1 (7101 gets 64,
# 7108 gets 8). At a's transmit `len` is the payload + 42:
#   percentiles(len) by dport (the shared hash map): per port, p50, p90, p99
#     and p99.9 within 3.2% of the exact nearest-rank values (the log-linear
#     histogram's bound), the count, the mean and the maximum exact
#   percentiles(len) unkeyed (a per-CPU array): the same over all datagrams
#   top(3) by dport: 7001, 7002, 7101 with exactly 1000, 300, 64; 10 keys seen
#   top(2, len) by dport: 7001 and 7002 with their exact byte sums
# The text output says how many keys top() left out.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

topo_veth_pair || { notok "pct_top: topology" "topo_veth_pair failed"; exit 1; }
cat >"$T/pt.vnt" <<EOF2
import "net"
trace t {
    where udp and dst host $VP_IP_B
    hop tx = net.dev_xmit("$VP_NS_A/$VP_DEV_A")
    percentiles(len) by dport
    percentiles(len)
    top(3) by dport
    top(2, len) by dport
}
EOF2
vnt_start pt "$T/pt.vnt" --duration 60 --format json || { notok "pct_top: vnt run attaches" "see above"; exit 1; }
text_pid=$VNT_RUN_PID
vnt_start ptt "$T/pt.vnt" --duration 60 || { notok "pct_top: vnt run (text) attaches" "see above"; exit 1; }
topo_exec "$VP_NS_A" python3 -c '
import random, socket, sys
ip = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sizes = list(range(1, 1001)); random.shuffle(sizes)
for n in sizes: s.sendto(b"p" * n, (ip, 7001))
for _ in range(300): s.sendto(b"q" * 100, (ip, 7002))
for k in range(8, 0, -1):
    for _ in range(8 * k): s.sendto(b"t" * 64, (ip, 7100 + 9 - k))
' "$VP_IP_B"
sleep 0.5
kill -INT "$text_pid" "$VNT_RUN_PID"
vnt_finish pt
vnt_finish ptt
final_doc pt t >"$T/final"
py '
import json, math, sys
d = json.load(open(sys.argv[1]))
A = {a["title"]: a for a in d["aggregations"]}
res = []
def check(name, ok, why=""):
    print(("ok " if ok else "not ok ") + "pct_top: " + name + ("" if ok else ": " + why))
def rank(v, q):   # nearest rank
    v = sorted(v); return v[max(0, math.ceil(q * len(v)) - 1)]
p7001 = [n + 42 for n in range(1, 1001)]
p7002 = [142] * 300
others = [64 + 42] * sum(8 * k for k in range(1, 9))
keyed = {r["key"]["dport"]: r for r in A["percentiles(len) by dport"]["rows"]}
def agree(row, vals, label):
    qs = {"p50": .5, "p90": .9, "p99": .99, "p99_9": .999}
    bad = []
    for k, q in qs.items():
        want = rank(vals, q)
        if row[k] is None or abs(row[k] - want) > 0.032 * want:
            bad.append("%s %s, exact %s" % (k, row[k], want))
    if row["count"] != len(vals): bad.append("count %s, sent %d" % (row["count"], len(vals)))
    if row["max"] != max(vals): bad.append("max %s, exact %d" % (row["max"], max(vals)))
    if abs(row["mean"] - sum(vals) / len(vals)) > 1e-6: bad.append("mean %s, exact %s" % (row["mean"], sum(vals) / len(vals)))
    check(label + ": p50/p90/p99/p99.9 within 3.2% of the exact values, count, mean and max exact", not bad, "; ".join(bad))
agree(keyed.get("7001", {"count": 0, "max": 0, "mean": 0, "p50": None, "p90": None, "p99": None, "p99_9": None}), p7001, "percentiles by dport 7001")
agree(keyed.get("7002", {"count": 0, "max": 0, "mean": 0, "p50": None, "p90": None, "p99": None, "p99_9": None}), p7002, "percentiles by dport 7002")
check("percentiles by dport: one row per port sent to (10)", len(keyed) == 10, "%d rows" % len(keyed))
agree(A["percentiles(len)"]["rows"][0], p7001 + p7002 + others, "unkeyed percentiles (per-CPU)")
top = A["top(3) by dport"]
got = [(r["key"]["dport"], r["value"]) for r in top["rows"]]
want = [("7001", 1000), ("7002", 300), ("7101", 64)]
check("top(3) by dport: the three busiest ports with their exact counts", got == want, "%r" % got)
check("top(3): 10 keys seen, 3 shown", top.get("top") == 3 and top.get("keys_total") == 10, "top %r keys_total %r" % (top.get("top"), top.get("keys_total")))
top2 = A["top(2, len) by dport"]
got = [(r["key"]["dport"], r["value"]) for r in top2["rows"]]
want = [("7001", sum(p7001)), ("7002", sum(p7002))]
check("top(2, len) by dport: the two ports with the most bytes, exact sums", got == want, "%r" % got)
' "$T/final"
# The text output's final report: the quantile columns and what top() left out.
final_text=$(sed -n '/final/,$p' "$T/ptt.out")
if grep -q 'p99\.9' <<<"$final_text" && grep -q '(the 3 largest of 10 keys)' <<<"$final_text" &&
	grep -q '(the 2 largest of 10 keys)' <<<"$final_text"; then
	ok "pct_top: text output shows p99.9 and how many keys top() left out"
else
	notok "pct_top: text output shows p99.9 and how many keys top() left out" "$(sed 's/^/#   /' "$T/ptt.out" | tail -40)"
fi
exit 0

