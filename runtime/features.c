#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "runtime/features.h"

static int have_kprobes(void)
{
	/* The kprobe PMU exists exactly when CONFIG_KPROBES is on. */
	return access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0 ||
	       access("/sys/kernel/tracing/kprobe_events", F_OK) == 0 ||
	       access("/sys/kernel/debug/tracing/kprobe_events", F_OK) == 0;
}

/* Load the smallest fentry program against `func`: some kernels refuse
 * trampolines altogether (EPERM here), others lack the function's BTF. */
static int try_fentry(const char *func)
{
	struct btf *b = btf__load_vmlinux_btf();
	if (libbpf_get_error(b))
		return -ENOENT;
	int id = btf__find_by_name_kind(b, func, BTF_KIND_FUNC);
	btf__free(b);
	if (id < 0)
		return -ENOENT;
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },   /* r0 = 0 */
		{ .code = 0x95 },                           /* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = (__u32)id);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "vnt_probe", "GPL", insns, 2, &o);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* A BTF tracepoint needs its btf_trace_NAME typedef in the kernel's BTF or
 * a module's: a package compiled on a newer kernel may name a tracepoint
 * that an older one (a guest's) does not have, and libbpf's -ESRCH on
 * load would read as a verifier refusal. 1 found, 0 not, -1 no BTF. */
static int have_btf_tracepoint(const char *tp)
{
	char name[256];
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	struct btf *vm = btf__load_vmlinux_btf();
	if (libbpf_get_error(vm))
		return -1;
	int found = btf__find_by_name_kind(vm, name, BTF_KIND_TYPEDEF) >= 0;
	DIR *d = found ? NULL : opendir("/sys/kernel/btf");
	struct dirent *e;
	while (d && !found && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "vmlinux"))
			continue;
		char path[300];
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", e->d_name);
		struct btf *m = btf__parse_split(path, vm);
		if (libbpf_get_error(m))
			continue;
		found = btf__find_by_name_kind(m, name, BTF_KIND_TYPEDEF) >= 0;
		btf__free(m);
	}
	if (d)
		closedir(d);
	btf__free(vm);
	return found;
}

/* A kernel function by name in /proc/kallsyms (modules' included): 1
 * found, 0 not, -1 unreadable (then attaching says what is wrong). */
static int have_kernel_symbol(const char *func)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -1;
	char line[512];
	size_t n = strlen(func);
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		/* "ADDR T NAME[\t[MODULE]]" */
		const char *p = strchr(line, ' ');
		p = p ? strchr(p + 1, ' ') : NULL;
		if (p && !strncmp(p + 1, func, n) && (p[1 + n] == '\n' || p[1 + n] == '\t' || p[1 + n] == '\0'))
			found = 1;
	}
	fclose(f);
	return found;
}

int vnt_feature_check(const struct vnt_plan_hop *h, char *why, size_t len)
{
	switch (h->kind) {
	case HK_TP_BTF:
		if (have_btf_tracepoint(h->target) == 0) {
			snprintf(why, len, "hop '%s': this kernel has no tracepoint %s (not in its BTF: the package may be "
				 "for a newer kernel)", h->name, h->target);
			return -1;
		}
		return 0;
	case HK_KPROBE:
		if (have_kprobes()) {
			if (have_kernel_symbol(h->target) != 0)
				return 0;
			snprintf(why, len, "hop '%s' is a kprobe on %s, but this kernel has no such function%s", h->name,
				 h->target, !strncmp(h->target, "ovs_", 4) ? " (Open vSwitch's kernel datapath: is the "
				 "openvswitch module loaded? A userspace datapath has the ovs.port_* hops instead)" : "");
			return -1;
		}
		snprintf(why, len, "hop '%s' is a kprobe on %s, but this kernel has no kprobes (CONFIG_KPROBES is off); "
			 "use a tracepoint hop instead, e.g. tp_btf(\"net_dev_start_xmit\") / net.dev_xmit() or "
			 "tp_btf(\"netif_receive_skb\") / net.netif_receive()", h->name, h->target);
		return -1;
	case HK_FENTRY: {
		int rc = try_fentry(h->target);
		if (!rc)
			return 0;
		if (rc == -ENOENT)
			snprintf(why, len, "hop '%s' is an fentry on %s, but the kernel's BTF has no such function", h->name, h->target);
		else
			snprintf(why, len, "hop '%s' is an fentry on %s, but this kernel refuses fentry programs (BPF trampolines: %s); "
				 "use a BTF tracepoint hop instead, e.g. tp_btf(\"net_dev_start_xmit\")", h->name, h->target, strerror(-rc));
		return -1;
	}
	case HK_TRACEPOINT: {
		char path[512];
		const char *colon = strchr(h->target, ':');
		if (!colon)
			break;
		snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%.*s/%s", (int)(colon - h->target), h->target, colon + 1);
		if (access(path, F_OK) && (snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%.*s/%s",
						    (int)(colon - h->target), h->target, colon + 1), access(path, F_OK))) {
			snprintf(why, len, "hop '%s': this kernel has no tracepoint %s (is tracefs mounted at /sys/kernel/tracing?)",
				 h->name, h->target);
			return -1;
		}
		break;
	}
	default:
		break;
	}
	return 0;
}
