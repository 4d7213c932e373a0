/* `vnt report --format html`: one self-contained page (inline CSS and SVG,
 * no scripts, no external assets) with the breakdown, a latency CDF per
 * segment, the flows and the hosts, after the answer at a glance
 * (report_glance.c). Every name from the store is escaped. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "runtime/report/format.h"
#include "runtime/report/report.h"

#define LABEL 256
#define esc vnt_report_html_esc

void vnt_report_html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void hop(FILE *f, const struct vnt_report *r, int h)
{
	char label[LABEL];
	vnt_report_hop_label(label, sizeof(label), r, h);
	esc(f, label);
}

static void host(FILE *f, const struct vnt_report *r, int h)
{
	char label[LABEL];
	vnt_report_host_label(label, sizeof(label), r, h);
	esc(f, label);
}

static void ns_cell(FILE *f, double v, bool any)
{
	char buf[32];
	vnt_report_fmt_ns(buf, sizeof(buf), v);
	fprintf(f, "<td>%s</td>", any ? buf : "-");
}

static void stats_cells(FILE *f, const struct vnt_stats *st)
{
	bool any = st->count > 0;
	fprintf(f, "<td>%" PRIu64 "</td>", st->count);
	ns_cell(f, st->mean, any);
	ns_cell(f, (double)st->min, any);
	ns_cell(f, (double)st->p50, any);
	ns_cell(f, (double)st->p90, any);
	ns_cell(f, (double)st->p99, any);
	ns_cell(f, (double)st->p999, any);
	ns_cell(f, (double)st->max, any);
}

static const char stats_head[] =
	"<th>count</th><th>mean</th><th>min</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th>";

static void segment_name(FILE *f, const struct vnt_report *r, const struct vnt_report_segment *s)
{
	hop(f, r, s->from);
	fputs(" &rarr; ", f);
	hop(f, r, s->to);
}

static void breakdown(FILE *f, const struct vnt_report *r)
{
	fputs("<h2>Per-hop latency breakdown</h2>\n<p>Packets joined by fingerprint across hosts; each host's "
	      "timestamps put on the collector's clock. Lost: passages at the first hop never seen at the next.</p>\n",
	      f);
	if (!r->nseg) {
		fputs("<p>No segments: the run has fewer than two hops.</p>\n", f);
		return;
	}
	fprintf(f, "<table>\n<tr><th>segment</th><th>hosts</th>%s<th>lost</th></tr>\n", stats_head);
	for (int i = 0; i < r->nseg; i++) {
		const struct vnt_report_segment *s = &r->seg[i];
		if (!vnt_report_segment_shown(s))
			continue;
		fputs("<tr class=\"seg\"><td>", f);
		segment_name(f, r, s);
		fputs("</td><td>all</td>", f);
		stats_cells(f, &s->st);
		fprintf(f, "<td>%" PRIu64 "</td></tr>\n", s->entered - s->reached);
		for (int p = 0; p < s->npairs && r->nhosts > 1; p++) {
			fputs("<tr class=\"pair\"><td></td><td>", f);
			host(f, r, s->pairs[p].from_host);
			if (s->pairs[p].to_host != s->pairs[p].from_host) {
				fputs(" &rarr; ", f);
				host(f, r, s->pairs[p].to_host);
			}
			fputs("</td>", f);
			stats_cells(f, &s->pairs[p].st);
			fputs("<td></td></tr>\n", f);
		}
	}
	fputs("</table>\n", f);
}

static void plots(FILE *f, const struct vnt_report *r)
{
	fputs("<h2>Latency distribution per segment</h2>\n", f);
	for (int i = 0; i < r->nseg; i++) {
		const struct vnt_report_segment *s = &r->seg[i];
		if (!vnt_report_segment_shown(s))
			continue;
		fputs("<figure>\n", f);
		vnt_report_svg_cdf(f, &s->lat, &s->st);
		fputs("<figcaption>", f);
		segment_name(f, r, s);
		fprintf(f, ": cumulative distribution of %" PRIu64 " latencies</figcaption>\n</figure>\n", s->st.count);
	}
}

static void flows(FILE *f, const struct vnt_report *r, size_t top)
{
	size_t n = r->nflows < top ? r->nflows : top;
	fprintf(f, "<h2>Flows</h2>\n<p>%zu flow%s", r->nflows, r->nflows == 1 ? "" : "s");
	if (n < r->nflows)
		fprintf(f, "; the %zu with the most packets are shown", n);
	fputs(".</p>\n", f);
	for (size_t k = 0; k < n; k++) {
		const struct vnt_report_flow *fl = &r->flows[k];
		char label[3 * LABEL];
		vnt_report_fmt_flow(label, sizeof(label), fl);
		fputs("<h3>", f);
		esc(f, label);
		fprintf(f, ": %" PRIu64 " packets</h3>\n<table>\n<tr><th>segment</th>%s<th>lost</th></tr>\n", fl->packets,
			stats_head);
		for (int i = 0; i < r->nseg; i++) {
			if (!vnt_report_segment_shown(&r->seg[i]))
				continue;
			fputs("<tr><td>", f);
			segment_name(f, r, &r->seg[i]);
			fputs("</td>", f);
			stats_cells(f, &fl->seg[i].st);
			fprintf(f, "<td>%" PRIu64 "</td></tr>\n", fl->seg[i].entered - fl->seg[i].reached);
		}
		fputs("</table>\n", f);
	}
}

/* Each host's own aggregations, as text (report_text.c). */
static void host_aggregations(FILE *f, const struct vnt_report *r)
{
	if (!r->nsnaps)
		return;
	char *text = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&text, &n);
	if (!m)
		return;
	vnt_report_text_aggregations(m, r);
	fclose(m);
	fputs("<h2>Aggregations per host</h2>\n<pre>", f);
	esc(f, text);
	fputs("</pre>\n", f);
	free(text);
}

static void hosts(FILE *f, const struct vnt_report *r)
{
	fputs("<h2>Hosts</h2>\n<table>\n<tr><th>host</th><th>clock offset</th><th>uncertainty</th><th>status</th>"
	      "<th>events sent</th><th>lost</th><th>events kept</th></tr>\n", f);
	for (int i = 0; i < r->nhosts; i++) {
		const struct vnt_report_host *h = &r->hosts[i];
		char a[32], b[32];
		vnt_report_fmt_ns(a, sizeof(a), h->offset_ns);
		vnt_report_fmt_ns(b, sizeof(b), h->uncertainty_ns);
		fputs("<tr><td>", f);
		host(f, r, i);
		fprintf(f, "</td><td>%s%s</td><td>&plusmn;%s</td><td>", h->offset_ns >= 0 ? "+" : "", a, b);
		esc(f, h->status ? h->status : "-");
		fprintf(f, "</td><td>%" PRId64 "</td><td>%" PRId64 "</td><td>%" PRIu64 "</td></tr>\n", h->events_reported,
			h->lost, h->events_stored);
	}
	fputs("</table>\n<h3>Events per hop and host</h3>\n<table>\n<tr><th>hop</th>", f);
	for (int i = 0; i < r->nhosts; i++) {
		fputs("<th>", f);
		host(f, r, i);
		fputs("</th>", f);
	}
	fputs("<th>packets</th></tr>\n", f);
	for (int h = 0; h < r->nhops; h++) {
		fputs("<tr><td>", f);
		hop(f, r, h);
		fputs("</td>", f);
		for (int i = 0; i < r->nhosts; i++)
			fprintf(f, "<td>%" PRIu64 "</td>", r->hosts[i].hop_events[h]);
		fprintf(f, "<td>%" PRIu64 "</td></tr>\n", r->hops[h].packets);
	}
	fputs("</table>\n", f);
}

int vnt_report_html(FILE *f, const struct vnt_report *r, const struct vnt_report_opts *o)
{
	char t0[64], t1[64];
	vnt_report_fmt_time(t0, sizeof(t0), r->started_ns);
	vnt_report_fmt_time(t1, sizeof(t1), r->ended_ns);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>vnt report: run %" PRId64
		   "</title>\n", r->run_id);
	fputs("<style>\nbody{font-family:sans-serif;margin:2em;color:#222}\n"
	      "table{border-collapse:collapse;margin:0.5em 0 1.5em}\n"
	      "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}\n"
	      "th:first-child,td:first-child{text-align:left}\nth{background:#eef2f7}\n"
	      "tr.pair td{color:#555;font-size:90%}\nfigure{display:inline-block;margin:0 1em 1em 0}\n"
	      "figcaption{font-size:90%;text-align:center}\n"
	      "p.answer{font-size:120%;max-width:60em;line-height:1.4}\n.loss{color:#c0392b}\n"
	      "figure.path,figure.compare{display:block;margin:1em 0}\nfigure.path figcaption,"
	      "figure.compare figcaption{text-align:left}\n</style>\n</head>\n<body>\n", f);
	fprintf(f, "<h1>vnt report: run %" PRId64 "</h1>\n<p>Script <code>", r->run_id);
	esc(f, r->script ? r->script : "-");
	fputs("</code> in store <code>", f);
	esc(f, r->db);
	fprintf(f, "</code>.<br>Started %s, ended %s, status ", t0, t1);
	esc(f, r->status ? r->status : "-");
	fprintf(f, ".<br>%d hosts, %d hops, %" PRIu64 " events, %" PRIu64 " packets.</p>\n", r->nhosts, r->nhops,
		r->events, r->packets);
	if (r->events) {
		vnt_report_glance(f, r);
		breakdown(f, r);
		plots(f, r);
		flows(f, r, o->top_flows);
	} else {
		fputs("<p><strong>No raw events in this run:</strong> its traces have no <code>events</code>, so packets "
		      "cannot be followed across hosts (add <code>events</code> to a trace for its per-hop breakdown).</p>\n", f);
	}
	host_aggregations(f, r);
	hosts(f, r);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

const struct vnt_report_format vnt_report_format_html = {
	.id = { "html", "one page: the answer first, the path, plots" },
	.write = vnt_report_html,
};
