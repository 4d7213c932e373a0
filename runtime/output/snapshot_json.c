/* A snapshot read back from its JSON document (doc/json-output.md), for
 * those who get snapshots as text: the collector's store keeps the
 * agents' documents, and `vnt report` prints them with the same outputs
 * as `vnt run`. The strings point into the parsed document, which the
 * vnt_snapshot_doc owns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "lang/ast.h"
#include "runtime/output/snapshot_json.h"

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *str(json_object *o, const char *k)
{
	json_object *v = get(o, k);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static uint64_t u64(json_object *o, const char *k)
{
	json_object *v = get(o, k);
	return v ? (uint64_t)json_object_get_int64(v) : 0;
}

static size_t len(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* The shape and scalar of an aggregation document; documents without
 * "shape" (older agents) are read by their kind. */
static int shape_of(json_object *o, struct vnt_snap_aggr *a)
{
	const char *shape = str(o, "shape"), *of = str(o, "value_of"), *kind = a->kind;
	for (int s = AS_SCALAR; s <= AS_QUANTILES; s++)
		if (shape && !strcmp(shape, vnt_agg_shape_name((enum vnt_agg_shape)s)))
			a->shape = (enum vnt_agg_shape)s;
	if (!shape)
		a->shape = !strcmp(kind, "hist") ? AS_LOG2 : !strcmp(kind, "lhist") ? AS_LINEAR : AS_SCALAR;
	const char *sc = of ? of : kind;
	a->scalar = SC_COUNT;
	for (int s = SC_COUNT; s <= SC_AVG; s++)
		if (!strcmp(sc, vnt_agg_scalar_name((enum vnt_agg_scalar)s)))
			a->scalar = (enum vnt_agg_scalar)s;
	return shape && !strcmp(shape, vnt_agg_shape_name(a->shape)) ? 0 : shape ? -1 : 0;
}

/* The slot of a bucket [lo, hi): the inverse of output_json.c's slot_bounds. */
static int slot_of(const struct vnt_snap_aggr *a, json_object *b)
{
	json_object *lo = get(b, "lo");
	if (a->shape == AS_LOG2) {
		uint64_t v = lo ? json_object_get_uint64(lo) : 0;   /* 2^63 is past int64 */
		int k = 0;
		while (v) {
			k++;
			v >>= 1;
		}
		return k;
	}
	if (!lo)
		return 0;
	int64_t l = json_object_get_int64(lo);
	if (l >= a->lmax)
		return a->nslots - 1;
	return a->lstep > 0 ? 1 + (int)((l - a->lmin) / a->lstep) : -1;
}

static int read_aggr(json_object *o, struct vnt_snap_aggr *a)
{
	a->kind = str(o, "kind");
	if (!a->kind || shape_of(o, a))
		return -1;
	a->title = str(o, "title");
	a->value = str(o, "value");
	a->unit = str(o, "unit");
	json_object *keys = get(o, "keys"), *rows = get(o, "rows"), *l = get(o, "lhist");
	a->nkeys = (int)len(keys);
	a->key_names = vnt_xcalloc((size_t)(a->nkeys ? a->nkeys : 1), sizeof(char *));
	for (int i = 0; i < a->nkeys; i++)
		a->key_names[i] = json_object_get_string(json_object_array_get_idx(keys, (size_t)i));
	a->top = (uint32_t)u64(o, "top");
	a->keys_total = u64(o, "keys_total");
	if (a->shape == AS_LOG2) {
		a->nslots = 65;
	} else if (a->shape == AS_LINEAR) {
		if (!l)
			return -1;
		a->lmin = (int64_t)u64(l, "min");
		a->lmax = (int64_t)u64(l, "max");
		a->lstep = (int64_t)u64(l, "step");
		if (a->lstep <= 0 || a->lmax <= a->lmin || (a->lmax - a->lmin) / a->lstep + 2 > 1002)
			return -1;
		a->nslots = (int)((a->lmax - a->lmin) / a->lstep) + 2;
	}
	a->map_full = u64(o, "map_full");
	a->no_memory = u64(o, "no_memory");
	a->refused = u64(o, "refused");
	a->nrows = (int)len(rows);
	a->rows = vnt_xcalloc((size_t)(a->nrows ? a->nrows : 1), sizeof(*a->rows));
	for (int i = 0; i < a->nrows; i++) {
		json_object *r = json_object_array_get_idx(rows, (size_t)i), *key = get(r, "key");
		struct vnt_snap_row *row = &a->rows[i];
		row->keys = vnt_xcalloc((size_t)(a->nkeys ? a->nkeys : 1), sizeof(char *));
		for (int k = 0; k < a->nkeys; k++) {
			const char *v = str(key, a->key_names[k]);
			row->keys[k] = vnt_xstrdup(v ? v : "?");
		}
		row->count = u64(r, "count");
		json_object *v = get(r, "value");
		if (a->shape == AS_SCALAR) {
			switch (a->scalar) {
			case SC_SUM: row->sum = v ? (uint64_t)json_object_get_int64(v) : 0; break;
			case SC_MIN: row->min = v ? json_object_get_int64(v) : 0; break;
			case SC_MAX: row->max = v ? json_object_get_int64(v) : 0; break;
			case SC_AVG: row->sum = v ? (uint64_t)(json_object_get_double(v) * (double)row->count + 0.5) : 0; break;
			default: break;
			}
		} else if (a->shape == AS_QUANTILES) {
			static const char *const qn[4] = { "p50", "p90", "p99", "p99_9" };
			for (int q = 0; q < 4; q++)
				row->q[q] = get(r, qn[q]) ? json_object_get_double(get(r, qn[q])) : 0;
			row->mean = get(r, "mean") ? json_object_get_double(get(r, "mean")) : 0;
			row->max = get(r, "max") ? json_object_get_int64(get(r, "max")) : 0;
		}
		if (a->nslots) {
			row->slots = vnt_xcalloc((size_t)a->nslots, sizeof(uint64_t));
			json_object *bk = get(r, "buckets");
			for (size_t b = 0; b < len(bk); b++) {
				json_object *e = json_object_array_get_idx(bk, b);
				int s = slot_of(a, e);
				if (s < 0 || s >= a->nslots)
					return -1;
				row->slots[s] += u64(e, "count");
			}
		}
	}
	return 0;
}

int vnt_snapshot_from_json(const char *text, struct vnt_snapshot_doc *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->root = json_tokener_parse(text);
	struct vnt_snapshot *s = &d->snap;
	if (!d->root || !json_object_is_type(d->root, json_type_object) || !get(d->root, "vnt_json")) {
		snprintf(err, errlen, "not a snapshot document");
		vnt_snapshot_doc_free(d);
		return -1;
	}
	json_object *r = d->root, *aggs = get(r, "aggregations"), *hops = get(r, "hops"), *lat = get(r, "latency"),
		    *bd = get(r, "breakdown"), *lost = get(r, "lost");
	const char *type = str(r, "type");
	s->final = type && !strcmp(type, "final");
	s->trace = str(r, "trace");
	s->script = str(r, "script");
	s->seq = u64(r, "seq");
	s->elapsed_s = get(r, "elapsed_s") ? json_object_get_double(get(r, "elapsed_s")) : 0;
	s->timestamp = get(r, "timestamp") ? json_object_get_double(get(r, "timestamp")) : 0;
	s->sample_n = (uint32_t)u64(r, "sample");
	s->naggs = (int)len(aggs);
	s->aggs = vnt_xcalloc((size_t)(s->naggs ? s->naggs : 1), sizeof(*s->aggs));
	for (int i = 0; i < s->naggs; i++)
		if (read_aggr(json_object_array_get_idx(aggs, (size_t)i), &s->aggs[i])) {
			snprintf(err, errlen, "aggregation %d of the snapshot is malformed", i);
			vnt_snapshot_doc_free(d);
			return -1;
		}
	s->nhops = (int)len(hops);
	s->hop_names = vnt_xcalloc((size_t)(s->nhops ? s->nhops : 1), sizeof(char *));
	s->hop_hits = vnt_xcalloc((size_t)(s->nhops ? s->nhops : 1), sizeof(uint64_t));
	for (int i = 0; i < s->nhops; i++) {
		json_object *h = json_object_array_get_idx(hops, (size_t)i);
		s->hop_names[i] = str(h, "name");
		s->hop_hits[i] = u64(h, "hits");
	}
	s->hop_events_total = u64(r, "hop_events");
	s->nlat = (int)len(lat);
	s->lat = vnt_xcalloc((size_t)(s->nlat ? s->nlat : 1), sizeof(*s->lat));
	for (int i = 0; i < s->nlat; i++) {
		json_object *l = json_object_array_get_idx(lat, (size_t)i);
		s->lat[i] = (struct vnt_snap_latency){ str(l, "from"), str(l, "to"), u64(l, "started"), u64(l, "matched"),
						       u64(l, "unmatched"), u64(l, "displaced") };
	}
	s->nseg = (int)len(bd);
	s->seg = s->nseg ? vnt_xcalloc((size_t)s->nseg, sizeof(*s->seg)) : NULL;
	for (int i = 0; i < s->nseg; i++) {
		json_object *g = json_object_array_get_idx(bd, (size_t)i);
		json_object *mean = get(g, "mean_ns");
		s->seg[i] = (struct vnt_snap_segment){ .from = str(g, "from"), .to = str(g, "to"), .count = u64(g, "count"),
						       .mean = mean ? json_object_get_double(mean) : 0,
						       .p50 = u64(g, "p50_ns"), .p90 = u64(g, "p90_ns"),
						       .p99 = u64(g, "p99_ns"), .p999 = u64(g, "p99_9_ns"),
						       .max = u64(g, "max_ns"), .entered = u64(g, "entered"),
						       .reached = u64(g, "reached") };
		json_object *dr = get(g, "drops");
		s->seg[i].ndrops = (int)len(dr);
		s->seg[i].drops = s->seg[i].ndrops ? vnt_xcalloc((size_t)s->seg[i].ndrops, sizeof(struct vnt_snap_drop)) : NULL;
		for (int k = 0; k < s->seg[i].ndrops; k++) {
			json_object *e = json_object_array_get_idx(dr, (size_t)k);
			const char *reason = str(e, "reason"), *where = str(e, "location");
			s->seg[i].drops[k] = (struct vnt_snap_drop){ vnt_xstrdup(reason ? reason : "?"),
								    vnt_xstrdup(where ? where : ""), u64(e, "count") };
		}
	}
	s->drops_unplaced = u64(r, "breakdown_drops_unplaced");
	s->events = u64(r, "events");
	s->lost_events = u64(lost, "events");
	return 0;
}

void vnt_snapshot_doc_free(struct vnt_snapshot_doc *d)
{
	vnt_snapshot_free(&d->snap);   /* rows, keys, slots and the arrays; the strings are the document's */
	json_object_put(d->root);
	d->root = NULL;
}
