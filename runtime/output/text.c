/* Human text output of a snapshot, in the spirit of bpftrace's: one block
 * per snapshot, one section per aggregation, then hop hits, latency
 * matching and warnings. Lines have fixed shapes so tests and users can
 * grep them:
 *   === trace NAME: interval N, E.EEs elapsed[, sampled 1/N] ===
 *   === trace NAME: final, E.EEs elapsed[, sampled 1/N] ===
 *   hop NAME: N hits
 *   latency A -> B: matched M of S started, U unmatched at B
 *   WARNING: lost N events: ...
 * Latency ("ns") values are shown scaled (ns/us/ms/s); the raw numbers
 * are in the JSON output. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/output/format.h"
#include "runtime/output/snapshot.h"

#define BAR_WIDTH 52
#define NUMBUF 48

static const char *str(const char *s) { return s ? s : "?"; }

/* Key values come from packets and interfaces: control bytes are shown
 * as \xNN so they can neither break a table nor drive the terminal. */
static bool ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }

/* Columns taken by put(s): UTF-8 continuation bytes take none. */
static int width(const char *s)
{
	int w = 0;
	for (const unsigned char *p = (const unsigned char *)str(s); *p; p++)
		w += ctl(*p) ? 4 : (*p & 0xc0) != 0x80;
	return w;
}

static void put(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)str(s); *p; p++)
		if (ctl(*p))
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
}

/* put(s) left-aligned in w columns. */
static void put_pad(FILE *f, const char *s, int w)
{
	put(f, s);
	fprintf(f, "%*s", w > width(s) ? w - width(s) : 0, "");
}

static bool is_ns(const struct vnt_snap_aggr *a) { return a->unit && strcmp(a->unit, "ns") == 0; }

/* A duration in ns with about 3 significant digits in the largest unit
 * that keeps it below 1000, so "1.05ms" rather than "1048576ns". The
 * cut-off is 999.5 so rounding never prints "1000us". */
static void fmt_ns(char *b, double v)
{
	static const struct { const char *u; double div; } units[] = {
		{ "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	/* No libm: the binary does not link it for this alone. */
	const char *sign = v < 0 ? "-" : "";
	double a = v < 0 ? -v : v;
	if (a < 999.5) {
		snprintf(b, NUMBUF, a == (double)(int64_t)a ? "%s%.0fns" : "%s%.1fns", sign, a);
		return;
	}
	size_t i = 0;
	while (i + 1 < sizeof units / sizeof units[0] && a / units[i].div >= 999.5)
		i++;
	double x = a / units[i].div;
	const char *f = x < 9.995 ? "%s%.2f%s" : x < 99.95 ? "%s%.1f%s" : "%s%.0f%s";
	snprintf(b, NUMBUF, f, sign, x, units[i].u);
}

/* An exact ns label for linear buckets: the largest unit dividing the
 * value, so bounds like 100000 print "100us" and 1500 stays "1500ns";
 * lossy rounding could make neighbouring buckets look identical. */
static void fmt_ns_exact(char *b, int64_t v)
{
	static const struct { const char *u; int64_t div; } units[] = {
		{ "s", 1000000000 }, { "ms", 1000000 }, { "us", 1000 },
	};
	for (size_t i = 0; v != 0 && i < sizeof units / sizeof units[0]; i++)
		if (v % units[i].div == 0) {
			snprintf(b, NUMBUF, "%" PRId64 "%s", v / units[i].div, units[i].u);
			return;
		}
	snprintf(b, NUMBUF, "%" PRId64 "ns", v);
}

/* 2^e with a binary suffix, as bpftrace labels log2 buckets: 1K, 16M. */
static void fmt_pow2(char *b, int e, bool ns)
{
	static const char *suffix[] = { "", "K", "M", "G", "T", "P", "E" };
	if (ns) { /* 2^64 does not fit in uint64_t, hence the double */
		fmt_ns(b, e < 64 ? (double)((uint64_t)1 << e) : 18446744073709551616.0);
		return;
	}
	snprintf(b, NUMBUF, "%" PRIu64 "%s", (uint64_t)1 << (e % 10), suffix[e / 10]);
}

/* The label of one histogram slot. The slot layouts are the ones
 * documented in snapshot.h. */
static void slot_label(char *b, const struct vnt_snap_aggr *a, int k)
{
	char lo[NUMBUF], hi[NUMBUF];
	bool ns = is_ns(a);
	if (a->shape == AS_LOG2) {
		if (k == 0) {
			snprintf(b, 2 * NUMBUF + 8, "[0]");
			return;
		}
		if (k == 1 && !ns) { /* [1, 2) holds only 1 */
			snprintf(b, 2 * NUMBUF + 8, "[1]");
			return;
		}
		fmt_pow2(lo, k - 1, ns);
		fmt_pow2(hi, k, ns);
		snprintf(b, 2 * NUMBUF + 8, "[%s, %s)", lo, hi);
		return;
	}
	/* LHIST */
	void (*fmt)(char *, int64_t) = ns ? fmt_ns_exact : NULL;
	if (k == 0 || k == a->nslots - 1) {
		int64_t v = k == 0 ? a->lmin : a->lmax;
		if (fmt) fmt(lo, v); else snprintf(lo, NUMBUF, "%" PRId64, v);
		snprintf(b, 2 * NUMBUF + 8, "%s %s", k == 0 ? "<" : ">=", lo);
		return;
	}
	int64_t l = a->lmin + (int64_t)(k - 1) * a->lstep, h = l + a->lstep;
	if (fmt) {
		fmt(lo, l);
		fmt(hi, h);
	} else {
		snprintf(lo, NUMBUF, "%" PRId64, l);
		snprintf(hi, NUMBUF, "%" PRId64, h);
	}
	snprintf(b, 2 * NUMBUF + 8, "[%s, %s)", lo, hi);
}

static void print_hist(FILE *f, const struct vnt_snap_aggr *a, const struct vnt_snap_row *r,
		       const char *indent)
{
	/* Trim empty buckets at both ends; keep empty ones in between so
	 * the shape of the distribution stays visible. */
	int first = -1, last = -1;
	uint64_t max = 0;
	for (int k = 0; r->slots && k < a->nslots; k++) {
		if (!r->slots[k])
			continue;
		if (first < 0)
			first = k;
		last = k;
		if (r->slots[k] > max)
			max = r->slots[k];
	}
	if (first < 0) {
		fprintf(f, "%s(no data)\n", indent);
		return;
	}
	char label[2 * NUMBUF + 8], num[NUMBUF];
	int lw = 0, cw = 0;
	for (int k = first; k <= last; k++) {
		slot_label(label, a, k);
		int n = snprintf(num, sizeof num, "%" PRIu64, r->slots[k]);
		if ((int)strlen(label) > lw) lw = (int)strlen(label);
		if (n > cw) cw = n;
	}
	for (int k = first; k <= last; k++) {
		/* In double: count * 52 can overflow uint64_t for huge counts. */
		int w = (int)((double)r->slots[k] * BAR_WIDTH / (double)max);
		char bar[BAR_WIDTH + 1];
		memset(bar, '@', (size_t)w);
		memset(bar + w, ' ', (size_t)(BAR_WIDTH - w));
		bar[BAR_WIDTH] = '\0';
		slot_label(label, a, k);
		fprintf(f, "%s%-*s %*" PRIu64 " |%s|\n", indent, lw, label, cw, r->slots[k], bar);
	}
}

/* The value column of a scalar row. */
static void scalar_value(char *b, const struct vnt_snap_aggr *a, const struct vnt_snap_row *r)
{
	bool ns = is_ns(a);
	if (a->scalar != SC_COUNT && a->scalar != SC_SUM && r->count == 0) {
		snprintf(b, NUMBUF, "-"); /* min/max/avg of nothing */
		return;
	}
	switch (a->scalar) {
	case SC_COUNT:
		snprintf(b, NUMBUF, "%" PRIu64, r->count);
		break;
	case SC_SUM:
		if (ns) fmt_ns(b, (double)r->sum);
		else snprintf(b, NUMBUF, "%" PRIu64, r->sum);
		break;
	case SC_MIN:
	case SC_MAX: {
		int64_t v = a->scalar == SC_MIN ? r->min : r->max;
		if (ns) fmt_ns(b, (double)v);
		else snprintf(b, NUMBUF, "%" PRId64, v);
		break;
	}
	case SC_AVG: {
		double v = (double)r->sum / (double)r->count;
		if (ns) fmt_ns(b, v);
		else snprintf(b, NUMBUF, "%.1f", v);
		break;
	}
	default:
		snprintf(b, NUMBUF, "?");
	}
}

/* Keys left-aligned in columns, value right-aligned, under a header. */
static void print_table(FILE *f, const struct vnt_snap_aggr *a)
{
	const char *head = vnt_agg_scalar_name(a->scalar);
	int nk = a->nkeys, vw = (int)strlen(head);
	/* Column widths; if this small allocation fails the table is
	 * printed unaligned rather than not at all. */
	int *kw = nk > 0 ? calloc((size_t)nk, sizeof *kw) : NULL;
	char v[NUMBUF];
	for (int j = 0; kw && j < nk; j++)
		kw[j] = width(a->key_names[j]);
	for (int i = 0; i < a->nrows; i++) {
		for (int j = 0; kw && j < nk; j++) {
			int n = width(a->rows[i].keys[j]);
			if (n > kw[j]) kw[j] = n;
		}
		scalar_value(v, a, &a->rows[i]);
		if ((int)strlen(v) > vw) vw = (int)strlen(v);
	}
	fprintf(f, "  ");
	for (int j = 0; j < nk; j++) {
		put_pad(f, a->key_names[j], kw ? kw[j] : 0);
		fprintf(f, "  ");
	}
	fprintf(f, "%*s\n", vw, head);
	for (int i = 0; i < a->nrows; i++) {
		fprintf(f, "  ");
		for (int j = 0; j < nk; j++) {
			put_pad(f, a->rows[i].keys[j], kw ? kw[j] : 0);
			fprintf(f, "  ");
		}
		scalar_value(v, a, &a->rows[i]);
		fprintf(f, "%*s\n", vw, v);
	}
	if (a->top && a->keys_total > (uint64_t)a->nrows)
		fprintf(f, "  (the %d largest of %" PRIu64 " keys)\n", a->nrows, a->keys_total);
	free(kw);
}

/* A quantile's value: a duration scaled, else a number. */
static void fmt_q(char *b, const struct vnt_snap_aggr *a, double v)
{
	if (is_ns(a))
		fmt_ns(b, v);
	else
		snprintf(b, NUMBUF, v == (double)(int64_t)v ? "%.0f" : "%.1f", v);
}

/* percentiles(): the keys, the count, p50, p90, p99, p99.9, mean, max. */
static void print_quantiles(FILE *f, const struct vnt_snap_aggr *a)
{
	static const char *const head[] = { "count", "p50", "p90", "p99", "p99.9", "mean", "max" };
	int nk = a->nkeys;
	int *kw = nk > 0 ? calloc((size_t)nk, sizeof *kw) : NULL;
	int vw[7];
	char v[7][NUMBUF];
	for (int c = 0; c < 7; c++)
		vw[c] = (int)strlen(head[c]);
	for (int j = 0; kw && j < nk; j++)
		kw[j] = width(a->key_names[j]);
	for (int pass = 0; pass < 2; pass++) {
		if (pass) {
			fprintf(f, "  ");
			for (int j = 0; j < nk; j++) {
				put_pad(f, a->key_names[j], kw ? kw[j] : 0);
				fprintf(f, "  ");
			}
			for (int c = 0; c < 7; c++)
				fprintf(f, "%s%*s", c ? " " : "", vw[c], head[c]);
			fprintf(f, "\n");
		}
		for (int i = 0; i < a->nrows; i++) {
			const struct vnt_snap_row *r = &a->rows[i];
			snprintf(v[0], NUMBUF, "%" PRIu64, r->count);
			for (int c = 0; c < 4; c++)
				fmt_q(v[1 + c], a, r->q[c]);
			fmt_q(v[5], a, r->mean);
			fmt_q(v[6], a, (double)r->max);
			if (!pass) {
				for (int j = 0; kw && j < nk; j++)
					if (width(r->keys[j]) > kw[j])
						kw[j] = width(r->keys[j]);
				for (int c = 0; c < 7; c++)
					if ((int)strlen(v[c]) > vw[c])
						vw[c] = (int)strlen(v[c]);
				continue;
			}
			fprintf(f, "  ");
			for (int j = 0; j < nk; j++) {
				put_pad(f, r->keys[j], kw ? kw[j] : 0);
				fprintf(f, "  ");
			}
			for (int c = 0; c < 7; c++)
				fprintf(f, "%s%*s", c ? " " : "", vw[c], r->count || c == 0 ? v[c] : "-");
			fprintf(f, "\n");
		}
	}
	free(kw);
}

static void print_aggr(FILE *f, const struct vnt_snap_aggr *a)
{
	put(f, a->title);
	fprintf(f, "\n");
	if (a->nrows == 0) {
		fprintf(f, "  (no data)\n");
		return;
	}
	if (a->shape == AS_SCALAR) {
		print_table(f, a);
		return;
	}
	if (a->shape == AS_QUANTILES) {
		print_quantiles(f, a);
		return;
	}
	for (int i = 0; i < a->nrows; i++) {
		const struct vnt_snap_row *r = &a->rows[i];
		if (a->nkeys > 0) {
			fprintf(f, "  [");
			for (int j = 0; j < a->nkeys; j++) {
				fprintf(f, "%s", j ? ", " : "");
				put(f, a->key_names[j]);
				fprintf(f, "=");
				put(f, r->keys[j]);
			}
			fprintf(f, "]:\n");
		}
		print_hist(f, a, r, a->nkeys > 0 ? "    " : "  ");
	}
}

/* Whole-path breakdown: one line per segment, times human-readable. */
static void print_breakdown(FILE *f, const struct vnt_snapshot *s)
{
	fprintf(f, "breakdown() of the path (packets that passed every hop in order)\n");
	fprintf(f, "  %-24s %10s %9s %9s %9s %9s %9s %9s %9s\n", "segment", "count", "mean", "p50", "p90",
		"p99", "p99.9", "max", "lost");
	for (int i = 0; i < s->nseg; i++) {
		const struct vnt_snap_segment *g = &s->seg[i];
		char name[256], v[7][32];
		snprintf(name, sizeof(name), "%s -> %s", str(g->from), str(g->to));
		fmt_ns(v[0], g->mean);
		fmt_ns(v[1], (double)g->p50);
		fmt_ns(v[2], (double)g->p90);
		fmt_ns(v[3], (double)g->p99);
		fmt_ns(v[4], (double)g->p999);
		fmt_ns(v[5], (double)g->max);
		fprintf(f, "  ");
		put_pad(f, name, 24);
		fprintf(f, " %10" PRIu64 " %9s %9s %9s %9s %9s %9s %9" PRIu64 "\n", g->count, g->count ? v[0] : "-",
			g->count ? v[1] : "-", g->count ? v[2] : "-", g->count ? v[3] : "-", g->count ? v[4] : "-",
			g->count ? v[5] : "-", g->entered > g->reached ? g->entered - g->reached : 0);
	}
	/* Where and why the lost ones died, when a drop hop saw it. */
	bool head = false;
	for (int i = 0; i < s->nseg; i++)
		for (int k = 0; k < s->seg[i].ndrops; k++) {
			const struct vnt_snap_drop *d = &s->seg[i].drops[k];
			if (!head)
				fprintf(f, "  lost packets dropped by the kernel (drop hops):\n");
			head = true;
			fprintf(f, "    %s -> %s: %" PRIu64 " ", str(s->seg[i].from), str(s->seg[i].to), d->count);
			put(f, d->reason);
			if (d->location && *d->location) {
				fprintf(f, " at ");
				put(f, d->location);
			}
			fprintf(f, "\n");
		}
	if (s->drops_unplaced)
		fprintf(f, "  %" PRIu64 " more drops not placed (their table was full)\n", s->drops_unplaced);
	fprintf(f, "\n");
}

void vnt_output_text(FILE *f, const struct vnt_snapshot *s)
{
	fprintf(f, "=== trace ");
	put(f, s->trace);
	if (s->final)
		fprintf(f, ": final");
	else
		fprintf(f, ": interval %" PRIu64, s->seq);
	fprintf(f, ", %.2fs elapsed", s->elapsed_s);
	if (s->sample_n > 1)
		fprintf(f, ", sampled 1/%" PRIu32, s->sample_n);
	fprintf(f, " ===\n");
	/* The maps are read one after another while packets keep coming (a
	 * consistent cut would need a second copy of every map); the final
	 * snapshot is read after the hops are detached. Said once. */
	if (!s->final && s->seq == 1 && s->naggs > 1)
		fprintf(f, "(read while packets flow: two aggregations can differ by the packets that\n"
			" arrived between their reads; the final snapshot is exact)\n");

	for (int i = 0; i < s->naggs; i++) {
		print_aggr(f, &s->aggs[i]);
		fprintf(f, "\n");
	}
	if (s->nseg)
		print_breakdown(f, s);
	for (int i = 0; i < s->nhops; i++) {
		fprintf(f, "hop ");
		put(f, s->hop_names[i]);
		fprintf(f, ": %" PRIu64 " hits\n", s->hop_hits[i]);
	}
	if (s->nhops > 0)
		fprintf(f, "hop events: %" PRIu64 " in all (a packet counts at each hop it passed)\n", s->hop_events_total);
	for (int i = 0; i < s->nlat; i++) {
		const struct vnt_snap_latency *l = &s->lat[i];
		fprintf(f, "latency ");
		put(f, l->from);
		fprintf(f, " -> ");
		put(f, l->to);
		fprintf(f, ": matched %" PRIu64 " of %" PRIu64 " started, %" PRIu64 " unmatched at ",
			l->matched, l->started, l->unmatched);
		put(f, l->to);
		if (l->displaced)
			fprintf(f, ", %" PRIu64 " displaced from the table", l->displaced);
		fprintf(f, "\n");
	}
	/* Warnings last and unindented, so `grep ^WARNING` finds them all. */
	bool footer = s->nhops > 0 || s->nlat > 0;
	if (s->lost_events) {
		fprintf(f, "WARNING: lost %" PRIu64 " events: ring buffer full\n", s->lost_events);
		footer = true;
	}
	for (int i = 0; i < s->naggs; i++) {
		const struct vnt_snap_aggr *a = &s->aggs[i];
		const uint64_t n[3] = { a->map_full, a->no_memory, a->refused };
		static const char *const why[3] = {
			"map full (more keys than it has room for)", "kernel out of memory for a new key",
			"update refused by the kernel (lock contention)",
		};
		for (int k = 0; k < 3; k++)
			if (n[k]) {
				fprintf(f, "WARNING: lost %" PRIu64 " events: %s, for ", n[k], why[k]);
				put(f, a->title);
				fprintf(f, "\n");
				footer = true;
			}
	}
	/* Snapshots are separated by one blank line. */
	if (footer || s->naggs == 0)
		fprintf(f, "\n");
	fflush(f);
}

const struct vnt_output_format vnt_output_format_text = {
	.id = { "text", "tables and histograms, for people" },
	.snapshot = vnt_output_text,
};
