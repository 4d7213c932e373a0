/* hist(v): a log2 histogram per key: slot 0 for 0, slot k for
 * [2^(k-1), 2^k), 65 slots. */
#include "compiler/aggkind.h"
#include "compiler/plan.h"
#include "lib/strbuf.h"

static int layout(struct vnt_plan_agg *pa, const struct vnt_agg *a, struct vnt_diag *d)
{
	(void)a;
	(void)d;
	pa->nslots = 65;
	pa->value_size = 65 * 8;
	return 0;
}

static void emit(struct strbuf *o, const struct vnt_plan_agg *pa, bool shared)
{
	(void)pa;
	sb_printf(o, "vnt_hist_%s(val, (__u64)v);\n", shared ? "shared" : "add");
}

const struct vnt_aggkind vnt_agg_hist = {
	.sig = { "hist", "v", "hist(VALUE)" },
	.value = AV_SLOTS,
	.shape = AS_LOG2,
	.layout = layout,
	.emit = emit,
};
