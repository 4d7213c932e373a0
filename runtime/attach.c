#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <net/if.h>
#include "runtime/attach.h"
#include "runtime/netns.h"

/* TCX (Linux 6.6+): tc hooks owned by a link fd, detached when the fd
 * closes. Older uapi headers lack the constants. */
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46
#define BPF_TCX_EGRESS 47
#endif

typedef int (*attach_fn)(struct bpf_program *, const struct vnt_plan_hop *, struct vnt_attachment *,
			 char *, size_t);

static int by_section(struct bpf_program *prog, const struct vnt_plan_hop *h, struct vnt_attachment *a,
		      char *err, size_t len)
{
	a->link = bpf_program__attach(prog);
	if (!a->link) {
		int e = errno;
		snprintf(err, len, "hop '%s': cannot attach %s %s: %s", h->name, vnt_hopkind_name(h->kind),
			 h->target, strerror(e));
		return -e;
	}
	return 0;
}

static int uprobe(struct bpf_program *prog, const struct vnt_plan_hop *h, struct vnt_attachment *a,
		  char *err, size_t len)
{
	char bin[512];
	const char *colon = strrchr(h->target, ':');
	if (!colon) {
		snprintf(err, len, "hop '%s': uprobe target must be binary:symbol", h->name);
		return -EINVAL;
	}
	snprintf(bin, sizeof(bin), "%.*s", (int)(colon - h->target), h->target);
	LIBBPF_OPTS(bpf_uprobe_opts, o, .func_name = colon + 1);
	a->link = bpf_program__attach_uprobe_opts(prog, -1, bin, 0, &o);
	if (!a->link) {
		int e = errno;
		if (e == ENOENT && access(bin, R_OK) == 0)   /* libbpf found no such symbol in it */
			snprintf(err, len, "hop '%s': cannot attach uprobe: %s has no symbol '%s' (`nm -D %s` lists "
				 "its dynamic symbols)", h->name, bin, colon + 1, bin);
		else
			snprintf(err, len, "hop '%s': cannot attach uprobe to %s in %s: %s", h->name, colon + 1, bin,
				 strerror(e));
		return -e;
	}
	return 0;
}

/* tc and XDP attach by interface index, which only means something in
 * the device's own namespace: enter it for the attach call. */
static int on_device(struct bpf_program *prog, const struct vnt_plan_hop *h, struct vnt_attachment *a,
		     char *err, size_t len)
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
		snprintf(err, len, "hop '%s': no device '%s'%s%s%s", h->name, dev, ns[0] ? " in namespace '" : "",
			 ns, ns[0] ? "'" : "");
		goto out;
	}
	if (h->kind == HK_XDP) {
		a->link = bpf_program__attach_xdp(prog, ifindex);
		if (!a->link) {
			rc = -errno;
			snprintf(err, len, "hop '%s': cannot attach XDP to %s: %s", h->name, h->dev, strerror(-rc));
		}
		goto out;
	}
	a->link_fd = bpf_link_create(bpf_program__fd(prog), ifindex,
				     h->kind == HK_TC_INGRESS ? BPF_TCX_INGRESS : BPF_TCX_EGRESS, NULL);
	if (a->link_fd < 0) {
		rc = -errno;
		snprintf(err, len, "hop '%s': cannot attach to tc %s of %s: %s (tc hooks need TCX links, Linux 6.6 or later)",
			 h->name, h->kind == HK_TC_INGRESS ? "ingress" : "egress", h->dev, strerror(-rc));
	}
out:
	vnt_netns_leave(saved);
	return rc;
}

static const attach_fn attachers[HK__COUNT] = {
	[HK_TP_BTF] = by_section,
	[HK_TRACEPOINT] = by_section,
	[HK_RAW_TP] = by_section,
	[HK_TC_INGRESS] = on_device,
	[HK_TC_EGRESS] = on_device,
	[HK_XDP] = on_device,
	[HK_KPROBE] = by_section,
	[HK_FENTRY] = by_section,
	[HK_UPROBE] = uprobe,
};

int vnt_attach_hop(struct bpf_program *prog, const struct vnt_plan_hop *h,
		   struct vnt_attachment *out, char *err, size_t errlen)
{
	out->link = NULL;
	out->link_fd = -1;
	if ((unsigned)h->kind >= HK__COUNT || !attachers[h->kind]) {
		snprintf(err, errlen, "hop '%s': unknown hop kind", h->name);
		return -EINVAL;
	}
	return attachers[h->kind](prog, h, out, err, errlen);
}

void vnt_detach(struct vnt_attachment *a)
{
	if (a->link)
		bpf_link__destroy(a->link);
	if (a->link_fd >= 0)
		close(a->link_fd);
	a->link = NULL;
	a->link_fd = -1;
}
