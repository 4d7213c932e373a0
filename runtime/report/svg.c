/* Inline SVG for the HTML report: latency axes, and a segment's latency
 * CDF with its percentiles marked. No external assets, no scripts. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "runtime/report/report.h"
#include "runtime/report/svg.h"

#define W 640
#define ML 60  /* margins: left, right, top (the percentile labels' band), bottom */
#define MR 24
#define ROW 13 /* px between label rows (font 10: a box 12 px high) */
#define NMARK 4
#define MT (8 + NMARK * ROW + 6)
#define PLOT_H 200
#define MB 40
#define H (MT + PLOT_H + MB)
#define POINTS 256
#define TICK_GAP 60.0

void vnt_svg_fmt_ns(char *buf, size_t len, double ns)
{
	vnt_report_fmt_ns(buf, len, ns);
	/* "10.0us" -> "10us", "2.50ms" -> "2.5ms" */
	char *dot = strchr(buf, '.');
	if (!dot)
		return;
	char *unit = dot + 1;
	while (*unit >= '0' && *unit <= '9')
		unit++;
	char *end = unit;
	while (end > dot + 1 && end[-1] == '0')
		end--;
	if (end == dot + 1)
		end = dot;
	memmove(end, unit, strlen(unit) + 1);
}

double vnt_svg_text_width(size_t n, double px) { return (double)n * px * 0.62; }

void vnt_svg_text_fit(FILE *f, const char *s, size_t max)
{
	size_t chars = 0, i = 0, cut = 0;
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++chars == max)
			cut = i; /* where the ellipsis goes if there are more */
	if (chars <= max || !max) {
		vnt_report_html_esc(f, s);
		return;
	}
	char buf[512];
	size_t n = cut < sizeof(buf) - 1 ? cut : sizeof(buf) - 1;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, s, n);
	buf[n] = '\0';
	vnt_report_html_esc(f, buf);
	fputs("&#8230;", f);
}

double vnt_lat_min_pos(const struct vnt_lat *l)
{
	size_t lo = 0, hi = l->n;   /* the first v > 0 */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid] > 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < l->n ? (double)l->v[lo] : 0;
}

void vnt_axis_init(struct vnt_axis *a, double min, double max, double min_pos, double x0, double x1)
{
	a->x0 = x0;
	a->x1 = x1;
	a->lo = min;
	a->hi = max;
	a->clamped = false;
	a->log = min_pos > 0 && max / min_pos > VNT_AXIS_LOG_RATIO;
	if (a->log && min <= 0) {
		a->lo = min_pos;
		a->clamped = true;
	}
	if (a->hi <= a->lo) /* one value: a little room above it, none below */
		a->hi = a->lo + (fabs(a->lo) > 20 ? fabs(a->lo) / 20 : 1);
}

double vnt_axis_x(const struct vnt_axis *a, double v)
{
	double f;
	if (v < a->lo)
		v = a->lo;
	if (v > a->hi)
		v = a->hi;
	if (a->log)
		f = (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
	else
		f = (v - a->lo) / (a->hi - a->lo);
	return a->x0 + f * (a->x1 - a->x0);
}

/* Round values: 1, 2, 5 x 10^k on a log axis (only the powers of ten
 * when there are many decades), multiples of a 1-2-5 step on a linear
 * one; all inside [lo, hi]. */
static int tick_values(const struct vnt_axis *a, double *t, int max)
{
	int n = 0;
	if (a->log) {
		int d0 = (int)floor(log10(a->lo)), d1 = (int)ceil(log10(a->hi));
		static const double m125[] = { 1, 2, 5 }, m1[] = { 1 };
		const double *m = d1 - d0 > 3 ? m1 : m125;
		int nm = d1 - d0 > 3 ? 1 : 3;
		for (int d = d0; d <= d1 && n < max; d++)
			for (int k = 0; k < nm && n < max; k++) {
				double v = m[k] * pow(10, d);
				if (v >= a->lo * (1 - 1e-9) && v <= a->hi * (1 + 1e-9))
					t[n++] = v;
			}
		return n;
	}
	double raw = (a->hi - a->lo) / 5, p = pow(10, floor(log10(raw))), step = p;
	if (raw > 5 * p)
		step = 10 * p;
	else if (raw > 2 * p)
		step = 5 * p;
	else if (raw > p)
		step = 2 * p;
	for (double v = ceil(a->lo / step) * step; v <= a->hi + step * 1e-9 && n < max; v += step)
		t[n++] = v;
	return n;
}

void vnt_axis_draw(FILE *f, const struct vnt_axis *a, double y)
{
	double t[64], last = -1e9;
	int n = tick_values(a, t, 64);
	char buf[32];
	fprintf(f, "<g class=\"axis\" data-axis-lo=\"%.0f\" data-axis-hi=\"%.0f\" data-log=\"%d\">", a->lo, a->hi, a->log);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>", a->x0, y, a->x1, y);
	for (int i = 0; i < n; i++) {
		double x = vnt_axis_x(a, t[i]);
		if (x - last < TICK_GAP)
			continue;
		last = x;
		vnt_svg_fmt_ns(buf, sizeof(buf), t[i]);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>", x, y, x, y + 5);
		fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
			   "data-ns=\"%.0f\">%s</text>\n",
			x, y + 17, t[i], buf);
	}
	fputs("</g>\n", f);
}

/* A percentile's dashed line, and its label in a row of its own above
 * the plot: labels of different rows cannot meet, however close the
 * values (a steep CDF puts p50 to p99.9 within a few pixels). */
static void marker(FILE *f, const struct vnt_axis *a, const char *name, int64_t v, int row)
{
	char buf[32], text[48];
	double x = vnt_axis_x(a, (double)v);
	vnt_svg_fmt_ns(buf, sizeof(buf), (double)v);
	snprintf(text, sizeof(text), "%s %s", name, buf);
	/* Left of the line when the label would run past the right edge. */
	bool left = x + 3 + vnt_svg_text_width(strlen(text), 10) > W - 2;
	double y = 8 + (row + 1) * ROW - 3;
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%d\" stroke=\"#c0392b\" stroke-dasharray=\"3,3\"/>", x,
		y + 3, x, MT + PLOT_H);
	fprintf(f, "<text class=\"pct\" x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#c0392b\" text-anchor=\"%s\" "
		   "data-ns=\"%lld\">%s</text>\n",
		left ? x - 3 : x + 3, y, left ? "end" : "start", (long long)v, text);
}

void vnt_report_svg_cdf(FILE *f, const struct vnt_lat *l, const struct vnt_stats *st)
{
	fprintf(f, "<svg class=\"cdf\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "role=\"img\" font-family=\"sans-serif\" data-min=\"%lld\" data-max=\"%lld\">\n",
		W, H, W, H, (long long)st->min, (long long)st->max);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n", ML, MT,
		W - ML - MR, PLOT_H);
	if (!l->n) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">no packets</text></svg>\n",
			W / 2, MT + PLOT_H / 2);
		return;
	}
	struct vnt_axis a;
	vnt_axis_init(&a, (double)st->min, (double)st->max, vnt_lat_min_pos(l), ML, W - MR);
	vnt_axis_draw(f, &a, MT + PLOT_H);
	for (int i = 0; i <= 4; i++) {
		double y = MT + (1 - i / 4.0) * PLOT_H;
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", ML, y, W - MR, y);
		fprintf(f, "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%d%%</text>\n",
			ML - 6, y + 4, i * 25);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">latency%s</text>\n", (W + ML) / 2,
		H - 6, !a.log ? "" : a.clamped ? " (log scale; values &#8804; 0, clock uncertainty, at the left edge)" : " (log scale)");
	/* The empirical CDF as a step line through at most POINTS+1 samples. */
	fprintf(f, "<polyline fill=\"none\" stroke=\"#2c6fbb\" stroke-width=\"2\" points=\"");
	fprintf(f, "%.1f,%d", vnt_axis_x(&a, (double)l->v[0]), MT + PLOT_H);
	for (size_t k = 0; k <= POINTS; k++) {
		size_t i = l->n == 1 ? 0 : (size_t)((double)k * (double)(l->n - 1) / POINTS);
		double x = vnt_axis_x(&a, (double)l->v[i]);
		fprintf(f, " %.1f,%.1f %.1f,%.1f", x, MT + (1 - (double)i / (double)l->n) * PLOT_H, x,
			MT + (1 - (double)(i + 1) / (double)l->n) * PLOT_H);
	}
	fprintf(f, "\"/>\n");
	marker(f, &a, "p50", st->p50, 0);
	marker(f, &a, "p90", st->p90, 1);
	marker(f, &a, "p99", st->p99, 2);
	marker(f, &a, "p99.9", st->p999, 3);
	fprintf(f, "</svg>\n");
}
