/* The report's join and statistics in ClickHouse SQL (18.16 and newer).
 *
 * pk: one row per packet (fingerprint): its passages (time on the
 *     collector's clock, host index, hop index) and its flow, taken from
 *     the event at the earliest hop with IP fields (ties: earliest time,
 *     then lowest host), as report_build.c does.
 * sr: one row per (packet, segment i) with a passage at hop i: passages
 *     there, whether it was dropped, and its pairs (latency, from host,
 *     to host) by report_build.c's rules, in array functions:
 *       - one passage at each hop (on one host, for a task hop): a pair;
 *       - otherwise passage a_j at hop i takes the first passage b at hop
 *         i+1 (in time order) of the window [a_j - s, a_j+1 - s) (the last
 *         window is unbounded): b's window is the number of a with
 *         a - s <= b, and b pairs when no earlier b is in its window.
 *         At a task hop, only passages of the same host count, and s = 0.
 * Statistics are exact: count, sum (the mean is computed here from it as
 * report_stats.c does), min, max and nearest-rank percentiles, the value
 * at position ceil(n*k/d) of the sorted latencies: the same numbers as
 * report_stats.c's. Both temporary tables live in the report's session.
 *
 * 18.16's lambdas see only their parameters (an outer column named in a
 * nested lambda is "unknown"): arrays a lambda needs are passed to it as
 * arguments, repeated per element with arrayMap(x -> A, B). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lib/strbuf.h"
#include "runtime/collector/ch_http.h"
#include "runtime/report/report_sql.h"

struct q {
	struct vnt_ch *c;
	struct vnt_report *r;
	const char *db;
	struct strbuf ev;      /* the run's events as (fp, h, k, t, flow columns) */
	char *err;
	size_t errlen;
};

/* Run SQL, each answer line split at tabs into fields (at most 32). */
typedef int (*line_fn)(struct q *q, char **f, int nf, void *arg);

static int tsv(struct q *q, const char *sql, line_fn fn, void *arg)
{
	char *out = NULL;
	if (getenv("VNT_REPORT_SQL_TRACE")) /* the SQL as sent, for a person reading along */
		fprintf(stderr, "vnt: report SQL: %s\n", sql);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (vnt_ch_query(q->c, sql, &out, NULL, q->err, q->errlen))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (getenv("VNT_REPORT_SQL_TRACE"))
		fprintf(stderr, "vnt: report SQL took %.3f s\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	int rc = 0;
	for (char *line = out, *next; line && *line && !rc; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *f[32];
		int nf = 0;
		for (char *p = line; nf < 32;) {
			f[nf++] = p;
			char *tab = strchr(p, '\t');
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		if (fn)
			rc = fn(q, f, nf, arg);
	}
	free(out);
	return rc;
}

static int exec(struct q *q, struct strbuf *sql)
{
	int rc = tsv(q, sql->s, NULL, NULL);
	sb_free(sql);
	sb_init(sql);
	return rc;
}

static int64_t i64(const char *s)
{
	return strtoll(s, NULL, 10);
}

static void list_i64(struct strbuf *b, const int64_t *v, int n)
{
	sb_puts(b, "[");
	for (int i = 0; i < n; i++)
		sb_printf(b, "%stoInt64(%lld)", i ? ", " : "", (long long)v[i]);
	sb_puts(b, "]");
}

/* The run's events with hop and host as indexes of r (-1: not of the run)
 * and times on the collector's clock. */
static void events_view(struct q *q)
{
	struct vnt_report *r = q->r;
	int64_t *a = calloc((size_t)(r->nhops + r->nhosts) * 2 + 1, sizeof(*a));
	if (!a)
		return;
	struct strbuf *b = &q->ev;
	int64_t *ids = a, *idx = a + r->nhops;
	for (int i = 0; i < r->nhops; i++) {
		ids[i] = r->hops[i].id;
		idx[i] = i;
	}
	/* The offset at the record's time (runtime/report/clock_align.c, the
	 * same integer arithmetic): the host's measurements A (agent times)
	 * and O (offsets); a host without any has its one offset at time 0.
	 * j = measurements at or before ts_ns. Every branch of multiIf is
	 * computed for every row (18.16): the divisor of the ones not taken
	 * must not be 0. */
	bool constant = true; /* every host one offset for the whole run */
	for (int i = 0; i < r->nhosts; i++)
		constant &= r->hosts[i].nclock <= 1;
	if (constant) {
		/* Then the offset is the host's own: one transform per record, no
		 * arrays (the same numbers as the general form below gives). */
		int64_t *off = calloc((size_t)r->nhosts * 2, sizeof(*off));
		if (!off) {
			free(a);
			return;
		}
		for (int i = 0; i < r->nhosts; i++) {
			const struct vnt_report_host *h = &r->hosts[i];
			off[i] = i;
			off[r->nhosts + i] = h->nclock ? h->clock_offset[0] : llround(h->offset_ns);
		}
		sb_puts(b, "(SELECT fp, h, k, ts_ns + transform(toInt64(k), ");
		list_i64(b, off, r->nhosts);
		sb_puts(b, ", ");
		list_i64(b, off + r->nhosts, r->nhosts);
		sb_puts(b, ", toInt64(0)) AS t, family, saddr, daddr, sport, dport, proto FROM");
		free(off);
	} else {
		sb_puts(b, "(SELECT fp, h, k, ts_ns + multiIf(j = 0, O[1], j >= length(A), O[length(A)], O[j] +"
			   " if(toFloat64(abs(O[j + 1] - O[j])) * toFloat64(A[j + 1] - A[j]) < 9e18,"
			   " intDiv((O[j + 1] - O[j]) * (ts_ns - A[j]), greatest(A[j + 1] - A[j], 1)), 0)) AS t,"
			   " family, saddr, daddr, sport, dport, proto FROM (SELECT *, [");
		for (int i = 0; i < r->nhosts; i++) {
			const struct vnt_report_host *h = &r->hosts[i];
			int64_t zero = 0;
			sb_puts(b, i ? ", " : "");
			list_i64(b, h->nclock ? h->clock_agent : &zero, h->nclock ? h->nclock : 1);
		}
		sb_puts(b, "][k + 1] AS A, [");
		for (int i = 0; i < r->nhosts; i++) {
			const struct vnt_report_host *h = &r->hosts[i];
			int64_t one = llround(h->offset_ns); /* as report_load.c rounds */
			sb_puts(b, i ? ", " : "");
			list_i64(b, h->nclock ? h->clock_offset : &one, h->nclock ? h->nclock : 1);
		}
		sb_puts(b, "][k + 1] AS O, arrayCount((a, x) -> a <= x, A, arrayMap(x -> ts_ns, A)) AS j FROM");
	}
	sb_puts(b, " (SELECT fp, toInt32(transform(toInt64(hop), ");
	list_i64(b, ids, r->nhops);
	sb_puts(b, ", ");
	list_i64(b, idx, r->nhops);
	sb_puts(b, ", toInt64(-1))) AS h, toInt32(transform(toInt64(host_id), ");
	int64_t *hid = a + 2 * r->nhops, *hidx = hid + r->nhosts;
	for (int i = 0; i < r->nhosts; i++) {
		hid[i] = r->hosts[i].id;
		hidx[i] = i;
	}
	list_i64(b, hid, r->nhosts);
	sb_puts(b, ", ");
	list_i64(b, hidx, r->nhosts);
	sb_printf(b, ", toInt64(-1))) AS k, ts_ns, family, saddr, daddr, sport, dport, proto FROM %s.events"
		     " WHERE run_id = %lld))%s", q->db, (long long)r->run_id, constant ? "" : ")");
	free(a);
}

/* ---- counts over events ---- */

static int on_totals(struct q *q, char **f, int nf, void *arg)
{
	(void)arg;
	if (nf < 3)
		return -1;
	q->r->events = (uint64_t)i64(f[0]);
	q->r->packets = (uint64_t)i64(f[1]);
	q->r->orphans = (uint64_t)i64(f[2]);
	return 0;
}

static int on_host_hop(struct q *q, char **f, int nf, void *arg)
{
	(void)arg;
	int k = (int)i64(f[0]), h = (int)i64(f[1]);
	if (nf < 3 || k < 0 || k >= q->r->nhosts || h < 0 || h >= q->r->nhops)
		return -1;
	q->r->hosts[k].hop_events[h] = (uint64_t)i64(f[2]);
	q->r->hosts[k].events_stored += (uint64_t)i64(f[2]);
	return 0;
}

static int on_hop_packets(struct q *q, char **f, int nf, void *arg)
{
	(void)arg;
	int h = (int)i64(f[0]);
	if (nf < 2 || h < 0 || h >= q->r->nhops)
		return -1;
	q->r->hops[h].packets = (uint64_t)i64(f[1]);
	return 0;
}

static int on_u64(struct q *q, char **f, int nf, void *arg)
{
	(void)q;
	*(uint64_t *)arg = nf >= 1 ? (uint64_t)i64(f[0]) : 0;
	return 0;
}

/* Counts over the events: orphans (events of a host or hop the run does
 * not list) from the events; the rest from pk (made first): events,
 * packets, packets per hop, events per host and hop, repeats. */
static int counts(struct q *q)
{
	struct vnt_report *r = q->r;
	struct strbuf s;
	sb_init(&s);
	sb_printf(&s, "SELECT 0, 0, count() FROM (SELECT h, k FROM %s) WHERE h < 0 OR k < 0", q->ev.s);
	int rc = tsv(q, s.s, on_totals, NULL);
	uint64_t orphans = r->orphans;
	sb_free(&s);
	if (!rc)
		rc = tsv(q, "SELECT sum(length(Ph)), count(), 0 FROM pk", on_totals, NULL);
	r->orphans = orphans;
	if (!rc)
		rc = tsv(q, "SELECT kk, hh, count() FROM pk ARRAY JOIN arrayMap(x -> x.2, P) AS kk, Ph AS hh GROUP BY kk, hh",
			 on_host_hop, NULL);
	if (!rc)
		rc = tsv(q, "SELECT hh, count() FROM pk ARRAY JOIN arrayFilter((x, u) -> u = 1, Ph, arrayEnumerateUniq(Ph)) AS hh"
			    " GROUP BY hh", on_hop_packets, NULL);
	/* Repeats: passages of a packet at a packet hop after its first. */
	sb_init(&s);
	sb_puts(&s, "SELECT sum(length(F) - arrayUniq(F)) FROM (SELECT arrayFilter(x -> x NOT IN (-1");
	for (int i = 0; i < r->nhops; i++)
		if (r->hops[i].task)
			sb_printf(&s, ", %d", i);
	sb_puts(&s, "), Ph) AS F FROM pk)");
	if (!rc)
		rc = tsv(q, s.s, on_u64, &r->repeats);
	sb_free(&s);
	return rc;
}

/* ---- packets and segments ---- */

static int on_i64_pair(struct q *q, char **f, int nf, void *arg)
{
	(void)q;
	int64_t *v = arg;
	if (nf < 2)
		return -1;
	v[0] = i64(f[0]);
	v[1] = i64(f[1]);
	return 0;
}

static int bits(uint64_t v)
{
	int n = 0;
	while (v) {
		n++;
		v >>= 1;
	}
	return n;
}

/* The flow's order, (hop, time, host), as one UInt64 when it fits: hop,
 * time since the run's earliest possible (collector) time, host in bit
 * fields. Aggregates over tuples are slow in 18.16 (every value a Field:
 * 6 s of a 10 M-record report); over a number with a String or an integer
 * each, fast. 0 with the expression in key, 1 when it does not fit (a run
 * of more than years), -1 on error. */
static int flow_key(struct q *q, struct strbuf *key)
{
	struct vnt_report *r = q->r;
	char sql[256];
	int64_t ts[2] = { 0, 0 };
	snprintf(sql, sizeof(sql), "SELECT min(ts_ns), max(ts_ns) FROM %s.events WHERE run_id = %lld", q->db,
		 (long long)r->run_id);
	if (tsv(q, sql, on_i64_pair, ts))
		return -1;
	/* t = ts_ns + an offset between the host's smallest and largest
	 * (interpolated between two measurements, or its one offset). */
	int64_t omin = INT64_MAX, omax = INT64_MIN;
	for (int i = 0; i < r->nhosts; i++) {
		const struct vnt_report_host *h = &r->hosts[i];
		int64_t one = llround(h->offset_ns);
		const int64_t *o = h->nclock ? h->clock_offset : &one;
		for (int j = 0; j < (h->nclock ? h->nclock : 1); j++) {
			omin = o[j] < omin ? o[j] : omin;
			omax = o[j] > omax ? o[j] : omax;
		}
	}
	__int128 lo = (__int128)ts[0] + omin, hi = (__int128)ts[1] + omax;
	int hb = bits((uint64_t)r->nhops), kb = bits((uint64_t)r->nhosts);
	if (lo < INT64_MIN || hi > INT64_MAX || hi - lo >= ((__int128)1 << 62) ||
	    hb + kb + bits((uint64_t)(hi - lo)) > 64)
		return 1;
	int tb = 64 - hb - kb;
	sb_printf(key, "bitOr(bitOr(bitShiftLeft(toUInt64(h), %d), bitShiftLeft(toUInt64(t - toInt64(%lld)), %d)),"
		       " toUInt64(k))", tb + kb, (long long)lo, kb);
	return 0;
}

/* pk. (18.16: INSERT ... SELECT into a temporary table with tuple columns
 * fails, "Number of columns doesn't match"; CREATE ... AS SELECT works.)
 * The flow is taken field by field with the one numeric key of flow_key
 * (events of a packet equal in hop, time and host could give fields of
 * different ones: the tuple form picks one of them arbitrarily too). */
static int make_packets(struct q *q)
{
	struct strbuf s, key;
	sb_init(&s);
	sb_init(&key);
	int fk = flow_key(q, &key);
	if (fk < 0 || !key.s)
		fk = fk < 0 ? -1 : 1;
	if (fk < 0) {
		sb_free(&key);
		return -1;
	}
	sb_puts(&s, "CREATE TEMPORARY TABLE pk ENGINE = Memory AS SELECT fp, groupArray((t, k, h)) AS P, groupArray(h) AS Ph, ");
	if (fk == 0)
		sb_printf(&s, "tuple(argMinIf(saddr, K, family != 0), argMinIf(daddr, K, family != 0),"
			      " argMinIf(sport, K, family != 0), argMinIf(dport, K, family != 0),"
			      " argMinIf(proto, K, family != 0)) AS fl, max(family != 0) AS hasfl FROM"
			      " (SELECT *, %s AS K FROM %s)", key.s, q->ev.s);
	else
		sb_printf(&s, "argMinIf((saddr, daddr, sport, dport, proto), (h, t, k), family != 0) AS fl,"
			      " max(family != 0) AS hasfl FROM %s", q->ev.s);
	sb_puts(&s, " WHERE h >= 0 AND k >= 0 GROUP BY fp");
	sb_free(&key);
	int rc = exec(q, &s);
	sb_free(&s);
	return rc;
}

/* The largest clock uncertainty of the run's hosts, as report_build.c
 * bounds it; the slack of a cross-host pairing is twice it. */
static int64_t max_unc(const struct vnt_report *r)
{
	int64_t m = 0;
	for (int i = 0; i < r->nhosts; i++)
		if (r->hosts[i].uncertainty_ns > (double)m)
			m = r->hosts[i].uncertainty_ns < 3.6e12 ? (int64_t)r->hosts[i].uncertainty_ns : 3600000000000;
	return m;
}

/* Segment i's rows of sr, as a SELECT. */
static void segment_rows(struct q *q, int i, struct strbuf *s)
{
	struct vnt_report *r = q->r;
	const struct vnt_report_segment *sg = &r->seg[i];
	bool per_host = r->hops[i].task || r->hops[i + 1].task;
	const char *any = per_host ? "0" : "1"; /* "passages of every host count" */
	long long slack = per_host ? 0 : (long long)(2 * max_unc(r));
	sb_printf(s, "SELECT toUInt16(%d) AS i, fl, hasfl, toUInt32(length(At)) AS na, toUInt8(", i);
	/* Dropped: at hop i, not at i+1, seen at a drop hop of the trace. */
	bool drops = false;
	for (int h = 0; h < r->nhops && !sg->boundary; h++)
		drops |= r->hops[h].drop && r->hops[h].trace == r->hops[i].trace;
	if (drops) {
		sb_puts(s, "length(At) > 0 AND length(Bt) = 0 AND hasAny(Ph, [toInt32(-1)");
		for (int h = 0; h < r->nhops; h++)
			if (r->hops[h].drop && r->hops[h].trace == r->hops[i].trace)
				sb_printf(s, ", %d", h);
		sb_puts(s, "])) AS dropped, ");
	} else {
		sb_puts(s, "0) AS dropped, ");
	}
	sb_printf(s,
		  "if(length(At) = 1 AND length(Bt) = 1 AND (%1$s OR Ak[1] = Bk[1]), [(Bt[1] - At[1], Ak[1], Bk[1])],"
		  " arrayMap(p -> (p.1, p.2, p.3), arrayFilter(p -> p.4,"
		  "  arrayMap((b, bk, j, n, Ac, Akc, Bkc, Jc) ->"
		  "   (b - Ac[arrayFilter((m, ak) -> %1$s OR ak = bk, arrayEnumerate(Ac), Akc)[j]],"
		  "    Akc[arrayFilter((m, ak) -> %1$s OR ak = bk, arrayEnumerate(Ac), Akc)[j]], bk,"
		  "    j >= 1 AND arrayCount((bk2, j2, n2) -> n2 < n AND (%1$s OR bk2 = bk) AND j2 = j, Bkc, Jc,"
		  "     arrayEnumerate(Bkc)) = 0),"
		  "   Bt, Bk, Jb, arrayEnumerate(Bt), arrayMap(x -> At, Bt), arrayMap(x -> Ak, Bt), arrayMap(x -> Bk, Bt),"
		  "   arrayMap(x -> Jb, Bt))))) AS pairs"
		  " FROM (SELECT fl, hasfl, Ph, At, Ak, Bt, Bk,"
		  "  arrayMap((b, bk, Ac, Akc) -> toUInt32(arrayCount((a, ak) -> (%1$s OR ak = bk) AND a - %2$lld <= b, Ac, Akc)),"
		  "   Bt, Bk, arrayMap(x -> At, Bt), arrayMap(x -> Ak, Bt)) AS Jb"
		  " FROM (SELECT fl, hasfl, Ph, arrayMap(x -> x.1, Ax) AS At, arrayMap(x -> x.2, Ax) AS Ak,"
		  "  arrayMap(x -> x.1, Bx) AS Bt, arrayMap(x -> x.2, Bx) AS Bk"
		  " FROM (SELECT fl, hasfl, Ph, arraySort(x -> (x.1, x.2), arrayFilter(x -> x.3 = %3$d, P)) AS Ax,"
		  "  arraySort(x -> (x.1, x.2), arrayFilter(x -> x.3 = %4$d, P)) AS Bx FROM pk WHERE has(Ph, %3$d))))",
		  any, slack, i, i + 1);
}

/* sr: every segment's rows. */
static int make_segments(struct q *q)
{
	struct strbuf s;
	sb_init(&s);
	sb_puts(&s, "CREATE TEMPORARY TABLE sr ENGINE = Memory AS SELECT * FROM (");
	for (int i = 0; i < q->r->nseg; i++) {
		if (i)
			sb_puts(&s, " UNION ALL ");
		segment_rows(q, i, &s);
	}
	sb_puts(&s, ")");
	int rc = exec(q, &s);
	sb_free(&s);
	return rc;
}

/* ---- statistics ---- */

/* "SELECT KEYS, n, s, mn, mx, p50, p90, p99, p999 FROM (...)": count, sum,
 * min, max and the nearest-rank percentiles (position ceil(n*k/d)) of the
 * pairs' latencies (p.1) of each group, in the server; only these numbers
 * come back. keys: "a AS g1, b AS g2"; outer: "g1, g2". */
static void stats_sql(struct strbuf *s, const char *keys, const char *outer, const char *from, const char *group)
{
	sb_printf(s, "SELECT %s, n, s, mn, mx, p50, p90, p99, p999 FROM (SELECT %s, count() AS n, sum(p.1) AS s,"
		     " min(p.1) AS mn, max(p.1) AS mx, arraySort(groupArray(p.1)) AS v,"
		     " v[toUInt64(greatest(1, intDiv(n + 1, 2)))] AS p50, v[toUInt64(greatest(1, intDiv(n * 9 + 9, 10)))] AS p90,"
		     " v[toUInt64(greatest(1, intDiv(n * 99 + 99, 100)))] AS p99,"
		     " v[toUInt64(greatest(1, intDiv(n * 999 + 999, 1000)))] AS p999 FROM %s GROUP BY %s)",
		  outer, keys, from, group);
}

/* The same numbers from w, an expression of a group's sorted latencies
 * ("v" of a row of ps, or "arraySort(groupArrayArray(v))" over a GROUP BY
 * of them), and with sample the sorted latencies for the HTML plot as a
 * last column: all of them, or 1001 at ranks max(1, ceil(n*k/1000)),
 * k = 0..1000. Position p is such a rank when p = 1 or when the smallest k
 * reaching it, floor((p-1)*1000/n) + 1, has ceil(n*k/1000) = p (for
 * n > 1000 the ranks are all different). The lambda names only its own
 * parameters and n, a number per row: the array is not repeated per rank.
 * group may be "" (no GROUP BY). */
static void sorted_stats_sql(struct strbuf *s, const char *keys, const char *outer, const char *w, const char *from,
			     const char *group, bool sample)
{
	sb_printf(s, "SELECT %s, n, s, mn, mx, p50, p90, p99, p999%s FROM (SELECT %s, %s AS w, length(w) AS n,"
		     " arraySum(w) AS s, w[1] AS mn, w[n] AS mx,"
		     " w[toUInt64(greatest(1, intDiv(n + 1, 2)))] AS p50, w[toUInt64(greatest(1, intDiv(n * 9 + 9, 10)))] AS p90,"
		     " w[toUInt64(greatest(1, intDiv(n * 99 + 99, 100)))] AS p99,"
		     " w[toUInt64(greatest(1, intDiv(n * 999 + 999, 1000)))] AS p999%s FROM %s%s%s)",
		  outer, sample ? ", sample" : "", keys, w,
		  sample ? ", arrayFilter((x, p) -> n <= 1001 OR p = 1 OR"
			   " intDiv(n * (intDiv((p - 1) * 1000, n) + 1) + 999, 1000) = p, w, arrayEnumerate(w)) AS sample" : "",
		  from, *group ? " GROUP BY " : "", group);
}

/* f[0..7] as a vnt_stats; the mean as report_stats.c computes it. */
static void parse_stats(char **f, struct vnt_stats *st)
{
	uint64_t n = (uint64_t)i64(f[0]);
	int64_t sum = i64(f[1]);
	*st = (struct vnt_stats){ .count = n };
	if (!n)
		return;
	st->mean = (double)((long double)sum / (long double)n);
	st->min = i64(f[2]);
	st->max = i64(f[3]);
	st->p50 = i64(f[4]);
	st->p90 = i64(f[5]);
	st->p99 = i64(f[6]);
	st->p999 = i64(f[7]);
}

/* "[1,2,3]" into l. */
static int parse_array(const char *s, struct vnt_lat *l)
{
	for (const char *p = s + (*s == '['); *p && *p != ']';) {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p || vnt_lat_push(l, v))
			return -1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static int on_segment(struct q *q, char **f, int nf, void *arg)
{
	(void)arg;
	int i = (int)i64(f[0]);
	if (nf < 10 || i < 0 || i >= q->r->nseg)
		return -1;
	parse_stats(f + 1, &q->r->seg[i].st);
	return parse_array(f[9], &q->r->seg[i].lat);
}

static int on_pair(struct q *q, char **f, int nf, void *arg)
{
	(void)arg;
	int i = (int)i64(f[0]);
	if (nf < 11 || i < 0 || i >= q->r->nseg)
		return -1;
	struct vnt_report_segment *s = &q->r->seg[i];
	struct vnt_report_pair *p = realloc(s->pairs, (size_t)(s->npairs + 1) * sizeof(*p));
	if (!p)
		return -1;
	s->pairs = p;
	p = &s->pairs[s->npairs++];
	*p = (struct vnt_report_pair){ .from_host = (int)i64(f[1]), .to_host = (int)i64(f[2]) };
	parse_stats(f + 3, &p->st);
	return 0;
}

static int on_entered(struct q *q, char **f, int nf, void *arg)
{
	(void)arg;
	int i = (int)i64(f[0]);
	if (nf < 4 || i < 0 || i >= q->r->nseg)
		return -1;
	struct vnt_report_segment *s = &q->r->seg[i];
	s->entered = (uint64_t)i64(f[1]);
	s->reached = (uint64_t)i64(f[2]);
	s->dropped = (uint64_t)i64(f[3]);
	return 0;
}

static int by_hosts(const void *x, const void *y)
{
	const struct vnt_report_pair *a = x, *b = y;
	return a->from_host != b->from_host ? a->from_host - b->from_host : a->to_host - b->to_host;
}

/* ps: the sorted latencies of each (segment, from host, to host), made
 * once; the pairs' statistics are read from its rows, the segments' from
 * their rows merged (no second pass over sr's pairs). */
static int segment_stats(struct q *q)
{
	struct strbuf s;
	sb_init(&s);
	sb_puts(&s, "CREATE TEMPORARY TABLE ps ENGINE = Memory AS SELECT i, p.2 AS g2, p.3 AS g3,"
		    " arraySort(groupArray(p.1)) AS v FROM sr ARRAY JOIN pairs AS p GROUP BY i, g2, g3");
	int rc = exec(q, &s);
	sorted_stats_sql(&s, "i AS g1", "g1", "arraySort(groupArrayArray(v))", "ps", "i", true);
	if (!rc)
		rc = tsv(q, s.s, on_segment, NULL);
	sb_free(&s);
	sb_init(&s);
	sorted_stats_sql(&s, "i AS g1, g2, g3", "g1, g2, g3", "v", "ps", "", false);
	if (!rc)
		rc = tsv(q, s.s, on_pair, NULL);
	sb_free(&s);
	if (!rc)
		rc = tsv(q, "SELECT i, sum(na), sum(length(pairs)), sum(dropped) FROM sr GROUP BY i", on_entered, NULL);
	for (int i = 0; !rc && i < q->r->nseg; i++)
		if (q->r->seg[i].npairs > 1)
			qsort(q->r->seg[i].pairs, (size_t)q->r->seg[i].npairs, sizeof(struct vnt_report_pair), by_hosts);
	return rc;
}

/* ---- flows ---- */

static int on_flow(struct q *q, char **f, int nf, void *arg)
{
	size_t *k = arg;
	struct vnt_report *r = q->r;
	if (nf < 6 || *k >= r->nflows)
		return -1;
	struct vnt_report_flow *fl = &r->flows[(*k)++];
	*fl = (struct vnt_report_flow){ .saddr = strdup(f[0]), .daddr = strdup(f[1]), .sport = (int)i64(f[2]),
					.dport = (int)i64(f[3]), .proto = (int)i64(f[4]), .packets = (uint64_t)i64(f[5]),
					.seg = calloc(r->nseg ? (size_t)r->nseg : 1, sizeof(*fl->seg)) };
	return fl->saddr && fl->daddr && fl->seg ? 0 : -1;
}

static struct vnt_report_flowseg *flow_seg(struct q *q, char **f, int i)
{
	struct vnt_report *r = q->r;
	if (i < 0 || i >= r->nseg)
		return NULL;
	for (size_t k = 0; k < r->nflows && r->flows[k].saddr; k++) {
		struct vnt_report_flow *fl = &r->flows[k];
		if (!strcmp(fl->saddr, f[0]) && !strcmp(fl->daddr, f[1]) && fl->sport == (int)i64(f[2]) &&
		    fl->dport == (int)i64(f[3]) && fl->proto == (int)i64(f[4]))
			return &fl->seg[i];
	}
	return NULL;
}

static int on_flow_stats(struct q *q, char **f, int nf, void *arg)
{
	(void)arg;
	struct vnt_report_flowseg *fs = nf >= 14 ? flow_seg(q, f, (int)i64(f[5])) : NULL;
	if (!fs)
		return -1;
	parse_stats(f + 6, &fs->st);
	return 0;
}

static int on_flow_entered(struct q *q, char **f, int nf, void *arg)
{
	(void)arg;
	struct vnt_report_flowseg *fs = nf >= 8 ? flow_seg(q, f, (int)i64(f[5])) : NULL;
	if (!fs)
		return -1;
	fs->entered = (uint64_t)i64(f[6]);
	fs->reached = (uint64_t)i64(f[7]);
	return 0;
}

static int flows(struct q *q, size_t top)
{
	struct vnt_report *r = q->r;
	uint64_t total = 0;
	int rc = tsv(q, "SELECT count() FROM (SELECT fl FROM pk WHERE hasfl GROUP BY fl)", on_u64, &total);
	if (rc || !total)
		return rc;
	/* Every flow counts in nflows (flows_total); only the first `top` are
	 * read, the rest stay zero (the outputs show the first `top`). */
	r->nflows = (size_t)total;
	r->flows = calloc((size_t)total, sizeof(*r->flows));
	if (!r->flows)
		return -1;
	char topq[512];
	snprintf(topq, sizeof(topq),
		 "SELECT fl.1, fl.2, fl.3, fl.4, fl.5, count() AS c FROM pk WHERE hasfl GROUP BY fl"
		 " ORDER BY c DESC, fl.1, fl.2, fl.3, fl.4, fl.5 LIMIT %zu", top);
	size_t k = 0;
	rc = tsv(q, topq, on_flow, &k);
	if (rc || !k)
		return rc;
	struct strbuf s;
	sb_init(&s);
	char from[512];
	snprintf(from, sizeof(from),
		 "sr ARRAY JOIN pairs AS p WHERE hasfl AND fl IN (SELECT fl FROM pk WHERE hasfl GROUP BY fl"
		 " ORDER BY count() DESC, fl.1, fl.2, fl.3, fl.4, fl.5 LIMIT %zu)", top);
	stats_sql(&s, "fl.1 AS g1, fl.2 AS g2, fl.3 AS g3, fl.4 AS g4, fl.5 AS g5, i AS g6", "g1, g2, g3, g4, g5, g6",
		  from, "fl, i");
	rc = tsv(q, s.s, on_flow_stats, NULL);
	sb_free(&s);
	sb_init(&s);
	sb_printf(&s, "SELECT fl.1, fl.2, fl.3, fl.4, fl.5, i, sum(na), sum(length(pairs)) FROM sr WHERE hasfl"
		      " AND fl IN (SELECT fl FROM pk WHERE hasfl GROUP BY fl ORDER BY count() DESC, fl.1, fl.2, fl.3, fl.4,"
		      " fl.5 LIMIT %zu) GROUP BY fl, i", top);
	if (!rc)
		rc = tsv(q, s.s, on_flow_entered, NULL);
	sb_free(&s);
	return rc;
}

int vnt_report_sql_events(struct vnt_ch *c, struct vnt_report *r, size_t top_flows, char *err, size_t errlen)
{
	struct q q = { .c = c, .r = r, .db = vnt_ch_database(c), .err = err, .errlen = errlen };
	r->nseg = r->nhops > 1 ? r->nhops - 1 : 0;
	r->seg = calloc(r->nseg ? (size_t)r->nseg : 1, sizeof(*r->seg));
	if (!r->seg)
		return -1;
	for (int i = 0; i < r->nseg; i++)
		r->seg[i] = (struct vnt_report_segment){ .from = i, .to = i + 1,
							 .boundary = r->hops[i].trace != r->hops[i + 1].trace ||
								     r->hops[i].task != r->hops[i + 1].task ||
								     r->hops[i].drop || r->hops[i + 1].drop };
	sb_init(&q.ev);
	if (!r->nhops || !r->nhosts) { /* every event is an orphan */
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT 0, 0, count() FROM %s.events WHERE run_id = %lld", q.db,
			 (long long)r->run_id);
		return tsv(&q, sql, on_totals, NULL);
	}
	events_view(&q);
	int rc = q.ev.s ? make_packets(&q) : -1;
	if (!rc)
		rc = counts(&q);
	if (!rc && r->nseg)
		rc = make_segments(&q);
	if (!rc && r->nseg)
		rc = segment_stats(&q);
	if (!rc)
		rc = flows(&q, top_flows);
	sb_free(&q.ev);
	return rc;
}
