/* `vnt report` on a ClickHouse store: the run, its hosts, hops and
 * snapshots are read as rows (they are few); everything over the events,
 * the fingerprint join, the pairing of passages into latencies, loss,
 * drops, the exact percentiles, the per-host-pair and per-flow views, is
 * computed by the server in SQL (report_sql_pairs.c writes it), and only
 * the resulting numbers come back. The rules are those of report_build.c,
 * so the same run stored in SQLite and in ClickHouse gives the same report
 * (tests/collector/report_engines.t). Intermediate results live in
 * temporary tables of one server session. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "runtime/report/report.h"
#include "runtime/collector/ch_http.h"
#include "runtime/collector/store_clickhouse.h"
#include "runtime/report/report_sql.h"

/* ---- rows as JSON (JSONEachRow): strings unescaped by json-c ---- */

typedef int (*row_fn)(json_object *row, void *arg);

static int each_row(struct vnt_ch *c, const char *sql, row_fn fn, void *arg, char *err, size_t errlen)
{
	char *out = NULL;
	if (vnt_ch_query(c, sql, &out, NULL, err, errlen))
		return -1;
	int rc = 0;
	for (char *line = out, *next; line && *line && !rc; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		json_object *row = json_tokener_parse(line);
		if (!row) {
			snprintf(err, errlen, "unreadable answer from the server: %.80s", line);
			rc = -1;
			break;
		}
		rc = fn(row, arg);
		json_object_put(row);
	}
	free(out);
	return rc;
}

/* 64-bit integers come quoted in JSON output (ClickHouse's default). */
static int64_t j64(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	if (json_object_is_type(v, json_type_string))
		return strtoll(json_object_get_string(v), NULL, 10);
	return json_object_get_int64(v);
}

static double jdbl(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	if (json_object_is_type(v, json_type_string))
		return strtod(json_object_get_string(v), NULL);
	return json_object_get_double(v);
}

/* A string column; "" is NULL when empty_null (the writer's NULL). */
static char *jdup(json_object *o, const char *k, bool empty_null)
{
	json_object *v;
	const char *s = json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
	return s && !(empty_null && !*s) ? strdup(s) : NULL;
}

/* ---- the run, its hosts and hops ---- */

struct ld {
	struct vnt_report *r;
	struct vnt_ch *c;
	const char *db;
	char sql[4096];
};

static int run_row(json_object *row, void *arg)
{
	struct vnt_report *r = arg;
	r->run_id = j64(row, "id");
	r->script = jdup(row, "sc", false);
	r->status = jdup(row, "stt", false);
	r->started_ns = j64(row, "st0");
	r->ended_ns = j64(row, "en");
	return r->script && r->status ? 0 : -1;
}

static int load_run(struct ld *l, char *err, size_t errlen)
{
	struct vnt_report *r = l->r;
	/* Runs by (id, claim), without the abandoned ones (store_clickhouse.c). */
	const char *runs_sql = "SELECT id, anyIf(script, version = 1) AS sc, anyIf(started_ns, version = 1) AS st0,"
			       " anyIf(ended_ns, version = 2) AS en, argMax(status, version) AS stt FROM %s.runs"
			       " %s GROUP BY id, claim HAVING stt != 'abandoned' AND countIf(version = 1) = 1"
			       " ORDER BY st0 DESC, id DESC LIMIT 1 FORMAT JSONEachRow";
	char where[64] = "";
	if (r->run_id)
		snprintf(where, sizeof(where), "WHERE id = %lld", (long long)r->run_id);
	snprintf(l->sql, sizeof(l->sql), runs_sql, l->db, where);
	int64_t want = r->run_id;
	r->run_id = 0;
	if (each_row(l->c, l->sql, run_row, r, err, errlen))
		return -1;
	if (!r->run_id) {
		if (want)
			snprintf(err, errlen, "%s: no run %lld in the store", r->db, (long long)want);
		else
			snprintf(err, errlen, "%s: the store has no runs", r->db);
		return 1;
	}
	return 0;
}

static int host_row(json_object *row, void *arg)
{
	struct vnt_report *r = arg;
	struct vnt_report_host *h = realloc(r->hosts, (size_t)(r->nhosts + 1) * sizeof(*h));
	if (!h)
		return -1;
	r->hosts = h;
	h = &r->hosts[r->nhosts++];
	*h = (struct vnt_report_host){ .id = j64(row, "id"), .name = jdup(row, "nm", false),
				       .offset_ns = jdbl(row, "off"), .uncertainty_ns = jdbl(row, "unc"),
				       .status = jdup(row, "stt", false), .events_reported = j64(row, "ev"),
				       .lost = j64(row, "ls") };
	return h->name ? 0 : -1;
}

static int hop_row(json_object *row, void *arg)
{
	struct vnt_report *r = arg;
	struct vnt_report_hop *h = realloc(r->hops, (size_t)(r->nhops + 1) * sizeof(*h));
	if (!h)
		return -1;
	r->hops = h;
	h = &r->hops[r->nhops++];
	char *identity = jdup(row, "idn", true);
	*h = (struct vnt_report_hop){ .trace = (int)j64(row, "trace"), .trace_name = jdup(row, "tn", false),
				      .id = (int)j64(row, "id"), .name = jdup(row, "nm", false),
				      .kind = jdup(row, "kd", true), .target = jdup(row, "tg", true),
				      .task = identity && !strcmp(identity, "task"),
				      .drop = identity && !strcmp(identity, "drop") };
	free(identity);
	return h->name ? 0 : -1;
}

static int load_hosts_hops(struct ld *l, char *err, size_t errlen)
{
	struct vnt_report *r = l->r;
	snprintf(l->sql, sizeof(l->sql),
		 "SELECT id, anyIf(name, version = 1) AS nm, anyIf(clock_offset_ns, version = 1) AS off,"
		 " anyIf(clock_uncertainty_ns, version = 1) AS unc, argMax(status, version) AS stt,"
		 " argMax(events, version) AS ev, argMax(lost, version) AS ls FROM %s.hosts WHERE run_id = %lld"
		 " GROUP BY id ORDER BY id FORMAT JSONEachRow",
		 l->db, (long long)r->run_id);
	if (each_row(l->c, l->sql, host_row, r, err, errlen))
		return -1;
	snprintf(l->sql, sizeof(l->sql),
		 "SELECT trace, any(trace_name) AS tn, id, any(name) AS nm, any(kind) AS kd, any(target) AS tg,"
		 " any(identity) AS idn FROM %s.hops WHERE run_id = %lld GROUP BY trace, id ORDER BY trace, id"
		 " FORMAT JSONEachRow",
		 l->db, (long long)r->run_id);
	if (each_row(l->c, l->sql, hop_row, r, err, errlen))
		return -1;
	for (int i = 0; i < r->nhosts; i++)
		if (!(r->hosts[i].hop_events = calloc(r->nhops ? (size_t)r->nhops : 1, sizeof(uint64_t))))
			return -1;
	return 0;
}

/* The run's clock measurements, by host and agent time (as report_load.c). */
static int clock_row(json_object *row, void *arg)
{
	struct vnt_report *r = arg;
	int64_t id = j64(row, "host_id");
	for (int i = 0; i < r->nhosts; i++) {
		struct vnt_report_host *h = &r->hosts[i];
		if (h->id != id)
			continue;
		int64_t *a = realloc(h->clock_agent, (size_t)(h->nclock + 1) * sizeof(*a));
		if (a)
			h->clock_agent = a;
		int64_t *o = a ? realloc(h->clock_offset, (size_t)(h->nclock + 1) * sizeof(*o)) : NULL;
		if (!o)
			return -1;
		h->clock_offset = o;
		h->clock_agent[h->nclock] = j64(row, "agent_ns");
		h->clock_offset[h->nclock++] = j64(row, "offset_ns");
		if ((double)j64(row, "uncertainty_ns") > h->uncertainty_ns)
			h->uncertainty_ns = (double)j64(row, "uncertainty_ns");
	}
	return 0;
}

/* Each host's last snapshot of each trace, in the order they were stored. */
static int snap_row(json_object *row, void *arg)
{
	struct vnt_report *r = arg;
	int64_t id = j64(row, "host_id");
	int host = -1;
	for (int i = 0; i < r->nhosts; i++)
		if (r->hosts[i].id == id)
			host = i;
	json_object *v;
	const char *text = json_object_object_get_ex(row, "json", &v) ? json_object_get_string(v) : NULL;
	json_object *doc = text ? json_tokener_parse(text) : NULL, *t;
	const char *trace = doc && json_object_object_get_ex(doc, "trace", &t) ? json_object_get_string(t) : NULL;
	int rc = 0;
	if (host >= 0 && trace) {
		int k = 0;
		while (k < r->nsnaps && !(r->snaps[k].host == host && !strcmp(r->snaps[k].trace, trace)))
			k++;
		if (k == r->nsnaps) {
			struct vnt_report_snapshot *n = realloc(r->snaps, (size_t)(k + 1) * sizeof(*n));
			if (!n) {
				rc = -1;
				goto out;
			}
			r->snaps = n;
			r->snaps[k] = (struct vnt_report_snapshot){ .host = host, .trace = strdup(trace) };
			r->nsnaps++;
		}
		free(r->snaps[k].json);
		r->snaps[k].json = strdup(text);
	}
out:
	json_object_put(doc);
	return rc;
}

struct vnt_report *vnt_report_load_clickhouse(const char *url, int64_t run_id, size_t top_flows, char *err,
					      size_t errlen)
{
	char e2[1024];
	struct vnt_ch *c = vnt_ch_open(url, 10, err, errlen);
	if (!c)
		return NULL;
	if (vnt_ch_schema(c, false, err, errlen)) {
		vnt_ch_close(c);
		return NULL;
	}
	vnt_ch_session(c);
	struct vnt_report *r = calloc(1, sizeof(*r));
	struct ld l = { .r = r, .c = c, .db = vnt_ch_database(c) };
	int rc = -1;
	e2[0] = '\0';
	if (r && (r->db = strdup(url))) {
		r->run_id = run_id;
		rc = load_run(&l, err, errlen);
		if (!rc)
			rc = load_hosts_hops(&l, e2, sizeof(e2));
		if (!rc) {
			snprintf(l.sql, sizeof(l.sql),
				 "SELECT host_id, agent_ns, offset_ns, uncertainty_ns FROM %s.clock WHERE run_id = %lld"
				 " ORDER BY host_id, agent_ns, offset_ns FORMAT JSONEachRow",
				 l.db, (long long)r->run_id);
			rc = each_row(c, l.sql, clock_row, r, e2, sizeof(e2));
		}
		if (!rc)
			rc = vnt_report_sql_events(c, r, top_flows, e2, sizeof(e2));
		if (!rc) {
			snprintf(l.sql, sizeof(l.sql),
				 "SELECT host_id, json FROM %s.snapshots WHERE run_id = %lld ORDER BY n FORMAT JSONEachRow",
				 l.db, (long long)r->run_id);
			rc = each_row(c, l.sql, snap_row, r, e2, sizeof(e2));
		}
		if (rc < 0)
			snprintf(err, errlen, "%s: reading run %lld: %s", url, (long long)r->run_id,
				 e2[0] ? e2 : "out of memory");
	} else {
		snprintf(err, errlen, "%s: out of memory", url);
	}
	vnt_ch_close(c);
	if (rc) {
		vnt_report_free(r);
		return NULL;
	}
	return r;
}
