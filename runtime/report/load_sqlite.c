/* The report's reader for an SQLite store: the run, its hosts and hops,
 * then its events sorted by fingerprint (SQLite's sorter does the join's
 * grouping), fed to the builder with each host's clock offset applied. */
#include <math.h>
#include <stdio.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/report/report.h"
#include "runtime/collector/store_sqlite.h"
#include "runtime/report/clock_align.h"

static char *dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? strdup((const char *)t) : NULL;
}

static int query(sqlite3 *db, const char *sql, int64_t arg, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(*st, 1, arg);
	return 0;
}

static int load_run(sqlite3 *db, struct vnt_report *r, int64_t *first, int64_t *last, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (r->run_id == 0) {
		if (query(db, "SELECT max(id) FROM runs", 0, &st))
			return -1;
		if (sqlite3_step(st) == SQLITE_ROW)
			r->run_id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (r->run_id == 0) {
			snprintf(err, errlen, "%s: the store has no runs", r->db);
			return 1;
		}
	}
	if (query(db, "SELECT script, started_ns, ended_ns, status, first_event, last_event FROM runs WHERE id=?",
		  r->run_id, &st))
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->script = dup_col(st, 0);
		r->started_ns = sqlite3_column_int64(st, 1);
		r->ended_ns = sqlite3_column_int64(st, 2);
		r->status = dup_col(st, 3);
		*first = sqlite3_column_type(st, 4) == SQLITE_NULL ? 1 : sqlite3_column_int64(st, 4);
		*last = sqlite3_column_type(st, 5) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		snprintf(err, errlen, "%s: no run %lld in the store", r->db, (long long)r->run_id);
		return 1;
	}
	return rc == SQLITE_ROW ? 0 : -1;
}

static int load_hosts(sqlite3 *db, struct vnt_report *r)
{
	sqlite3_stmt *st;
	if (query(db, "SELECT id, name, clock_offset_ns, clock_uncertainty_ns, status, events, lost FROM hosts"
		      " WHERE run_id=? ORDER BY id", r->run_id, &st))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct vnt_report_host *h = realloc(r->hosts, (size_t)(r->nhosts + 1) * sizeof(*h));
		if (!h)
			break;
		r->hosts = h;
		h = &r->hosts[r->nhosts++];
		*h = (struct vnt_report_host){ .id = sqlite3_column_int64(st, 0), .name = dup_col(st, 1),
					       .offset_ns = sqlite3_column_double(st, 2),
					       .uncertainty_ns = sqlite3_column_double(st, 3), .status = dup_col(st, 4),
					       .events_reported = sqlite3_column_int64(st, 5),
					       .lost = sqlite3_column_int64(st, 6) };
		if (!h->name)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Hops in path order: by trace, then by id (the manifest's order). */
static int load_hops(sqlite3 *db, struct vnt_report *r)
{
	sqlite3_stmt *st;
	if (query(db, "SELECT trace, trace_name, id, name, kind, target, identity FROM hops WHERE run_id=?"
		      " ORDER BY trace, id", r->run_id, &st))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct vnt_report_hop *h = realloc(r->hops, (size_t)(r->nhops + 1) * sizeof(*h));
		if (!h)
			break;
		r->hops = h;
		h = &r->hops[r->nhops++];
		const unsigned char *identity = sqlite3_column_text(st, 6);
		*h = (struct vnt_report_hop){ .trace = sqlite3_column_int(st, 0), .trace_name = dup_col(st, 1),
					      .id = sqlite3_column_int(st, 2), .name = dup_col(st, 3),
					      .kind = dup_col(st, 4), .target = dup_col(st, 5),
					      .task = identity && !strcmp((const char *)identity, "task"),
					      .drop = identity && !strcmp((const char *)identity, "drop") };
		if (!h->name)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	for (int i = 0; i < r->nhosts; i++)
		if (!(r->hosts[i].hop_events = calloc(r->nhops ? (size_t)r->nhops : 1, sizeof(uint64_t))))
			return -1;
	return 0;
}

static int host_index(const struct vnt_report *r, int64_t id)
{
	int lo = 0, hi = r->nhosts - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (r->hosts[mid].id == id)
			return mid;
		if (r->hosts[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int hop_index(const struct vnt_report *r, int64_t id)
{
	for (int i = 0; i < r->nhops; i++)
		if (r->hops[i].id == id)
			return i;
	return -1;
}

/* The run's clock measurements (schema 2; none in an older store), by
 * host and agent time. The uncertainty a host is known within is the
 * largest of its measurements'. */
static int load_clock(sqlite3 *db, struct vnt_report *r)
{
	sqlite3_stmt *st;
	if (query(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'clock'", 0, &st))
		return -1;
	int have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (!have)
		return 0;
	if (query(db, "SELECT host_id, agent_ns, offset_ns, uncertainty_ns FROM clock WHERE run_id = ?"
		      " ORDER BY host_id, agent_ns, offset_ns", r->run_id, &st))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int h = host_index(r, sqlite3_column_int64(st, 0));
		if (h < 0)
			continue;
		struct vnt_report_host *ho = &r->hosts[h];
		int64_t *a = realloc(ho->clock_agent, (size_t)(ho->nclock + 1) * sizeof(*a));
		if (a)
			ho->clock_agent = a;
		int64_t *o = a ? realloc(ho->clock_offset, (size_t)(ho->nclock + 1) * sizeof(*o)) : NULL;
		if (!o)
			break;
		ho->clock_offset = o;
		ho->clock_agent[ho->nclock] = sqlite3_column_int64(st, 1);
		ho->clock_offset[ho->nclock++] = sqlite3_column_int64(st, 2);
		double unc = (double)sqlite3_column_int64(st, 3);
		if (unc > ho->uncertainty_ns)
			ho->uncertainty_ns = unc;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Stream the run's events, grouped by fingerprint, into the builder. */
static int load_events(sqlite3 *db, struct vnt_report *r, int64_t first, int64_t last)
{
	struct vnt_report_builder *b = vnt_report_builder_new(r);
	if (!b)
		return -1;
	int64_t *offset = calloc(r->nhosts ? (size_t)r->nhosts : 1, sizeof(*offset));
	int64_t maxid = -1; /* hop ids beyond the map (never from a vnt writer) are searched */
	for (int i = 0; i < r->nhops; i++)
		if (r->hops[i].id > maxid && r->hops[i].id < 65536)
			maxid = r->hops[i].id;
	int *hop_of = calloc((size_t)(maxid + 1 > 0 ? maxid + 1 : 1), sizeof(*hop_of));
	sqlite3_stmt *st = NULL;
	if (!offset || !hop_of ||
	    sqlite3_prepare_v2(db, "SELECT fp, host_id, hop, ts_ns, saddr, daddr, sport, dport, proto FROM events"
				   " WHERE id BETWEEN ?1 AND ?2 AND run_id=?3 ORDER BY fp", -1, &st, NULL) != SQLITE_OK) {
		free(offset);
		free(hop_of);
		vnt_report_builder_abort(b);
		return -1;
	}
	for (int i = 0; i < r->nhosts; i++)
		offset[i] = llround(r->hosts[i].offset_ns);
	for (int64_t id = 0; id <= maxid; id++)
		hop_of[id] = hop_index(r, id);
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	sqlite3_bind_int64(st, 3, r->run_id);
	int rc, bad = 0;
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t hop = sqlite3_column_int64(st, 2);
		struct vnt_report_obs o = {
			.fp = (uint64_t)sqlite3_column_int64(st, 0),
			.host = host_index(r, sqlite3_column_int64(st, 1)),
			.hop = hop >= 0 && hop <= maxid ? hop_of[hop] : hop_index(r, hop),
			.ts = sqlite3_column_int64(st, 3),
			.saddr = (const char *)sqlite3_column_text(st, 4),
			.daddr = (const char *)sqlite3_column_text(st, 5),
			.sport = sqlite3_column_int(st, 6),
			.dport = sqlite3_column_int(st, 7),
			.proto = sqlite3_column_int(st, 8),
		};
		if (o.host >= 0) {
			const struct vnt_report_host *h = &r->hosts[o.host];
			o.ts += h->nclock ? vnt_clock_offset_at(h->clock_agent, h->clock_offset, h->nclock, o.ts) : offset[o.host];
		}
		bad = vnt_report_builder_add(b, &o);
	}
	sqlite3_finalize(st);
	free(offset);
	free(hop_of);
	if (bad || rc != SQLITE_DONE) {
		vnt_report_builder_abort(b);
		return -1;
	}
	return vnt_report_builder_finish(b);
}

/* Each host's last snapshot of each trace: the latest per (host, trace),
 * in the order they were stored (snapshots are few: one per interval). */
static int load_snapshots(sqlite3 *db, struct vnt_report *r)
{
	sqlite3_stmt *st;
	if (query(db, "SELECT host_id, json FROM snapshots WHERE run_id=? ORDER BY id", r->run_id, &st))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int host = host_index(r, sqlite3_column_int64(st, 0));
		const char *text = (const char *)sqlite3_column_text(st, 1);
		json_object *doc = text ? json_tokener_parse(text) : NULL, *t;
		const char *trace = doc && json_object_object_get_ex(doc, "trace", &t) ? json_object_get_string(t) : NULL;
		if (host >= 0 && trace) {
			int k = 0;
			while (k < r->nsnaps && !(r->snaps[k].host == host && !strcmp(r->snaps[k].trace, trace)))
				k++;
			if (k == r->nsnaps) {
				struct vnt_report_snapshot *n = realloc(r->snaps, (size_t)(k + 1) * sizeof(*n));
				if (!n) {
					json_object_put(doc);
					break;
				}
				r->snaps = n;
				r->snaps[k] = (struct vnt_report_snapshot){ .host = host, .trace = strdup(trace) };
				r->nsnaps++;
			}
			free(r->snaps[k].json);
			r->snaps[k].json = strdup(text);
		}
		json_object_put(doc);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

struct vnt_report *vnt_report_load(const char *path, int64_t run_id, char *err, size_t errlen)
{
	sqlite3 *db;
	if (vnt_sqlite_open(path, false, &db, err, errlen))
		return NULL;
	struct vnt_report *r = calloc(1, sizeof(*r));
	int64_t first = 1, last = 0;
	int rc = -1;
	if (r && (r->db = strdup(path))) {
		r->run_id = run_id;
		sqlite3_exec(db, "PRAGMA threads=2", NULL, NULL, NULL); /* a sorter helper thread */
		rc = load_run(db, r, &first, &last, err, errlen);
		if (!rc)
			rc = load_hosts(db, r);
		if (!rc)
			rc = load_hops(db, r);
		if (!rc)
			rc = load_clock(db, r);
		if (!rc)
			rc = load_events(db, r, first, last);
		if (!rc)
			rc = load_snapshots(db, r);
		if (rc < 0)
			snprintf(err, errlen, "%s: reading run %lld: %s", path, (long long)r->run_id,
				 sqlite3_errcode(db) == SQLITE_OK || sqlite3_errcode(db) == SQLITE_ROW ||
						 sqlite3_errcode(db) == SQLITE_DONE ? "out of memory" : sqlite3_errmsg(db));
	} else {
		snprintf(err, errlen, "%s: out of memory", path);
	}
	sqlite3_close(db);
	if (rc) {
		vnt_report_free(r);
		return NULL;
	}
	return r;
}

void vnt_report_free(struct vnt_report *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nhops; i++) {
		free(r->hops[i].trace_name);
		free(r->hops[i].name);
		free(r->hops[i].kind);
		free(r->hops[i].target);
	}
	for (int i = 0; i < r->nhosts; i++) {
		free(r->hosts[i].name);
		free(r->hosts[i].status);
		free(r->hosts[i].hop_events);
		free(r->hosts[i].clock_agent);
		free(r->hosts[i].clock_offset);
	}
	for (int i = 0; i < r->nseg; i++) {
		vnt_lat_free(&r->seg[i].lat);
		for (int p = 0; p < r->seg[i].npairs; p++)
			vnt_lat_free(&r->seg[i].pairs[p].lat);
		free(r->seg[i].pairs);
	}
	for (size_t f = 0; f < r->nflows; f++) {
		/* A ClickHouse report reads only the flows it shows: the others
		 * are counted, with no segments. */
		for (int i = 0; r->flows[f].seg && i < r->nseg; i++)
			vnt_lat_free(&r->flows[f].seg[i].lat);
		free(r->flows[f].seg);
		free(r->flows[f].saddr);
		free(r->flows[f].daddr);
	}
	for (int i = 0; i < r->nsnaps; i++) {
		free(r->snaps[i].trace);
		free(r->snaps[i].json);
	}
	free(r->snaps);
	free(r->hops);
	free(r->hosts);
	free(r->seg);
	free(r->flows);
	free(r->db);
	free(r->script);
	free(r->status);
	free(r);
}
