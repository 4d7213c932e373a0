/* The aggregation kinds, in the order the checker's hints list them. One
 * line per kind (compiler/aggkind.h). */
#include <string.h>
#include "compiler/aggkind.h"

extern const struct vnt_aggkind vnt_agg_count, vnt_agg_sum, vnt_agg_min, vnt_agg_max, vnt_agg_avg, vnt_agg_hist,
	vnt_agg_lhist, vnt_agg_percentiles, vnt_agg_top;

const struct vnt_aggkind *const vnt_aggkinds[] = {
	&vnt_agg_count,
	&vnt_agg_sum,
	&vnt_agg_min,
	&vnt_agg_max,
	&vnt_agg_avg,
	&vnt_agg_hist,
	&vnt_agg_lhist,
	&vnt_agg_percentiles,
	&vnt_agg_top,
	NULL,
};

const struct vnt_aggkind *vnt_aggkind_find(const char *name)
{
	for (const struct vnt_aggkind *const *k = vnt_aggkinds; *k; k++)
		if (!strcmp((*k)->sig.name, name))
			return *k;
	return NULL;
}
