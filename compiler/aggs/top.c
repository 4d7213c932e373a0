/* top(N) by KEYS, top(N, v) by KEYS: the N keys with the most events, or
 * the largest sum of v. In the kernel it is a keyed count or sum (one
 * update per event, in the per-CPU front cache or the shared table:
 * bounded work); the reader keeps the N largest. Its table holds
 * VNT_AGG_KEYS keys: once full, new keys are refused and counted
 * (map_full), so with more distinct keys than that a heavy key first seen
 * late can be missed, and the output says how many were refused. */
#include "compiler/aggkind.h"
#include "compiler/plan.h"
#include "lib/strbuf.h"

static int check(const struct vnt_agg *a, struct vnt_diag *d)
{
	int n = 0;
	if (a->num[0] < 1 || a->num[0] > 1000) {
		vnt_error(d, &a->args[0]->loc, "write top(N) with 1 <= N <= 1000", "top(%lld): N must be between 1 and 1000",
			  (long long)a->num[0]);
		n++;
	}
	if (!a->keys) {
		vnt_error(d, &a->loc, "group it by what to rank: top(10) by flow", "top() needs keys (`by`)");
		n++;
	}
	return n;
}

static int layout(struct vnt_plan_agg *pa, const struct vnt_agg *a, struct vnt_diag *d)
{
	if (check(a, d))
		return -1;
	vnt_agg_layout_scalar(pa, a, d);
	pa->top = (uint32_t)a->num[0];
	pa->scalar = a->val ? SC_SUM : SC_COUNT;
	return 0;
}

const struct vnt_aggkind vnt_agg_top = {
	.sig = { "top", "n?v", "top(N) or top(N, VALUE), by KEYS", check },
	.value = AV_SCALAR,
	.shape = AS_SCALAR,
	.scalar = SC_COUNT,
	.layout = layout,
	.emit = vnt_agg_emit_scalar,
};
