/* Attaching one hop: one function per hop kind, in a table. */
#ifndef VNT_ATTACH_H
#define VNT_ATTACH_H
#include <stddef.h>
#include <bpf/libbpf.h>
#include "compiler/plan.h"

/* What attaching produced: a libbpf link or a raw link fd. */
struct vnt_attachment {
	struct bpf_link *link;
	int link_fd;            /* -1 if none */
};

int vnt_attach_hop(struct bpf_program *prog, const struct vnt_plan_hop *h,
		   struct vnt_attachment *out, char *err, size_t errlen);
void vnt_detach(struct vnt_attachment *a);

#endif
