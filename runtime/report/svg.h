/* Pieces shared by the HTML report's SVG pictures (report_svg.c): a
 * latency axis and text that fits its room. */
#ifndef VNT_REPORT_SVG_H
#define VNT_REPORT_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A latency axis mapping [lo, hi] ns onto [x0, x1] px. It starts at the
 * smallest value, never below it (a latency axis that starts at -431ns
 * when the minimum is 568ns shows values that do not exist), and is
 * logarithmic when the values are positive and span a wide range
 * (hi/lo > VNT_AXIS_LOG_RATIO), so that microseconds and a 100 ms queue
 * can be read on one axis. */
#define VNT_AXIS_LOG_RATIO 20.0
struct vnt_axis {
	bool log;
	bool clamped;           /* log: values <= 0 drawn at the left edge */
	double lo, hi, x0, x1;
};
/* min_pos: the smallest value > 0 (0 if none). Across hosts a latency can
 * read slightly negative (clocks known within their uncertainty): a wide
 * positive range is still shown on a log axis, from min_pos, with those
 * few values at its left edge. */
void vnt_axis_init(struct vnt_axis *a, double min, double max, double min_pos, double x0, double x1);
/* The smallest value > 0 of sorted latencies, or 0. */
double vnt_lat_min_pos(const struct vnt_lat *sorted);
double vnt_axis_x(const struct vnt_axis *a, double v);
/* Tick marks and labels below the axis line at y (ticks at least 60 px
 * apart, so that their labels never meet). */
void vnt_axis_draw(FILE *f, const struct vnt_axis *a, double y);

/* A duration for a label: "850ns", "46.7us", "10us" (no trailing zeros). */
void vnt_svg_fmt_ns(char *buf, size_t len, double ns);
/* Width in px a text of n characters at font size px takes at most
 * (sans-serif: wide letters are ~0.6 em, digits 0.55 em). */
double vnt_svg_text_width(size_t n, double px);
/* Write s HTML-escaped, cut with an ellipsis to at most max characters. */
void vnt_svg_text_fit(FILE *f, const char *s, size_t max);

#endif
