/* Attaching one hop through its kind (compiler/hopkind.h), and detaching. */
#ifndef VNT_ATTACH_H
#define VNT_ATTACH_H
#include <stddef.h>
#include <bpf/libbpf.h>
#include "compiler/hopkind.h"
#include "compiler/plan.h"

int vnt_attach_hop(struct bpf_program *prog, const struct vnt_plan_hop *h,
		   struct vnt_attachment *out, char *err, size_t errlen);
void vnt_detach(struct vnt_attachment *a);

#endif
