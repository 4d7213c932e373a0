/* What a snapshot owns (runtime/snapshot.h). */
#include <stdlib.h>
#include <string.h>
#include "runtime/snapshot.h"

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
