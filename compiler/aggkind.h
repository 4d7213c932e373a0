/* Aggregation kinds: count, sum, hist, percentiles, top, ... Each is one
 * descriptor in a file of compiler/aggs/, listed in compiler/aggs/table.c:
 * its signature (what the checker accepts), its value's layout in the
 * kernel and the C of its update (what the code generator emits), what
 * the reader merges (by the value's layout) and how every output format
 * shows it (by its shape). A new aggregation whose value and shape exist
 * is a new file there and one line in the table; the update's C may use
 * a helper of bpf-templates/vnt_common.h or add one. */
#ifndef VNT_AGGKIND_H
#define VNT_AGGKIND_H

#include <stdbool.h>
#include <stdint.h>
#include "compiler/aggshape.h"
#include "lang/program.h"

struct vnt_plan_agg;
struct strbuf;

struct vnt_aggkind {
	struct vnt_agg_sig sig;         /* name, arguments, usage */
	enum vnt_agg_value value;
	enum vnt_agg_shape shape;
	enum vnt_agg_scalar scalar;     /* AS_SCALAR: the number (layout may choose) */
	/* The value's layout (nslots, value_size, the scalar, lhist bounds,
	 * top's N) from the checked call a; 0, or -1 after reporting to d. */
	int (*layout)(struct vnt_plan_agg *pa, const struct vnt_agg *a, struct vnt_diag *d);
	/* The C that adds v to *val: plain where only this CPU writes (the
	 * front cache, a per-CPU array), atomic in the shared keyed map. */
	void (*emit)(struct strbuf *o, const struct vnt_plan_agg *pa, bool shared);
};

/* compiler/aggs/table.c */
extern const struct vnt_aggkind *const vnt_aggkinds[];
const struct vnt_aggkind *vnt_aggkind_find(const char *name);

/* compiler/aggs/scalar.c: the layout and update of struct vnt_sval,
 * which other kinds (top) reuse. */
int vnt_agg_layout_scalar(struct vnt_plan_agg *pa, const struct vnt_agg *a, struct vnt_diag *d);
void vnt_agg_emit_scalar(struct strbuf *o, const struct vnt_plan_agg *pa, bool shared);

#endif
