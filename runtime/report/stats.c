/* Exact latency statistics of `vnt report`: the raw values are kept and
 * sorted; percentiles are by nearest rank (the smallest value with at
 * least p of the values at or below it). */
#include <stdlib.h>
#include "runtime/report/report.h"

int vnt_lat_push(struct vnt_lat *l, int64_t v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		int64_t *nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = v;
	return 0;
}

void vnt_lat_free(struct vnt_lat *l)
{
	free(l->v);
	*l = (struct vnt_lat){ 0 };
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int64_t vnt_lat_rank(const struct vnt_lat *l, uint64_t k, uint64_t d)
{
	/* rank = ceil(n * k / d), 1-based; n * k fits: n < 2^48, k < 2^16 */
	uint64_t rank = ((uint64_t)l->n * k + d - 1) / d;
	if (rank < 1)
		rank = 1;
	if (rank > l->n)
		rank = l->n;
	return l->v[rank - 1];
}

void vnt_lat_stats(struct vnt_lat *l, struct vnt_stats *st)
{
	*st = (struct vnt_stats){ .count = l->n };
	if (!l->n)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp64);
	long double sum = 0;
	for (size_t i = 0; i < l->n; i++)
		sum += (long double)l->v[i];
	st->mean = (double)(sum / (long double)l->n);
	st->min = l->v[0];
	st->max = l->v[l->n - 1];
	st->p50 = vnt_lat_rank(l, 1, 2);
	st->p90 = vnt_lat_rank(l, 9, 10);
	st->p99 = vnt_lat_rank(l, 99, 100);
	st->p999 = vnt_lat_rank(l, 999, 1000);
}
