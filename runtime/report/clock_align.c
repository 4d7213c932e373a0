/* vnt_clock_offset_at (clock_align.h). */
#include <math.h>
#include "runtime/report/clock_align.h"

int64_t vnt_clock_offset_at(const int64_t *agent, const int64_t *offset, int n, int64_t ts)
{
	int j = 0; /* measurements at or before ts */
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (agent[mid] <= ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	j = lo;
	if (j == 0)
		return offset[0];
	if (j >= n)
		return offset[n - 1];
	int64_t d = offset[j] - offset[j - 1], len = agent[j] - agent[j - 1];
	/* d * (ts - agent[j-1]) <= |d| * len must fit in 64 bits; a step that
	 * large (hours of clock over a long gap) is taken as a step. */
	if (fabs((double)d) * (double)len >= 9e18)
		return offset[j - 1];
	return offset[j - 1] + d * (ts - agent[j - 1]) / len;
}
