/* What several hop kinds share: attaching by the program's section, a
 * BTF tracepoint's arguments, and the hooks of one device (tc, XDP). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "compiler/hopkind.h"
#include "compiler/kernel_info.h"
#include "compiler/plan.h"
#include "lib/netns.h"

/* Older uapi headers lack the TCX constants. */
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46
#define BPF_TCX_EGRESS 47
#endif

int vnt_hop_attach_section(struct bpf_program *prog, const struct vnt_plan_hop *h, struct vnt_attachment *a,
			   char *err, size_t len)
{
	a->link = bpf_program__attach(prog);
	if (!a->link) {
		int e = errno;
		snprintf(err, len, "hop '%s': cannot attach %s %s: %s", h->name, h->kind->name, h->target, strerror(e));
		return -e;
	}
	return 0;
}

int vnt_hop_lower_btf_tp(struct vnt_hop_lowering *l, bool task_and_drops)
{
	struct vnt_plan_hop *ph = l->ph;
	const char *tp = l->a0->str;
	ph->target = vnt_xstrdup(tp);
	int rc = vnt_kinfo_tp_skb_arg(tp, &ph->skb_arg);
	if (rc == -ENOENT && l->skb_arg < 0) {
		vnt_error(l->d, l->loc, "`ls /sys/kernel/tracing/events/*/` lists this kernel's tracepoints",
			  "this kernel has no tracepoint '%s'", tp);
		return -1;
	}
	if (l->skb_arg >= 0)
		ph->skb_arg = l->skb_arg;
	if (task_and_drops) {
		/* No packet: a scheduler-like hop identifies a task instead. */
		if (ph->skb_arg < 0)
			vnt_kinfo_tp_task_arg(tp, &ph->task_arg);
		vnt_kinfo_tp_drop_args(tp, &ph->reason_arg, &ph->location_arg);
	}
	return 0;
}

int vnt_hop_lower_device(struct vnt_hop_lowering *l)
{
	if (!strcmp(l->a0->str, "*")) {
		vnt_error(l->d, &l->a0->loc, "tc and XDP hops attach to one device each", "a device name is required here");
		return -1;
	}
	l->ph->dev = vnt_xstrdup(l->a0->str);
	l->ph->target = vnt_xstrdup(l->a0->str);
	return 0;
}

/* Links owned by a file descriptor (TCX for tc, Linux 6.6+; XDP links), so
 * nothing stays attached when the process ends. Interface indexes mean
 * something only in the device's own namespace: enter it to attach. */
int vnt_hop_attach_device(struct bpf_program *prog, const struct vnt_plan_hop *h, struct vnt_attachment *a, char *err,
			  size_t len)
{
	char ns[256];
	const char *dev = vnt_dev_split(h->dev, ns, sizeof(ns));
	int saved = vnt_netns_enter(ns);
	if (saved < 0) {
		snprintf(err, len, "hop '%s': cannot enter network namespace '%s': %s", h->name, ns,
			 vnt_netns_strerror(ns, -saved));
		return saved;
	}
	int rc = 0;
	int ifindex = (int)if_nametoindex(dev);
	if (!ifindex) {
		rc = -ENODEV;
		snprintf(err, len, "hop '%s': no device '%s'%s%s%s", h->name, dev, ns[0] ? " in namespace '" : "", ns,
			 ns[0] ? "'" : "");
	} else if (!strcmp(h->kind->name, "xdp")) {
		a->link = bpf_program__attach_xdp(prog, ifindex);
		if (!a->link) {
			rc = -errno;
			snprintf(err, len, "hop '%s': cannot attach XDP to %s: %s", h->name, h->dev, strerror(-rc));
		}
	} else {
		bool in = !strcmp(h->kind->name, "tc_ingress");
		a->link_fd = bpf_link_create(bpf_program__fd(prog), ifindex, in ? BPF_TCX_INGRESS : BPF_TCX_EGRESS, NULL);
		if (a->link_fd < 0) {
			rc = -errno;
			snprintf(err, len, "hop '%s': cannot attach to tc %s of %s: %s (tc hooks need TCX links, Linux 6.6 or later)",
				 h->name, in ? "ingress" : "egress", h->dev, strerror(-rc));
		}
	}
	vnt_netns_leave(saved);
	return rc;
}

