/* Code generation: a checked program becomes a plan (what runs where)
 * and eBPF C assembled from bpf-templates/. */
#ifndef VNT_CODEGEN_H
#define VNT_CODEGEN_H

#include "lang/program.h"
#include "compiler/plan.h"

/* Optional: how the package's raw records are made. */
struct vnt_codegen_opts {
	int snaplen;            /* 0, or bytes of each packet kept in raw records (<= VNT_PCAP_SNAP_MAX) */
};

/* Returns 0 and sets *csrc / *plan, or reports to d and returns -1.
 * o may be NULL. */
int vnt_codegen(struct vnt_program *prog, const struct vnt_codegen_opts *o, struct vnt_diag *d, char **csrc,
		struct vnt_plan **plan);

/* Lowering (lower.c): the plan without the C. */
struct vnt_plan *vnt_lower(struct vnt_program *prog, struct vnt_diag *d);

/* Read bpf-templates/NAME and replace @KEY@ by values (NULL-terminated
 * key/value pairs). Returns NULL with a message if the template is missing. */
char *vnt_template(const char *name, const char *const *kv);

#endif
