/* Prometheus text exposition of a snapshot (runtime/output/prometheus.h).
 *
 * Names follow Prometheus' conventions: prefix vnt_, base units (ns are
 * shown as seconds, lengths as bytes), _total on counters. Each
 * aggregation's rows become series of one family chosen by what it
 * aggregates; the label aggregation="TITLE" (the script's text, e.g.
 * "count() by hop, dev") tells two aggregations of one family apart, and
 * the row's keys become labels of their own names (hop, dev, flow...):
 *   count(), top(N)          vnt_count_total                    counter
 *   sum(V), top(N, V)        vnt_V_UNIT_total                   counter
 *   min/max/avg(V)           vnt_V_min_UNIT ...                 gauge
 *   hist(V), lhist(V, ...)   vnt_V_UNIT_bucket{le}/_count       histogram
 *   percentiles(V)           vnt_V_percentiles_UNIT{quantile}/_sum/_count   summary
 * where V is latency (labels from, to; unit seconds), length (bytes) or
 * the value's own name. Histogram buckets are cumulative: the kernel's
 * slot [lo, hi) of integer values is the bucket le = hi - 1 (exact: the
 * values <= hi - 1 are those below hi), every slot is shown (a bucket
 * that appeared late would lose its first increase to rate()), and
 * le="+Inf" counts all. The kernel keeps no sum of a hist's values, so
 * its _sum is not shown; a percentiles() row's is.
 * Per trace: hop passes, latency matching, lost and refused updates,
 * the breakdown's segments (doc/prometheus.md). */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "runtime/output/format.h"
#include "runtime/output/prometheus.h"

struct family {
	char *name, *help, *type;
	struct strbuf body;     /* sample lines */
};

struct page {
	struct family *f;
	int n, cap;
	bool oom;
};

static struct family *family(struct page *pg, const char *name, const char *type, const char *help)
{
	for (int i = 0; i < pg->n; i++)
		if (!strcmp(pg->f[i].name, name))
			return &pg->f[i];
	if (pg->n == pg->cap) {
		int cap = pg->cap ? pg->cap * 2 : 16;
		struct family *f = realloc(pg->f, (size_t)cap * sizeof(*f));
		if (!f) {
			pg->oom = true;
			return NULL;
		}
		pg->f = f;
		pg->cap = cap;
	}
	struct family *f = &pg->f[pg->n];
	f->name = strdup(name);
	f->help = help ? strdup(help) : NULL;
	f->type = type ? strdup(type) : NULL;
	if (!f->name || (help && !f->help) || (type && !f->type)) {
		free(f->name);
		free(f->help);
		free(f->type);
		pg->oom = true;
		return NULL;
	}
	sb_init(&f->body);
	pg->n++;
	return f;
}

static void page_free(struct page *pg)
{
	for (int i = 0; i < pg->n; i++) {
		free(pg->f[i].name);
		free(pg->f[i].help);
		free(pg->f[i].type);
		sb_free(&pg->f[i].body);
	}
	free(pg->f);
}

/* The page, each family once: # HELP, # TYPE, its samples. */
static char *page_text(struct page *pg)
{
	struct strbuf b;
	sb_init(&b);
	for (int i = 0; i < pg->n; i++) {
		struct family *f = &pg->f[i];
		if (f->help)
			sb_printf(&b, "# HELP %s %s\n", f->name, f->help);
		if (f->type)
			sb_printf(&b, "# TYPE %s %s\n", f->name, f->type);
		if (f->body.len)
			sb_putn(&b, f->body.s, f->body.len);
	}
	return sb_steal(&b);
}

/* Label values: backslash, double quote and newline escaped; other bytes
 * as they are (the format is UTF-8; key values are device names, flows). */
static void label(struct strbuf *b, bool *first, const char *name, const char *val)
{
	sb_puts(b, *first ? "{" : ",");
	*first = false;
	sb_printf(b, "%s=\"", name);
	for (const char *p = val ? val : ""; *p; p++) {
		if (*p == '\\')
			sb_puts(b, "\\\\");
		else if (*p == '"')
			sb_puts(b, "\\\"");
		else if (*p == '\n')
			sb_puts(b, "\\n");
		else
			sb_putn(b, p, 1);
	}
	sb_puts(b, "\"");
}

/* Labels of one series. */
struct labels {
	const char *name[24], *val[24];
	int n;
};

static void lab(struct labels *l, const char *name, const char *val)
{
	if (l->n < 24) {
		l->name[l->n] = name;
		l->val[l->n++] = val;
	}
}

/* One sample line: NAME{labels[,extra="v"]} VALUE */
static void sample(struct family *f, const char *suffix, const struct labels *l, const char *xname, const char *xval,
		   const char *value)
{
	if (!f)
		return;
	bool first = true;
	sb_printf(&f->body, "%s%s", f->name, suffix ? suffix : "");
	for (int i = 0; i < l->n; i++)
		label(&f->body, &first, l->name[i], l->val[i]);
	if (xname)
		label(&f->body, &first, xname, xval);
	if (!first)
		sb_puts(&f->body, "}");
	sb_printf(&f->body, " %s\n", value);
}

static const char *u64(char *b, uint64_t v)
{
	snprintf(b, 32, "%" PRIu64, v);
	return b;
}
static const char *dbl(char *b, double v)
{
	snprintf(b, 32, "%.15g", v);
	return b;
}

/* What an aggregation aggregates: a name part and a unit part of its
 * family's name, and the scale from the kernel's unit to the base unit. */
struct what {
	char base[64];          /* "latency", "length", "cpu" */
	const char *unit;       /* "_seconds", "_bytes", "" */
	double scale;
	char from[64], to[64];  /* latency(from, to) */
};

static void what_of(const struct vnt_snap_aggr *a, struct what *w)
{
	memset(w, 0, sizeof(*w));
	w->unit = "";
	w->scale = 1;
	const char *v = a->value ? a->value : "value";
	if (!strncmp(v, "latency(", 8) && sscanf(v + 8, " %63[^, ] , %63[^) ]", w->from, w->to) == 2) {
		strcpy(w->base, "latency");
	} else if (!strcmp(v, "len")) {
		strcpy(w->base, "length");
	} else {
		/* Any other value: its own text, as a name ([a-z0-9_]). */
		size_t k = 0;
		for (const char *p = v; *p && k < sizeof(w->base) - 1; p++) {
			char c = *p;
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
			if (ok)
				w->base[k++] = c;
			else if (k && w->base[k - 1] != '_')
				w->base[k++] = '_';
		}
		while (k && w->base[k - 1] == '_')
			k--;
		w->base[k] = '\0';
		if (!k || (w->base[0] >= '0' && w->base[0] <= '9'))
			strcpy(w->base, "value");
	}
	if (a->unit && !strcmp(a->unit, "ns")) {
		w->unit = "_seconds";
		w->scale = 1e-9;
	} else if (a->unit && !strcmp(a->unit, "bytes")) {
		w->unit = "_bytes";
	}
}

/* A value in the base unit: integers as integers. */
static const char *scaled(char *b, const struct what *w, double v)
{
	if (w->scale == 1 && v > -9e18 && v < 9e18 && v == (double)(int64_t)v)
		snprintf(b, 32, "%" PRId64, (int64_t)v);
	else
		dbl(b, v * w->scale);
	return b;
}

static void row_labels(struct labels *l, const struct vnt_snapshot *s, const struct vnt_snap_aggr *a,
		       const struct what *w, const struct vnt_snap_row *r)
{
	l->n = 0;
	lab(l, "trace", s->trace);
	lab(l, "aggregation", a->title);
	if (w->from[0]) {
		lab(l, "from", w->from);
		lab(l, "to", w->to);
	}
	for (int k = 0; k < a->nkeys; k++)
		lab(l, a->key_names[k] ? a->key_names[k] : "key", r->keys[k]);
}

/* The upper bound (le) of slot k, or false for the last slot (+Inf). */
static bool slot_le(const struct vnt_snap_aggr *a, int k, int64_t *le)
{
	if (a->shape == AS_LOG2) {
		if (k >= 64)
			return false;   /* [2^63, 2^64): only +Inf above it */
		*le = k == 0 ? 0 : (int64_t)(((uint64_t)1 << k) - 1);
		return true;
	}
	if (k == a->nslots - 1)
		return false;       /* overflow: >= lmax */
	*le = a->lmin + (int64_t)k * a->lstep - 1;
	return true;
}

static void aggregation(struct page *pg, const struct vnt_snapshot *s, const struct vnt_snap_aggr *a0)
{
	/* An aggregation without keys has its one row from the start, at 0
	 * (the reader shows none before the first event): its series then
	 * exists before the first increase, which rate() would miss. A keyed
	 * row appears with its key's first event. */
	struct vnt_snap_row zero = { 0 };
	struct vnt_snap_aggr a1 = *a0;
	const struct vnt_snap_aggr *a = a0;
	if (!a0->nkeys && !a0->nrows) {
		a1.rows = &zero;
		a1.nrows = 1;
		a = &a1;
	}
	struct what w;
	what_of(a, &w);
	char name[160], help[320], b1[32], b2[32];
	struct labels l;
	struct family *f;
	switch (a->shape) {
	case AS_SCALAR: {
		const char *type = "gauge";
		switch (a->scalar) {
		case SC_COUNT:
			snprintf(name, sizeof(name), "vnt_count_total");
			snprintf(help, sizeof(help), "Events a count() or top(N) aggregation counted, since the trace was attached.");
			type = "counter";
			break;
		case SC_SUM:
			snprintf(name, sizeof(name), "vnt_%s%s_total", w.base, w.unit);
			snprintf(help, sizeof(help), "Sum of %s over the events a sum() or top(N, %s) aggregation saw.", w.base,
				 w.base);
			type = "counter";
			break;
		default: {
			const char *m = a->scalar == SC_MIN ? "min" : a->scalar == SC_MAX ? "max" : "avg";
			snprintf(name, sizeof(name), "vnt_%s_%s%s", w.base, m, w.unit);
			snprintf(help, sizeof(help), "The %s of %s over the events a %s() aggregation saw.",
				 a->scalar == SC_MIN ? "minimum" : a->scalar == SC_MAX ? "maximum" : "mean", w.base, m);
		}
		}
		f = family(pg, name, type, help);
		for (int i = 0; i < a->nrows; i++) {
			const struct vnt_snap_row *r = &a->rows[i];
			row_labels(&l, s, a, &w, r);
			const char *v;
			switch (a->scalar) {
			case SC_COUNT: v = u64(b1, r->count); break;
			case SC_SUM:   v = scaled(b1, &w, (double)r->sum); break;
			case SC_MIN:   v = r->count ? scaled(b1, &w, (double)r->min) : "NaN"; break;
			case SC_MAX:   v = r->count ? scaled(b1, &w, (double)r->max) : "NaN"; break;
			default:       v = r->count ? scaled(b1, &w, (double)r->sum / (double)r->count) : "NaN"; break;
			}
			sample(f, NULL, &l, NULL, NULL, v);
		}
		break;
	}
	case AS_LOG2:
	case AS_LINEAR:
		snprintf(name, sizeof(name), "vnt_%s%s", w.base, w.unit);
		snprintf(help, sizeof(help), "Histogram of %s from a hist() or lhist() aggregation (cumulative buckets).",
			 w.base);
		f = family(pg, name, "histogram", help);
		for (int i = 0; i < a->nrows; i++) {
			const struct vnt_snap_row *r = &a->rows[i];
			row_labels(&l, s, a, &w, r);
			uint64_t acc = 0;
			for (int k = 0; k < a->nslots; k++) {
				int64_t le;
				acc += r->slots ? r->slots[k] : 0;
				if (!slot_le(a, k, &le))
					break;
				if (w.scale == 1)
					snprintf(b2, sizeof(b2), "%" PRId64, le);
				else
					dbl(b2, (double)le * w.scale);
				sample(f, "_bucket", &l, "le", b2, u64(b1, acc));
			}
			sample(f, "_bucket", &l, "le", "+Inf", u64(b1, r->count));
			sample(f, "_count", &l, NULL, NULL, u64(b1, r->count));
		}
		break;
	case AS_QUANTILES: {
		static const char *const qn[4] = { "0.5", "0.9", "0.99", "0.999" };
		snprintf(name, sizeof(name), "vnt_%s_percentiles%s", w.base, w.unit);
		snprintf(help, sizeof(help), "Quantiles of %s from a percentiles() aggregation (within 3.2%%).", w.base);
		f = family(pg, name, "summary", help);
		for (int i = 0; i < a->nrows; i++) {
			const struct vnt_snap_row *r = &a->rows[i];
			row_labels(&l, s, a, &w, r);
			for (int q = 0; q < 4; q++)
				sample(f, NULL, &l, "quantile", qn[q], r->count ? dbl(b1, r->q[q] * w.scale) : "NaN");
			sample(f, "_sum", &l, NULL, NULL, dbl(b1, r->mean * (double)r->count * w.scale));
			sample(f, "_count", &l, NULL, NULL, u64(b1, r->count));
		}
		break;
	}
	}
	/* Updates the kernel refused: events missing from the rows (a keyed
	 * aggregation's; one without keys has a single row, always there). */
	if (!a->nkeys)
		return;
	static const char *const cause[3] = { "map_full", "no_memory", "refused" };
	uint64_t n[3] = { a->map_full, a->no_memory, a->refused };
	f = family(pg, "vnt_refused_updates_total", "counter",
		   "Updates of a keyed aggregation the kernel refused (events missing from its rows), by cause.");
	l.n = 0;
	lab(&l, "trace", s->trace);
	lab(&l, "aggregation", a->title);
	for (int c = 0; c < 3; c++)
		sample(f, NULL, &l, "cause", cause[c], u64(b1, n[c]));
}

static void counter1(struct page *pg, const char *name, const char *help, const struct vnt_snapshot *s, uint64_t v)
{
	char b[32];
	struct labels l = { .n = 0 };
	lab(&l, "trace", s->trace);
	sample(family(pg, name, "counter", help), NULL, &l, NULL, NULL, u64(b, v));
}

static void render(struct page *pg, const struct vnt_snapshot *s)
{
	char b[32], sn[32];
	struct labels l = { .n = 0 };
	lab(&l, "trace", s->trace);
	lab(&l, "script", s->script);
	lab(&l, "sample", u64(sn, s->sample_n ? s->sample_n : 1));
	sample(family(pg, "vnt_trace_info", "gauge",
		      "A trace of the running script (always 1); sample=\"N\": it sees one packet in N."),
	       NULL, &l, NULL, NULL, "1");
	l.n = 1;
	sample(family(pg, "vnt_trace_elapsed_seconds", "gauge", "Seconds since the trace was attached (at its last snapshot)."),
	       NULL, &l, NULL, NULL, dbl(b, s->elapsed_s));
	sample(family(pg, "vnt_trace_ended", "gauge", "1 once the trace has ended: these are its final counts."), NULL,
	       &l, NULL, NULL, s->final ? "1" : "0");
	for (int i = 0; i < s->naggs; i++)
		aggregation(pg, s, &s->aggs[i]);
	struct family *f = family(pg, "vnt_hop_packets_total", "counter", "Packets that passed the trace's filter at a hop.");
	for (int i = 0; i < s->nhops; i++) {
		l.n = 1;
		lab(&l, "hop", s->hop_names[i]);
		sample(f, NULL, &l, NULL, NULL, u64(b, s->hop_hits[i]));
	}
	static const struct {
		const char *name, *help;
		size_t off;
	} lat[] = {
		{ "vnt_latency_started_total", "Packets seen at a latency pair's first hop and remembered.",
		  offsetof(struct vnt_snap_latency, started) },
		{ "vnt_latency_matched_total", "Remembered packets seen later at the pair's second hop.",
		  offsetof(struct vnt_snap_latency, matched) },
		{ "vnt_latency_unmatched_total", "Packets seen at a pair's second hop with no remembered first.",
		  offsetof(struct vnt_snap_latency, unmatched) },
		{ "vnt_latency_displaced_total", "Remembered packets pushed out of the table by others before their second hop.",
		  offsetof(struct vnt_snap_latency, displaced) },
	};
	for (size_t k = 0; s->nlat && k < sizeof(lat) / sizeof(lat[0]); k++) {
		f = family(pg, lat[k].name, "counter", lat[k].help);
		for (int i = 0; i < s->nlat; i++) {
			uint64_t v;
			memcpy(&v, (const char *)&s->lat[i] + lat[k].off, sizeof(v));
			l.n = 1;
			lab(&l, "from", s->lat[i].from);
			lab(&l, "to", s->lat[i].to);
			sample(f, NULL, &l, NULL, NULL, u64(b, v));
		}
	}
	counter1(pg, "vnt_events_total", "Raw records (events) delivered from the kernel's ring buffer.", s, s->events);
	counter1(pg, "vnt_lost_events_total", "Raw records lost: the ring buffer was full.", s, s->lost_events);
	counter1(pg, "vnt_skipped_runs_total",
		 "Runs of the trace's hop programs the kernel skipped (already running on that CPU): packets unseen.", s,
		 s->skipped_runs);
	if (s->nseg) {
		static const char *const qn[4] = { "0.5", "0.9", "0.99", "0.999" };
		struct family *fl = family(pg, "vnt_segment_latency_seconds", "summary",
					   "Latency of a breakdown() segment, over packets that passed the whole path.");
		struct family *fe = family(pg, "vnt_segment_entered_total", "counter",
					   "Packets that reached a segment's first hop in order.");
		struct family *fr = family(pg, "vnt_segment_reached_total", "counter",
					   "Of those, packets that reached the segment's last hop.");
		struct family *fd = family(pg, "vnt_segment_drops_total", "counter",
					   "Packets a drop hop saw die in a segment, by reason and location.");
		for (int i = 0; i < s->nseg; i++) {
			const struct vnt_snap_segment *g = &s->seg[i];
			l.n = 1;
			lab(&l, "from", g->from);
			lab(&l, "to", g->to);
			uint64_t q[4] = { g->p50, g->p90, g->p99, g->p999 };
			for (int k = 0; k < 4; k++)
				sample(fl, NULL, &l, "quantile", qn[k], g->count ? dbl(b, (double)q[k] * 1e-9) : "NaN");
			sample(fl, "_sum", &l, NULL, NULL, dbl(b, g->mean * (double)g->count * 1e-9));
			sample(fl, "_count", &l, NULL, NULL, u64(b, g->count));
			sample(fe, NULL, &l, NULL, NULL, u64(b, g->entered));
			sample(fr, NULL, &l, NULL, NULL, u64(b, g->reached));
			for (int k = 0; k < g->ndrops; k++) {
				struct labels d = l;
				lab(&d, "reason", g->drops[k].reason);
				sample(fd, NULL, &d, "location", g->drops[k].location, u64(b, g->drops[k].count));
			}
		}
	}
}

char *vnt_prometheus_render(const struct vnt_snapshot *s)
{
	struct page pg = { 0 };
	render(&pg, s);
	char *out = pg.oom ? NULL : page_text(&pg);
	page_free(&pg);
	return out;
}

void vnt_output_prometheus(FILE *f, const struct vnt_snapshot *s)
{
	char *t = vnt_prometheus_render(s);
	if (t)
		fputs(t, f);
	fflush(f);
	free(t);
}

/* "# HELP NAME ..." or "# TYPE NAME ...": NAME's length, 0 otherwise. */
static size_t header_name(const char *line, const char **name, const char **rest)
{
	if (strncmp(line, "# HELP ", 7) && strncmp(line, "# TYPE ", 7))
		return 0;
	*name = line + 7;
	size_t n = strcspn(*name, " \n");
	*rest = (*name)[n] == ' ' ? *name + n + 1 : *name + n;
	return n;
}

char *vnt_prometheus_merge(const char *const *texts, int n)
{
	struct page pg = { 0 };
	char name[256], text[1024];
	for (int t = 0; t < n; t++) {
		struct family *cur = NULL;
		for (const char *p = texts[t]; p && *p;) {
			size_t len = strcspn(p, "\n");
			const char *nm, *rest;
			size_t nl = header_name(p, &nm, &rest);
			if (nl && nl < sizeof(name)) {
				memcpy(name, nm, nl);
				name[nl] = '\0';
				size_t rl = (size_t)(p + len - rest);
				snprintf(text, sizeof(text), "%.*s", (int)rl, rest);
				bool help = p[2] == 'H';
				cur = family(&pg, name, NULL, NULL);
				if (cur && help && !cur->help)
					cur->help = strdup(text);
				else if (cur && !help && !cur->type)
					cur->type = strdup(text);
			} else if (len && p[0] != '#' && cur) {
				sb_putn(&cur->body, p, len);
				sb_puts(&cur->body, "\n");
			}
			p += len;
			if (*p == '\n')
				p++;
		}
	}
	char *out = pg.oom ? NULL : page_text(&pg);
	page_free(&pg);
	return out;
}

const struct vnt_output_format vnt_output_format_prometheus = {
	.id = { "prometheus", "the Prometheus text exposition format (doc/prometheus.md)" },
	.snapshot = vnt_output_prometheus,
};
