/* The ClickHouse engine of the collector's store (runtime/store.h).
 *
 * Events are put column by column into a Native block (ch_native.h), the
 * other tables' rows are encoded as RowBinary, into one open batch per
 * table; a batch goes to a writer thread (its own HTTP connection) when it
 * is large (EV_BATCH_ROWS events) or old (BATCH_AGE_NS), so the
 * dispatcher's loop never waits for the server but when the writer is
 * QUEUE_MAX batches or QUEUE_BYTES behind (then it does: back-pressure, and
 * the agents count what they cannot send). So the dispatcher holds at most
 * the open events block, the queued ones and the one being sent: about
 * 3 x EV_BATCH_ROWS x 62 bytes for records without packet bytes. A batch the server does not take (down, refusing, gone
 * mid-run) is written to the spool (spool.h) instead and counted; while the
 * server is down, batches go to the spool without a try until RETRY_NS has
 * passed. end_run says what was spooled and how to load it, and returns 1.
 *
 * Identities: a run id is 63 random bits, checked to be unique in the
 * store before any of the run's rows are written (two dispatchers that
 * drew the same one both draw again); hosts are numbered within their run.
 * So dispatchers writing one store at once cannot mix their rows. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <json-c/json.h>
#include "runtime/proto/clock.h"
#include "runtime/collector/store.h"
#include "runtime/collector/spool.h"
#include "runtime/collector/store_clickhouse.h"
#include "runtime/collector/ch_native.h"
#include "runtime/collector/store_hops.h"

#define EV_BATCH_ROWS 262144
#define BATCH_AGE_NS 500000000LL
#define QUEUE_MAX 4
#define QUEUE_BYTES (24u << 20)  /* queued, not counting the batch being sent */
#define RETRY_NS 5000000000LL

enum { T_RUNS, T_HOSTS, T_HOPS, T_EVENTS, T_SNAPSHOTS, T_CLOCK, T_N };
static const char *const tbl_name[T_N] = { "runs", "hosts", "hops", "events", "snapshots", "clock" };

/* The events table's columns, in the order of its INSERT. */
enum { E_RUN, E_HOST, E_TS, E_FP, E_TRACE, E_HOP, E_LEN, E_IFINDEX, E_NETNS, E_CPU, E_PID, E_FAMILY, E_SADDR, E_DADDR,
       E_SPORT, E_DPORT, E_PROTO, E_PKT_LINK, E_PKT, E_N };
static const char *const ev_col[E_N] = { "run_id", "host_id", "ts_ns", "fp", "trace", "hop", "len", "ifindex",
					 "netns", "cpu", "pid", "family", "saddr", "daddr", "sport", "dport",
					 "proto", "pkt_link", "pkt" };
static const char *const ev_type[E_N] = { "UInt64", "UInt32", "Int64", "UInt64", "UInt16", "UInt16", "UInt32",
					  "UInt32", "UInt32", "UInt32", "UInt32", "UInt8", "String", "String",
					  "UInt16", "UInt16", "UInt8", "UInt8", "String" };

struct batch {
	int table;
	struct vnt_rb rb;       /* RowBinary rows (every table but events) */
	struct vnt_native *nat; /* the events' Native block */
	uint64_t rows;
	size_t bytes;           /* when queued */
	struct batch *next;
};

struct vnt_store {
	struct vnt_ch *ch, *wch;        /* the caller's connection, the writer's */
	char insert_sql[T_N][320];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t writer;
	bool have_writer, quit, busy;
	struct batch *qhead, *qtail;
	int qlen;
	size_t qbytes;
	struct batch *cur[T_N];
	int64_t cur_since;              /* monotonic ns of the oldest row in cur, 0 none */
	struct vnt_hoptab hops;
	uint64_t run_id, claim;
	uint32_t nhosts;
	uint64_t snap_n;
	struct vnt_spool spool;
	int64_t retry_at;               /* while down: monotonic ns of the next try */
	bool down;
	char down_reason[768];
	uint64_t stored_events, queued_events;
};

/* ---- batches and the writer ---- */

static struct batch *cur_batch(struct vnt_store *s, int table)
{
	if (!s->cur[table]) {
		struct batch *b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
		b->table = table;
		if (table == T_EVENTS &&
		    (!(b->nat = malloc(sizeof(*b->nat))) ||
		     vnt_native_init(b->nat, ev_col, ev_type, E_N, EV_BATCH_ROWS))) {
			free(b->nat);
			free(b);
			return NULL;
		}
		s->cur[table] = b;
	}
	if (!s->cur_since)
		s->cur_since = vnt_monotonic_ns();
	return s->cur[table];
}

static void batch_free(struct batch *b)
{
	if (b) {
		vnt_rb_free(&b->rb);
		if (b->nat) {
			vnt_native_free(b->nat);
			free(b->nat);
		}
		free(b);
	}
}

/* The open batches onto the queue (hops before events: a replayed spool
 * then has them in the same order). Called with mu held; waits while the
 * writer is QUEUE_MAX behind. */
static void enqueue_open(struct vnt_store *s)
{
	static const int order[T_N] = { T_RUNS, T_HOSTS, T_HOPS, T_CLOCK, T_SNAPSHOTS, T_EVENTS };
	for (int k = 0; k < T_N; k++) {
		struct batch *b = s->cur[order[k]];
		if (!b)
			continue;
		s->cur[order[k]] = NULL;
		b->bytes = b->rb.len;
		for (int c = 0; b->nat && c < b->nat->ncols; c++)
			b->bytes += b->nat->col[c].data.len;
		while ((s->qlen >= QUEUE_MAX || (s->qlen && s->qbytes + b->bytes > QUEUE_BYTES)) && s->have_writer)
			pthread_cond_wait(&s->cv, &s->mu);
		b->next = NULL;
		if (s->qtail)
			s->qtail->next = b;
		else
			s->qhead = b;
		s->qtail = b;
		s->qlen++;
		s->qbytes += b->bytes;
		if (b->table == T_EVENTS)
			s->queued_events += b->rows;
	}
	s->cur_since = 0;
	pthread_cond_broadcast(&s->cv);
}

/* Spool a batch the server did not take. Called without mu. */
static void spool_batch(struct vnt_store *s, struct batch *b, const char *why)
{
	char head[64], tail[1024];
	uint64_t events = b->table == T_EVENTS ? b->rows : 0;
	pthread_mutex_lock(&s->mu);
	bool first = s->spool.batches == 0 && s->spool.lost_rows == 0;
	pthread_mutex_unlock(&s->mu);
	if (first)
		fprintf(stderr, "vnt: warning: store %s: %s; keeping what arrives in %s/ until it answers again\n",
			vnt_ch_url(s->wch), why, s->spool.dir);
	int rc = vnt_ch_replay_command(s->wch, s->insert_sql[b->table], head, sizeof(head), tail, sizeof(tail));
	struct vnt_rb flat = { 0 };
	const struct vnt_rb *body = &b->rb;
	if (!rc && b->nat) {
		rc = vnt_native_flat(b->nat, &flat);
		body = &flat;
	}
	pthread_mutex_lock(&s->mu);
	if (rc) {   /* vnt_spool_put counts its own failures */
		s->spool.lost_rows += b->rows;
		s->spool.lost_events += events;
	}
	if (rc || vnt_spool_put(&s->spool, tbl_name[b->table], b->nat ? "native" : "rowbinary", body->p, body->len,
					 b->rows, events, head, tail))
		fprintf(stderr, "vnt: error: store %s: cannot write the spool %s/ either: %llu %s rows lost\n",
			vnt_ch_url(s->wch), s->spool.dir, (unsigned long long)b->rows, tbl_name[b->table]);
	pthread_mutex_unlock(&s->mu);
	vnt_rb_free(&flat);
}

static int send_batch(struct vnt_store *s, struct batch *b, char *err, size_t errlen)
{
	if (!b->nat)
		return vnt_ch_insert(s->wch, s->insert_sql[b->table], b->rb.p, b->rb.len, err, errlen);
	struct iovec iov[2 * VNT_NATIVE_MAX_COLS + 1];
	int n;
	size_t len;
	if (vnt_native_iov(b->nat, iov, &n, &len)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return vnt_ch_insert_iov(s->wch, s->insert_sql[b->table], iov, n, len, err, errlen);
}

static void write_batch(struct vnt_store *s, struct batch *b)
{
	char err[768];
	if (b->rb.oom || (b->nat && vnt_native_oom(b->nat))) {
		pthread_mutex_lock(&s->mu);
		s->spool.lost_rows += b->rows;
		s->spool.lost_events += b->table == T_EVENTS ? b->rows : 0;
		pthread_mutex_unlock(&s->mu);
		fprintf(stderr, "vnt: error: store: out of memory: %llu %s rows lost\n", (unsigned long long)b->rows,
			tbl_name[b->table]);
		return;
	}
	int64_t now = vnt_monotonic_ns();
	pthread_mutex_lock(&s->mu);
	bool skip = s->down && now < s->retry_at;
	pthread_mutex_unlock(&s->mu);
	if (!skip && !send_batch(s, b, err, sizeof(err))) {
		pthread_mutex_lock(&s->mu);
		if (s->down)
			fprintf(stderr, "vnt: store %s answers again; new data goes there\n", vnt_ch_url(s->wch));
		s->down = false;
		if (b->table == T_EVENTS)
			s->stored_events += b->rows;
		pthread_mutex_unlock(&s->mu);
		return;
	}
	pthread_mutex_lock(&s->mu);
	if (!skip) {
		s->down = true;
		s->retry_at = vnt_monotonic_ns() + RETRY_NS;
		snprintf(s->down_reason, sizeof(s->down_reason), "%s", err);
	}
	pthread_mutex_unlock(&s->mu);
	spool_batch(s, b, skip ? s->down_reason : err);
}

static void *writer_main(void *arg)
{
	struct vnt_store *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (!s->qhead && s->cur_since && vnt_monotonic_ns() - s->cur_since >= BATCH_AGE_NS)
			enqueue_open(s);
		if (!s->qhead) {
			if (s->quit)
				break;
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&s->cv, &s->mu, &ts);
			continue;
		}
		struct batch *b = s->qhead;
		s->qhead = b->next;
		if (!s->qhead)
			s->qtail = NULL;
		s->qbytes -= b->bytes;
		s->busy = true;
		pthread_mutex_unlock(&s->mu);
		write_batch(s, b);
		batch_free(b);
		pthread_mutex_lock(&s->mu);
		s->qlen--;
		s->busy = false;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Everything open written (or spooled). Called with mu held. */
static void drain(struct vnt_store *s)
{
	enqueue_open(s);
	while (s->have_writer && (s->qhead || s->busy))
		pthread_cond_wait(&s->cv, &s->mu);
}

/* ---- rows ---- */

static void row_hop(struct vnt_store *s, const struct vnt_hop_row *h)
{
	struct batch *b = cur_batch(s, T_HOPS);
	if (!b)
		return;
	vnt_rb_u64(&b->rb, s->run_id);
	vnt_rb_u16(&b->rb, (uint16_t)h->trace);
	vnt_rb_str(&b->rb, h->trace_name);
	vnt_rb_u16(&b->rb, (uint16_t)h->id);
	vnt_rb_str(&b->rb, h->name);
	vnt_rb_str(&b->rb, h->kind);
	vnt_rb_str(&b->rb, h->target);
	vnt_rb_str(&b->rb, h->identity);
	b->rows++;
}

static void row_host(struct vnt_store *s, uint32_t id, int version, const char *name, double off, double unc,
		     const char *status, uint64_t events, uint64_t lost)
{
	struct batch *b = cur_batch(s, T_HOSTS);
	if (!b)
		return;
	vnt_rb_u64(&b->rb, s->run_id);
	vnt_rb_u32(&b->rb, id);
	vnt_rb_u8(&b->rb, (uint8_t)version);
	vnt_rb_str(&b->rb, name);
	vnt_rb_f64(&b->rb, off);
	vnt_rb_f64(&b->rb, unc);
	vnt_rb_str(&b->rb, status);
	vnt_rb_u64(&b->rb, events);
	vnt_rb_u64(&b->rb, lost);
	b->rows++;
}

static void rb_run(struct vnt_rb *rb, uint64_t id, uint64_t claim, int version, const char *script,
		   const char *manifest, int64_t started, int64_t ended, const char *status)
{
	char me[256] = "";
	gethostname(me, sizeof(me) - 1);
	vnt_rb_u64(rb, id);
	vnt_rb_u64(rb, claim);
	vnt_rb_u8(rb, (uint8_t)version);
	vnt_rb_str(rb, script);
	vnt_rb_str(rb, manifest);
	vnt_rb_u64(rb, (uint64_t)started);
	vnt_rb_u64(rb, (uint64_t)ended);
	vnt_rb_str(rb, status);
	vnt_rb_str(rb, me);
}

/* ---- the operations ---- */

static void store_close(struct vnt_store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	drain(s);
	s->quit = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->have_writer)
		pthread_join(s->writer, NULL);
	for (int i = 0; i < T_N; i++)
		batch_free(s->cur[i]);
	for (struct batch *b = s->qhead, *n; b; b = n) {
		n = b->next;
		batch_free(b);
	}
	vnt_hoptab_clear(&s->hops);
	vnt_spool_free(&s->spool);
	vnt_ch_close(s->ch);
	vnt_ch_close(s->wch);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* URL?spool=DIR: where batches the server does not take are kept. */
static char *split_spool(const char *path, char **spool)
{
	char *url = strdup(path), *q = url ? strchr(url, '?') : NULL;
	*spool = NULL;
	if (q) {
		*q++ = '\0';
		if (!strncmp(q, "spool=", 6))
			*spool = q + 6;
	}
	return url;
}

static int store_open(const char *path, struct vnt_store **out, char *err, size_t errlen)
{
	*out = NULL;
	char *spool, *url = split_spool(path, &spool);
	struct vnt_store *s = url ? calloc(1, sizeof(*s)) : NULL;
	if (!s) {
		free(url);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	int rc = vnt_spool_init(&s->spool, spool);
	if (!rc && (!(s->ch = vnt_ch_open(url, 10, err, errlen)) || vnt_ch_schema(s->ch, true, err, errlen)))
		rc = -1;
	if (!rc && !(s->wch = vnt_ch_open(url, 10, err, errlen)))
		rc = -1;
	free(url);
	static const char *const cols[T_N] = {
		"id, claim, version, script, manifest_json, started_ns, ended_ns, status, dispatcher",
		"run_id, id, version, name, clock_offset_ns, clock_uncertainty_ns, status, events, lost",
		"run_id, trace, trace_name, id, name, kind, target, identity",
		"run_id, host_id, ts_ns, fp, trace, hop, len, ifindex, netns, cpu, pid, family, saddr, daddr, sport, dport, proto,"
		" pkt_link, pkt",
		"run_id, host_id, n, seq, type, json",
		"run_id, host_id, agent_ns, offset_ns, uncertainty_ns, rtt_ns",
	};
	for (int i = 0; !rc && i < T_N; i++)
		snprintf(s->insert_sql[i], sizeof(s->insert_sql[i]), "INSERT INTO %s.%s (%s) FORMAT %s",
			 vnt_ch_database(s->ch), tbl_name[i], cols[i], i == T_EVENTS ? "Native" : "RowBinary");
	if (!rc && pthread_create(&s->writer, NULL, writer_main, s)) {
		snprintf(err, errlen, "%s: cannot start the writer thread", path);
		rc = -1;
	}
	if (rc) {
		store_close(s);
		return -1;
	}
	s->have_writer = true;
	*out = s;
	return 0;
}

static uint64_t random63(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint64_t)vnt_realtime_ns() * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
	v &= INT64_MAX; /* a positive int64: `vnt report --run N`, JSON */
	return v ? v : 1;
}

/* Insert the run's first row and make sure no other run has its id. */
static int claim_run(struct vnt_store *s, const char *script, const char *manifest, int64_t started)
{
	char err[768], sql[256];
	/* For tests only: the first id drawn, to make two dispatchers collide. */
	const char *forced = getenv("VNT_STORE_TEST_RUN_ID");
	for (int attempt = 0; attempt < 8; attempt++) {
		uint64_t id = attempt == 0 && forced ? strtoull(forced, NULL, 10) : random63(), claim = random63();
		struct vnt_rb rb = { 0 };
		rb_run(&rb, id, claim, 1, script, manifest, started, 0, "running");
		int rc = rb.oom ? -1 : vnt_ch_insert(s->ch, s->insert_sql[T_RUNS], rb.p, rb.len, err, sizeof(err));
		vnt_rb_free(&rb);
		if (rc) {
			fprintf(stderr, "vnt: store %s: cannot record the run: %s\n", vnt_ch_url(s->ch), err);
			return -1;
		}
		snprintf(sql, sizeof(sql), "SELECT uniqExact(claim) FROM %s.runs WHERE id = %llu", vnt_ch_database(s->ch),
			 (unsigned long long)id);
		char *out = NULL;
		if (vnt_ch_query(s->ch, sql, &out, NULL, err, sizeof(err))) {
			fprintf(stderr, "vnt: store %s: cannot record the run: %s\n", vnt_ch_url(s->ch), err);
			return -1;
		}
		int claims = atoi(out);
		free(out);
		if (claims == 1) {
			s->run_id = id;
			s->claim = claim;
			return 0;
		}
		/* Another run has this id: ours gives it up (its row is marked so
		 * readers skip it) and draws again. */
		rb = (struct vnt_rb){ 0 };
		rb_run(&rb, id, claim, 3, script, "", started, started, "abandoned");
		if (!rb.oom)
			vnt_ch_insert(s->ch, s->insert_sql[T_RUNS], rb.p, rb.len, err, sizeof(err));
		vnt_rb_free(&rb);
	}
	fprintf(stderr, "vnt: store %s: cannot find a free run id\n", vnt_ch_url(s->ch));
	return -1;
}

static int store_begin_run(struct vnt_store *s, const char *script, const char *manifest_json, int64_t started_ns,
			   int64_t *run_id)
{
	pthread_mutex_lock(&s->mu);
	drain(s); /* the previous run's rows carry its id */
	s->nhosts = 0;
	s->snap_n = 0;
	int rc = vnt_hoptab_from_manifest(&s->hops, manifest_json);
	if (!rc)
		rc = claim_run(s, script, manifest_json, started_ns);
	for (int i = 0; !rc && i < s->hops.n; i++)
		row_hop(s, &s->hops.h[i]);
	*run_id = rc ? 0 : (int64_t)s->run_id;
	if (rc)
		s->run_id = 0;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int store_add_host(struct vnt_store *s, int64_t run_id, const char *host, double offset_ns,
			  double uncertainty_ns, int64_t *host_id)
{
	pthread_mutex_lock(&s->mu);
	int rc = 0;
	if (!s->run_id || (uint64_t)run_id != s->run_id) {
		fprintf(stderr, "vnt: store: add host: no run %lld\n", (long long)run_id);
		rc = -1;
	} else {
		uint32_t id = ++s->nhosts;
		row_host(s, id, 1, host ? host : "", offset_ns, uncertainty_ns, "running", 0, 0);
		*host_id = id;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int check_host(const struct vnt_store *s, int64_t run_id, int64_t host_id)
{
	if (s->run_id && (uint64_t)run_id == s->run_id && host_id >= 1 && host_id <= s->nhosts)
		return 0;
	fprintf(stderr, "vnt: store: host %lld is not a host of run %lld\n", (long long)host_id, (long long)run_id);
	return -1;
}

static int store_add_events(struct vnt_store *s, int64_t run_id, int64_t host_id, const struct vnt_store_event *ev,
			    size_t n)
{
	pthread_mutex_lock(&s->mu);
	int rc = check_host(s, run_id, host_id);
	/* A block is never more than EV_BATCH_ROWS: its columns' room is taken for that many. */
	if (!rc && s->cur[T_EVENTS] && s->cur[T_EVENTS]->rows + n > EV_BATCH_ROWS)
		enqueue_open(s);
	struct batch *b = rc ? NULL : cur_batch(s, T_EVENTS);
	if (!rc && !b)
		rc = -1;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct vnt_store_event *e = &ev[i];
		int added, h = vnt_hoptab_find(&s->hops, e->trace, e->hop, &added);
		if (h < 0) {
			rc = -1;
			break;
		}
		if (added)
			row_hop(s, &s->hops.h[h]);
		struct vnt_native *r = b->nat;
		const char *sa = e->saddr, *da = e->saddr ? e->daddr : NULL;
		vnt_native_u64(r, E_RUN, s->run_id);
		vnt_native_u32(r, E_HOST, (uint32_t)host_id);
		vnt_native_u64(r, E_TS, (uint64_t)e->ts_ns);
		vnt_native_u64(r, E_FP, e->fp);
		vnt_native_u16(r, E_TRACE, (uint16_t)s->hops.h[h].trace);
		vnt_native_u16(r, E_HOP, (uint16_t)s->hops.h[h].id);
		vnt_native_u32(r, E_LEN, e->len);
		vnt_native_u32(r, E_IFINDEX, e->ifindex);
		vnt_native_u32(r, E_NETNS, e->netns);
		vnt_native_u32(r, E_CPU, e->cpu);
		vnt_native_u32(r, E_PID, e->pid);
		vnt_native_u8(r, E_FAMILY, sa ? (strchr(sa, ':') ? 6 : 4) : 0);
		vnt_native_str(r, E_SADDR, sa);
		vnt_native_str(r, E_DADDR, da);
		vnt_native_u16(r, E_SPORT, sa ? e->sport : 0);
		vnt_native_u16(r, E_DPORT, sa ? e->dport : 0);
		vnt_native_u8(r, E_PROTO, sa ? e->proto : 0);
		/* pkt_link: 0 no bytes kept, else 1 + VNT_PCAP_RAW / VNT_PCAP_ETHER */
		vnt_native_u8(r, E_PKT_LINK, e->has_pkt ? (uint8_t)(1 + e->link) : 0);
		vnt_native_blob(r, E_PKT, e->pkt, e->has_pkt ? e->caplen : 0);
		b->rows++;
	}
	if (b)
		b->nat->rows = b->rows;
	if (!rc && vnt_native_oom(b->nat)) {
		fprintf(stderr, "vnt: store: out of memory\n");
		rc = -1;
	}
	if (!rc && b->rows >= EV_BATCH_ROWS)
		enqueue_open(s);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int store_add_snapshot(struct vnt_store *s, int64_t run_id, int64_t host_id, const char *json)
{
	json_object *doc = json ? json_tokener_parse(json) : NULL, *v;
	if (!doc || !json_object_is_type(doc, json_type_object)) {
		fprintf(stderr, "vnt: store: a snapshot is not a JSON object\n");
		json_object_put(doc);
		return -1;
	}
	int64_t seq = json_object_object_get_ex(doc, "seq", &v) && json_object_is_type(v, json_type_int) ?
			      json_object_get_int64(v) : -1;
	const char *type = json_object_object_get_ex(doc, "type", &v) && json_object_is_type(v, json_type_string) ?
				   json_object_get_string(v) : "";
	pthread_mutex_lock(&s->mu);
	int rc = check_host(s, run_id, host_id);
	struct batch *b = rc ? NULL : cur_batch(s, T_SNAPSHOTS);
	if (b) {
		vnt_rb_u64(&b->rb, s->run_id);
		vnt_rb_u32(&b->rb, (uint32_t)host_id);
		vnt_rb_u64(&b->rb, ++s->snap_n);
		vnt_rb_u64(&b->rb, (uint64_t)seq);
		vnt_rb_str(&b->rb, type);
		vnt_rb_str(&b->rb, json);
		b->rows++;
	} else if (!rc) {
		rc = -1;
	}
	pthread_mutex_unlock(&s->mu);
	json_object_put(doc);
	return rc;
}

static int store_host_status(struct vnt_store *s, int64_t host_id, const char *status, uint64_t events,
			     uint64_t lost)
{
	pthread_mutex_lock(&s->mu);
	int rc = 0;
	if (host_id < 1 || host_id > s->nhosts) {
		fprintf(stderr, "vnt: store: host status: no host %lld\n", (long long)host_id);
		rc = -1;
	} else {
		/* Name and clock are the first row's: readers take the latest
		 * status, events and lost, and the first row's name and clock. */
		row_host(s, (uint32_t)host_id, 2, "", 0, 0, status ? status : "", events, lost);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int store_add_clock(struct vnt_store *s, int64_t run_id, int64_t host_id, int64_t agent_ns, int64_t offset_ns,
			   int64_t uncertainty_ns, int64_t rtt_ns)
{
	pthread_mutex_lock(&s->mu);
	int rc = check_host(s, run_id, host_id);
	struct batch *b = rc ? NULL : cur_batch(s, T_CLOCK);
	if (b) {
		vnt_rb_u64(&b->rb, s->run_id);
		vnt_rb_u32(&b->rb, (uint32_t)host_id);
		vnt_rb_u64(&b->rb, (uint64_t)agent_ns);
		vnt_rb_u64(&b->rb, (uint64_t)offset_ns);
		vnt_rb_u64(&b->rb, (uint64_t)uncertainty_ns);
		vnt_rb_u64(&b->rb, (uint64_t)rtt_ns);
		b->rows++;
	} else if (!rc) {
		rc = -1;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int store_end_run(struct vnt_store *s, int64_t run_id, int64_t ended_ns, const char *status)
{
	pthread_mutex_lock(&s->mu);
	if (!s->run_id || (uint64_t)run_id != s->run_id) {
		pthread_mutex_unlock(&s->mu);
		fprintf(stderr, "vnt: store: end run: no run %lld\n", (long long)run_id);
		return -1;
	}
	struct batch *b = cur_batch(s, T_RUNS);
	if (b) {
		rb_run(&b->rb, s->run_id, s->claim, 2, "", "", 0, ended_ns, status ? status : "");
		b->rows++;
	}
	drain(s);
	int rc = 0;
	if (s->spool.lost_rows) {
		fprintf(stderr, "vnt: error: store %s: %llu events (%llu rows in all) were lost: neither the server nor "
				"the spool %s/ took them\n",
			vnt_ch_url(s->ch), (unsigned long long)s->spool.lost_events, (unsigned long long)s->spool.lost_rows,
			s->spool.dir);
		rc = -1;
	}
	if (s->spool.batches) {
		fprintf(stderr, "vnt: error: store %s did not take %llu events (%llu rows in %llu batches: %s); they are "
				"kept in %s/: load them with `sh %s/replay.sh` when the server answers\n",
			vnt_ch_url(s->ch), (unsigned long long)s->spool.events, (unsigned long long)s->spool.rows,
			(unsigned long long)s->spool.batches, s->down_reason, s->spool.dir, s->spool.dir);
		if (!rc)
			rc = 1;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

const struct vnt_store_ops vnt_store_clickhouse = {
	.engine = "clickhouse",
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
