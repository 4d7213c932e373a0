/* Attaching one hop: its kind's attach function (compiler/hops/), and
 * releasing what it made. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "runtime/loader/attach.h"

int vnt_attach_hop(struct bpf_program *prog, const struct vnt_plan_hop *h,
		   struct vnt_attachment *out, char *err, size_t errlen)
{
	out->link = NULL;
	out->link_fd = -1;
	if (!h->kind || !h->kind->attach) {
		snprintf(err, errlen, "hop '%s': its kind cannot attach", h->name);
		return -EINVAL;
	}
	return h->kind->attach(prog, h, out, err, errlen);
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
