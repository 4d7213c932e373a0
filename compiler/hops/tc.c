/* tc_ingress("[netns/]dev"), tc_egress("[netns/]dev"): the tc hooks of a
 * device (clsact), whose context is the packet. */
#include <stdio.h>
#include "compiler/hopkind.h"
#include "compiler/plan.h"

static void program(const struct vnt_plan_hop *h, struct vnt_hop_program *p)
{
	snprintf(p->sec, sizeof(p->sec), "tc");
	p->tpl = "hop_tc.tpl";
	snprintf(p->arg, sizeof(p->arg), "%d", h->skb_arg);
}

const struct vnt_hopkind vnt_hk_tc_ingress = {
	.name = "tc_ingress",
	.form = { "tc_ingress", 1, 1, 0, "tc_ingress(\"[netns/]dev\")", "tc clsact ingress hook of a device" },
	.feature = "tcx",
	.device = true,
	.always_packet = true,
	.lower = vnt_hop_lower_device,
	.program = program,
	.attach = vnt_hop_attach_device,
};

const struct vnt_hopkind vnt_hk_tc_egress = {
	.name = "tc_egress",
	.form = { "tc_egress", 1, 1, 0, "tc_egress(\"[netns/]dev\")", "tc clsact egress hook of a device" },
	.feature = "tcx",
	.device = true,
	.always_packet = true,
	.lower = vnt_hop_lower_device,
	.program = program,
	.attach = vnt_hop_attach_device,
};
