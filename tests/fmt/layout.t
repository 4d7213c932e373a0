#!/usr/bin/env bash
# vnt fmt's layout depends on the tokens only, not on how they were laid
# out: every script of the tree, its comments taken out, is written again
# with other white space (spaces, tabs, line breaks inside statements,
# spaces around punctuation or none, `&&` for `and`), from a fixed seed,
# and must format to exactly what the script itself formats to. Line breaks
# are never added next to one (that would be an empty line, which vnt fmt
# keeps). Run from the repo top; prints ok/not ok lines.
set -u
top=${VNT_TOP:-$(pwd)}
vnt=${VNT:-$top/vnt}
cd "$top" || exit 1
python3 - "$vnt" <<'EOF'
import glob, random, re, subprocess, sys

vnt = sys.argv[1]
random.seed(16)
files = sorted(glob.glob("stdlib/*.vnt") + glob.glob("examples/*.vnt") + glob.glob("examples/*/*.vnt") +
               glob.glob("tests/golden/cases/*.vnt") + glob.glob("tests/diag/*/*.vnt") + glob.glob("tests/fmt/cases/*.vnt"))

def fmt(text):
    p = subprocess.run([vnt, "fmt", "-"], input=text.encode(), capture_output=True)
    return p.returncode, p.stdout.decode(), p.stderr.decode()

def uncomment(src):
    out = []
    for line in src.split("\n"):
        kept, quoted = "", False
        for i, c in enumerate(line):
            if c == '"' and (i == 0 or line[i - 1] != "\\"):
                quoted = not quoted
            if c == "#" and not quoted:
                break
            kept += c
        out.append(kept)
    return "\n".join(out)

def ws(m):
    s, a, b = m.string, m.start(), m.end()
    near = (a > 0 and s[a - 1] == "\n") or (b < len(s) and s[b] == "\n")
    return random.choice([" ", "  ", "\t", "   "] + ([] if near else [" \n ", "\n\t"]))

def punct(m):
    return random.choice([m.group(1), " " + m.group(1) + " ", m.group(0)])

def relayout(text):
    parts = re.split(r'("(?:[^"\\\n]|\\.)*")', text)   # strings stay as they are
    for i in range(0, len(parts), 2):
        p = re.sub(r"[ \t]+", ws, parts[i])
        p = re.sub(r" ?([(),\[\]]|(?<![!<>=])=(?!=)) ?", punct, p)
        p = re.sub(r" and ", lambda m: random.choice([" and ", " && ", "&&"]), p)
        parts[i] = p
    return "".join(parts)

for f in files:
    base = uncomment(open(f).read())
    rc, want, _ = fmt(base)
    if rc:
        continue   # a syntax error case
    bad = None
    for trial in range(2):
        text = relayout(base)
        rc, got, err = fmt(text)
        if rc or got != want:
            bad = "exit %d %s" % (rc, err.strip()[:200]) if rc else "a different layout"
            break
    if bad:
        print("not ok fmt-layout:%s: %s; the input was:" % (f, bad))
        for line in text.split("\n")[:12]:
            print("#   " + line)
    else:
        print("ok fmt-layout:%s" % f)
EOF
