/* The top of the HTML report, what a reader wants first: one sentence
 * with the answer (where the end-to-end time goes at p50 and at p99, and
 * where packets were lost), a picture of the path (hosts, hops, and the
 * segments in proportion to their share of the time, loss marked where it
 * happened), and the segments side by side on one latency axis.
 *
 * "End-to-end time" here is the sum of the segments' percentiles: a
 * segment's share at p50 is its p50 over the sum of all segments' p50s.
 * (A percentile of the whole path is not the sum of its segments'; the
 * share says which segment weighs most, which is the question.) Negative
 * latencies, possible across hosts whose clocks are known only within
 * their uncertainty, count as 0. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/report/report.h"
#include "runtime/report/svg.h"

#define LABEL 256
#define SLOT 180  /* px between two hops in the path picture */
#define PX0 (SLOT / 2 + 12) /* x of the first hop: room for its host's band */
#define NCOLOR 8

static const char *const color[NCOLOR] = { "#2c6fbb", "#e67e22", "#27ae60", "#8e44ad",
					   "#16a085", "#c0392b", "#7f8c8d", "#d4ac0d" };

static double pos(int64_t v) { return v > 0 ? (double)v : 0; }

/* Shown segments that joined at least one packet, in path order. */
static int joined(const struct vnt_report *r, int *idx)
{
	int n = 0;
	for (int i = 0; i < r->nseg; i++)
		if (vnt_report_segment_shown(&r->seg[i]) && (r->seg[i].st.count || r->seg[i].entered))
			idx[n++] = i;
	return n;
}

static uint64_t lost_of(const struct vnt_report_segment *s) { return s->entered - s->reached; }

static void seg_name(FILE *f, const struct vnt_report *r, const struct vnt_report_segment *s)
{
	char a[LABEL], b[LABEL];
	vnt_report_hop_label(a, sizeof(a), r, s->from);
	vnt_report_hop_label(b, sizeof(b), r, s->to);
	fputs("<strong class=\"seg-name\">", f);
	vnt_report_html_esc(f, a);
	fputs(" &rarr; ", f);
	vnt_report_html_esc(f, b);
	fputs("</strong>", f);
}

/* " on host2" or " from host1 to host2" when the run has several hosts
 * (each pair of hosts the segment's packets went between, at most 3). */
static void seg_hosts(FILE *f, const struct vnt_report *r, const struct vnt_report_segment *s)
{
	if (r->nhosts < 2 || !s->npairs)
		return;
	for (int p = 0; p < s->npairs && p < 3; p++) {
		char a[LABEL], b[LABEL];
		vnt_report_host_label(a, sizeof(a), r, s->pairs[p].from_host);
		vnt_report_host_label(b, sizeof(b), r, s->pairs[p].to_host);
		bool same = s->pairs[p].to_host == s->pairs[p].from_host;
		fputs(p ? (p == s->npairs - 1 ? " and " : ", ") : (same ? " on " : " from "), f);
		if (p && same)
			fputs("on ", f);
		else if (p)
			fputs("from ", f);
		vnt_report_html_esc(f, a);
		if (!same) {
			fputs(" to ", f);
			vnt_report_html_esc(f, b);
		}
	}
	if (s->npairs > 3)
		fputs(" and others", f);
}

static int top_segment(const struct vnt_report *r, const int *idx, int n, bool p99, double *sum)
{
	int best = -1;
	*sum = 0;
	for (int k = 0; k < n; k++) {
		const struct vnt_stats *st = &r->seg[idx[k]].st;
		if (!st->count)
			continue;
		double v = pos(p99 ? st->p99 : st->p50);
		*sum += v;
		if (best < 0 || v > pos(p99 ? r->seg[best].st.p99 : r->seg[best].st.p50))
			best = idx[k];
	}
	return best;
}

static void share(FILE *f, const char *pct, int64_t v, double sum)
{
	char a[32], b[32];
	vnt_report_fmt_ns(a, sizeof(a), pos(v));
	vnt_report_fmt_ns(b, sizeof(b), sum);
	fprintf(f, "%.0f%% at %s (%s of %s)", sum > 0 ? 100 * pos(v) / sum : 0, pct, a, b);
}

static int by_lost_desc(const void *a, const void *b, void *arg)
{
	const struct vnt_report *r = arg;
	uint64_t la = lost_of(&r->seg[*(const int *)a]), lb = lost_of(&r->seg[*(const int *)b]);
	return la < lb ? 1 : la > lb ? -1 : *(const int *)a - *(const int *)b;
}

static void answer(FILE *f, const struct vnt_report *r, const int *idx, int n)
{
	double s50, s99;
	int t50 = top_segment(r, idx, n, false, &s50), t99 = top_segment(r, idx, n, true, &s99);
	fputs("<p id=\"answer\" class=\"answer\">", f);
	if (t50 < 0) {
		fputs("No packet was followed from one hop to the next: there is no path to break down "
		      "(does the script keep <code>events</code>, and did traffic match its filter?).", f);
	} else if (t50 == t99) {
		fputs("Most of the end-to-end time is in ", f);
		seg_name(f, r, &r->seg[t50]);
		seg_hosts(f, r, &r->seg[t50]);
		fputs(": ", f);
		share(f, "p50", r->seg[t50].st.p50, s50);
		fputs(" and ", f);
		share(f, "p99", r->seg[t50].st.p99, s99);
		fputs(".", f);
	} else {
		fputs("At p50 most of the end-to-end time is in ", f);
		seg_name(f, r, &r->seg[t50]);
		seg_hosts(f, r, &r->seg[t50]);
		fputs(", ", f);
		share(f, "p50", r->seg[t50].st.p50, s50);
		fputs("; at p99 in ", f);
		seg_name(f, r, &r->seg[t99]);
		seg_hosts(f, r, &r->seg[t99]);
		fputs(", ", f);
		share(f, "p99", r->seg[t99].st.p99, s99);
		fputs(".", f);
	}
	int *lossy = malloc(sizeof(int) * (size_t)(n ? n : 1)), nl = 0;
	uint64_t total = 0;
	for (int k = 0; lossy && k < n; k++)
		if (lost_of(&r->seg[idx[k]])) {
			lossy[nl++] = idx[k];
			total += lost_of(&r->seg[idx[k]]);
		}
	if (t50 >= 0 && !total) {
		fputs(" No packet was lost.", f);
	} else if (total && nl == 1) {
		const struct vnt_report_segment *s = &r->seg[lossy[0]];
		fprintf(f, " <span class=\"loss\">%" PRIu64 " packet%s %s lost, all in ", total, total == 1 ? "" : "s",
			total == 1 ? "was" : "were");
		seg_name(f, r, s);
		seg_hosts(f, r, s);
		fprintf(f, ": %.1f%% of the %" PRIu64 " that entered it.</span>", 100.0 * (double)total / (double)s->entered,
			s->entered);
	} else if (total) {
		qsort_r(lossy, (size_t)nl, sizeof(int), by_lost_desc, (void *)r);
		fprintf(f, " <span class=\"loss\">%" PRIu64 " packets were lost: ", total);
		for (int k = 0; k < nl && k < 3; k++) {
			fprintf(f, "%s%" PRIu64 " in ", k ? ", " : "", lost_of(&r->seg[lossy[k]]));
			seg_name(f, r, &r->seg[lossy[k]]);
		}
		if (nl > 3)
			fprintf(f, " and the rest in %d more segments", nl - 3);
		fputs(".</span>", f);
	}
	uint64_t unseen = 0;
	for (int k = 0; k < nl; k++)
		unseen += vnt_report_segment_unseen(r, &r->seg[lossy[k]]);
	if (unseen)
		fprintf(f, " <span class=\"unseen\">Up to %" PRIu64 " of them may have passed unseen: the kernel skipped %" PRIu64
			   " hop program run%s.</span>",
			unseen, unseen, unseen == 1 ? "" : "s");
	free(lossy);
	fputs("</p>\n", f);
}

/* The host(s) whose agents reported events at hop h, "a, b"; "" if none. */
static void hop_hosts(const struct vnt_report *r, int h, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = '\0';
	for (int i = 0; i < r->nhosts && k < len; i++)
		if (r->hosts[i].hop_events[h]) {
			char lab[LABEL];
			vnt_report_host_label(lab, sizeof(lab), r, i);
			k += (size_t)snprintf(buf + k, len - k, "%s%s", k ? ", " : "", lab);
		}
}

static double hop_x(int h) { return PX0 + (double)h * SLOT; }

static void hosts_row(FILE *f, const struct vnt_report *r)
{
	char cur[1024], next[1024];
	for (int h = 0; h < r->nhops;) {
		hop_hosts(r, h, cur, sizeof(cur));
		int e = h;
		while (e + 1 < r->nhops && (hop_hosts(r, e + 1, next, sizeof(next)), !strcmp(next, cur)))
			e++;
		if (cur[0]) {
			double x0 = hop_x(h) - SLOT / 2.0 + 6, x1 = hop_x(e) + SLOT / 2.0 - 6;
			fprintf(f, "<g class=\"host-band\"><rect x=\"%.1f\" y=\"6\" width=\"%.1f\" height=\"24\" rx=\"4\" "
				   "fill=\"#eef2f7\" stroke=\"#b8c4d6\"/>",
				x0, x1 - x0);
			fprintf(f, "<text class=\"host\" x=\"%.1f\" y=\"23\" text-anchor=\"middle\" font-size=\"12\" "
				   "font-weight=\"bold\">",
				(x0 + x1) / 2);
			vnt_svg_text_fit(f, cur, (size_t)((x1 - x0 - 8) / (12 * 0.62)));
			fputs("</text></g>\n", f);
		}
		h = e + 1;
	}
}

static void seg_labels(FILE *f, const struct vnt_report *r, const struct vnt_report_segment *s, int color_i)
{
	double xa = hop_x(s->from), xb = hop_x(s->to), xm = (xa + xb) / 2;
	char a[32], b[32];
	uint64_t lost = lost_of(s);
	fprintf(f, "<g class=\"segment\" data-from=\"%d\" data-to=\"%d\" data-count=\"%" PRIu64 "\" data-lost=\"%" PRIu64
		   "\" data-p50=\"%lld\" data-p99=\"%lld\">",
		s->from, s->to, s->st.count, lost, (long long)s->st.p50, (long long)s->st.p99);
	fprintf(f, "<line x1=\"%.1f\" y1=\"70\" x2=\"%.1f\" y2=\"70\" stroke=\"%s\" stroke-width=\"4\" "
		   "marker-end=\"url(#arrow)\"/>",
		xa + 9, xb - 12, color[color_i]);
	if (lost)
		fprintf(f, "<text class=\"loss-mark\" x=\"%.1f\" y=\"75\" text-anchor=\"middle\" font-size=\"15\" "
			   "font-weight=\"bold\" fill=\"#c0392b\">&#10005;</text>", xm);
	if (s->st.count) {
		vnt_svg_fmt_ns(a, sizeof(a), (double)s->st.p50);
		vnt_svg_fmt_ns(b, sizeof(b), (double)s->st.p99);
		fprintf(f, "<text class=\"seg-p50\" x=\"%.1f\" y=\"92\" text-anchor=\"middle\" font-size=\"11\">p50 %s</text>"
			   "<text class=\"seg-p99\" x=\"%.1f\" y=\"106\" text-anchor=\"middle\" font-size=\"11\">p99 %s</text>",
			xm, a, xm, b);
	} else {
		fprintf(f, "<text class=\"seg-p50\" x=\"%.1f\" y=\"92\" text-anchor=\"middle\" font-size=\"11\">no packet "
			   "through</text>", xm);
	}
	if (lost)
		fprintf(f, "<text class=\"seg-lost\" x=\"%.1f\" y=\"120\" text-anchor=\"middle\" font-size=\"11\" "
			   "font-weight=\"bold\" fill=\"#c0392b\">%" PRIu64 " lost</text>", xm, lost);
	fputs("</g>\n", f);
	(void)r;
}

/* One bar of the path's time at a percentile: each segment's share as a
 * width, the first `conn` linked to its place on the path above. */
static void share_bar(FILE *f, const struct vnt_report *r, const int *idx, int n, bool p99, double y, bool conn)
{
	double x0 = hop_x(0), x1 = hop_x(r->nhops - 1), sum = 0, x = x0;
	for (int k = 0; k < n; k++)
		if (r->seg[idx[k]].st.count)
			sum += pos(p99 ? r->seg[idx[k]].st.p99 : r->seg[idx[k]].st.p50);
	fprintf(f, "<text class=\"bar-name\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%s</text>\n",
		x0 - 8, y + 13, p99 ? "p99" : "p50");
	if (sum <= 0) {
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" fill=\"#eee\"/>\n", x0, y, x1 - x0);
		return;
	}
	for (int k = 0; k < n; k++) {
		const struct vnt_report_segment *s = &r->seg[idx[k]];
		double v = s->st.count ? pos(p99 ? s->st.p99 : s->st.p50) : 0, w = (x1 - x0) * v / sum;
		if (conn)
			fprintf(f, "<polygon points=\"%.1f,126 %.1f,126 %.1f,%.1f %.1f,%.1f\" fill=\"%s\" "
				   "fill-opacity=\"0.15\"/>",
				hop_x(s->from), hop_x(s->to), x + w, y, x, y, color[k % NCOLOR]);
		fprintf(f, "<rect class=\"share\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"18\" fill=\"%s\" "
			   "data-share=\"%.4f\"/>",
			x, y, w, color[k % NCOLOR], v / sum);
		char pct[16];
		snprintf(pct, sizeof(pct), "%.0f%%", 100 * v / sum);
		if (w > vnt_svg_text_width(strlen(pct), 11) + 8)
			fprintf(f, "<text class=\"share-pct\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
				   "fill=\"#fff\">%s</text>",
				x + w / 2, y + 13, pct);
		fputc('\n', f);
		x += w;
	}
}

static void path_picture(FILE *f, const struct vnt_report *r, const int *idx, int n)
{
	int w = (int)(2 * PX0 + (r->nhops - 1) * SLOT);
	if (w < 480)
		w = 480;
	/* Scaled down, never cut, in a narrow window. */
	fprintf(f, "<figure class=\"path\">\n<svg id=\"path\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"212\" "
		   "viewBox=\"0 0 %d 212\" style=\"max-width:100%%;height:auto\" role=\"img\" font-family=\"sans-serif\">\n",
		w, w);
	fputs("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"5\" refY=\"5\" markerWidth=\"4\" markerHeight=\"4\" "
	      "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n", f);
	hosts_row(f, r);
	for (int h = 0; h < r->nhops; h++) {
		char lab[LABEL];
		vnt_report_hop_label(lab, sizeof(lab), r, h);
		fprintf(f, "<g class=\"hop\" data-packets=\"%" PRIu64 "\"><circle cx=\"%.1f\" cy=\"70\" r=\"6\" fill=\"#fff\" "
			   "stroke=\"#333\" stroke-width=\"2\"/><text class=\"hop-name\" x=\"%.1f\" y=\"52\" "
			   "text-anchor=\"middle\" font-size=\"12\">",
			r->hops[h].packets, hop_x(h), hop_x(h));
		vnt_svg_text_fit(f, lab, (size_t)((SLOT - 12) / (12 * 0.62)));
		fputs("</text></g>\n", f);
	}
	for (int k = 0; k < n; k++)
		seg_labels(f, r, &r->seg[idx[k]], k % NCOLOR);
	share_bar(f, r, idx, n, false, 150, true);
	share_bar(f, r, idx, n, true, 182, false);
	fputs("</svg>\n<figcaption>The path: hosts, hops and segments (p50, p99; &#10005; where packets were lost). "
	      "Below, each segment's share of the end-to-end time (the sum of the segments' p50, then p99), drawn "
	      "in proportion.</figcaption>\n</figure>\n", f);
}

/* The segments on one latency axis (logarithmic when the range is wide):
 * a line from min to max, a bar from p50 to p99, a dot at p50. */
static void compare(FILE *f, const struct vnt_report *r, const int *idx, int n)
{
	enum { LW = 200, PW = 420, RW = 190, RH = 26, TOP = 10 };
	double lo = 0, hi = 0, lo_pos = 0;
	int rows = 0;
	for (int k = 0; k < n; k++) {
		const struct vnt_stats *st = &r->seg[idx[k]].st;
		if (!st->count)
			continue;
		double mp = vnt_lat_min_pos(&r->seg[idx[k]].lat);
		if (mp > 0 && (lo_pos == 0 || mp < lo_pos))
			lo_pos = mp;
		if (!rows || (double)st->min < lo)
			lo = (double)st->min;
		if (!rows || (double)st->max > hi)
			hi = (double)st->max;
		rows++;
	}
	if (!rows)
		return;
	struct vnt_axis a;
	vnt_axis_init(&a, lo, hi, lo_pos, LW, LW + PW);
	int h = TOP + rows * RH + 44;
	fprintf(f, "<figure class=\"compare\">\n<svg id=\"compare\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		   "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"sans-serif\">\n",
		LW + PW + RW, h, LW + PW + RW, h);
	int row = 0;
	for (int k = 0; k < n; k++) {
		const struct vnt_report_segment *s = &r->seg[idx[k]];
		if (!s->st.count)
			continue;
		double y = TOP + row * RH + RH / 2.0;
		char a1[LABEL], b1[LABEL], lab[2 * LABEL + 8], p50[32], p99[32];
		vnt_report_hop_label(a1, sizeof(a1), r, s->from);
		vnt_report_hop_label(b1, sizeof(b1), r, s->to);
		snprintf(lab, sizeof(lab), "%s \xe2\x86\x92 %s", a1, b1);
		fprintf(f, "<text class=\"cmp-name\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">", LW - 8, y + 4);
		vnt_svg_text_fit(f, lab, (size_t)((LW - 16) / (12 * 0.62)));
		fputs("</text>", f);
		double xmin = vnt_axis_x(&a, (double)s->st.min), xmax = vnt_axis_x(&a, (double)s->st.max),
		       x50 = vnt_axis_x(&a, (double)s->st.p50), x99 = vnt_axis_x(&a, (double)s->st.p99);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>", xmin, y, xmax, y);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"%s\" fill-opacity=\"0.8\"/>", x50,
			y - 5, x99 - x50 > 1 ? x99 - x50 : 1, color[k % NCOLOR]);
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#222\"/>", x50, y);
		vnt_svg_fmt_ns(p50, sizeof(p50), (double)s->st.p50);
		vnt_svg_fmt_ns(p99, sizeof(p99), (double)s->st.p99);
		fprintf(f, "<text class=\"cmp-values\" x=\"%d\" y=\"%.1f\" font-size=\"11\">p50 %s, p99 %s</text>\n",
			LW + PW + 10, y + 4, p50, p99);
		row++;
	}
	vnt_axis_draw(f, &a, TOP + rows * RH + 4);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">latency%s</text>\n", LW + PW / 2,
		h - 4, !a.log ? "" : a.clamped ? " (log scale; values &#8804; 0 at the left edge)" : " (log scale)");
	fputs("</svg>\n<figcaption>The segments on one axis: min to max (line), p50 to p99 (bar), p50 (dot)."
	      "</figcaption>\n</figure>\n", f);
}

void vnt_report_glance(FILE *f, const struct vnt_report *r)
{
	int *idx = malloc(sizeof(int) * (size_t)(r->nseg ? r->nseg : 1));
	if (!idx)
		return;
	int n = joined(r, idx);
	fputs("<h2>At a glance</h2>\n", f);
	answer(f, r, idx, n);
	if (n && r->nhops > 1) {
		path_picture(f, r, idx, n);
		compare(f, r, idx, n);
	}
	free(idx);
}
