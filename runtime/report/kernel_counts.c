/* What each host's kernel counted, against what the store holds.
 *
 * A packet missing at a hop is "lost" in a segment only if nothing else
 * explains it. Two things can: the kernel skipped runs of a hop program
 * (bpf_prog_info.recursion_misses: the hook fired while that program was
 * already running on the CPU), and raw records that never reached the
 * store. Both are counted by the host's own last snapshot (lost.skipped_runs,
 * hops[].hits), which the report reads here, so that neither is taken in
 * silence for a drop. */
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "runtime/report/report.h"

static json_object *snap_doc(const struct vnt_report_snapshot *s)
{
	return s->json ? json_tokener_parse(s->json) : NULL;
}

static uint64_t get_u64(json_object *o, const char *k)
{
	json_object *v;
	return o && json_object_object_get_ex(o, k, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

uint64_t vnt_report_host_skipped(const struct vnt_report *r, int host)
{
	uint64_t n = 0;
	for (int i = 0; i < r->nsnaps; i++) {
		if (r->snaps[i].host != host)
			continue;
		json_object *d = snap_doc(&r->snaps[i]), *lost;
		if (d && json_object_object_get_ex(d, "lost", &lost))
			n += get_u64(lost, "skipped_runs");
		json_object_put(d);
	}
	return n;
}

bool vnt_report_host_hop_hits(const struct vnt_report *r, int host, int hop, uint64_t *hits)
{
	const struct vnt_report_hop *h = &r->hops[hop];
	bool found = false;
	for (int i = 0; i < r->nsnaps && !found; i++) {
		if (r->snaps[i].host != host || strcmp(r->snaps[i].trace, h->trace_name))
			continue;
		json_object *d = snap_doc(&r->snaps[i]), *hops, *name;
		/* Only a trace that sends every passage as a raw record (events,
		 * no sampling) has one stored event per hit. */
		bool every = get_u64(d, "events") > 0 && get_u64(d, "sample") <= 1;
		if (every && json_object_object_get_ex(d, "hops", &hops) && json_object_is_type(hops, json_type_array))
			for (size_t k = 0; k < json_object_array_length(hops) && !found; k++) {
				json_object *o = json_object_array_get_idx(hops, k);
				if (json_object_object_get_ex(o, "name", &name) && !strcmp(json_object_get_string(name), h->name)) {
					*hits = get_u64(o, "hits");
					found = true;
				}
			}
		json_object_put(d);
	}
	return found;
}

uint64_t vnt_report_segment_unseen(const struct vnt_report *r, const struct vnt_report_segment *s)
{
	uint64_t lost = s->entered - s->reached, unexplained = lost - (s->dropped < lost ? s->dropped : lost);
	uint64_t skipped = 0;
	/* The hosts that trace the segment's end: those with events there, or
	 * every host when none has any. */
	bool any = false;
	for (int h = 0; h < r->nhosts; h++)
		any |= r->hosts[h].hop_events[s->to] > 0;
	for (int h = 0; h < r->nhosts; h++)
		if (!any || r->hosts[h].hop_events[s->to] > 0)
			skipped += vnt_report_host_skipped(r, h);
	return skipped < unexplained ? skipped : unexplained;
}

int vnt_report_missing_events(const struct vnt_report *r, vnt_report_missing_fn fn, void *arg)
{
	int n = 0;
	for (int h = 0; h < r->nhosts; h++)
		for (int hop = 0; hop < r->nhops; hop++) {
			uint64_t hits;
			if (r->hops[hop].task || !vnt_report_host_hop_hits(r, h, hop, &hits) ||
			    hits <= r->hosts[h].hop_events[hop])
				continue;
			n++;
			if (fn)
				fn(arg, h, hop, hits, r->hosts[h].hop_events[hop]);
		}
	return n;
}
