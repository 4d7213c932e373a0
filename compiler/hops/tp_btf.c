/* tp_btf("tracepoint" [, skb_arg]): a BTF-typed tracepoint. Arguments are
 * read directly (the fastest hop); hops on one tracepoint share one
 * program, which dispatches on the device (compiler/lower.c). */
#include <stdio.h>
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

const struct vnt_hopkind vnt_hk_tp_btf = {
	.name = "tp_btf",
	.form = { "tp_btf", 1, 2, -1, "tp_btf(\"tracepoint\" [, skb_arg])",
		  "BTF-typed tracepoint; arguments are read directly (fastest)" },
	.feature = "tp_btf",
	.btf_typed = true,
	.skb_second = true,
	.lower = lower,
	.program = program,
	.attach = vnt_hop_attach_section,
};
