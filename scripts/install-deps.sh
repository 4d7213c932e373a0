#!/bin/bash
# Install every Debian 12 package vNetTracer needs to build and to run its
# test suite.  Idempotent: when everything is already installed it does
# nothing (no apt-get update, no network).  Must run as root.
#
#   scripts/install-deps.sh          install what is missing
#   scripts/install-deps.sh --list   print the package list and exit
set -euo pipefail

# Build: autotools, flex/bison, clang/LLVM for BPF, libraries.
# Tests: tcpdump (reference filter semantics), traffic generators, bpftrace,
# ethtool, ping, jq (JSON checks), procps (sysctl), openssl (test
# certificates), strace (which programs run), util-linux (nsenter, taskset,
# chrt), perl (pcap rewriting), chromium and a font (the HTML report
# looked at in a real browser, headless), debhelper, dpkg-dev, debootstrap
# and lintian (the Debian packages, built and installed into a clean root),
# vim (the syntax file, checked by vim itself), clickhouse-server (the
# ClickHouse store's tests; started by hand by tests/lib/clickhouse.sh),
# libcurl (its HTTP client), tshark (reads `vnt run --pcap` captures in
# tests/integration/pcap.t, as a Wireshark user would).
# libmicrohttpd (the metrics endpoint's HTTP server), prometheus and its
# promtool (scrape it in tests/integration/prometheus.t, tests/hosts/metrics.t).
# The virtualized stack (tests/lib/vm.sh, tests/vm/, examples/vm-*): QEMU,
# busybox-static and cpio for the guests' initramfs, Open vSwitch, nftables.
PACKAGES=(
	gcc make pkg-config git python3 iproute2
	autoconf automake libtool flex bison
	clang-14 llvm-14 libclang-rt-14-dev
	bpftool libbpf-dev libelf-dev zlib1g-dev libjson-c-dev libpcap-dev
	libssl-dev libsqlite3-dev
	tcpdump iperf3 sockperf bpftrace ethtool iputils-ping jq procps
	openssl strace util-linux perl valgrind
	chromium fonts-dejavu-core
	debhelper dpkg-dev debootstrap lintian vim
	qemu-system-x86 busybox-static cpio openvswitch-switch nftables
	clickhouse-server libcurl4-openssl-dev
	tshark
	libmicrohttpd-dev prometheus
)

die() { echo "install-deps: ERROR: $*" >&2; exit 1; }

if [[ ${1:-} == --list ]]; then
	printf '%s\n' "${PACKAGES[@]}"
	exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[[ $st == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

[[ $(id -u) -eq 0 ]] || die "packages missing (${missing[*]}) and not running as root; re-run as root"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian 12 only; install by hand: ${missing[*]}"

export DEBIAN_FRONTEND=noninteractive
# tshark's wireshark-common asks whether non-root users may capture (a
# setuid dumpcap): no, and without asking.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
echo "install-deps: installing: ${missing[*]}"
apt-get update -q -o DPkg::Lock::Timeout=600 ||
	die "'apt-get update' failed; check network access to the Debian archive and /etc/apt/sources.list"
apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" ||
	die "'apt-get install ${missing[*]}' failed (see apt's messages above)"

# Verify: apt can succeed and still leave something out (held packages...).
still=()
for p in "${missing[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[[ $st == installed ]] || still+=("$p")
done
((${#still[@]} == 0)) || die "still not installed after apt-get: ${still[*]}"
echo "install-deps: done"
