#!/usr/bin/env bash
# The tree's layers, lowest first (README "Source tree"): a file may include
# its own component's headers and those of lower layers, never a higher
# one's or a sibling's of the same layer. Fails on such an include with
# the file, the line and the two layers.
#   0 bpf-templates  the kernel/user layouts (vnt_abi.h) and the BPF pieces
#   1 lib            strings, files, namespaces
#   2 lang           lexer, grammar, AST, checks
#   3 compiler       plan, hop and aggregation kinds, code generation
#   4 runtime/output runtime/proto   snapshots and their formats; the wire
#   5 runtime/loader                 load, attach, read a package's programs
#   6 runtime/local runtime/collector runtime/agent
#   7 runtime/report
#   8 runtime/dispatch
#   9 tools          the commands
set -u
top=${VNT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$top" || exit 1
python3 - <<'PY'
import os, re, subprocess, sys
rank = {"bpf-templates": 0, "lib": 1, "lang": 2, "compiler": 3, "runtime/output": 4, "runtime/proto": 4,
        "runtime/loader": 5, "runtime/local": 6, "runtime/collector": 6, "runtime/agent": 6,
        "runtime/report": 7, "runtime/dispatch": 8, "tools": 9}
def comp(path):
    p = path.split("/")
    c = "/".join(p[:2]) if p[0] == "runtime" else p[0]
    return c if c in rank else None
files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                       capture_output=True, text=True).stdout.split()
src = [f for f in files if re.search(r"\.(c|h|y|l)$", f) and comp(f) and os.path.exists(f)]
comps = {comp(f) for f in src}
missing = [c for c in rank if c not in comps]
print(("ok" if not missing else "not ok") + " layers: every layer has sources" +
      ("" if not missing else ": none in %s (moved? update tests/check/layers.t)" % ", ".join(missing)))
strays = [f for f in src if f.startswith("runtime/") and f.count("/") == 1]
print(("ok" if not strays else "not ok") + " layers: runtime/ holds components only, no loose files" +
      ("" if not strays else ": " + ", ".join(strays)))
bad = []
for f in src:
    a = comp(f)
    for n, line in enumerate(open(f, errors="replace"), 1):
        m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
        if not m:
            continue
        inc = m.group(1)
        if "/" not in inc:
            if a == "bpf-templates" or inc == "config.h":
                continue
            bad.append("%s:%d: #include \"%s\": name the header by its path from the top (\"%s/...\")" % (f, n, inc, a))
            continue
        b = comp(inc)
        if b is None:
            bad.append("%s:%d: #include \"%s\": not a header of a known layer" % (f, n, inc))
        elif b != a and rank[b] >= rank[a]:
            bad.append("%s:%d: %s (layer %d) includes %s (layer %d): a lower layer may not depend on a higher or sibling one"
                       % (f, n, a, rank[a], inc, rank[b]))
print(("ok" if not bad else "not ok") + " layers: no include from a lower layer into a higher one (%d files)" % len(src))
for b in bad:
    print("#   " + b)
PY
