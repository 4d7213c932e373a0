#!/bin/bash
# The Debian packages (debian/): built from a copy of the tree with
# `dpkg-buildpackage -b -us -uc`, checked by lintian (no errors), and the
# agent's installed into a clean Debian 12 root:
#   - vnettracer: vnt, the standard library, the eBPF templates (with
#     vmlinux.h) and the vnt(1), vnt-lang(7) manual pages; it depends on
#     clang-14; its vnt, run from the unpacked package, finds its own
#     library and templates;
#   - vnettracer-agent: vnt-agent, vnt-agent(8), the systemd unit and
#     /etc/vnt/agent.conf (a conffile); nothing of LLVM or clang among its
#     dependencies;
#   - in the clean root (debootstrap --variant=minbase bookworm from
#     Debian's archive, made once and cached in .cache/debian/ of the
#     build tree; each run gets a fresh overlay of it), apt installs the
#     agent's package with its dependencies and no LLVM; vnt-agent
#     --version answers; the unit starts /usr/bin/vnt-agent with
#     /etc/vnt/agent.conf, which the agent reads (--print-config).
# Time (this VM, 2 cores): ~40 s with the cached root (15 s build, 5 s
# lintian, the rest apt in the root); the first run adds ~40 s of
# debootstrap and ~3 MB of downloads.
set -uo pipefail
. "${VNT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

for t in dpkg-buildpackage dh debootstrap lintian chroot unshare; do
	command -v "$t" >/dev/null ||
		{ skip "debian: packages" "$t is not installed (scripts/install-deps.sh installs it)"; exit 0; }
done
CACHE=$VNT_TOP/.cache/debian
BASE=$CACHE/bookworm-minbase
SRC=$T/src/vnettracer
mkdir -p "$SRC" "$CACHE"

# ---- build, from a copy: dpkg-buildpackage configures and builds in place ----
(cd "$VNT_TOP" && git ls-files -co --exclude-standard -z | grep -zv -e '^tests/out/' -e '^\.cache/' |
	tar --null -T - -cf -) | tar -x -C "$SRC" || { notok "debian: copy the tree" "tar failed"; exit 1; }
start=$(date +%s)
(cd "$SRC" && dpkg-buildpackage -b -us -uc) >"$T/build.log" 2>&1
rc=$?
echo "# dpkg-buildpackage: exit $rc in $(($(date +%s) - start)) s"
if ((rc)); then
	tail -30 "$T/build.log" | sed 's/^/#   /'
	notok "debian: dpkg-buildpackage -b -us -uc" "exit $rc (log above)"
	exit 1
fi
V=$(cd "$SRC" && dpkg-parsechangelog -S Version)
TOOL=$T/src/vnettracer_${V}_amd64.deb AGENT=$T/src/vnettracer-agent_${V}_amd64.deb
if [[ -f $TOOL && -f $AGENT ]]; then
	ok "debian: dpkg-buildpackage builds vnettracer and vnettracer-agent $V"
else
	notok "debian: dpkg-buildpackage builds vnettracer and vnettracer-agent $V" "$(ls "$T/src")"
	exit 1
fi

# ---- what each package holds and needs ----
has() { # DEB PATH...: every path is in the package
	local list missing=()
	list=$(dpkg-deb -c "$1" | awk '{ print $6 }')
	shift
	for p in "$@"; do grep -qx "\./$p" <<<"$list" || missing+=("$p"); done
	echo "${missing[*]}"
}
check_eq "debian: vnettracer holds vnt, the stdlib, the templates, vnt(1) and vnt-lang(7)" \
	"$(has "$TOOL" usr/bin/vnt usr/share/vnettracer/stdlib/net.vnt usr/share/vnettracer/stdlib/sched.vnt \
		usr/share/vnettracer/bpf-templates/vmlinux.h usr/share/vnettracer/bpf-templates/vnt_kernel.h \
		usr/share/man/man1/vnt.1.gz usr/share/man/man7/vnt-lang.7.gz)" ""
check_eq "debian: vnettracer-agent holds vnt-agent, vnt-agent(8), the unit and agent.conf" \
	"$(has "$AGENT" usr/bin/vnt-agent usr/share/man/man8/vnt-agent.8.gz lib/systemd/system/vnt-agent.service \
		etc/vnt/agent.conf)" ""
check_eq "debian: the agent does not hold vnt or the library" "$(dpkg-deb -c "$AGENT" | grep -cE 'bin/vnt$|stdlib|bpf-templates')" 0
mkdir -p "$T/ctl"
dpkg-deb -e "$AGENT" "$T/ctl"
check_eq "debian: /etc/vnt/agent.conf is a conffile" "$(cat "$T/ctl/conffiles" 2>/dev/null)" "/etc/vnt/agent.conf"
adeps=$(dpkg-deb -f "$AGENT" Depends)
tdeps=$(dpkg-deb -f "$TOOL" Depends)
echo "# vnettracer-agent Depends: $adeps"
echo "# vnettracer Depends: $tdeps"
if [[ -n $adeps ]] && ! grep -qiE 'llvm|clang|libpcap|sqlite' <<<"$adeps"; then
	ok "debian: the agent depends on no LLVM, clang, pcap or SQLite"
else
	notok "debian: the agent depends on no LLVM, clang, pcap or SQLite" "$adeps"
fi
if grep -q 'clang-14' <<<"$tdeps"; then ok "debian: vnettracer depends on clang-14"; else notok "debian: vnettracer depends on clang-14" "$tdeps"; fi
# vnt from the unpacked package finds its own library and templates.
mkdir -p "$T/x"
dpkg-deb -x "$TOOL" "$T/x"
printf 'import "net"\ntrace t {\n    hop tx = net.dev_xmit("*")\n    count()\n}\n' >"$T/p.vnt"
out=$(VNT_DATADIR=$T/x/usr/share/vnettracer "$T/x/usr/bin/vnt" compile --emit-c "$T/p.vnt" 2>&1 | grep -c 'vnt_hop_')
if [[ ${out:-0} -gt 0 ]]; then
	ok "debian: the packaged vnt compiles a script with the packaged stdlib and templates"
else
	notok "debian: the packaged vnt compiles a script with the packaged stdlib and templates" \
		"$(VNT_DATADIR=$T/x/usr/share/vnettracer "$T/x/usr/bin/vnt" compile --emit-c "$T/p.vnt" 2>&1 | head -5)"
fi

# ---- lintian ----
start=$(date +%s)
lintian --tag-display-limit 0 "$T/src/vnettracer_${V}_amd64.changes" >"$T/lintian.out" 2>&1
echo "# lintian ($(($(date +%s) - start)) s):"
sed 's/^/#   /' "$T/lintian.out"
errs=$(grep -c '^E:' "$T/lintian.out")
check_eq "debian: lintian reports no errors" "$errs" 0

# ---- a clean Debian root (cached), and the agent installed into it ----
mirror() { # the first Debian archive apt uses here
	local u
	u=$(grep -rhoE '(URIs:|^deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
		awk '{ print $2 }' | head -1)
	echo "${u:-http://deb.debian.org/debian}"
}
if [[ ! -x $BASE/bin/sh ]]; then
	start=$(date +%s)
	rm -rf "$BASE.tmp"
	m=$(mirror)
	echo "# making the clean root: debootstrap --variant=minbase bookworm $BASE $m"
	if debootstrap --variant=minbase bookworm "$BASE.tmp" "$m" >"$T/debootstrap.log" 2>&1 &&
		cp /etc/resolv.conf "$BASE.tmp/etc/resolv.conf" &&
		chroot "$BASE.tmp" apt-get install -y -q --download-only libbpf1 libelf1 libjson-c5 libssl3 zlib1g \
			>>"$T/debootstrap.log" 2>&1; then
		mv "$BASE.tmp" "$BASE"
		echo "# clean root made in $(($(date +%s) - start)) s ($(du -sh "$BASE" | cut -f1))"
	else
		tail -20 "$T/debootstrap.log" | sed 's/^/#   /'
		rm -rf "$BASE.tmp"
		notok "debian: a clean Debian root (debootstrap)" "failed; log above"
		exit 1
	fi
fi
# A fresh overlay of the cached root for this run, in a mount namespace of
# its own (gone with it, whatever happens).
mkdir -p "$T/upper" "$T/work" "$T/root"
cp "$AGENT" "$T/agent.deb"
start=$(date +%s)
unshare -m bash -c '
	set -u
	B=$1 T=$2
	mount -t overlay overlay -o "lowerdir=$B,upperdir=$T/upper,workdir=$T/work" "$T/root" || exit 1
	R=$T/root
	mount -t proc proc "$R/proc"
	cp /etc/resolv.conf "$R/etc/resolv.conf"
	cp "$T/agent.deb" "$R/tmp/vnettracer-agent.deb"
	echo "== llvm-before $(chroot "$R" dpkg-query -W -f "\${Package}\n" | grep -cE "llvm|clang")"
	chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/vnettracer-agent.deb >"$T/apt.log" 2>&1
	echo "== apt $?"
	echo "== status $(chroot "$R" dpkg-query -W -f "\${db:Status-Status}" vnettracer-agent 2>&1)"
	echo "== llvm-after $(chroot "$R" dpkg-query -W -f "\${Package}\n" | grep -cE "llvm|clang")"
	echo "== version $(chroot "$R" vnt-agent --version 2>&1)"
	echo "== unit-exec $(sed -n "s/^ExecStart=//p" "$R/lib/systemd/system/vnt-agent.service")"
	echo "== unit-binary $(test -x "$R/usr/bin/vnt-agent" && echo executable)"
	echo "== config $(chroot "$R" vnt-agent --config /etc/vnt/agent.conf --print-config 2>&1 | grep -E "^(listen|cert) " | tr "\n" ";")"
' _ "$BASE" "$T" >"$T/root.out" 2>&1
echo "# in the clean root ($(($(date +%s) - start)) s):"
sed 's/^/#   /' "$T/root.out"
[[ -s $T/apt.log ]] && tail -5 "$T/apt.log" | sed 's/^/#   apt: /'
val() { sed -n "s/^== $1 //p" "$T/root.out"; }
check_eq "debian: the clean root has no LLVM or clang" "$(val llvm-before)" 0
check_eq "debian: apt installs the agent's package and its dependencies in the clean root" "$(val apt) $(val status)" "0 installed"
check_eq "debian: installing the agent brings no LLVM or clang" "$(val llvm-after)" 0
check_eq "debian: vnt-agent --version in the clean root" "$(val version)" "vnt-agent $V"
check_eq "debian: the unit runs /usr/bin/vnt-agent with /etc/vnt/agent.conf" "$(val unit-exec) $(val unit-binary)" \
	"/usr/bin/vnt-agent --config /etc/vnt/agent.conf executable"
check_eq "debian: the agent reads the installed agent.conf" "$(val config)" "listen = :7878;cert = /etc/vnt/agent.crt;"
# systemd itself on the unit (not in the clean root: no systemd there),
# with ExecStart pointing at the unpacked agent.
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/ax" "$T/unit"
	dpkg-deb -x "$AGENT" "$T/ax"
	sed "s|^ExecStart=/usr/bin/vnt-agent|ExecStart=$T/ax/usr/bin/vnt-agent|" "$T/ax/lib/systemd/system/vnt-agent.service" \
		>"$T/unit/vnt-agent.service"
	systemd-analyze verify --man=no "$T/unit/vnt-agent.service" >"$T/verify.log" 2>&1
	vrc=$?
	if [[ $vrc == 0 && ! -s $T/verify.log ]]; then
		ok "debian: systemd-analyze verify finds nothing wrong in vnt-agent.service"
	else
		notok "debian: systemd-analyze verify finds nothing wrong in vnt-agent.service" "exit $vrc: $(tr '\n' ' ' <"$T/verify.log")"
	fi
else
	skip "debian: systemd-analyze verify" "systemd-analyze is not installed (package systemd)"
fi
exit 0
