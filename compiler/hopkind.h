/* Hop kinds: how a hop reaches the kernel (BTF tracepoint, tc hook,
 * kprobe, ...). Each kind is one descriptor in one file of compiler/hops/,
 * listed in compiler/hops/table.c: its attach form (name, arguments,
 * documentation: what the checker and `vnt lib` see), how a hop of it
 * lowers into the plan, which template and section its program takes,
 * what the kernel must have for it, and how it attaches. A new hop kind is
 * a new file there, one line in the table and, if it needs one, a
 * template in bpf-templates/.
 *
 * The checker, the lowering, the code generator, `vnt check`'s resolution,
 * the loader and the agent all go through these descriptors; none of them
 * switches on the kind. */
#ifndef VNT_HOPKIND_H
#define VNT_HOPKIND_H

#include <stdbool.h>
#include <stddef.h>
#include "lang/program.h"

struct vnt_plan_hop;
struct bpf_program;
struct bpf_link;

/* What attaching produced: a libbpf link or a raw link fd, released by
 * vnt_detach (runtime/loader/attach.c). */
struct vnt_attachment {
	struct bpf_link *link;
	int link_fd;            /* -1 if none */
};

/* What lowering a hop gets: its attach form's arguments after the hop
 * point's parameters were substituted. */
struct vnt_hop_lowering {
	struct vnt_plan_hop *ph;        /* to fill: target, dev, skb_arg, task_arg, ... */
	const struct vnt_arg *a0, *a1;  /* the first two arguments (a0 a non-empty string) */
	int skb_arg;                    /* a1 as the index of the sk_buff argument, or -1 */
	const struct vnt_loc *loc;      /* the hop's place in the script, for errors */
	struct vnt_diag *d;
};

/* What the code generator needs from a hop's kind. */
struct vnt_hop_program {
	char sec[300];                  /* SEC("...") of the program */
	const char *tpl;                /* bpf-templates/ file */
	char arg[16];                   /* @ARG@: argument index the template reads */
};

struct vnt_hopkind {
	const char *name;               /* in manifests, `vnt inspect`, errors: "tp_btf" */
	struct vnt_form form;           /* the attach form written in scripts */
	const char *feature;            /* what a package needs of the kernel ("tcx" for tc hooks) */
	bool device;                    /* attaches to one device: a0 names it (tc, XDP) */
	bool always_packet;             /* its context is the packet (tc, XDP) */
	bool btf_typed;                 /* BTF-typed arguments read directly; hops of one hook share a program */
	bool skb_second;                /* a second argument is the sk_buff's index */
	/* Fill in the plan hop; 0, or -1 after reporting to l->d. */
	int (*lower)(struct vnt_hop_lowering *l);
	/* Section, template and template argument of a lowered hop. */
	void (*program)(const struct vnt_plan_hop *h, struct vnt_hop_program *p);
	/* Does this kernel have what the hop needs? 0, or -1 with a sentence
	 * (the feature, and what to use instead) in why. NULL: always. */
	int (*available)(const struct vnt_plan_hop *h, char *why, size_t len);
	/* Attach the loaded program; 0, or -errno with a sentence in err. */
	int (*attach)(struct bpf_program *prog, const struct vnt_plan_hop *h, struct vnt_attachment *a, char *err,
		      size_t len);
};

/* compiler/hops/table.c */
extern const struct vnt_hopkind *const vnt_hopkinds[];
const struct vnt_hopkind *vnt_hopkind_find(const char *name);        /* by name; NULL if unknown */
const struct vnt_hopkind *vnt_hopkind_by_form(const char *form);     /* by attach form */

/* compiler/hops/common.c: what several kinds share. */
int vnt_hop_attach_section(struct bpf_program *prog, const struct vnt_plan_hop *h, struct vnt_attachment *a,
			   char *err, size_t len);
/* A BTF tracepoint's sk_buff (or, without one, task) argument and drop
 * arguments, from the kernel's BTF; -1 after an error. */
int vnt_hop_lower_btf_tp(struct vnt_hop_lowering *l, bool task_and_drops);
/* The device of a tc or XDP hop (a0, "[netns/]dev"), and attaching there. */
int vnt_hop_lower_device(struct vnt_hop_lowering *l);
int vnt_hop_attach_device(struct bpf_program *prog, const struct vnt_plan_hop *h, struct vnt_attachment *a, char *err,
			  size_t len);

#endif
