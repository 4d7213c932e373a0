#!/usr/bin/env bash
# A verifier rejection that slips past the checker is reported with the
# script location of the hop, its name and kind, the generated C line and
# the end of the verifier's log; vnt exits non-zero with nothing attached.
# To provoke one, the templates are copied and the NULL check that
# qdisc_dequeue's possibly-NULL sk_buff needs is removed.
set -u
top=${VNT_TOP:-$(pwd)}
vnt=${VNT:-$top/vnt}
tmp=${VNT_TEST_TMP:-$(mktemp -d)}
mkdir -p "$tmp/data"
cp -r "$top/bpf-templates" "$top/stdlib" "$tmp/data/"
sed -i '/if (!skb)/,+1d' "$tmp/data/bpf-templates/hop_btf_prog.tpl"
printf 'import "qdisc"\ntrace q {\n    hop d = qdisc.dequeue("*")\n    count()\n}\n' > "$tmp/q.vnt"
out=$(VNT_DATADIR="$tmp/data" "$vnt" run -q -d 1 "$tmp/q.vnt" 2>&1); rc=$?
want=("$tmp/q.vnt:3:9: hop 'd' (qdisc.dequeue, tp_btf qdisc_dequeue)" "verifier refused its program" "last generated line:" "invalid mem access")
miss=""
for w in "${want[@]}"; do [[ $out == *"$w"* ]] || miss+=" [$w]"; done
if [[ $rc == 1 && -z $miss ]]; then echo "ok verifier-rejection-explained"; else echo "not ok verifier-rejection-explained: rc=$rc missing:$miss: ${out:0:600}"; fi
# and with the real templates the same script loads
out=$("$vnt" run -q -d 0.5 "$tmp/q.vnt" 2>&1) && echo "ok verifier-accepts-fixed-template" || echo "not ok verifier-accepts-fixed-template: ${out:0:400}"
# hops on one BTF hook share a program: the refusal names all of them
printf 'import "qdisc"\ntrace q {\n    hop d = qdisc.dequeue("*")\n    hop e = qdisc.dequeue("lo")\n    count() by hop\n}\n' > "$tmp/q2.vnt"
out=$(VNT_DATADIR="$tmp/data" "$vnt" run -q -d 1 "$tmp/q2.vnt" 2>&1); rc=$?
w="the program is shared with hop 'e' ($tmp/q2.vnt:4:9); the cause may be in any of them"
if [[ $rc == 1 && $out == *"$w"* ]]; then echo "ok verifier-rejection-names-sharing-hops"; else echo "not ok verifier-rejection-names-sharing-hops: rc=$rc, want [$w]: ${out:0:600}"; fi
