#!/bin/bash
# Hops that need kernel features this host may lack: kprobes and fentry.
# - `vnt compile --emit-c` generates their programs (SEC("kprobe/...") and
#   SEC("fentry/...")) and `vnt compile` builds the object whatever the
#   kernel: the dispatcher host compiles for other hosts.
# - Whether this kernel has the feature is established independently:
#   kprobes: /sys/bus/event_source/devices/kprobe exists exactly when
#   CONFIG_KPROBES is on; fentry: a minimal fentry object built here with
#   clang is loaded with bpftool.
# - Where the feature is missing, `vnt run` must exit non-zero with a
#   message naming the feature and suggesting a tracepoint hop, leaving
#   nothing attached; the attach test is reported as skipped.  Where it is
#   present, the attach test runs instead: N datagrams counted exactly.
# - The sk_buff argument index of each standard-library kprobe/fentry hop
#   (vnt compile --manifest) must name a `struct sk_buff *` parameter of the
#   function in this kernel's BTF.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

N=500

cat >"$T/kprobe.vnt" <<'EOF'
import "kprobe"
trace k {
    where udp and dst port 11111
    hop a = kprobe.dev_hard_start_xmit()
    hop b = kprobe("netif_receive_skb", 0)
    count() by hop
}
EOF
cat >"$T/fentry.vnt" <<'EOF'
import "kprobe"
trace f {
    where udp and dst port 11111
    hop a = fentry("dev_hard_start_xmit", 0)
    hop b = kprobe.netif_receive_core()
    count() by hop
}
EOF

# ---- code generation ----
emit() { # NAME FILE PATTERN...
	local name=$1 file=$2 p miss=""
	shift 2
	if ! "$VNT" compile --emit-c "$file" >"$T/$name.c" 2>"$T/$name.cerr"; then
		notok "unsupported: $name: vnt compile --emit-c" "exit non-zero: $(head -c 500 "$T/$name.cerr")"
		return
	fi
	for p in "$@"; do
		grep -qF "$p" "$T/$name.c" || miss+=" $p"
	done
	if [[ -z $miss ]]; then
		ok "unsupported: $name: vnt compile --emit-c generates $*"
	else
		notok "unsupported: $name: vnt compile --emit-c generates $*" "missing:$miss; sections: $(grep -o 'SEC("[^"]*")' "$T/$name.c" | tr '\n' ' ')"
	fi
	if "$VNT" compile "$file" -o "$T/$name.o" >"$T/$name.oout" 2>&1 && [[ -s $T/$name.o ]]; then
		ok "unsupported: $name: vnt compile builds the object (compiling needs no kernel feature)"
	else
		notok "unsupported: $name: vnt compile builds the object (compiling needs no kernel feature)" \
			"$(head -c 500 "$T/$name.oout")"
	fi
}
emit kprobe "$T/kprobe.vnt" 'SEC("kprobe/dev_hard_start_xmit")' 'SEC("kprobe/netif_receive_skb")'
emit fentry "$T/fentry.vnt" 'SEC("fentry/dev_hard_start_xmit")' 'SEC("fentry/netif_receive_skb")'

# ---- the kernel's features, established independently of vnt ----
have_kprobes=0
[[ -e /sys/bus/event_source/devices/kprobe ]] && have_kprobes=1
have_fentry=unknown
clang=$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -n1)
cat >"$T/fe.c" <<'EOF'
#define SEC(n) __attribute__((section(n), used))
SEC("fentry/dev_hard_start_xmit") int probe(void *ctx) { return 0; }
char LICENSE[] SEC("license") = "GPL";
EOF
pin=/sys/fs/bpf/vnt_itest_fe_$$
if [[ -n $clang ]] && "$clang" -O2 -g -target bpf -c "$T/fe.c" -o "$T/fe.o" 2>"$T/fe.err"; then
	if bpftool prog load "$T/fe.o" "$pin" >"$T/fe.load" 2>&1; then
		have_fentry=1
		rm -f "$pin"
	elif grep -q 'Operation not permitted\|not supported\|Invalid argument' "$T/fe.load"; then
		have_fentry=0
	fi
fi
rm -f "$pin"
echo "# kprobes: $have_kprobes (/sys/bus/event_source/devices/kprobe); fentry: $have_fentry (bpftool load: $(grep -m1 'load failed' "$T/fe.load" 2>/dev/null))"

# run_refused NAME FILE FEATURE-REGEX
run_refused() {
	local name=$1 file=$2 feat=$3 rc
	timeout 120 "$VNT" run "$file" --duration 5 >"$T/$name.run.out" 2>"$T/$name.run.err"
	rc=$?
	echo "# vnt run $name: exit $rc; stderr:"
	sed 's/^/#   /' "$T/$name.run.err"
	if [[ $rc != 0 && $rc != 124 ]]; then
		ok "unsupported: $name: vnt run exits non-zero ($rc)"
	else
		notok "unsupported: $name: vnt run exits non-zero" "exit status $rc"
	fi
	if grep -qiE "$feat" "$T/$name.run.err"; then
		ok "unsupported: $name: the error names the missing feature"
	else
		notok "unsupported: $name: the error names the missing feature" "no /$feat/ in: $(tr '\n' ' ' <"$T/$name.run.err")"
	fi
	if grep -qiE 'tracepoint|tp_btf' "$T/$name.run.err"; then
		ok "unsupported: $name: the error suggests a tracepoint hop"
	else
		notok "unsupported: $name: the error suggests a tracepoint hop" "$(tr '\n' ' ' <"$T/$name.run.err")"
	fi
	no_orphans "unsupported: $name: nothing left loaded"
}

# run_attach NAME FORM: the hop counts exactly N datagrams on a veth pair.
run_attach() {
	local name=$1 form=$2
	[[ -n ${VP_NS_A:-} ]] || topo_veth_pair || { notok "$name-attach: topology" "topo_veth_pair failed"; return; }
	cat >"$T/$name.attach.vnt" <<EOF
import "net"
trace t {
    where udp and dst port 11111 and dev "$VP_NS_A/$VP_DEV_A"
    hop h = $form
    count()
}
EOF
	vnt_start "$name-attach" "$T/$name.attach.vnt" --duration 10 --format json ||
		{ notok "$name-attach: vnt run attaches a $name hop" "see above"; return; }
	send "$name" "$VP_NS_A" "$VP_IP_A" "$VP_NS_B" "$VP_IP_B" 11111 "$N" --rate 20000
	vnt_finish "$name-attach"
	local got
	got=$(final_doc "$name-attach" | py 'import json,sys; r=json.load(sys.stdin)["aggregations"][0]["rows"]; print(sum(x["value"] for x in r))' 2>&1)
	check_eq "$name-attach: a $name hop counts exactly $N datagrams" "$got" "$N"
}

if ((have_kprobes)); then
	run_attach kprobe 'kprobe("dev_hard_start_xmit", 0)'
else
	run_refused kprobe "$T/kprobe.vnt" 'kprobe.*(CONFIG_KPROBES|no kprobes)|(CONFIG_KPROBES|no kprobes).*kprobe'
	skip "kprobe-attach" "this kernel has no kprobes (CONFIG_KPROBES off)"
fi
case $have_fentry in
1) run_attach fentry 'fentry("dev_hard_start_xmit", 0)' ;;
0)
	run_refused fentry "$T/fentry.vnt" 'fentry'
	skip "fentry-attach" "this kernel refuses fentry"
	;;
*) notok "fentry-attach" "cannot tell whether this kernel has fentry (clang: '${clang:-none}'): $(head -c 300 "$T/fe.err" "$T/fe.load" 2>/dev/null)" ;;
esac

# ---- the sk_buff argument of the standard library's kprobe/fentry hops ----
cat >"$T/stdhops.vnt" <<'EOF'
import "kprobe"
trace s {
    hop a = kprobe.dev_hard_start_xmit()
    hop b = kprobe.netif_receive_core()
    count()
}
EOF
if "$VNT" compile --manifest "$T/stdhops.vnt" >"$T/stdhops.json" 2>"$T/stdhops.err"; then
	bpftool btf dump file /sys/kernel/btf/vmlinux format raw >"$T/btf.raw" 2>/dev/null
	py '
import json, re, sys
man = json.load(open(sys.argv[1]))
types, funcs, cur = {}, {}, None
for line in open(sys.argv[2]):
    m = re.match(r"\[(\d+)\] (\w+) \x27([^\x27]*)\x27(.*)", line)
    if m:
        cur = int(m.group(1))
        t = {"kind": m.group(2), "name": m.group(3), "rest": m.group(4), "params": []}
        mm = re.search(r"type_id=(\d+)", m.group(4))
        t["type"] = int(mm.group(1)) if mm else None
        types[cur] = t
        if t["kind"] == "FUNC":
            funcs[t["name"]] = t["type"]
    elif cur is not None and line.startswith("\t\x27"):
        m = re.match(r"\t\x27([^\x27]*)\x27 type_id=(\d+)", line)
        if m:
            types[cur]["params"].append((m.group(1), int(m.group(2))))
def render(tid, depth=0):
    t = types.get(tid)
    if t is None or depth > 8:
        return "?"
    if t["kind"] == "PTR":
        return render(t["type"], depth + 1) + " *"
    if t["kind"] in ("CONST", "VOLATILE", "TYPEDEF", "RESTRICT", "TYPE_TAG"):
        return render(t["type"], depth + 1)
    if t["kind"] == "STRUCT":
        return "struct " + t["name"]
    return t["name"] or t["kind"]
for h in man["hops"]:
    if h["kind"] not in ("kprobe", "fentry"):
        continue
    name = "unsupported: stdlib hop %s: skb argument %r of %s is a struct sk_buff *" % (h["def"], h["skb_arg"], h["target"])
    if h["target"] not in funcs:
        print("skip %s: %s is not in this kernel\x27s BTF" % (name, h["target"]))
        continue
    params = types[funcs[h["target"]]]["params"]
    i = h["skb_arg"]
    if not isinstance(i, int) or i < 0 or i >= len(params):
        print("not ok %s: index out of range; parameters: %s" % (name, [(p, render(t)) for p, t in params]))
        continue
    ty = render(params[i][1])
    if ty == "struct sk_buff *":
        print("ok " + name)
    else:
        print("not ok %s: parameter %d (%s) is a %s in this kernel: %s(%s)" % (name, i, params[i][0], ty, h["target"],
              ", ".join("%s %s" % (render(t), p) for p, t in params)))
' "$T/stdhops.json" "$T/btf.raw"
else
	notok "unsupported: vnt compile --manifest of the stdlib kprobe hops" "$(head -c 500 "$T/stdhops.err")"
fi
exit 0
