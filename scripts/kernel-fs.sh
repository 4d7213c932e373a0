# shellcheck shell=bash
# scripts/kernel-fs.sh — mount the kernel file systems BPF tools need.
#
#   . scripts/kernel-fs.sh; kernel_fs_mount WHO
#
# bpffs (/sys/fs/bpf), debugfs and tracefs (/sys/kernel/tracing): a fresh
# machine may have none mounted, and bpftrace finds tracepoints only
# through tracefs. Also lifts RLIMIT_MEMLOCK (older tools still ask).
# A mount that fails is a warning, prefixed with WHO.
kernel_fs_mount() {
	local who=${1:-kernel-fs} t d
	for t in bpf:/sys/fs/bpf debugfs:/sys/kernel/debug tracefs:/sys/kernel/tracing; do
		d=${t#*:} t=${t%%:*}
		mountpoint -q "$d" 2>/dev/null && continue
		mkdir -p "$d" 2>/dev/null
		mount -t "$t" "$t" "$d" 2>/dev/null || mount -t "$t" none "$d" 2>/dev/null ||
			echo "$who: warning: cannot mount $t on $d" >&2
	done
	ulimit -l unlimited 2>/dev/null || true
}
