/* Inline SVG plots for the HTML report: a segment's latency CDF with its
 * percentiles marked. No external assets; text is only numbers. */
#include <math.h>
#include <stdio.h>
#include "runtime/report.h"

#define W 640
#define H 260
#define ML 60  /* margins: left, right, top, bottom */
#define MR 20
#define MT 16
#define MB 40
#define POINTS 256

struct axis {
	bool log;
	double lo, hi;
};

static double xpos(const struct axis *a, double v)
{
	double f;
	if (a->log)
		f = (log10(v < a->lo ? a->lo : v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
	else
		f = (v - a->lo) / (a->hi - a->lo);
	return ML + f * (W - ML - MR);
}

static double ypos(double frac)
{
	return MT + (1 - frac) * (H - MT - MB);
}

/* Log scale when all values are positive and span a wide range, else linear. */
static struct axis make_axis(const struct vnt_stats *st)
{
	struct axis a = { false, (double)st->min, (double)st->max };
	if (st->min > 0 && (double)st->max / (double)st->min > 50) {
		a.log = true;
		return a;
	}
	double pad = (a.hi - a.lo) / 20; /* linear: the values' range and a margin */
	if (pad < 1)
		pad = 1;
	a.lo -= pad;
	a.hi += pad;
	return a;
}

static void ticks(FILE *f, const struct axis *a)
{
	char buf[32];
	for (int i = 0; i <= 4; i++) {
		double v = a->log ? pow(10, log10(a->lo) + i * (log10(a->hi) - log10(a->lo)) / 4) :
				    a->lo + i * (a->hi - a->lo) / 4;
		double x = xpos(a, v);
		vnt_report_fmt_ns(buf, sizeof(buf), v);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>", x, H - MB, x, H - MB + 5);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%s</text>\n", x, H - MB + 18,
			buf);
	}
	for (int i = 0; i <= 4; i++) {
		double y = ypos(i / 4.0);
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", ML, y, W - MR, y);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%d%%</text>\n", ML - 6, y + 4,
			i * 25);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">latency%s</text>\n", (W + ML) / 2,
		H - 6, a->log ? " (log scale)" : "");
}

static void marker(FILE *f, const struct axis *a, const char *name, int64_t v, int row)
{
	char buf[32];
	double x = xpos(a, (double)v);
	vnt_report_fmt_ns(buf, sizeof(buf), (double)v);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#c0392b\" stroke-dasharray=\"3,3\"/>", x,
		MT, x, H - MB);
	fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#c0392b\" text-anchor=\"%s\">%s %s</text>\n",
		x + (x > W / 2 ? -3 : 3), MT + 12 + 12 * row, x > W / 2 ? "end" : "start", name, buf);
}

void vnt_report_svg_cdf(FILE *f, const struct vnt_lat *l, const struct vnt_stats *st)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "role=\"img\" font-family=\"sans-serif\">\n", W, H, W, H);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n", ML, MT,
		W - ML - MR, H - MT - MB);
	if (!l->n) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">no packets</text></svg>\n",
			W / 2, H / 2);
		return;
	}
	struct axis a = make_axis(st);
	ticks(f, &a);
	/* The empirical CDF as a step line through at most POINTS+1 samples. */
	fprintf(f, "<polyline fill=\"none\" stroke=\"#2c6fbb\" stroke-width=\"2\" points=\"");
	double px = xpos(&a, (double)l->v[0]);
	fprintf(f, "%.1f,%.1f", px, ypos(0));
	for (size_t k = 0; k <= POINTS; k++) {
		size_t i = l->n == 1 ? 0 : (size_t)((double)k * (double)(l->n - 1) / POINTS);
		double x = xpos(&a, (double)l->v[i]), y = ypos((double)(i + 1) / (double)l->n);
		fprintf(f, " %.1f,%.1f %.1f,%.1f", x, ypos((double)i / (double)l->n), x, y);
	}
	fprintf(f, "\"/>\n");
	marker(f, &a, "p50", st->p50, 0);
	marker(f, &a, "p90", st->p90, 1);
	marker(f, &a, "p99", st->p99, 2);
	marker(f, &a, "p99.9", st->p999, 3);
	fprintf(f, "</svg>\n");
}
