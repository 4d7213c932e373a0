/* The SQLite engine of the collector's store (runtime/collector/store.h).
 *
 * One connection, prepared statements made once at open, one transaction
 * per add_events call (all of a batch or none of it is in the file), WAL
 * journal. A mutex makes a store safe to share between threads. Events name
 * their trace and hop; the store keeps the run's hop ids (from the
 * manifest, or new ones for names it has not seen) and writes ids. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "runtime/collector/store.h"
#include "runtime/collector/store_hops.h"
#include "runtime/collector/store_sqlite.h"

/* Events go in EV_ROWS to an INSERT statement (fewer statement runs). */
#define EV_COLS 18
#define EV_ROWS 64

enum {
	S_BEGIN, S_COMMIT, S_ROLLBACK, S_EVENT, S_EVENTS, S_RUN, S_HOP, S_HOST, S_SNAP, S_HOST_STATUS, S_END_RUN,
	S_RUN_HOPS, S_HOST_OF_RUN, S_RUN_EXISTS, S_RUN_RANGE, S_CLOCK, S_NSTMT
};

static const char *const stmt_sql[S_NSTMT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_EVENT] = "INSERT INTO events(run_id, host_id, ts_ns, fp, trace, hop, len, ifindex, netns, cpu,"
		    " pid, saddr, daddr, sport, dport, proto, pkt_link, pkt) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[S_EVENTS] = NULL, /* S_EVENT's text with EV_ROWS rows of values, made at open */
	[S_RUN] = "INSERT INTO runs(script, manifest_json, started_ns, status) VALUES(?,?,?,'running')",
	[S_HOP] = "INSERT INTO hops(run_id, trace, trace_name, id, name, kind, target, identity)"
		  " VALUES(?,?,?,?,?,?,?,?)",
	[S_HOST] = "INSERT INTO hosts(run_id, name, clock_offset_ns, clock_uncertainty_ns, status, events, lost)"
		   " VALUES(?,?,?,?,'running',0,0)",
	[S_SNAP] = "INSERT INTO snapshots(run_id, host_id, seq, type, json) VALUES(?,?,?,?,?)",
	[S_HOST_STATUS] = "UPDATE hosts SET status=?, events=?, lost=? WHERE id=?",
	[S_END_RUN] = "UPDATE runs SET ended_ns=?, status=? WHERE id=?",
	[S_RUN_HOPS] = "SELECT trace, trace_name, id, name FROM hops WHERE run_id=? ORDER BY id",
	[S_HOST_OF_RUN] = "SELECT 1 FROM hosts WHERE id=? AND run_id=?",
	[S_RUN_EXISTS] = "SELECT 1 FROM runs WHERE id=?",
	[S_RUN_RANGE] = "UPDATE runs SET first_event=coalesce(first_event, ?2), last_event=?3 WHERE id=?1",
	[S_CLOCK] = "INSERT INTO clock(run_id, host_id, agent_ns, offset_ns, uncertainty_ns, rtt_ns) VALUES(?,?,?,?,?,?)",
};

struct vnt_store {
	sqlite3 *db;
	pthread_mutex_t mu;
	sqlite3_stmt *st[S_NSTMT];
	int64_t hops_run;       /* the run whose hops are in `hops`, 0 if none */
	struct vnt_hoptab hops; /* collector/store_hops.h */
	int64_t ok_run, ok_host; /* the last (run, host) pair found to belong together */
};

static void complain(struct vnt_store *s, const char *what)
{
	fprintf(stderr, "vnt: store: %s: %s\n", what, sqlite3_errmsg(s->db));
}

/* Run a prepared statement that returns no rows; reset it either way. */
static int run(struct vnt_store *s, int which, const char *what)
{
	sqlite3_stmt *st = s->st[which];
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		complain(s, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int tx_begin(struct vnt_store *s)
{
	return run(s, S_BEGIN, "begin");
}

static int tx_end(struct vnt_store *s, int rc)
{
	if (rc == 0 && run(s, S_COMMIT, "commit") == 0)
		return 0;
	if (!sqlite3_get_autocommit(s->db))
		run(s, S_ROLLBACK, "rollback");
	return -1;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* ---- the hop table of a run ---- */

static void hops_clear(struct vnt_store *s)
{
	vnt_hoptab_clear(&s->hops);
	s->hops_run = 0;
}

/* Insert hop row i of `hops` into the file. */
static int hop_insert(struct vnt_store *s, int64_t run_id, int i)
{
	const struct vnt_hop_row *h = &s->hops.h[i];
	sqlite3_stmt *st = s->st[S_HOP];
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int(st, 2, h->trace);
	bind_text(st, 3, h->trace_name);
	sqlite3_bind_int(st, 4, h->id);
	bind_text(st, 5, h->name);
	bind_text(st, 6, h->kind);
	bind_text(st, 7, h->target);
	bind_text(st, 8, h->identity);
	return run(s, S_HOP, "add hop");
}

/* Make `hops` the table of run_id (read back from the file). */
static int hops_load(struct vnt_store *s, int64_t run_id)
{
	if (s->hops_run == run_id)
		return 0;
	hops_clear(s);
	sqlite3_stmt *st = s->st[S_RUN_HOPS];
	sqlite3_bind_int64(st, 1, run_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (vnt_hoptab_add(&s->hops, (const char *)sqlite3_column_text(st, 1),
				   (const char *)sqlite3_column_text(st, 3), sqlite3_column_int(st, 0),
				   sqlite3_column_int(st, 2), NULL, NULL, NULL))
			break;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		complain(s, "read the run's hops");
		hops_clear(s);
		return -1;
	}
	s->hops_run = run_id;
	return 0;
}

/* The hop of an event, by its trace and hop names; a new hop row for a
 * name the run does not have yet. Returns the index in `hops`, or -1. */
static int hop_find(struct vnt_store *s, int64_t run_id, const char *trace, const char *name)
{
	int added, i = vnt_hoptab_find(&s->hops, trace, name, &added);
	if (i < 0)
		fprintf(stderr, "vnt: store: out of memory\n");
	return i < 0 || (added && hop_insert(s, run_id, i)) ? -1 : i;
}

/* The manifest's hops (compiler/manifest.c) as the rows of run_id. */
static int manifest_hops(struct vnt_store *s, int64_t run_id, const char *manifest)
{
	if (vnt_hoptab_from_manifest(&s->hops, manifest))
		return -1;
	for (int i = 0; i < s->hops.n; i++)
		if (hop_insert(s, run_id, i))
			return -1;
	return 0;
}

/* ---- the operations ---- */

static void store_close(struct vnt_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < S_NSTMT; i++)
		sqlite3_finalize(s->st[i]);
	hops_clear(s);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* The multi-row event insert: S_EVENT with EV_ROWS groups of values. */
static char *events_sql(void)
{
	const char *one = stmt_sql[S_EVENT], *values = strstr(one, "VALUES") + strlen("VALUES");
	size_t head = (size_t)(values - one), group = strlen(values);
	char *sql = malloc(head + EV_ROWS * (group + 1) + 1);
	if (!sql)
		return NULL;
	memcpy(sql, one, head);
	char *p = sql + head;
	for (int r = 0; r < EV_ROWS; r++) {
		if (r)
			*p++ = ',';
		memcpy(p, values, group);
		p += group;
	}
	*p = '\0';
	return sql;
}

static int store_open(const char *path, struct vnt_store **out, char *err, size_t errlen)
{
	*out = NULL;
	struct vnt_store *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (pthread_mutex_init(&s->mu, NULL)) {
		snprintf(err, errlen, "%s: cannot make a mutex", path);
		free(s);
		return -1;
	}
	if (vnt_sqlite_open(path, true, &s->db, err, errlen)) {
		store_close(s);
		return -1;
	}
	char *multi = events_sql();
	for (int i = 0; i < S_NSTMT; i++) {
		const char *sql = i == S_EVENTS ? multi : stmt_sql[i];
		if (!sql || sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", path, sql ? sqlite3_errmsg(s->db) : "out of memory");
			free(multi);
			store_close(s);
			return -1;
		}
	}
	free(multi);
	*out = s;
	return 0;
}

static int store_begin_run(struct vnt_store *s, const char *script, const char *manifest_json, int64_t started_ns,
			   int64_t *run_id)
{
	pthread_mutex_lock(&s->mu);
	int rc = tx_begin(s);
	if (!rc) {
		sqlite3_stmt *st = s->st[S_RUN];
		bind_text(st, 1, script);
		bind_text(st, 2, manifest_json);
		sqlite3_bind_int64(st, 3, started_ns);
		rc = run(s, S_RUN, "begin run");
	}
	int64_t id = rc ? 0 : sqlite3_last_insert_rowid(s->db);
	if (!rc) {
		hops_clear(s);
		rc = manifest_hops(s, id, manifest_json);
	}
	rc = tx_end(s, rc);
	if (rc)
		hops_clear(s);
	else
		s->hops_run = id;
	*run_id = rc ? 0 : id;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int store_add_host(struct vnt_store *s, int64_t run_id, const char *host, double offset_ns,
			  double uncertainty_ns, int64_t *host_id)
{
	pthread_mutex_lock(&s->mu);
	sqlite3_stmt *st = s->st[S_RUN_EXISTS];
	sqlite3_bind_int64(st, 1, run_id);
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
	sqlite3_reset(st);
	if (rc) {
		fprintf(stderr, "vnt: store: add host: no run %lld\n", (long long)run_id);
	} else {
		st = s->st[S_HOST];
		sqlite3_bind_int64(st, 1, run_id);
		bind_text(st, 2, host ? host : "");
		sqlite3_bind_double(st, 3, offset_ns);
		sqlite3_bind_double(st, 4, uncertainty_ns);
		rc = run(s, S_HOST, "add host");
	}
	*host_id = rc ? 0 : sqlite3_last_insert_rowid(s->db);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int host_of_run(struct vnt_store *s, int64_t run_id, int64_t host_id)
{
	if (s->ok_run == run_id && s->ok_host == host_id)
		return 0;
	sqlite3_stmt *st = s->st[S_HOST_OF_RUN];
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_int64(st, 2, run_id);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		fprintf(stderr, "vnt: store: host %lld is not a host of run %lld\n", (long long)host_id,
			(long long)run_id);
		return -1;
	}
	s->ok_run = run_id;
	s->ok_host = host_id;
	return 0;
}

/* Bind one event as the EV_COLS parameters from base+1 of an insert. */
static int bind_event(struct vnt_store *s, sqlite3_stmt *st, int base, int64_t run_id, int64_t host_id,
		      const struct vnt_store_event *e)
{
	int h = hop_find(s, run_id, e->trace, e->hop);
	if (h < 0)
		return -1;
	sqlite3_bind_int64(st, base + 1, run_id);
	sqlite3_bind_int64(st, base + 2, host_id);
	sqlite3_bind_int64(st, base + 3, e->ts_ns);
	sqlite3_bind_int64(st, base + 4, (int64_t)e->fp);
	sqlite3_bind_int(st, base + 5, s->hops.h[h].trace);
	sqlite3_bind_int(st, base + 6, s->hops.h[h].id);
	sqlite3_bind_int64(st, base + 7, e->len);
	sqlite3_bind_int64(st, base + 8, e->ifindex);
	sqlite3_bind_int64(st, base + 9, e->netns);
	sqlite3_bind_int64(st, base + 10, e->cpu);
	sqlite3_bind_int64(st, base + 11, e->pid);
	if (e->saddr) {
		sqlite3_bind_text(st, base + 12, e->saddr, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, base + 13, e->daddr ? e->daddr : "", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, base + 14, e->sport);
		sqlite3_bind_int(st, base + 15, e->dport);
		sqlite3_bind_int(st, base + 16, e->proto);
	} else {
		for (int i = 12; i <= 16; i++)
			sqlite3_bind_null(st, base + i);
	}
	if (e->has_pkt) {
		sqlite3_bind_int(st, base + 17, e->link);
		/* zeroblob for no bytes: NULL means "no packet kept" */
		if (e->caplen)
			sqlite3_bind_blob(st, base + 18, e->pkt, e->caplen, SQLITE_STATIC);
		else
			sqlite3_bind_zeroblob(st, base + 18, 0);
	} else {
		sqlite3_bind_null(st, base + 17);
		sqlite3_bind_null(st, base + 18);
	}
	return 0;
}

/* Insert events: EV_ROWS at a time with the multi-row statement, the
 * rest one by one. */
static int insert_events(struct vnt_store *s, int64_t run_id, int64_t host_id, const struct vnt_store_event *ev,
			 size_t n)
{
	int64_t first = 0;
	size_t i = 0;
	while (i < n) {
		int rows = n - i >= EV_ROWS ? EV_ROWS : 1;
		sqlite3_stmt *st = s->st[rows > 1 ? S_EVENTS : S_EVENT];
		for (int r = 0; r < rows; r++)
			if (bind_event(s, st, r * EV_COLS, run_id, host_id, &ev[i + (size_t)r]))
				return -1;
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			complain(s, "add events");
			return -1;
		}
		if (i == 0) /* rowids are consecutive: the transaction holds the write lock */
			first = sqlite3_last_insert_rowid(s->db) - rows + 1;
		i += (size_t)rows;
	}
	if (n == 0)
		return 0;
	sqlite3_stmt *st = s->st[S_RUN_RANGE];
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, first);
	sqlite3_bind_int64(st, 3, sqlite3_last_insert_rowid(s->db));
	return run(s, S_RUN_RANGE, "add events");
}

static int store_add_events(struct vnt_store *s, int64_t run_id, int64_t host_id, const struct vnt_store_event *ev,
			    size_t n)
{
	pthread_mutex_lock(&s->mu);
	int rc = tx_begin(s);
	if (!rc)
		rc = host_of_run(s, run_id, host_id);
	if (!rc)
		rc = hops_load(s, run_id);
	int nhops = s->hops.n;
	if (!rc)
		rc = insert_events(s, run_id, host_id, ev, n);
	rc = tx_end(s, rc);
	if (rc && s->hops.n != nhops)
		hops_clear(s); /* hops added in the rolled back transaction are gone */
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int store_add_snapshot(struct vnt_store *s, int64_t run_id, int64_t host_id, const char *json)
{
	json_object *doc = json ? json_tokener_parse(json) : NULL;
	if (!doc || !json_object_is_type(doc, json_type_object)) {
		fprintf(stderr, "vnt: store: a snapshot is not a JSON object\n");
		json_object_put(doc);
		return -1;
	}
	pthread_mutex_lock(&s->mu);
	int rc = host_of_run(s, run_id, host_id);
	if (!rc) {
		sqlite3_stmt *st = s->st[S_SNAP];
		json_object *v;
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_int64(st, 2, host_id);
		if (json_object_object_get_ex(doc, "seq", &v) && json_object_is_type(v, json_type_int))
			sqlite3_bind_int64(st, 3, json_object_get_int64(v));
		bind_text(st, 4, json_object_object_get_ex(doc, "type", &v) && json_object_is_type(v, json_type_string) ?
					 json_object_get_string(v) : NULL);
		bind_text(st, 5, json);
		rc = run(s, S_SNAP, "add snapshot");
	}
	pthread_mutex_unlock(&s->mu);
	json_object_put(doc);
	return rc;
}

static int store_host_status(struct vnt_store *s, int64_t host_id, const char *status, uint64_t events,
			     uint64_t lost)
{
	pthread_mutex_lock(&s->mu);
	sqlite3_stmt *st = s->st[S_HOST_STATUS];
	bind_text(st, 1, status);
	sqlite3_bind_int64(st, 2, (int64_t)events);
	sqlite3_bind_int64(st, 3, (int64_t)lost);
	sqlite3_bind_int64(st, 4, host_id);
	int rc = run(s, S_HOST_STATUS, "host status");
	if (!rc && sqlite3_changes(s->db) != 1) {
		fprintf(stderr, "vnt: store: host status: no host %lld\n", (long long)host_id);
		rc = -1;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int store_add_clock(struct vnt_store *s, int64_t run_id, int64_t host_id, int64_t agent_ns, int64_t offset_ns,
			   int64_t uncertainty_ns, int64_t rtt_ns)
{
	pthread_mutex_lock(&s->mu);
	int rc = host_of_run(s, run_id, host_id);
	if (!rc) {
		sqlite3_stmt *st = s->st[S_CLOCK];
		int64_t v[6] = { run_id, host_id, agent_ns, offset_ns, uncertainty_ns, rtt_ns };
		for (int i = 0; i < 6; i++)
			sqlite3_bind_int64(st, i + 1, v[i]);
		rc = run(s, S_CLOCK, "add clock");
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int store_end_run(struct vnt_store *s, int64_t run_id, int64_t ended_ns, const char *status)
{
	pthread_mutex_lock(&s->mu);
	sqlite3_stmt *st = s->st[S_END_RUN];
	sqlite3_bind_int64(st, 1, ended_ns);
	bind_text(st, 2, status);
	sqlite3_bind_int64(st, 3, run_id);
	int rc = run(s, S_END_RUN, "end run");
	if (!rc && sqlite3_changes(s->db) != 1) {
		fprintf(stderr, "vnt: store: end run: no run %lld\n", (long long)run_id);
		rc = -1;
	}
	/* Fold the WAL into the database now rather than at some later write. */
	if (!rc)
		sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

const struct vnt_store_ops vnt_store_sqlite = {
	.engine = "sqlite",
	.open = store_open,
	.begin_run = store_begin_run,
	.add_host = store_add_host,
	.add_events = store_add_events,
	.add_snapshot = store_add_snapshot,
	.host_status = store_host_status,
	.add_clock = store_add_clock,
	.end_run = store_end_run,
	.close = store_close,
};
