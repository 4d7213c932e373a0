/* xdp("[netns/]dev"): the XDP hook of a device (generic mode where the
 * driver has no native one), whose context is the frame. */
#include <stdio.h>
#include "compiler/hopkind.h"
#include "compiler/plan.h"

static void program(const struct vnt_plan_hop *h, struct vnt_hop_program *p)
{
	snprintf(p->sec, sizeof(p->sec), "xdp");
	p->tpl = "hop_xdp.tpl";
	snprintf(p->arg, sizeof(p->arg), "%d", h->skb_arg);
}

const struct vnt_hopkind vnt_hk_xdp = {
	.name = "xdp",
	.form = { "xdp", 1, 1, 0, "xdp(\"[netns/]dev\")", "XDP hook of a device (generic mode where native is unavailable)" },
	.feature = "xdp",
	.device = true,
	.always_packet = true,
	.lower = vnt_hop_lower_device,
	.program = program,
	.attach = vnt_hop_attach_device,
};
