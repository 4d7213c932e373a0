/* lhist(v, min, max, step): a linear histogram per key: slot 0 below
 * min, then one slot per step, the last at or above max. */
#include "compiler/aggkind.h"
#include "compiler/plan.h"
#include "lib/strbuf.h"

static int check(const struct vnt_agg *a, struct vnt_diag *d)
{
	int64_t lo = a->num[0], hi = a->num[1], step = a->num[2];
	if (step <= 0 || hi <= lo) {
		vnt_error(d, &a->loc, "write lhist(VALUE, MIN, MAX, STEP) with MIN < MAX and STEP > 0",
			  "invalid linear histogram bounds");
		return 1;
	}
	if ((hi - lo) % step) {
		vnt_error(d, &a->loc, "choose MAX so that MAX - MIN is a multiple of STEP",
			  "the range of the linear histogram is not a whole number of steps");
		return 1;
	}
	if ((hi - lo) / step + 2 > VNT_MAX_LHIST_SLOTS) {
		vnt_error(d, &a->loc, "use a larger STEP", "linear histogram has more than %d buckets",
			  VNT_MAX_LHIST_SLOTS - 2);
		return 1;
	}
	return 0;
}

static int layout(struct vnt_plan_agg *pa, const struct vnt_agg *a, struct vnt_diag *d)
{
	if (check(a, d))
		return -1;
	pa->lmin = a->num[0];
	pa->lmax = a->num[1];
	pa->lstep = a->num[2];
	pa->nslots = (int)((pa->lmax - pa->lmin) / pa->lstep) + 2;
	pa->value_size = (uint32_t)pa->nslots * 8;
	return 0;
}

static void emit(struct strbuf *o, const struct vnt_plan_agg *pa, bool shared)
{
	sb_printf(o, "vnt_lhist_%s(val, v, %lldLL, %lldLL, %lldLL, %d);\n", shared ? "shared" : "add",
		  (long long)pa->lmin, (long long)pa->lmax, (long long)pa->lstep, pa->nslots);
}

const struct vnt_aggkind vnt_agg_lhist = {
	.sig = { "lhist", "vnnn", "lhist(VALUE, MIN, MAX, STEP)", check },
	.value = AV_SLOTS,
	.shape = AS_LINEAR,
	.layout = layout,
	.emit = emit,
};
