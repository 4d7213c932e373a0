/* `vnt report --format json`: one JSON document (json-c), described in
 * doc/store-schema.md. */
#include <stdio.h>
#include <json-c/json.h>
#include "runtime/report/format.h"
#include "runtime/report/report.h"

#define REPORT_JSON_VERSION 1

static json_object *str(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *i64(int64_t v)
{
	return json_object_new_int64(v);
}

static json_object *u64(uint64_t v)
{
	return json_object_new_int64(v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v);
}

static void put(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

/* count and the statistics; null statistics when count is 0 */
static void put_stats(json_object *o, const struct vnt_stats *st)
{
	bool any = st->count > 0;
	put(o, "count", u64(st->count));
	put(o, "mean_ns", any ? json_object_new_double(st->mean) : NULL);
	put(o, "min_ns", any ? i64(st->min) : NULL);
	put(o, "p50_ns", any ? i64(st->p50) : NULL);
	put(o, "p90_ns", any ? i64(st->p90) : NULL);
	put(o, "p99_ns", any ? i64(st->p99) : NULL);
	put(o, "p999_ns", any ? i64(st->p999) : NULL);
	put(o, "max_ns", any ? i64(st->max) : NULL);
}

static json_object *hop_ref(const struct vnt_report *r, int hop)
{
	char label[512];
	vnt_report_hop_label(label, sizeof(label), r, hop);
	return json_object_new_string(label);
}

static json_object *segments(const struct vnt_report *r, const struct vnt_report_flow *fl)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < r->nseg; i++) {
		const struct vnt_report_segment *s = &r->seg[i];
		if (!vnt_report_segment_shown(s))
			continue;
		json_object *o = json_object_new_object();
		put(o, "from", hop_ref(r, s->from));
		put(o, "to", hop_ref(r, s->to));
		uint64_t entered = fl ? fl->seg[i].entered : s->entered, reached = fl ? fl->seg[i].reached : s->reached;
		put_stats(o, fl ? &fl->seg[i].st : &s->st);
		put(o, "entered", u64(entered));
		put(o, "lost", u64(entered - reached));
		if (!fl) {
			put(o, "dropped", u64(s->dropped));
			put(o, "unseen_max", u64(vnt_report_segment_unseen(r, s)));
		}
		if (!fl) {
			put(o, "boundary", json_object_new_boolean(s->boundary));
			json_object *pairs = json_object_new_array();
			for (int p = 0; p < s->npairs; p++) {
				json_object *po = json_object_new_object();
				put(po, "from_host", str(r->hosts[s->pairs[p].from_host].name));
				put(po, "to_host", str(r->hosts[s->pairs[p].to_host].name));
				put(po, "from_host_id", i64(r->hosts[s->pairs[p].from_host].id));
				put(po, "to_host_id", i64(r->hosts[s->pairs[p].to_host].id));
				put_stats(po, &s->pairs[p].st);
				json_object_array_add(pairs, po);
			}
			put(o, "hosts", pairs);
		}
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *hops(const struct vnt_report *r)
{
	json_object *a = json_object_new_array();
	for (int h = 0; h < r->nhops; h++) {
		const struct vnt_report_hop *hp = &r->hops[h];
		json_object *o = json_object_new_object();
		put(o, "label", hop_ref(r, h));
		put(o, "id", i64(hp->id));
		put(o, "trace", str(hp->trace_name));
		put(o, "name", str(hp->name));
		put(o, "kind", str(hp->kind));
		put(o, "target", str(hp->target));
		put(o, "identity", json_object_new_string(hp->task ? "task" : "packet"));
		put(o, "packets", u64(hp->packets));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *flows(const struct vnt_report *r, size_t top)
{
	json_object *a = json_object_new_array();
	for (size_t k = 0; k < r->nflows && k < top; k++) {
		const struct vnt_report_flow *fl = &r->flows[k];
		json_object *o = json_object_new_object();
		put(o, "saddr", str(fl->saddr));
		put(o, "sport", i64(fl->sport));
		put(o, "daddr", str(fl->daddr));
		put(o, "dport", i64(fl->dport));
		put(o, "proto", i64(fl->proto));
		put(o, "packets", u64(fl->packets));
		put(o, "segments", segments(r, fl));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *hosts(const struct vnt_report *r)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < r->nhosts; i++) {
		const struct vnt_report_host *h = &r->hosts[i];
		json_object *o = json_object_new_object();
		put(o, "id", i64(h->id));
		put(o, "name", str(h->name));
		put(o, "clock_offset_ns", json_object_new_double(h->offset_ns));
		put(o, "clock_uncertainty_ns", json_object_new_double(h->uncertainty_ns));
		put(o, "status", str(h->status));
		put(o, "events_sent", i64(h->events_reported));
		put(o, "lost", i64(h->lost));
		put(o, "skipped_runs", u64(vnt_report_host_skipped(r, i)));
		put(o, "events", u64(h->events_stored));
		json_object *ev = json_object_new_object();
		for (int hp = 0; hp < r->nhops; hp++) {
			char label[512];
			vnt_report_hop_label(label, sizeof(label), r, hp);
			put(ev, label, u64(h->hop_events[hp]));
		}
		put(o, "hop_events", ev);
		json_object_array_add(a, o);
	}
	return a;
}

/* Each host's last snapshot of each trace, as the agent sent it. */
static json_object *snapshots(const struct vnt_report *r)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < r->nsnaps; i++) {
		json_object *o = json_object_new_object(), *doc = json_tokener_parse(r->snaps[i].json);
		put(o, "host", str(r->hosts[r->snaps[i].host].name));
		put(o, "trace", str(r->snaps[i].trace));
		put(o, "snapshot", doc);
		json_object_array_add(a, o);
	}
	return a;
}

int vnt_report_json(FILE *f, const struct vnt_report *r, const struct vnt_report_opts *opt)
{
	json_object *root = json_object_new_object();
	put(root, "vnt_report", i64(REPORT_JSON_VERSION));
	put(root, "db", str(r->db));
	json_object *run = json_object_new_object();
	put(run, "id", i64(r->run_id));
	put(run, "script", str(r->script));
	put(run, "started_ns", i64(r->started_ns));
	put(run, "ended_ns", r->ended_ns ? i64(r->ended_ns) : NULL);
	put(run, "status", str(r->status));
	put(root, "run", run);
	put(root, "events", u64(r->events));
	put(root, "packets", u64(r->packets));
	put(root, "repeats", u64(r->repeats));
	put(root, "orphans", u64(r->orphans));
	put(root, "hops", hops(r));
	put(root, "segments", segments(r, NULL));
	put(root, "flows_total", u64(r->nflows));
	put(root, "flows", flows(r, opt->top_flows));
	put(root, "hosts", hosts(r));
	put(root, "snapshots", snapshots(r));
	fprintf(f, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return ferror(f) ? -1 : 0;
}

const struct vnt_report_format vnt_report_format_json = {
	.id = { "json", "one JSON document (doc/store-schema.md)" },
	.write = vnt_report_json,
};
