/* What a snapshot owns (runtime/output/snapshot.h). */
#include <stdlib.h>
#include <string.h>
#include "compiler/plan.h"
#include "runtime/output/snapshot.h"

/* Log-linear bucket bounds (bpf-templates/vnt_abi.h, VNT_LL_SLOTS). */
static uint64_t ll_lo(int slot)
{
	if (slot < 16)
		return (uint64_t)slot;
	int e = 4 + (slot - 16) / 16, sub = (slot - 16) % 16;
	return (uint64_t)(16 + sub) << (e - 4);
}
static uint64_t ll_mid(int slot)
{
	if (slot < 16)
		return (uint64_t)slot;
	uint64_t lo = ll_lo(slot), width = ll_lo(slot) / (uint64_t)(16 + (slot - 16) % 16);
	return lo + width / 2;
}

uint64_t vnt_ll_percentile(const uint64_t *b, uint64_t count, double q, uint64_t max)
{
	uint64_t rank = (uint64_t)(q * (double)count + 0.999999), acc = 0;
	if (!rank)
		rank = 1;
	for (int i = 0; i < VNT_LL_SLOTS; i++) {
		acc += b[i];
		if (acc >= rank)
			return !max || ll_mid(i) < max ? ll_mid(i) : max;   /* max 0: not known */
	}
	return 0;
}

void vnt_snapshot_free(struct vnt_snapshot *snap)
{
	for (int i = 0; i < snap->naggs; i++) {
		struct vnt_snap_aggr *g = &snap->aggs[i];
		for (int r = 0; r < g->nrows; r++) {
			for (int k = 0; k < g->nkeys; k++)
				free(g->rows[r].keys[k]);
			free(g->rows[r].keys);
			free(g->rows[r].slots);
		}
		free(g->rows);
		free(g->key_names);
	}
	free(snap->aggs);
	free(snap->lat);
	for (int i = 0; i < snap->nseg; i++) {
		for (int k = 0; k < snap->seg[i].ndrops; k++) {
			free(snap->seg[i].drops[k].reason);
			free(snap->seg[i].drops[k].location);
		}
		free(snap->seg[i].drops);
	}
	free(snap->seg);
	free(snap->hop_names);
	free(snap->hop_hits);
	memset(snap, 0, sizeof(*snap));
}
