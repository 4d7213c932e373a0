/* count(), sum(v), min(v), max(v), avg(v): one struct vnt_sval per key
 * (count, sum, minimum, maximum), which each shows a number of. */
#include "compiler/aggkind.h"
#include "compiler/plan.h"
#include "lib/strbuf.h"

int vnt_agg_layout_scalar(struct vnt_plan_agg *pa, const struct vnt_agg *a, struct vnt_diag *d)
{
	(void)a;
	(void)d;
	pa->nslots = 0;
	pa->value_size = 32;   /* struct vnt_sval */
	pa->scalar = pa->kind->scalar;
	return 0;
}

void vnt_agg_emit_scalar(struct strbuf *o, const struct vnt_plan_agg *pa, bool shared)
{
	if (shared)
		sb_printf(o, "vnt_scalar_shared(val, v, %d);\n", pa->id);
	else
		sb_puts(o, "vnt_scalar_add(val, v);\n");
}

#define SCALAR(NAME, ARGS, USAGE, SC)                                                                      \
	const struct vnt_aggkind vnt_agg_##NAME = {                                                        \
		.sig = { #NAME, ARGS, USAGE }, .value = AV_SCALAR, .shape = AS_SCALAR, .scalar = SC,        \
		.layout = vnt_agg_layout_scalar, .emit = vnt_agg_emit_scalar,                                \
	}

SCALAR(count, "", "count()", SC_COUNT);
SCALAR(sum, "v", "sum(VALUE)", SC_SUM);
SCALAR(min, "v", "min(VALUE)", SC_MIN);
SCALAR(max, "v", "max(VALUE)", SC_MAX);
SCALAR(avg, "v", "avg(VALUE)", SC_AVG);
