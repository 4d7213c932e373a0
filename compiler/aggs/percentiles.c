/* percentiles(v): p50, p90, p99 and p99.9 of v per key, from the same
 * log-linear histogram as breakdown() (16 exact buckets, then 16 per
 * power of two: a percentile read at its bucket's middle is within 3.2%
 * of the exact value), with the exact mean and maximum. 7.8 KB per key:
 * keyed, its table grows with the keys rather than being set aside. */
#include "compiler/aggkind.h"
#include "compiler/plan.h"
#include "lib/strbuf.h"

static int layout(struct vnt_plan_agg *pa, const struct vnt_agg *a, struct vnt_diag *d)
{
	(void)a;
	(void)d;
	pa->nslots = VNT_LL_SLOTS;
	pa->value_size = (VNT_LL_SLOTS + 2) * 8;   /* struct vnt_pval: the slots, the sum, the maximum */
	return 0;
}

static void emit(struct strbuf *o, const struct vnt_plan_agg *pa, bool shared)
{
	if (shared)
		sb_printf(o, "vnt_pct_shared(val, v, %d);\n", pa->id);
	else
		sb_puts(o, "vnt_pct_add(val, v);\n");
}

const struct vnt_aggkind vnt_agg_percentiles = {
	.sig = { "percentiles", "v", "percentiles(VALUE)" },
	.value = AV_LOGLIN,
	.shape = AS_QUANTILES,
	.layout = layout,
	.emit = emit,
};
