#!/bin/bash
# Syntax highlighting for vim (dist/editors/vim) and VS Code
# (dist/editors/vscode) covers the whole language, as the sources define it
# today: every keyword and filter primitive of lang/lexer.l, every attach
# form (compiler/hops/*.c), aggregation (compiler/aggs/table.c, plus latency() and
# breakdown()) and key (compiler/plan.c), and every hop and filter of the
# standard library (stdlib/*.vnt, as MODULE.NAME). The lists are extracted
# from those files; a word that is added there and not to the grammars
# fails this test, named.
#   vim: vim itself (no vimrc) loads the ftdetect and syntax files for a
#     file of the words, one per line, and says which syntax group each
#     word's first and last character get: it must be one of ours, the
#     whole word the same group, and the word's own kind (a stdlib hop is
#     vntStdlib, tcp-syn a constant, not the keyword tcp and a minus).
#   VS Code: the TextMate grammar's rules, applied the way TextMate does
#     (earliest match, then the first rule), must give each word, whole, a
#     scope of its kind; package.json must contribute the language for
#     .vnt with that grammar.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

E=$VNT_TOP/dist/editors
# The words, "KIND WORD" a line.
py '
import glob, os, re, sys
top = sys.argv[1]
def read(p):
    return open(os.path.join(top, p)).read()
def die(what):
    print("not ok editors: extract %s (did it move? update tests/editors/syntax.t)" % what)
    sys.exit(1)
lex = read("lang/lexer.l")
words = re.findall(r"^\"([a-z][a-z0-9_-]*)\"", lex, re.M)
len(words) > 50 or die("the keywords of lang/lexer.l")
# The attach forms: one descriptor per hop kind (compiler/hops/*.c,
# `.form = { "NAME", ...`); wherever they are under lang/ and compiler/.
forms = []
for d in ("lang", "compiler"):
    for dirpath, _, files in sorted(os.walk(os.path.join(top, d))):
        for fn in sorted(files):
            if fn.endswith(".c"):
                forms += re.findall(r"\.form = \{ \"([a-z_]+)\"", open(os.path.join(dirpath, fn)).read())
len(forms) >= 9 or die("the attach forms (.form = { \"NAME\" in compiler/hops/*.c)")
plan = read("compiler/plan.c")
# The aggregations: the table of their descriptors (compiler/aggs/table.c, `&vnt_agg_NAME,`).
aggs = re.findall(r"&vnt_agg_(\w+),", read("compiler/aggs/table.c"))
len(aggs) >= 9 or die("the aggregations (&vnt_agg_NAME in compiler/aggs/table.c)")
for special, where in (("latency", "lang/parser.y"), ("breakdown", "lang/check.c")):
    ("\"%s\"" % special) in read(where) or die("%s() in %s" % (special, where))
    aggs.append(special)
m = re.search(r"keyfields\[KF__COUNT\] = \{([^}]*)\}", plan) or die("the keys of compiler/plan.c")
keys = re.findall(r"\"(\w+)\"", m.group(1))
std = []
for f in sorted(glob.glob(os.path.join(top, "stdlib/*.vnt"))):
    mod = os.path.basename(f)[:-4]
    std += ["%s.%s" % (mod, n) for n in re.findall(r"^(?:hop|filter) ([a-z_0-9]+)", open(f).read(), re.M)]
len(std) > 20 or die("the hops of stdlib/")
seen = set()
def put(kind, ws):
    for w in ws:
        if w not in seen:
            seen.add(w)
            print(kind, w)
stmt = {"import", "as", "filter", "hop", "trace", "where", "by", "at", "every", "for", "sample", "events", "if"}
ops = {"and", "or", "not"}
ctx = {"dev", "ifindex", "netns", "cpu", "pid", "comm", "mark"}
consts = {w for w in words if "-" in w or w in ("true", "tcpflags", "icmptype", "icmpcode", "icmp6type", "icmp6code")}
put("stdlib", std)
put("statement", [w for w in words if w in stmt])
put("operator", [w for w in words if w in ops])
put("context", [w for w in words if w in ctx])
put("constant", [w for w in words if w in consts])
put("form", forms)
put("aggregation", aggs)
put("primitive", words)   # the rest of the lexer: tcpdump primitives
put("key", keys)
' "$VNT_TOP" >"$T/words" || { cat "$T/words"; exit 1; }
echo "# $(wc -l <"$T/words") words: $(cut -d' ' -f1 "$T/words" | sort | uniq -c | awk '{ printf "%s %s, ", $1, $2 }')"

# ---- vim ----
if command -v vim >/dev/null; then
	cut -d' ' -f2 "$T/words" >"$T/words.vnt"
	cat >"$T/probe.vim" <<'EOF'
let out = ['filetype ' . &filetype]
for l in range(1, line('$'))
	let w = getline(l)
	call add(out, w . ' ' . synIDattr(synID(l, 1, 1), 'name') . ' ' . synIDattr(synID(l, len(w), 1), 'name'))
endfor
call writefile(out, $PROBE_OUT)
qall!
EOF
	PROBE_OUT=$T/vim.out timeout 60 vim -N -u NONE -i NONE -n -es \
		--cmd "set runtimepath^=$E/vim" -c 'filetype on' -c 'syntax on' -c "edit $T/words.vnt" \
		-c "source $T/probe.vim" </dev/null >/dev/null 2>"$T/vim.err"
	if [[ ! -s $T/vim.out ]]; then
		notok "editors: vim loads dist/editors/vim" "no output: $(head -5 "$T/vim.err")"
	else
		check_eq "editors: vim's ftdetect makes *.vnt filetype vnt" "$(head -1 "$T/vim.out")" "filetype vnt"
		py '
import sys
want = {"stdlib": "vntStdlib", "statement": "vntStatement", "operator": "vntOperator", "context": "vntContext",
        "constant": "vntConstant", "form": "vntForm", "aggregation": "vntFunction", "primitive": "vntPrimitive",
        "key": None}
kinds = dict(reversed(l.split()) for l in open(sys.argv[1]))
got = {l.split()[0]: l.split()[1:] for l in list(open(sys.argv[2]))[1:]}
bad = {}
for w, k in kinds.items():
    g = got.get(w, [])
    ok = len(g) == 2 and g[0] == g[1] and g[0].startswith("vnt") and (want[k] is None or g[0] == want[k])
    if not ok:
        bad.setdefault(k, []).append("%s (%s)" % (w, "/".join(g) or "none"))
for k in sorted(set(kinds.values())):
    n = sum(1 for v in kinds.values() if v == k)
    if k in bad:
        print("not ok editors: vim highlights every %s (%d): not %s" % (k, n, ", ".join(bad[k])))
    else:
        print("ok editors: vim highlights every %s (%d)" % (k, n))
' "$T/words" "$T/vim.out"
	fi
else
	skip "editors: vim" "vim is not installed (scripts/install-deps.sh installs it)"
fi

# ---- VS Code: package.json and the TextMate grammar ----
py '
import json, os, re, sys
E, words = sys.argv[1], sys.argv[2]
def check(name, good, why=""):
    print(("ok editors: %s" % name) if good else ("not ok editors: %s: %s" % (name, why)))
pkg = json.load(open(os.path.join(E, "vscode/package.json")))
langs = pkg.get("contributes", {}).get("languages", [])
grams = pkg.get("contributes", {}).get("grammars", [])
lang = [l for l in langs if ".vnt" in l.get("extensions", [])]
check("package.json contributes a language for .vnt", len(lang) == 1, repr(langs))
gram = [g for g in grams if lang and g.get("language") == lang[0]["id"]]
check("package.json contributes its grammar", len(gram) == 1, repr(grams))
if not gram:
    sys.exit(0)
g = json.load(open(os.path.join(E, "vscode", gram[0]["path"])))
check("the grammar scopeName is the one package.json names", g.get("scopeName") == gram[0].get("scopeName"), g.get("scopeName"))
conf = json.load(open(os.path.join(E, "vscode", lang[0]["configuration"])))
check("language-configuration: # starts a comment", conf.get("comments", {}).get("lineComment") == "#", repr(conf.get("comments")))

# The top-level rules, includes expanded, in order (TextMate: at each
# point the rule matching earliest wins, ties to the first).
def rules(pats):
    out = []
    for p in pats:
        if "include" in p:
            out += rules([g["repository"][p["include"][1:]]])
        elif "patterns" in p and "match" not in p and "begin" not in p:
            out += rules(p["patterns"])
        else:
            out.append(p)
    return out
top = rules(g["patterns"])
for r in top:
    re.compile(r.get("match", r.get("begin", "")))   # the regexes are plain (Python re reads them too)
def token(line):
    best = None
    for r in top:
        m = re.compile(r.get("match") or r["begin"]).search(line)
        if m and (best is None or m.start() < best[0].start()):
            best = (m, r)
    return best
want = {"stdlib": "support.function.stdlib", "statement": "keyword.control", "operator": "keyword.operator",
        "context": "variable.language", "constant": "constant.language", "form": "entity.name.function.form",
        "aggregation": "support.function.aggregation", "primitive": "storage.type.primitive", "key": None}
kinds = {}
for l in open(words):
    k, w = l.split()
    kinds.setdefault(k, []).append(w)
for k, ws in sorted(kinds.items()):
    bad = []
    for w in ws:
        t = token(w)
        scope = t[1].get("name", "") if t else ""
        whole = t and t[0].start() == 0 and t[0].end() == len(w)
        if not (whole and scope.endswith(".vnt") and (want[k] is None or scope.startswith(want[k]))):
            bad.append("%s (%s)" % (w, scope or "none"))
    check("the TextMate grammar scopes every %s (%d)" % (k, len(ws)), not bad, ", ".join(bad))
# In context: a line of a script, token by token.
line = "hop tx = net.dev_xmit(\"vm1/eth0\")  # the first hop"
t = token(line)
check("a hop definition starts with keyword.control", t and t[1]["name"].startswith("keyword.control"), repr(t and t[1]))
rest = line[line.index("net."):]
t = token(rest)
check("net.dev_xmit is one stdlib token, not the primitive net", t and t[0].group(0) == "net.dev_xmit" and "stdlib" in t[1]["name"], repr(t and (t[0].group(0), t[1]["name"])))
' "$E" "$T/words"
exit 0
