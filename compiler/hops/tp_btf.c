/* tp_btf("tracepoint" [, skb_arg]): a BTF-typed tracepoint. Arguments are
 * read directly (the fastest hop); hops on one tracepoint share one
 * program, which dispatches on the device (compiler/lower.c). */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "compiler/hopkind.h"
#include "compiler/plan.h"

static int lower(struct vnt_hop_lowering *l)
{
	return vnt_hop_lower_btf_tp(l, true);
}

static void program(const struct vnt_plan_hop *h, struct vnt_hop_program *p)
{
	snprintf(p->sec, sizeof(p->sec), "tp_btf/%s", h->target);
	p->tpl = h->skb_arg >= 0 ? "hop_btf_skb.tpl" : h->task_arg >= 0 ? "hop_btf_task.tpl" : "hop_noskb.tpl";
	snprintf(p->arg, sizeof(p->arg), "%d", h->skb_arg >= 0 ? h->skb_arg : h->task_arg);
}

/* The tracepoint's btf_trace_NAME typedef in the kernel's BTF or a
 * module's: 1 found, 0 not, -1 no BTF. */
static int have_btf_tracepoint(const char *tp)
{
	char name[256];
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	/* Parsed once per process (~20 ms): a script has many such hops. */
	static struct btf *vm;
	if (!vm) {
		vm = btf__load_vmlinux_btf();
		if (libbpf_get_error(vm)) {
			vm = NULL;
			return -1;
		}
	}
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
	return found;
}

/* A package compiled on a newer kernel may name a tracepoint an older one
 * (a guest's) lacks; libbpf's -ESRCH on load would read as a verifier
 * refusal. */
static int available(const struct vnt_plan_hop *h, char *why, size_t len)
{
	if (have_btf_tracepoint(h->target) != 0)
		return 0;
	snprintf(why, len, "hop '%s': this kernel has no tracepoint %s (not in its BTF: the package may be "
		 "for a newer kernel)", h->name, h->target);
	return -1;
}

const struct vnt_hopkind vnt_hk_tp_btf = {
	.name = "tp_btf",
	.form = { "tp_btf", 1, 2, -1, "tp_btf(\"tracepoint\" [, skb_arg])",
		  "BTF-typed tracepoint; arguments are read directly (fastest)" },
	.feature = "tp_btf",
	.btf_typed = true,
	.skb_second = true,
	.lower = lower,
	.program = program,
	.available = available,
	.attach = vnt_hop_attach_section,
};
