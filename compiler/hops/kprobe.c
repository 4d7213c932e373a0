/* kprobe("function" [, skb_arg]): a kprobe on a kernel function; the
 * sk_buff (from the function's BTF, or as told) must be one of the first
 * five arguments, which a kprobe reads from registers. Needs a kernel
 * built with CONFIG_KPROBES. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
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
	if (ph->skb_arg > 4) {
		vnt_error(l->d, l->a1 ? &l->a1->loc : l->loc, "kprobes read the sk_buff from the first five arguments (0-4); use fentry",
			  "hop '%s': the sk_buff is argument %d of %s, out of a kprobe's reach", ph->name, ph->skb_arg,
			  ph->target);
		return -1;
	}
	return 0;
}

static void program(const struct vnt_plan_hop *h, struct vnt_hop_program *p)
{
	snprintf(p->sec, sizeof(p->sec), "kprobe/%s", h->target);
	p->tpl = h->skb_arg >= 0 ? "hop_kprobe_skb.tpl" : "hop_noskb.tpl";
	snprintf(p->arg, sizeof(p->arg), "%d", h->skb_arg + 1);   /* PT_REGS_PARMn counts from 1 */
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

static int available(const struct vnt_plan_hop *h, char *why, size_t len)
{
	/* The kprobe PMU exists exactly when CONFIG_KPROBES is on. */
	if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0 ||
	    access("/sys/kernel/tracing/kprobe_events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/kprobe_events", F_OK) == 0) {
		/* A function the kernel lacks (an older guest kernel, a module
		 * not loaded) is named before loading, not as an attach error. */
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
}

const struct vnt_hopkind vnt_hk_kprobe = {
	.name = "kprobe",
	.form = { "kprobe", 1, 2, -1, "kprobe(\"function\" [, skb_arg])",
		  "kprobe on a kernel function; needs CONFIG_KPROBES" },
	.feature = "kprobe",
	.skb_second = true,
	.lower = lower,
	.program = program,
	.available = available,
	.attach = vnt_hop_attach_section,
};
