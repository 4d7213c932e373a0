/* raw_tp("tracepoint" [, skb_arg]): a raw tracepoint, its arguments read
 * with probe reads (kernels whose BTF cannot type them). */
#include <stdio.h>
#include "compiler/hopkind.h"
#include "compiler/plan.h"

static int lower(struct vnt_hop_lowering *l)
{
	return vnt_hop_lower_btf_tp(l, false);
}

static void program(const struct vnt_plan_hop *h, struct vnt_hop_program *p)
{
	snprintf(p->sec, sizeof(p->sec), "raw_tp/%s", h->target);
	p->tpl = h->skb_arg >= 0 ? "hop_raw_tp_skb.tpl" : "hop_noskb.tpl";
	snprintf(p->arg, sizeof(p->arg), "%d", h->skb_arg);
}

const struct vnt_hopkind vnt_hk_raw_tp = {
	.name = "raw_tp",
	.form = { "raw_tp", 1, 2, -1, "raw_tp(\"tracepoint\" [, skb_arg])",
		  "raw tracepoint; arguments read with probe reads" },
	.feature = "raw_tp",
	.skb_second = true,
	.lower = lower,
	.program = program,
	.attach = vnt_hop_attach_section,
};
