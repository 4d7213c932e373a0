/* tracepoint("category:name"): a classic tracepoint; its program gets the
 * trace record, whose skbaddr field (its offset read from tracefs) is the
 * sk_buff, read with probe reads. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "compiler/hopkind.h"
#include "compiler/kernel_info.h"
#include "compiler/plan.h"

static int lower(struct vnt_hop_lowering *l)
{
	const char *tp = l->a0->str;
	struct vnt_plan_hop *ph = l->ph;
	if (!strchr(tp, ':')) {
		vnt_error(l->d, &l->a0->loc, "write tracepoint(\"category:name\"), e.g. tracepoint(\"net:netif_receive_skb\")",
			  "tracepoint name without a category");
		return -1;
	}
	ph->target = vnt_xstrdup(tp);
	int rc = vnt_kinfo_tracepoint_skb_off(tp, &ph->skb_field_off);
	if (rc == -ENOENT) {
		vnt_error(l->d, l->loc, "`ls /sys/kernel/tracing/events/` lists the categories",
			  "this kernel has no tracepoint '%s'", tp);
		return -1;
	}
	if (rc == -EACCES) {
		vnt_error(l->d, l->loc, "run as root, or use the BTF form, tp_btf(\"NAME\"), which needs no tracefs",
			  "cannot read the format of tracepoint '%s': tracefs is readable by root only", tp);
		return -1;
	}
	return 0;
}

static void program(const struct vnt_plan_hop *h, struct vnt_hop_program *p)
{
	const char *colon = strchr(h->target, ':');
	snprintf(p->sec, sizeof(p->sec), "tp/%.*s/%s", (int)(colon - h->target), h->target, colon + 1);
	p->tpl = h->skb_field_off >= 0 ? "hop_tracepoint_skb.tpl" : "hop_noskb.tpl";
	snprintf(p->arg, sizeof(p->arg), "%d", h->skb_arg);
}

/* The running host's kernel has it (a package may come from elsewhere). */
static int available(const struct vnt_plan_hop *h, char *why, size_t len)
{
	char path[512];
	const char *colon = strchr(h->target, ':');
	if (!colon)
		return 0;
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events/%.*s/%s", roots[i], (int)(colon - h->target), h->target, colon + 1);
		if (!access(path, F_OK))
			return 0;
	}
	snprintf(why, len, "hop '%s': this kernel has no tracepoint %s (is tracefs mounted at /sys/kernel/tracing?)",
		 h->name, h->target);
	return -1;
}

const struct vnt_hopkind vnt_hk_tracepoint = {
	.name = "tracepoint",
	.form = { "tracepoint", 1, 1, -1, "tracepoint(\"category:name\")",
		  "classic tracepoint; the sk_buff comes from the record's skbaddr field" },
	.feature = "tracepoint",
	.lower = lower,
	.program = program,
	.available = available,
	.attach = vnt_hop_attach_section,
};
