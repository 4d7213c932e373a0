/* fentry("function" [, skb_arg]): a BPF trampoline at a kernel function's
 * entry, its arguments BTF-typed and read directly, like tp_btf's. Needs
 * a kernel that allows trampolines and has the function in its BTF. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "compiler/hopkind.h"
#include "compiler/kernel_info.h"
#include "compiler/plan.h"

static int lower(struct vnt_hop_lowering *l)
{
	struct vnt_plan_hop *ph = l->ph;
	ph->target = vnt_xstrdup(l->a0->str);
	if (l->skb_arg >= 0)
		ph->skb_arg = l->skb_arg;
	else if (vnt_kinfo_func_skb_arg(l->a0->str, &ph->skb_arg) == -ENOENT)
		ph->skb_arg = -1;   /* not in BTF: no packet unless told */
	return 0;
}

static void program(const struct vnt_plan_hop *h, struct vnt_hop_program *p)
{
	snprintf(p->sec, sizeof(p->sec), "fentry/%s", h->target);
	p->tpl = h->skb_arg >= 0 ? "hop_btf_skb.tpl" : "hop_noskb.tpl";
	snprintf(p->arg, sizeof(p->arg), "%d", h->skb_arg);
}

/* Load the smallest fentry program against the function: some kernels
 * refuse trampolines altogether (EPERM here), others lack its BTF. */
static int available(const struct vnt_plan_hop *h, char *why, size_t len)
{
	struct btf *b = btf__load_vmlinux_btf();
	int id = libbpf_get_error(b) ? -1 : btf__find_by_name_kind(b, h->target, BTF_KIND_FUNC);
	if (!libbpf_get_error(b))
		btf__free(b);
	if (id < 0) {
		snprintf(why, len, "hop '%s' is an fentry on %s, but the kernel's BTF has no such function", h->name,
			 h->target);
		return -1;
	}
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },   /* r0 = 0 */
		{ .code = 0x95 },                           /* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FENTRY, .attach_btf_id = (__u32)id);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "vnt_probe", "GPL", insns, 2, &o);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	snprintf(why, len, "hop '%s' is an fentry on %s, but this kernel refuses fentry programs (BPF trampolines: %s); "
		 "use a BTF tracepoint hop instead, e.g. tp_btf(\"net_dev_start_xmit\")", h->name, h->target,
		 strerror(errno));
	return -1;
}

const struct vnt_hopkind vnt_hk_fentry = {
	.name = "fentry",
	.form = { "fentry", 1, 2, -1, "fentry(\"function\" [, skb_arg])",
		  "fentry on a kernel function; needs BPF trampolines" },
	.feature = "fentry",
	.btf_typed = true,
	.skb_second = true,
	.lower = lower,
	.program = program,
	.available = available,
	.attach = vnt_hop_attach_section,
};
