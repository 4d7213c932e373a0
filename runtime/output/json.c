/* JSON output of a snapshot: one document per call, on one line, so a
 * consumer can read a live trace line by line. The schema is documented
 * in doc/json-output.md; bump VNT_JSON_VERSION on incompatible changes.
 * json-c does all quoting and escaping: key values are rendered from
 * packets and device names and may hold any byte. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "runtime/output/format.h"
#include "runtime/output/snapshot.h"

#define VNT_JSON_VERSION 1

/* Older json-c escapes '/' as "\/"; both parse, the plain form greps. */
#ifndef JSON_C_TO_STRING_NOSLASHESCAPE
#define JSON_C_TO_STRING_NOSLASHESCAPE 0
#endif

static json_object *jstr(const char *s) { return s ? json_object_new_string(s) : NULL; }

/* Counters are unsigned but consumers expect int64; only a value past
 * INT64_MAX (never a real count) falls back to json-c's uint64. */
static json_object *ju(uint64_t v)
{
	return v <= INT64_MAX ? json_object_new_int64((int64_t)v) : json_object_new_uint64(v);
}

/* NaN and infinities are not JSON; json-c would print them anyway. */
static json_object *jd(double v) { return isfinite(v) ? json_object_new_double(v) : NULL; }

static void add(json_object *o, const char *k, json_object *v) { json_object_object_add(o, k, v); }

/* The scalar value of a row; null where it is undefined (min, max or
 * avg of no events). */
static json_object *row_value(const struct vnt_snap_aggr *a, const struct vnt_snap_row *r)
{
	switch (a->scalar) {
	case SC_COUNT: return ju(r->count);
	case SC_SUM:   return ju(r->sum);
	case SC_MIN:   return r->count ? json_object_new_int64(r->min) : NULL;
	case SC_MAX:   return r->count ? json_object_new_int64(r->max) : NULL;
	case SC_AVG:   return r->count ? jd((double)r->sum / (double)r->count) : NULL;
	default:       return NULL;
	}
}

/* Bounds [lo, hi) of slot k, as laid out in snapshot.h; null marks an
 * open end: the LHIST under/overflow slots, and the top of log2 slot 64
 * whose bound 2^64 no JSON integer json-c writes can hold. */
static void slot_bounds(const struct vnt_snap_aggr *a, int k, json_object **lo, json_object **hi)
{
	if (a->shape == AS_LOG2) {
		if (k == 0) {
			*lo = ju(0);
			*hi = ju(1);
		} else {
			*lo = ju((uint64_t)1 << (k - 1));
			*hi = k < 64 ? ju((uint64_t)1 << k) : NULL;
		}
		return;
	}
	if (k == 0) {
		*lo = NULL;
		*hi = json_object_new_int64(a->lmin);
	} else if (k == a->nslots - 1) {
		*lo = json_object_new_int64(a->lmax);
		*hi = NULL;
	} else {
		int64_t l = a->lmin + (int64_t)(k - 1) * a->lstep;
		*lo = json_object_new_int64(l);
		*hi = json_object_new_int64(l + a->lstep);
	}
}

static json_object *buckets(const struct vnt_snap_aggr *a, const struct vnt_snap_row *r)
{
	json_object *arr = json_object_new_array();
	for (int k = 0; r->slots && k < a->nslots; k++) {
		if (!r->slots[k])
			continue; /* only non-empty buckets: hists are mostly empty */
		json_object *b = json_object_new_object(), *lo, *hi;
		slot_bounds(a, k, &lo, &hi);
		add(b, "lo", lo);
		add(b, "hi", hi);
		add(b, "count", ju(r->slots[k]));
		json_object_array_add(arr, b);
	}
	return arr;
}

static json_object *aggr(const struct vnt_snap_aggr *a)
{
	json_object *o = json_object_new_object(), *names = json_object_new_array();
	json_object *rows = json_object_new_array();
	bool hist = a->shape == AS_LOG2 || a->shape == AS_LINEAR;
	add(o, "title", jstr(a->title));
	add(o, "kind", jstr(a->kind));
	/* How to read the rows, for a consumer that does not know the kind. */
	add(o, "shape", json_object_new_string(vnt_agg_shape_name(a->shape)));
	if (a->shape == AS_SCALAR)
		add(o, "value_of", json_object_new_string(vnt_agg_scalar_name(a->scalar)));
	add(o, "value", jstr(a->value));
	add(o, "unit", json_object_new_string(a->unit ? a->unit : ""));
	for (int j = 0; j < a->nkeys; j++)
		json_object_array_add(names, jstr(a->key_names[j]));
	add(o, "keys", names);
	for (int i = 0; i < a->nrows; i++) {
		const struct vnt_snap_row *r = &a->rows[i];
		json_object *row = json_object_new_object(), *key = json_object_new_object();
		for (int j = 0; j < a->nkeys; j++)
			add(key, a->key_names[j] ? a->key_names[j] : "?", jstr(r->keys[j]));
		add(row, "key", key);
		add(row, "count", ju(r->count));
		if (hist) {
			add(row, "buckets", buckets(a, r));
		} else if (a->shape == AS_QUANTILES) {
			static const char *const qn[4] = { "p50", "p90", "p99", "p99_9" };
			for (int q = 0; q < 4; q++)
				add(row, qn[q], r->count ? jd(r->q[q]) : NULL);
			add(row, "mean", r->count ? jd(r->mean) : NULL);
			add(row, "max", r->count ? json_object_new_int64(r->max) : NULL);
		} else {
			add(row, "value", row_value(a, r));
		}
		json_object_array_add(rows, row);
	}
	add(o, "rows", rows);
	if (a->top) {
		add(o, "top", ju(a->top));
		add(o, "keys_total", ju(a->keys_total));
	}
	if (a->shape == AS_LINEAR) {
		/* The layout, so that a reader can rebuild the slots (runtime/output/snapshot_json.c). */
		json_object *l = json_object_new_object();
		add(l, "min", json_object_new_int64(a->lmin));
		add(l, "max", json_object_new_int64(a->lmax));
		add(l, "step", json_object_new_int64(a->lstep));
		add(o, "lhist", l);
	}
	add(o, "map_full", ju(a->map_full));
	add(o, "no_memory", ju(a->no_memory));
	add(o, "refused", ju(a->refused));
	return o;
}

void vnt_output_json(FILE *f, const struct vnt_snapshot *s)
{
	json_object *doc = json_object_new_object();
	add(doc, "vnt_json", json_object_new_int(VNT_JSON_VERSION));
	add(doc, "type", json_object_new_string(s->final ? "final" : "interval"));
	add(doc, "trace", jstr(s->trace));
	add(doc, "script", jstr(s->script));
	add(doc, "seq", ju(s->seq));
	add(doc, "elapsed_s", jd(s->elapsed_s));
	add(doc, "timestamp", jd(s->timestamp));
	add(doc, "sample", ju(s->sample_n ? s->sample_n : 1));

	json_object *aggs = json_object_new_array();
	uint64_t map_full = 0, no_memory = 0, refused = 0;
	for (int i = 0; i < s->naggs; i++) {
		json_object_array_add(aggs, aggr(&s->aggs[i]));
		map_full += s->aggs[i].map_full;
		no_memory += s->aggs[i].no_memory;
		refused += s->aggs[i].refused;
	}
	add(doc, "aggregations", aggs);

	json_object *hops = json_object_new_array();
	for (int i = 0; i < s->nhops; i++) {
		json_object *h = json_object_new_object();
		add(h, "name", jstr(s->hop_names[i]));
		add(h, "hits", ju(s->hop_hits[i]));
		json_object_array_add(hops, h);
	}
	add(doc, "hops", hops);
	add(doc, "hop_events", ju(s->hop_events_total));

	json_object *lat = json_object_new_array();
	uint64_t unmatched = 0;
	for (int i = 0; i < s->nlat; i++) {
		const struct vnt_snap_latency *l = &s->lat[i];
		json_object *o = json_object_new_object();
		add(o, "from", jstr(l->from));
		add(o, "to", jstr(l->to));
		add(o, "started", ju(l->started));
		add(o, "matched", ju(l->matched));
		add(o, "unmatched", ju(l->unmatched));
		add(o, "displaced", ju(l->displaced));
		json_object_array_add(lat, o);
		unmatched += l->unmatched;
	}
	add(doc, "latency", lat);

	if (s->nseg) {
		json_object *bd = json_object_new_array();
		for (int i = 0; i < s->nseg; i++) {
			const struct vnt_snap_segment *g = &s->seg[i];
			json_object *o = json_object_new_object();
			add(o, "from", jstr(g->from));
			add(o, "to", jstr(g->to));
			add(o, "count", ju(g->count));
			add(o, "mean_ns", json_object_new_double(g->mean));
			add(o, "p50_ns", ju(g->p50));
			add(o, "p90_ns", ju(g->p90));
			add(o, "p99_ns", ju(g->p99));
			add(o, "p99_9_ns", ju(g->p999));
			add(o, "max_ns", ju(g->max));
			add(o, "entered", ju(g->entered));
			add(o, "reached", ju(g->reached));
			add(o, "lost", ju(g->entered > g->reached ? g->entered - g->reached : 0));
			json_object *dr = json_object_new_array();
			for (int k = 0; k < g->ndrops; k++) {
				json_object *e = json_object_new_object();
				add(e, "reason", jstr(g->drops[k].reason));
				add(e, "location", jstr(g->drops[k].location));
				add(e, "count", ju(g->drops[k].count));
				json_object_array_add(dr, e);
			}
			add(o, "drops", dr);
			json_object_array_add(bd, o);
		}
		add(doc, "breakdown", bd);
		add(doc, "breakdown_drops_unplaced", ju(s->drops_unplaced));
	}
	add(doc, "events", ju(s->events));

	json_object *lost = json_object_new_object();
	add(lost, "events", ju(s->lost_events));
	add(lost, "latency_unmatched", ju(unmatched));
	add(lost, "map_full", ju(map_full));
	add(lost, "no_memory", ju(no_memory));
	add(lost, "refused", ju(refused));
	add(doc, "lost", lost);

	fprintf(f, "%s\n", json_object_to_json_string_ext(doc,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(f);
	json_object_put(doc);
}

const struct vnt_output_format vnt_output_format_json = {
	.id = { "json", "a JSON document per line (doc/json-output.md)" },
	.snapshot = vnt_output_json,
};
