#!/bin/bash
# `vnt report --format html` of a real dispatched run, looked at in a real
# browser (Debian's chromium, headless).
#
# The congested switch of the README's case study, on three hosts
# (namespaces with their own agents): host1 is VM1 (vm1_tx, its eth0's
# transmit), host2 the switch (sw_q and sw_out: port p2 before and after
# its qdisc), host3 is VM2 (vm2_rx). p2 is shaped to RATE Mbit/s with a
# LIMIT-packet FIFO, and N datagrams of SIZE bytes arrive much faster than
# that. Ground truth: the FIFO's own drop counter (tc -s) and the
# receiver's count. sw_q -> sw_out holds nearly all of the time (a full
# FIFO takes LIMIT x frame / rate to drain: milliseconds, against the
# microseconds of the other segments) and loses exactly what the qdisc
# dropped; nothing else is lost.
#
# Chromium loads the page: a screenshot is kept in the test's log
# directory (tests/out/hosts/report_html.png), --dump-dom gives the DOM
# after layout, with a small script added to a copy of the page that
# measures every SVG text's and rectangle's box. Checked in the DOM: the answer sentence
# names sw_q -> sw_out for the time and for the loss, with the qdisc's
# count; the path picture has the hosts, the hops and the segments'
# counts, the loss where it happened and the queue's share drawn as most
# of the bars; every CDF axis starts at its minimum or above; the
# segments compared on a log axis; no two labels of a picture overlap or
# leave it.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/hosts/lib.sh"

N=300 SIZE=1000 RATE=4 LIMIT=20
OUT=${VNT_TEST_OUT:-$VNT_TOP/tests/out}/hosts
BROWSER=$(command -v chromium || true)
if [[ -z $BROWSER ]]; then
	skip "report_html: browser checks" "chromium is not installed (scripts/install-deps.sh installs it)"
	exit 0
fi

topo_bridge >/dev/null || { notok "report_html: topology" "topo_bridge failed"; exit 1; }
need_openssl || exit 0
hosts_certs || { notok "report_html: certificates" "openssl failed"; exit 1; }
i=0
for h in "host1:$BR_NS_VM1" "host2:$BR_NS_SW" "host3:$BR_NS_VM2"; do
	i=$((i + 1))
	hosts_mgmt "${h#*:}" "$i" || { notok "report_html: management network" "veth for ${h%%:*}"; exit 1; }
	MGMT_IP_OF[${h%%:*}]=$MGMT_IP
	agent_start "${h%%:*}" "${h#*:}" || { notok "report_html: agent ${h%%:*} starts" "see above"; exit 1; }
done
topo_exec "$BR_NS_SW" tc qdisc add dev "$BR_PORT2" root handle 1: htb default 10 r2q 100 &&
	topo_exec "$BR_NS_SW" tc class add dev "$BR_PORT2" parent 1: classid 1:10 htb rate ${RATE}mbit ceil ${RATE}mbit &&
	topo_exec "$BR_NS_SW" tc qdisc add dev "$BR_PORT2" parent 1:10 handle 10: pfifo limit $LIMIT ||
	{ notok "report_html: shaping" "tc failed"; exit 1; }
cat >"$T/r.vnt" <<EOF
import "net"
trace probe {
    where udp and dst port 11111
    hop vm1_tx = net.dev_xmit("$BR_NS_VM1/$BR_DEV_VM1")
    hop sw_q   = net.dev_queue("$BR_NS_SW/$BR_PORT2")
    hop sw_out = net.dev_xmit("$BR_NS_SW/$BR_PORT2")
    hop vm2_rx = net.netif_receive("$BR_NS_VM2/$BR_DEV_VM2")
    count() by hop
    events
}
EOF
"$VNT" compile -o "$T/r.vntpkg" "$T/r.vnt" 2>"$T/compile.err" || { notok "report_html: compile" "$(cat "$T/compile.err")"; exit 1; }
printf 'host1 %s:7878 hops=vm1_tx\nhost2 %s:7878 hops=sw_q,sw_out\nhost3 %s:7878 hops=vm2_rx\n' \
	"${MGMT_IP_OF[host1]}" "${MGMT_IP_OF[host2]}" "${MGMT_IP_OF[host3]}" >"$T/hosts"

"$VNT" dispatch --cert "$PKI/client.crt" --key "$PKI/client.key" --ca "$PKI/ca.crt" \
	--hosts "$T/hosts" --db "$T/run.db" --duration 60 "$T/r.vntpkg" >"$T/dispatch.out" 2>"$T/dispatch.err" &
dpid=$!
for _ in $(seq 1 600); do
	grep -q 'attached; tracing' "$T/dispatch.err" && break
	kill -0 "$dpid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q '4 hops attached; tracing' "$T/dispatch.err"; then
	notok "report_html: dispatch attaches 4 hops on 3 hosts" "$(tr '\n' ' ' <"$T/dispatch.err")"
	kill -INT "$dpid" 2>/dev/null
	wait "$dpid"
	exit 1
fi
topo_exec "$BR_NS_VM2" "$UDPSINK" --bind "$BR_IP_VM2" --port 11111 --idle-ms 1500 --ready-file "$T/sink.ready" \
	>"$T/sink.out" 2>"$T/sink.err" &
sink=$!
for _ in $(seq 1 100); do [[ -e $T/sink.ready ]] && break; sleep 0.05; done
sent=$(topo_exec "$BR_NS_VM1" "$UDPGEN" --dst "$BR_IP_VM2" --dport 11111 --count "$N" --rate 3000 --size "$SIZE" 2>"$T/gen.err")
wait "$sink"
got=$(cat "$T/sink.out")
sleep 1 # the agents send raw records as they come; a margin for the last ones
kill -INT "$dpid"
wait "$dpid"
rc=$?
sed 's/^/# /' "$T/dispatch.out"
drops=$(topo_exec "$BR_NS_SW" tc -s qdisc show dev "$BR_PORT2" |
	awk '/^qdisc pfifo 10:/ { f = 1 } f && /dropped/ { sub(",", "", $7); print $7; exit }')
echo "# sent $sent, received $got, the FIFO dropped $drops"
check_eq "report_html: traffic: $N sent; received all the FIFO did not drop" "$sent $((N - ${drops:-0}))" "$N ${got:-x}"
if ! ((${drops:-0} > 0 && ${got:-0} > 0)); then
	notok "report_html: the FIFO dropped some and passed some" "dropped ${drops:-?}, received ${got:-?}"
	exit 1
fi
check_eq "report_html: dispatch exits 0" "$rc" 0

"$VNT" report "$T/run.db" >"$T/report.txt" 2>&1
sed 's/^/# /' "$T/report.txt"
# The kernel's own counters: a hop program run the kernel skipped (it was
# already running on that CPU) is a packet that passed the hop unseen; the
# report bounds those per segment (unseen_max) from the hosts' skipped runs.
# Through the queue is then what the receiver got less those, and lost
# what the FIFO dropped plus those: exact against the kernel's counts.
# Raw records the agents did not deliver would show as a WARNING.
"$VNT" report --format json "$T/run.db" >"$T/report.json" 2>"$T/report.json.err"
unseen=$(py 'import json, sys
d = json.load(open(sys.argv[1]))
print(sum(s.get("unseen_max", 0) for s in d["segments"] if s["from"] == "sw_q"))
print(" ".join("%s:%d" % (h["name"], h.get("skipped_runs", 0)) for h in d["hosts"]), file=sys.stderr)' "$T/report.json" 2>"$T/skipped.txt")
echo "# hop program runs the kernel skipped, by host: $(cat "$T/skipped.txt"); unseen at most in sw_q -> sw_out: ${unseen:-?}"
check_eq "report_html: no raw record missing from the store (kernel hits = stored events)" \
	"$(grep -c 'WARNING: .* missing' "$T/report.txt")" 0
unseen=${unseen:-0}
if ! "$VNT" report --format html -o "$T/report.html" "$T/run.db" 2>"$T/html.err"; then
	notok "report_html: vnt report --format html" "$(cat "$T/html.err")"
	exit 1
fi

# ---- the browser ----
browse() { # OUT-FLAG... URL: chromium headless, its own empty profile
	local prof
	prof=$(mktemp -d "$T/chromium.XXXXXX")
	timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync --user-data-dir="$prof" \
		--hide-scrollbars "$@" 2>>"$T/chromium.err"
}
mkdir -p "$OUT"
rm -f "$OUT/report_html.png"
browse --window-size=1280,2200 --screenshot="$OUT/report_html.png" "file://$T/report.html" >/dev/null
if [[ -s $OUT/report_html.png ]] && [[ $(head -c 8 "$OUT/report_html.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]; then
	ok "report_html: chromium renders the page: screenshot $OUT/report_html.png ($(wc -c <"$OUT/report_html.png") bytes)"
else
	notok "report_html: chromium renders the page" "no PNG screenshot: $(tail -5 "$T/chromium.err" | tr '\n' ' ')"
fi
cp "$T/report.html" "$T/report.html.orig"
# The page has no scripts of its own; this copy gets one that measures the
# laid-out SVG text boxes and writes what it found into the DOM.
sed 's|</body>|<script>\
(function () {\
  var problems = [], n = 0;\
  document.querySelectorAll("svg").forEach(function (svg, k) {\
    var sr = svg.getBoundingClientRect();\
    var ts = Array.prototype.map.call(svg.querySelectorAll("text"), function (t) { return [t, t.getBoundingClientRect()]; });\
    n += ts.length;\
    var name = (svg.id \|\| svg.getAttribute("class") \|\| "svg") + "#" + k;\
    svg.querySelectorAll("rect").forEach(function (b) {\
      var r = b.getBoundingClientRect();\
      if (r.left < sr.left - 0.5 \|\| r.right > sr.right + 0.5 \|\| r.top < sr.top - 0.5 \|\| r.bottom > sr.bottom + 0.5)\
        problems.push("outside " + name + ": a rect at x=" + b.getAttribute("x"));\
    });\
    ts.forEach(function (a, i) {\
      var r = a[1];\
      if (r.left < sr.left - 0.5 \|\| r.right > sr.right + 0.5 \|\| r.top < sr.top - 0.5 \|\| r.bottom > sr.bottom + 0.5)\
        problems.push("outside " + name + ": " + a[0].textContent);\
      for (var j = i + 1; j < ts.length; j++) {\
        var q = ts[j][1];\
        if (r.left < q.right - 0.5 \&\& q.left < r.right - 0.5 \&\& r.top < q.bottom - 0.5 \&\& q.top < r.bottom - 0.5)\
          problems.push("overlap " + name + ": \\"" + a[0].textContent + "\\" and \\"" + ts[j][0].textContent + "\\"");\
      }\
    });\
  });\
  var pre = document.createElement("pre");\
  pre.id = "vnt-layout";\
  pre.textContent = "texts " + n + " problems " + problems.length + "\\n" + problems.join("\\n");\
  document.body.appendChild(pre);\
})();\
</script></body>|' "$T/report.html.orig" >"$T/check.html"
browse --virtual-time-budget=5000 --dump-dom "file://$T/check.html" >"$T/dom.html"
cp "$T/dom.html" "$OUT/report_html.dom.html" 2>/dev/null

py '
import html.parser, re, sys
N, R, D, U = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
dom = open(sys.argv[1], encoding="utf-8").read()
def check(name, good, why=""):
    print(("ok report_html: %s" % name) if good else ("not ok report_html: %s: %s" % (name, why)))

class P(html.parser.HTMLParser):
    """Elements with their attributes and text, and the stack of open ones."""
    def __init__(self):
        super().__init__()
        self.stack, self.els = [], []
    def handle_starttag(self, tag, attrs):
        e = {"tag": tag, "a": dict(attrs), "text": "", "parents": [x for x in self.stack]}
        self.els.append(e)
        if tag not in ("meta", "br", "hr", "img", "input", "link"):   # HTML void elements
            self.stack.append(e)
    def handle_endtag(self, tag):
        if any(x["tag"] == tag for x in self.stack):
            while self.stack and self.stack.pop()["tag"] != tag:
                pass
    def handle_data(self, d):
        for e in self.stack:
            e["text"] += d
p = P()
p.feed(dom)
def cls(e, c):
    return c in e["a"].get("class", "").split()
def within(e, pred):
    return any(pred(x) for x in e["parents"])

layout = [e for e in p.els if e["a"].get("id") == "vnt-layout"]
if not layout:
    check("the layout check ran in the browser", False, "no #vnt-layout in the DOM (did the script run?)")
else:
    lines = layout[0]["text"].strip().splitlines()
    m = re.match(r"texts (\d+) problems (\d+)", lines[0])
    check("the browser laid out the SVG text (%s boxes measured)" % (m.group(1) if m else "?"), m and int(m.group(1)) > 20, lines[0])
    for l in lines[1:]:
        print("# " + l)
    check("no two labels of a picture overlap, none leaves its picture", m and m.group(2) == "0", "; ".join(lines[1:6]))

ans = [e for e in p.els if e["a"].get("id") == "answer"]
text = re.sub(r"\s+", " ", ans[0]["text"]).strip() if ans else ""
print("# answer: " + text)
check("the answer comes first (before the breakdown table)", ans and dom.find("id=\"answer\"") < dom.find("<table"), "")
Q = "sw_q \u2192 sw_out on host2"
check("the answer names sw_q -> sw_out for the time at p50 and p99", text.startswith("Most of the end-to-end time is in %s: " % Q), text)
m = re.search(r"(\d+)% at p50 .* and (\d+)% at p99", text)
check("the answer gives sw_q -> sw_out over 90% at p50 and at p99", m and int(m.group(1)) > 90 and int(m.group(2)) > 90, text)
check("the answer says where packets were lost: the %d the FIFO dropped (and %d unseen), all in sw_q -> sw_out" % (D - U, U),
      ("%d packets were lost, all in %s: " % (D, Q)) in text, text)
if U:
    check("the answer says up to %d of them may have passed unseen (runs the kernel skipped)" % U,
          ("Up to %d of them may have passed unseen" % U) in text, text)

path = [e for e in p.els if e["a"].get("id") == "path"]
check("a picture of the path", bool(path), "no svg#path")
in_path = lambda e: within(e, lambda x: x["a"].get("id") == "path")
hops = [e["text"] for e in p.els if cls(e, "hop-name") and in_path(e)]
hosts = [e["text"] for e in p.els if cls(e, "host") and in_path(e)]
check("the path shows the hops in order", hops == ["vm1_tx", "sw_q", "sw_out", "vm2_rx"], repr(hops))
check("the path shows the hosts: host1 (vm1_tx), host2 (sw_q, sw_out), host3 (vm2_rx)", hosts == ["host1", "host2", "host3"], repr(hosts))
segs = [e for e in p.els if cls(e, "segment") and in_path(e)]
got = [(s["a"].get("data-from"), s["a"].get("data-to"), s["a"].get("data-count"), s["a"].get("data-lost")) for s in segs]
want = [("0", "1", str(N), "0"), ("1", "2", str(R), str(D)), ("2", "3", str(R), "0")]
check("the path segments: %d packets in, %d through the queue (%d lost there), %d out" % (N, R, D, R), got == want, repr(got))
marks = [s for s in segs if any(cls(e, "loss-mark") and s in e["parents"] for e in p.els)]
lost_lab = [e["text"] for e in p.els if cls(e, "seg-lost") and in_path(e)]
check("loss marked on sw_q -> sw_out only: \"%d lost\"" % D,
      len(marks) == 1 and marks[0]["a"].get("data-from") == "1" and lost_lab == ["%d lost" % D],
      "%d marks, labels %r" % (len(marks), lost_lab))
shares = [float(e["a"]["data-share"]) for e in p.els if cls(e, "share") and in_path(e)]
check("the share bars: sw_q -> sw_out is over 90% of p50 and of p99", len(shares) == 6 and shares[1] > 0.9 and shares[4] > 0.9, repr(shares))

cdfs = [e for e in p.els if e["tag"] == "svg" and cls(e, "cdf")]
check("one CDF per segment", len(cdfs) == 3, "%d" % len(cdfs))
bad = []
for c in cdfs:
    mn = float(c["a"]["data-min"])
    axes = [e for e in p.els if cls(e, "axis") and c in e["parents"]]
    ticks = [float(e["a"]["data-ns"]) for e in p.els if cls(e, "tick") and "data-ns" in e["a"] and c in e["parents"]]
    lo = float(axes[0]["a"]["data-axis-lo"]) if axes else float("nan")
    print("# CDF: min %.0f ns, axis from %.0f ns (%s), ticks %s" % (mn, lo, "log" if axes and axes[0]["a"]["data-log"] == "1" else "linear", ticks))
    if not (lo >= mn) or any(t < mn for t in ticks) or not ticks:
        bad.append("min %.0f, axis from %.0f, ticks %r" % (mn, lo, ticks))
check("every CDF axis starts at its minimum or above (ticks too)", not bad, "; ".join(bad))
pcts = [e["text"] for e in p.els if cls(e, "pct")]
check("each CDF marks p50, p90, p99, p99.9", len(pcts) == 12 and all(sum(x.startswith(q + " ") for x in pcts) == 3 for q in ("p50", "p90", "p99", "p99.9")), repr(pcts))
cmp = [e for e in p.els if e["a"].get("id") == "compare"]
cmp_axis = [e for e in p.els if cls(e, "axis") and cmp and cmp[0] in e["parents"]]
check("the segments compared on one log-scale axis (microseconds and a queue of milliseconds)",
      cmp_axis and cmp_axis[0]["a"].get("data-log") == "1", repr([e["a"] for e in cmp_axis]))
' "$T/dom.html" "$N" "$((got - unseen))" "$((drops + unseen))" "$unseen"
exit 0
