/* The report's join: events grouped by fingerprint become packets; each
 * packet's passages at consecutive hops become segment latencies (overall,
 * per pair of hosts, per flow) or losses. Pairing rules, for the passages
 * A at hop i and B at hop i+1 of one packet:
 *  - one passage at each: they pair, whatever the order of their times
 *    (hosts' clocks are aligned only within their uncertainty);
 *  - otherwise, in time order, a passage a pairs with the first b with
 *    a.ts - slack <= b.ts < (the next passage at hop i).ts - slack, where
 *    slack is twice the largest clock uncertainty of the run's hosts (0 at
 *    a task hop, on one host);
 *  - a hop that identifies a task (not a packet) pairs only on one host.
 * A passage at hop i that pairs with nothing is a loss of segment i; a
 * packet lost there that a drop hop saw (kfree_skb) counts as dropped
 * there too. Drop hops are no path segments. */
#include <stdlib.h>
#include <string.h>
#include "runtime/report/report.h"

struct ob {
	int hop, host;
	int64_t ts;
};

struct vnt_report_builder {
	struct vnt_report *r;
	bool have;                  /* a packet is open */
	uint64_t fp;
	struct ob *obs;
	size_t nobs, capobs;
	struct ob *sa, *sb;         /* scratch: passages of one segment in time order */
	size_t capscratch;
	int flow_hop;               /* hop whose event gave the flow, -1 none */
	int64_t flow_ts;            /* its time and host */
	int flow_host;
	char saddr[64], daddr[64];
	int sport, dport, proto;
	size_t *start, *end;        /* [nhops]: the packet's passages at each hop */
	uint64_t *stamp;            /* [nhops]: packet number when start/end are valid */
	uint64_t npkt;
	size_t *ftab, ftabcap;      /* flow hash table: index + 1, 0 empty */
	size_t capflows;
	int64_t max_unc;            /* the largest clock uncertainty of the run's hosts (ns) */
};

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *n = realloc(p, c * elem);
	if (n)
		*cap = c;
	return n;
}

struct vnt_report_builder *vnt_report_builder_new(struct vnt_report *r)
{
	struct vnt_report_builder *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->r = r;
	b->flow_hop = -1;
	size_t nh = r->nhops ? (size_t)r->nhops : 1;
	b->start = calloc(nh, sizeof(*b->start));
	b->end = calloc(nh, sizeof(*b->end));
	b->stamp = calloc(nh, sizeof(*b->stamp));
	r->nseg = r->nhops > 1 ? r->nhops - 1 : 0;
	r->seg = calloc(r->nseg ? (size_t)r->nseg : 1, sizeof(*r->seg));
	if (!b->start || !b->end || !b->stamp || !r->seg) {
		vnt_report_builder_abort(b);
		return NULL;
	}
	for (int i = 0; i < r->nseg; i++)
		r->seg[i] = (struct vnt_report_segment){ .from = i, .to = i + 1,
							 .boundary = r->hops[i].trace != r->hops[i + 1].trace ||
								     r->hops[i].task != r->hops[i + 1].task ||
								     r->hops[i].drop || r->hops[i + 1].drop };
	for (int i = 0; i < r->nhosts; i++) /* bounded: a slack beyond an hour means nothing */
		if (r->hosts[i].uncertainty_ns > (double)b->max_unc)
			b->max_unc = r->hosts[i].uncertainty_ns < 3.6e12 ? (int64_t)r->hosts[i].uncertainty_ns : 3600000000000;
	return b;
}

void vnt_report_builder_abort(struct vnt_report_builder *b)
{
	if (!b)
		return;
	free(b->obs);
	free(b->sa);
	free(b->sb);
	free(b->start);
	free(b->end);
	free(b->stamp);
	free(b->ftab);
	free(b);
}

/* ---- flows ---- */

static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull;
}

static uint64_t flow_hash(const char *sa, const char *da, int sp, int dp, int proto)
{
	uint64_t h = hash_str(hash_str(0xcbf29ce484222325ull, sa), da);
	return (h ^ ((uint64_t)sp << 24 ^ (uint64_t)dp << 8 ^ (uint64_t)proto)) * 0x100000001b3ull;
}

static bool flow_is(const struct vnt_report_flow *f, const struct vnt_report_builder *b)
{
	return f->sport == b->sport && f->dport == b->dport && f->proto == b->proto && !strcmp(f->saddr, b->saddr) &&
	       !strcmp(f->daddr, b->daddr);
}

static int ftab_resize(struct vnt_report_builder *b, size_t cap)
{
	size_t *t = calloc(cap, sizeof(*t));
	if (!t)
		return -1;
	for (size_t i = 0; i < b->r->nflows; i++) {
		const struct vnt_report_flow *f = &b->r->flows[i];
		size_t j = flow_hash(f->saddr, f->daddr, f->sport, f->dport, f->proto) & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = i + 1;
	}
	free(b->ftab);
	b->ftab = t;
	b->ftabcap = cap;
	return 0;
}

/* The flow of the open packet (found or added), or NULL when it has none
 * or memory ran out (*oom set). */
static struct vnt_report_flow *packet_flow(struct vnt_report_builder *b, bool *oom)
{
	struct vnt_report *r = b->r;
	if (b->flow_hop < 0)
		return NULL;
	if (2 * (r->nflows + 1) > b->ftabcap && ftab_resize(b, b->ftabcap ? 2 * b->ftabcap : 1024))
		goto oom;
	size_t j = flow_hash(b->saddr, b->daddr, b->sport, b->dport, b->proto) & (b->ftabcap - 1);
	for (; b->ftab[j]; j = (j + 1) & (b->ftabcap - 1))
		if (flow_is(&r->flows[b->ftab[j] - 1], b))
			return &r->flows[b->ftab[j] - 1];
	struct vnt_report_flow *nf = grow(r->flows, &b->capflows, r->nflows + 1, sizeof(*nf));
	if (!nf)
		goto oom;
	r->flows = nf;
	struct vnt_report_flow *f = &r->flows[r->nflows];
	*f = (struct vnt_report_flow){ .saddr = strdup(b->saddr), .daddr = strdup(b->daddr), .sport = b->sport,
				       .dport = b->dport, .proto = b->proto,
				       .seg = calloc(r->nseg ? (size_t)r->nseg : 1, sizeof(*f->seg)) };
	if (!f->saddr || !f->daddr || !f->seg) {
		free(f->saddr);
		free(f->daddr);
		free(f->seg);
		goto oom;
	}
	b->ftab[j] = ++r->nflows;
	return f;
oom:
	*oom = true;
	return NULL;
}

/* ---- pairing ---- */

static int pair_of(struct vnt_report_segment *s, int from_host, int to_host)
{
	for (int i = 0; i < s->npairs; i++)
		if (s->pairs[i].from_host == from_host && s->pairs[i].to_host == to_host)
			return i;
	struct vnt_report_pair *p = realloc(s->pairs, (size_t)(s->npairs + 1) * sizeof(*p));
	if (!p)
		return -1;
	s->pairs = p;
	p[s->npairs] = (struct vnt_report_pair){ .from_host = from_host, .to_host = to_host };
	return s->npairs++;
}

static int record(struct vnt_report_segment *s, struct vnt_report_flowseg *fs, const struct ob *a, const struct ob *b)
{
	int64_t lat = b->ts - a->ts;
	int p = pair_of(s, a->host, b->host);
	if (p < 0 || vnt_lat_push(&s->lat, lat) || vnt_lat_push(&s->pairs[p].lat, lat) ||
	    (fs && vnt_lat_push(&fs->lat, lat)))
		return -1;
	s->reached++;
	if (fs)
		fs->reached++;
	return 0;
}

static int by_time(const void *x, const void *y)
{
	const struct ob *a = x, *b = y;
	return a->ts != b->ts ? (a->ts > b->ts) - (a->ts < b->ts) : (a->host > b->host) - (a->host < b->host);
}

/* Pair passages A (na) with B (nb), both in time order. */
static int pair_ordered(struct vnt_report_segment *s, struct vnt_report_flowseg *fs, const struct ob *A, size_t na,
			const struct ob *B, size_t nb, int64_t slack)
{
	size_t j = 0;
	for (size_t k = 0; k < na; k++) {
		while (j < nb && B[j].ts < A[k].ts - slack)
			j++;
		/* a's window is [a - slack, next a - slack): windows do not
		 * overlap, so each b is in one, and the SQL report
		 * (runtime/report/report_sql_pairs.c) computes the same pairs. */
		if (j < nb && (k + 1 == na || B[j].ts < A[k + 1].ts - slack)) {
			if (record(s, fs, &A[k], &B[j]))
				return -1;
			j++;
		}
	}
	return 0;
}

/* Segment i of the open packet: passages at hops i and i+1. */
static int pair_segment(struct vnt_report_builder *b, int i, struct vnt_report_flow *f)
{
	struct vnt_report *r = b->r;
	struct vnt_report_segment *s = &r->seg[i];
	struct vnt_report_flowseg *fs = f ? &f->seg[i] : NULL;
	const struct ob *A = &b->obs[b->start[i]];
	size_t na = b->end[i] - b->start[i], nb = 0;
	const struct ob *B = NULL;
	if (b->stamp[i + 1] == b->npkt) {
		B = &b->obs[b->start[i + 1]];
		nb = b->end[i + 1] - b->start[i + 1];
	}
	s->entered += na;
	if (fs)
		fs->entered += na;
	if (!nb)
		return 0;
	bool per_host = r->hops[i].task || r->hops[i + 1].task;
	if (na == 1 && nb == 1 && (!per_host || A[0].host == B[0].host))
		return record(s, fs, &A[0], &B[0]);
	if (per_host) { /* passages are sorted by host, then time */
		size_t ja = 0, jb = 0;
		while (ja < na) {
			size_t ea = ja, eb;
			while (ea < na && A[ea].host == A[ja].host)
				ea++;
			while (jb < nb && B[jb].host < A[ja].host)
				jb++;
			for (eb = jb; eb < nb && B[eb].host == A[ja].host; eb++)
				;
			if (pair_ordered(s, fs, A + ja, ea - ja, B + jb, eb - jb, 0))
				return -1;
			ja = ea;
			jb = eb;
		}
		return 0;
	}
	void *pa = grow(b->sa, &b->capscratch, na > nb ? na : nb, sizeof(struct ob));
	if (!pa)
		return -1;
	b->sa = pa;
	size_t cap = b->capscratch;
	void *pb = realloc(b->sb, cap * sizeof(struct ob));
	if (!pb)
		return -1;
	b->sb = pb;
	memcpy(b->sa, A, na * sizeof(*A));
	memcpy(b->sb, B, nb * sizeof(*B));
	qsort(b->sa, na, sizeof(*A), by_time);
	qsort(b->sb, nb, sizeof(*B), by_time);
	return pair_ordered(s, fs, b->sa, na, b->sb, nb, 2 * b->max_unc);
}

static int by_hop_host_time(const void *x, const void *y)
{
	const struct ob *a = x, *b = y;
	if (a->hop != b->hop)
		return (a->hop > b->hop) - (a->hop < b->hop);
	if (a->host != b->host)
		return (a->host > b->host) - (a->host < b->host);
	return (a->ts > b->ts) - (a->ts < b->ts);
}

/* Close the open packet: count it, pair its passages. */
static int packet_end(struct vnt_report_builder *b)
{
	struct vnt_report *r = b->r;
	if (!b->have)
		return 0;
	b->have = false;
	b->npkt++;
	r->packets++;
	qsort(b->obs, b->nobs, sizeof(*b->obs), by_hop_host_time);
	for (size_t k = 0; k < b->nobs;) {
		int h = b->obs[k].hop;
		size_t e = k;
		while (e < b->nobs && b->obs[e].hop == h)
			e++;
		b->start[h] = k;
		b->end[h] = e;
		b->stamp[h] = b->npkt;
		r->hops[h].packets++;
		if (!r->hops[h].task)
			r->repeats += e - k - 1;
		k = e;
	}
	bool oom = false;
	struct vnt_report_flow *f = packet_flow(b, &oom);
	if (oom)
		return -1;
	if (f)
		f->packets++;
	for (int i = 0; i < r->nseg; i++)
		if (b->stamp[i] == b->npkt && pair_segment(b, i, f))
			return -1;
	/* Dropped: seen at a drop hop of the trace, lost in a segment of it. */
	for (int i = 0; i < r->nseg; i++) {
		struct vnt_report_segment *s = &r->seg[i];
		if (s->boundary || b->stamp[i] != b->npkt || b->stamp[i + 1] == b->npkt)
			continue;
		for (int h = 0; h < r->nhops; h++)
			if (r->hops[h].drop && r->hops[h].trace == r->hops[i].trace && b->stamp[h] == b->npkt) {
				s->dropped++;
				break;
			}
	}
	b->nobs = 0;
	b->flow_hop = -1;
	return 0;
}

int vnt_report_builder_add(struct vnt_report_builder *b, const struct vnt_report_obs *o)
{
	struct vnt_report *r = b->r;
	if (o->host < 0 || o->host >= r->nhosts || o->hop < 0 || o->hop >= r->nhops) {
		r->orphans++;
		return 0;
	}
	if (b->have && o->fp != b->fp && packet_end(b))
		return -1;
	b->have = true;
	b->fp = o->fp;
	struct ob *n = grow(b->obs, &b->capobs, b->nobs + 1, sizeof(*n));
	if (!n)
		return -1;
	b->obs = n;
	b->obs[b->nobs++] = (struct ob){ o->hop, o->host, o->ts };
	r->events++;
	r->hosts[o->host].events_stored++;
	r->hosts[o->host].hop_events[o->hop]++;
	/* The flow from the earliest hop with IP fields; at that hop, the
	 * earliest passage (then the lowest host): the same whatever order
	 * the store returns a packet's events in. */
	if (o->saddr && o->daddr &&
	    (b->flow_hop < 0 || o->hop < b->flow_hop ||
	     (o->hop == b->flow_hop && (o->ts < b->flow_ts || (o->ts == b->flow_ts && o->host < b->flow_host))))) {
		b->flow_ts = o->ts;
		b->flow_host = o->host;
		b->flow_hop = o->hop;
		snprintf(b->saddr, sizeof(b->saddr), "%s", o->saddr);
		snprintf(b->daddr, sizeof(b->daddr), "%s", o->daddr);
		b->sport = o->sport;
		b->dport = o->dport;
		b->proto = o->proto;
	}
	return 0;
}

static int by_packets(const void *x, const void *y)
{
	const struct vnt_report_flow *a = x, *b = y;
	if (a->packets != b->packets)
		return a->packets < b->packets ? 1 : -1;
	int c = strcmp(a->saddr, b->saddr);
	if (!c)
		c = strcmp(a->daddr, b->daddr);
	if (!c)
		c = a->sport != b->sport ? a->sport - b->sport : a->dport != b->dport ? a->dport - b->dport :
										       a->proto - b->proto;
	return c;
}

static int by_hosts(const void *x, const void *y)
{
	const struct vnt_report_pair *a = x, *b = y;
	return a->from_host != b->from_host ? a->from_host - b->from_host : a->to_host - b->to_host;
}

int vnt_report_builder_finish(struct vnt_report_builder *b)
{
	struct vnt_report *r = b->r;
	int rc = packet_end(b);
	vnt_report_builder_abort(b);
	if (rc)
		return -1;
	for (int i = 0; i < r->nseg; i++) {
		struct vnt_report_segment *s = &r->seg[i];
		vnt_lat_stats(&s->lat, &s->st);
		if (s->npairs > 1)
			qsort(s->pairs, (size_t)s->npairs, sizeof(*s->pairs), by_hosts);
		for (int p = 0; p < s->npairs; p++)
			vnt_lat_stats(&s->pairs[p].lat, &s->pairs[p].st);
	}
	for (size_t f = 0; f < r->nflows; f++)
		for (int i = 0; i < r->nseg; i++)
			vnt_lat_stats(&r->flows[f].seg[i].lat, &r->flows[f].seg[i].st);
	if (r->nflows > 1)
		qsort(r->flows, r->nflows, sizeof(*r->flows), by_packets);
	return 0;
}
