/* Filter expressions to eBPF C.
 *
 * A filter becomes one `static __always_inline` C function over the
 * packet copy (bpf-templates/vnt_pkt.h) and the hop's event:
 *
 *     static __always_inline int FNAME(struct vnt_pkt *p, const struct vnt_ev *ev)
 *
 * returning 1 when the packet matches. On unencapsulated Ethernet frames
 * the answer is libpcap's (tcpdump's), truncated and malformed frames
 * included: primitives test what libpcap's code generator tests, in the
 * same order, and a load past the captured bytes rejects the packet as a
 * classic BPF filter's abort does. Offsets above VNT_SNAP_MAX are past
 * the copy and reject too.
 */
#ifndef VNT_FILTER_GEN_H
#define VNT_FILTER_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include "lang/ast.h"
#include "lang/diag.h"
#include "lib/strbuf.h"

struct vnt_filter_env {
	struct vnt_diag *diag;
	/* F_CTX nodes: append a C boolean expression over `ev` to out and
	 * return 0, or report an error and return a negative value. NULL:
	 * context predicates are an error (e.g. in `vnt match`). */
	int (*emit_ctx)(struct vnt_filter_env *env, const struct vnt_fexpr *f, struct strbuf *out);
	/* A_PARAM: NULL if `name` is unbound; "" if it is bound to the
	 * number stored in *num; otherwise the string it is bound to (an
	 * error in arithmetic, which needs a number). */
	const char *(*param_value)(struct vnt_filter_env *env, const char *name, uint64_t *num);
	void *priv;
};

/* Append FNAME evaluating f on the packet as p currently presents it
 * (p->l3off / p->ethertype). f == NULL matches everything. inner(e)
 * evaluates e on the packet a VXLAN header at entry encapsulates (false
 * if none); outer(e) evaluates e on the headers as they were at entry.
 * A filter that reads no packet field never dereferences p (it may be
 * NULL). Returns 0, or -1 after reporting errors through env->diag. */
int vnt_filter_gen(struct strbuf *out, const char *fname, const struct vnt_fexpr *f,
		   struct vnt_filter_env *env);

/* Append FNAME with the default every trace and `vnt match` use: the
 * packet matches if f matches its outer headers or, when it is VXLAN, its
 * inner packet -- unless f names a layer itself (inner(), outer() or
 * vxlan/vni anywhere), in which case only the outer evaluation is made.
 * Also appends the helper FNAME_v (vnt_filter_gen's function), called
 * from a two-iteration loop so that the two evaluations share one copy
 * of the code. */
int vnt_filter_gen_top(struct strbuf *out, const char *fname, const struct vnt_fexpr *f,
		       struct vnt_filter_env *env);

/* Does f read the packet (as opposed to only context and constants)? */
bool vnt_filter_needs_packet(const struct vnt_fexpr *f);

/* Does f choose the encapsulation layer itself (inner, outer, vxlan)? */
bool vnt_filter_explicit_layer(const struct vnt_fexpr *f);

#endif
