/* The manifest: the plan as JSON, read back by the runtime and agents.
 * Versioned: a reader refuses a manifest newer than it understands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "compiler/hopkind.h"
#include "compiler/plan.h"
#include "lang/ast.h"

#define MANIFEST_VERSION 1

static void put_s(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}
static void put_i(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

char *vnt_manifest_write(const struct vnt_plan *p)
{
	json_object *root = json_object_new_object();
	put_i(root, "vnt_manifest", MANIFEST_VERSION);
	put_s(root, "script", p->script);
	put_i(root, "lru_entries", p->lru_entries);
	if (p->snaplen)
		put_i(root, "snaplen", p->snaplen);   /* absent: records carry no packet bytes */
	json_object *traces = json_object_new_array();
	for (int i = 0; i < p->ntraces; i++) {
		const struct vnt_plan_trace *t = &p->traces[i];
		json_object *o = json_object_new_object();
		put_s(o, "name", t->name);
		put_i(o, "every_ns", (int64_t)t->every_ns);
		put_i(o, "for_ns", (int64_t)t->for_ns);
		put_i(o, "sample", t->sample_n);
		put_i(o, "first_hop", t->first_hop);
		put_i(o, "nhops", t->nhops);
		put_i(o, "breakdown", t->breakdown);
		put_i(o, "events", t->events);
		json_object_array_add(traces, o);
	}
	json_object_object_add(root, "traces", traces);
	json_object *hops = json_object_new_array();
	for (int i = 0; i < p->nhops; i++) {
		const struct vnt_plan_hop *h = &p->hops[i];
		json_object *o = json_object_new_object();
		put_i(o, "id", h->id);
		put_i(o, "trace", h->trace);
		put_s(o, "name", h->name);
		put_s(o, "def", h->def);
		put_s(o, "kind", h->kind->name);
		put_s(o, "target", h->target);
		put_s(o, "dev", h->dev);
		put_s(o, "filter_dev", h->filter_dev);
		put_i(o, "skb_arg", h->skb_arg);
		put_i(o, "skb_field_off", h->skb_field_off);
		put_i(o, "task_arg", h->task_arg);
		put_i(o, "reason_arg", h->reason_arg);
		put_i(o, "location_arg", h->location_arg);
		put_s(o, "prog", h->prog);
		put_s(o, "srcloc", h->srcloc);
		json_object_array_add(hops, o);
	}
	json_object_object_add(root, "hops", hops);
	json_object *lat = json_object_new_array();
	for (int i = 0; i < p->nlat; i++) {
		json_object *o = json_object_new_object();
		put_i(o, "from", p->lat[i].from);
		put_i(o, "to", p->lat[i].to);
		json_object_array_add(lat, o);
	}
	json_object_object_add(root, "latency", lat);
	json_object *aggs = json_object_new_array();
	for (int i = 0; i < p->naggs; i++) {
		const struct vnt_plan_agg *a = &p->aggs[i];
		json_object *o = json_object_new_object();
		put_i(o, "id", a->id);
		put_i(o, "trace", a->trace);
		put_s(o, "title", a->title);
		if (a->filter)
			put_s(o, "filter", a->filter);
		put_s(o, "value", a->value_text);
		put_s(o, "fn", a->kind->sig.name);
		put_s(o, "scalar", vnt_agg_scalar_name(a->scalar));
		if (a->top)
			put_i(o, "top", a->top);
		put_i(o, "src", a->src);
		put_i(o, "lat_from", a->lat_from);
		put_i(o, "lat_to", a->lat_to);
		put_i(o, "lmin", a->lmin);
		put_i(o, "lmax", a->lmax);
		put_i(o, "lstep", a->lstep);
		put_i(o, "nslots", a->nslots);
		put_i(o, "hop_mask", a->hop_mask);
		put_i(o, "key_size", a->key_size);
		put_i(o, "value_size", a->value_size);
		put_s(o, "map", a->map);
		put_i(o, "max_entries", a->max_entries);
		json_object *keys = json_object_new_array();
		for (int k = 0; k < a->nkeys; k++) {
			json_object *ko = json_object_new_object();
			put_s(ko, "field", vnt_keyfield_name(a->keys[k].field));
			put_i(ko, "off", a->keys[k].off);
			put_i(ko, "size", a->keys[k].size);
			json_object_array_add(keys, ko);
		}
		json_object_object_add(o, "keys", keys);
		json_object_array_add(aggs, o);
	}
	json_object_object_add(root, "aggregations", aggs);
	json_object *devs = json_object_new_array(), *dlocs = json_object_new_array();
	for (int i = 0; i < p->ndevs; i++) {
		json_object_array_add(devs, json_object_new_string(p->devs[i].name));
		json_object_array_add(dlocs, p->devs[i].srcloc ? json_object_new_string(p->devs[i].srcloc) : NULL);
	}
	json_object_object_add(root, "devices", devs);
	/* Where the script names each device, for errors on the running host. */
	json_object_object_add(root, "device_srclocs", dlocs);
	char *s = vnt_xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return s;
}

/* ---- reading ---- */

struct rd {
	char *err;
	size_t errlen;
	int bad;
};

static json_object *get(struct rd *r, json_object *o, const char *k, json_type t)
{
	/* Required: present, not null, of type t (optional fields are read
	 * by their callers directly). A package comes from elsewhere. */
	json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, k, &v) || !v || !json_object_is_type(v, t)) {
		if (!r->bad)
			snprintf(r->err, r->errlen, "manifest: field '%s' missing or of the wrong type", k);
		r->bad = 1;
		return NULL;
	}
	return v;
}
static int64_t gi(struct rd *r, json_object *o, const char *k)
{
	json_object *v = get(r, o, k, json_type_int);
	return v ? json_object_get_int64(v) : 0;
}
static char *gs(struct rd *r, json_object *o, const char *k)
{
	json_object *v = get(r, o, k, json_type_string);
	return v ? vnt_xstrdup(json_object_get_string(v)) : NULL;
}

static int bad(struct rd *r, const char *what)
{
	if (!r->bad)
		snprintf(r->err, r->errlen, "manifest: %s", what);
	r->bad = 1;
	return -1;
}

struct vnt_plan *vnt_manifest_read(const char *json, char *err, size_t errlen)
{
	struct rd r = { err, errlen, 0 };
	json_tokener *tok = json_tokener_new();
	json_object *root = json_tokener_parse_ex(tok, json, (int)strlen(json));
	enum json_tokener_error je = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!root || je != json_tokener_success) {
		snprintf(err, errlen, "manifest: not valid JSON (%s)", json_tokener_error_desc(je));
		json_object_put(root);
		return NULL;
	}
	struct vnt_plan *p = vnt_xcalloc(1, sizeof(*p));
	int64_t ver = gi(&r, root, "vnt_manifest");
	if (!r.bad && ver > MANIFEST_VERSION) {
		snprintf(err, errlen, "manifest format %lld is newer than this vnt understands (%d); upgrade vnt",
			 (long long)ver, MANIFEST_VERSION);
		r.bad = 1;
	}
	p->script = gs(&r, root, "script");
	p->lru_entries = (uint32_t)gi(&r, root, "lru_entries");
	json_object *sl;
	if (json_object_object_get_ex(root, "snaplen", &sl)) {
		int64_t v = json_object_get_int64(sl);
		if (!json_object_is_type(sl, json_type_int) || v < 0 || v > VNT_PCAP_SNAP_MAX)
			bad(&r, "snaplen out of range");
		else
			p->snaplen = (uint32_t)v;
	}
	json_object *a = get(&r, root, "traces", json_type_array);
	size_t n = a ? json_object_array_length(a) : 0;
	if (n > VNT_MAX_HOPS)
		bad(&r, "too many traces");
	p->traces = vnt_xcalloc(n ? n : 1, sizeof(*p->traces));
	for (size_t i = 0; i < n && !r.bad; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		struct vnt_plan_trace *t = &p->traces[p->ntraces++];
		t->name = gs(&r, o, "name");
		t->every_ns = (uint64_t)gi(&r, o, "every_ns");
		t->for_ns = (uint64_t)gi(&r, o, "for_ns");
		t->sample_n = (uint32_t)gi(&r, o, "sample");
		t->first_hop = (int)gi(&r, o, "first_hop");
		t->nhops = (int)gi(&r, o, "nhops");
		t->breakdown = (int)gi(&r, o, "breakdown");
		t->events = (int)gi(&r, o, "events");
		if (!r.bad && (t->first_hop < 0 || t->nhops < 0 || t->first_hop > VNT_MAX_HOPS ||
			       t->nhops > VNT_MAX_HOPS - t->first_hop || (t->breakdown && t->nhops > VNT_BD_MAXHOPS) ||
			       t->sample_n == 0))
			bad(&r, "trace hop range is inconsistent");
	}
	a = get(&r, root, "hops", json_type_array);
	n = a ? json_object_array_length(a) : 0;
	if (n > VNT_MAX_HOPS)
		bad(&r, "too many hops");
	for (size_t i = 0; i < n && !r.bad; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		struct vnt_plan_hop *h = &p->hops[p->nhops++];
		h->id = (int)gi(&r, o, "id");
		h->trace = (int)gi(&r, o, "trace");
		h->name = gs(&r, o, "name");
		h->def = gs(&r, o, "def");
		char *kind = gs(&r, o, "kind");
		const struct vnt_hopkind *k = kind ? vnt_hopkind_find(kind) : NULL;
		free(kind);
		if (!k)
			bad(&r, "unknown hop kind");
		h->kind = k ? k : vnt_hopkinds[0];   /* never NULL, even in a plan being refused */
		h->target = gs(&r, o, "target");
		json_object *dv = NULL;
		if (json_object_object_get_ex(o, "dev", &dv) && dv && json_object_is_type(dv, json_type_string))
			h->dev = vnt_xstrdup(json_object_get_string(dv));
		if (json_object_object_get_ex(o, "filter_dev", &dv) && dv && json_object_is_type(dv, json_type_string))
			h->filter_dev = vnt_xstrdup(json_object_get_string(dv));
		h->skb_arg = (int)gi(&r, o, "skb_arg");
		h->skb_field_off = (int)gi(&r, o, "skb_field_off");
		h->task_arg = (int)gi(&r, o, "task_arg");
		h->reason_arg = (int)gi(&r, o, "reason_arg");
		h->location_arg = (int)gi(&r, o, "location_arg");
		if (!r.bad && (h->skb_arg > 11 || h->task_arg > 11 || h->reason_arg > 11 || h->location_arg > 11))
			bad(&r, "hop argument index out of range");
		h->prog = gs(&r, o, "prog");
		json_object *sl = NULL;
		if (json_object_object_get_ex(o, "srcloc", &sl) && sl && json_object_is_type(sl, json_type_string))
			h->srcloc = vnt_xstrdup(json_object_get_string(sl));
		if (!r.bad && (h->id != (int)i || h->trace < 0 || h->trace >= p->ntraces))
			bad(&r, "inconsistent hop ids");
	}
	a = get(&r, root, "latency", json_type_array);
	n = a ? json_object_array_length(a) : 0;
	if (n > VNT_MAX_HOPS)
		bad(&r, "too many latency pairs");
	for (size_t i = 0; i < n && !r.bad; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		p->lat[i].from = (int)gi(&r, o, "from");
		p->lat[i].to = (int)gi(&r, o, "to");
		p->nlat++;
		if (p->lat[i].from < 0 || p->lat[i].from >= p->nhops || p->lat[i].to < 0 || p->lat[i].to >= p->nhops)
			bad(&r, "latency pair names an unknown hop");
	}
	a = get(&r, root, "aggregations", json_type_array);
	n = a ? json_object_array_length(a) : 0;
	if (n > VNT_MAX_AGGS)
		bad(&r, "too many aggregations");
	for (size_t i = 0; i < n && !r.bad; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		struct vnt_plan_agg *g = &p->aggs[p->naggs++];
		g->id = (int)gi(&r, o, "id");
		g->trace = (int)gi(&r, o, "trace");
		g->title = gs(&r, o, "title");
		json_object *vv = NULL;
		if (json_object_object_get_ex(o, "value", &vv) && vv && json_object_is_type(vv, json_type_string))
			g->value_text = vnt_xstrdup(json_object_get_string(vv));
		if (json_object_object_get_ex(o, "filter", &vv) && vv && json_object_is_type(vv, json_type_string))
			g->filter = vnt_xstrdup(json_object_get_string(vv));
		char *fn = gs(&r, o, "fn");
		const struct vnt_aggkind *k = fn ? vnt_aggkind_find(fn) : NULL;
		free(fn);
		if (!k)
			bad(&r, "unknown aggregation function");
		g->kind = k ? k : vnt_aggkinds[0];   /* never NULL, even in a plan being refused */
		g->scalar = g->kind->scalar;
		json_object *sc = NULL;
		if (json_object_object_get_ex(o, "scalar", &sc) && sc && json_object_is_type(sc, json_type_string))
			for (int s = SC_COUNT; s <= SC_AVG; s++)
				if (!strcmp(vnt_agg_scalar_name((enum vnt_agg_scalar)s), json_object_get_string(sc)))
					g->scalar = (enum vnt_agg_scalar)s;
		json_object *tp = NULL;
		if (json_object_object_get_ex(o, "top", &tp) && tp && json_object_is_type(tp, json_type_int))
			g->top = (uint32_t)json_object_get_int64(tp);
		g->src = (enum vnt_valsrc)gi(&r, o, "src");
		g->lat_from = (int)gi(&r, o, "lat_from");
		g->lat_to = (int)gi(&r, o, "lat_to");
		g->lmin = gi(&r, o, "lmin");
		g->lmax = gi(&r, o, "lmax");
		g->lstep = gi(&r, o, "lstep");
		g->nslots = (int)gi(&r, o, "nslots");
		g->hop_mask = (uint32_t)gi(&r, o, "hop_mask");
		g->key_size = (uint32_t)gi(&r, o, "key_size");
		g->value_size = (uint32_t)gi(&r, o, "value_size");
		g->map = gs(&r, o, "map");
		g->max_entries = (uint32_t)gi(&r, o, "max_entries");
		json_object *keys = get(&r, o, "keys", json_type_array);
		size_t nk = keys ? json_object_array_length(keys) : 0;
		if (nk > VNT_MAX_KEYS)
			bad(&r, "too many keys");
		for (size_t k = 0; k < nk && !r.bad; k++) {
			json_object *ko = json_object_array_get_idx(keys, k);
			char *fld = gs(&r, ko, "field");
			int kf = fld ? vnt_keyfield_parse(fld) : -1;
			free(fld);
			if (kf < 0)
				bad(&r, "unknown key field");
			struct vnt_plan_key *pk = &g->keys[g->nkeys++];
			pk->field = (enum vnt_keyfield)(kf < 0 ? 0 : kf);
			pk->off = (uint32_t)gi(&r, ko, "off");
			pk->size = (uint32_t)gi(&r, ko, "size");
			if (pk->off > g->key_size || pk->size > g->key_size - pk->off ||
			    pk->size != vnt_keyfield_size(pk->field))
				bad(&r, "key layout out of bounds");
		}
		uint32_t all = p->nhops >= 32 ? ~0u : (1u << p->nhops) - 1;
		if (!r.bad && (g->src > VS_PID || (g->hop_mask & ~all) || g->key_size == 0 || g->key_size > 512 ||
			       g->max_entries == 0 || g->max_entries > (1u << 20) ||
			       (g->src == VS_LATENCY && (g->lat_from < 0 || g->lat_from >= p->nhops ||
							 g->lat_to < 0 || g->lat_to >= p->nhops))))
			bad(&r, "aggregation refers to unknown hops or has impossible sizes");
		/* The value's layout must be its kind's (compiler/aggkind.h). */
		enum vnt_agg_value vk = g->kind->value;
		uint32_t vsize = vk == AV_SCALAR ? 32 : vk == AV_LOGLIN ? (uint32_t)(g->nslots + 2) * 8 : (uint32_t)g->nslots * 8;
		if (!r.bad && (g->nslots < 0 || g->nslots > VNT_MAX_LHIST_SLOTS || g->value_size != vsize ||
			       (vk == AV_SCALAR) != (g->nslots == 0) || (vk == AV_LOGLIN && g->nslots != VNT_LL_SLOTS) ||
			       (g->kind->shape == AS_LINEAR && g->lstep <= 0) || g->trace < 0 || g->trace >= p->ntraces))
			bad(&r, "aggregation layout is inconsistent");
	}
	a = get(&r, root, "devices", json_type_array);
	n = a ? json_object_array_length(a) : 0;
	if (n > VNT_MAX_DEVS)
		bad(&r, "too many devices");
	for (size_t i = 0; i < n && !r.bad; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		if (!json_object_is_type(o, json_type_string)) {
			bad(&r, "device names are strings");
			break;
		}
		p->devs[p->ndevs++].name = vnt_xstrdup(json_object_get_string(o));
	}
	json_object *dl;
	if (!r.bad && json_object_object_get_ex(root, "device_srclocs", &dl) && json_object_is_type(dl, json_type_array))
		for (int i = 0; i < p->ndevs && (size_t)i < json_object_array_length(dl); i++) {
			json_object *o = json_object_array_get_idx(dl, (size_t)i);
			if (o && json_object_is_type(o, json_type_string))
				p->devs[i].srcloc = vnt_xstrdup(json_object_get_string(o));
		}
	for (int t = 0; t < p->ntraces && !r.bad; t++) {
		const struct vnt_plan_trace *tr = &p->traces[t];
		if (tr->first_hop + tr->nhops > p->nhops)
			bad(&r, "a trace's hops run past the hops listed");
		for (int h = tr->first_hop; h < tr->first_hop + tr->nhops && !r.bad; h++)
			if (p->hops[h].trace != t)
				bad(&r, "a hop's trace does not match the trace's hop range");
	}
	json_object_put(root);
	if (r.bad) {
		vnt_plan_free(p);
		return NULL;
	}
	return p;
}
