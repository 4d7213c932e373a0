/* `vnt report` as text: aligned tables of the breakdown, flows and hosts. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/report/format.h"
#include "runtime/report/report.h"
#include "runtime/output/snapshot_json.h"

#define LABEL 256

static void seg_label(char *buf, size_t len, const struct vnt_report *r, const struct vnt_report_segment *s)
{
	char a[LABEL], b[LABEL];
	vnt_report_hop_label(a, sizeof(a), r, s->from);
	vnt_report_hop_label(b, sizeof(b), r, s->to);
	snprintf(buf, len, "%s -> %s", a, b);
}

static void pair_label(char *buf, size_t len, const struct vnt_report *r, const struct vnt_report_pair *p)
{
	char a[LABEL], b[LABEL];
	vnt_report_host_label(a, sizeof(a), r, p->from_host);
	vnt_report_host_label(b, sizeof(b), r, p->to_host);
	if (p->from_host == p->to_host)
		snprintf(buf, len, "on %s", a);
	else
		snprintf(buf, len, "%s > %s", a, b);
}

/* The width of the first column: the longest segment or host-pair label. */
static int label_width(const struct vnt_report *r, int indent)
{
	int w = (int)strlen("segment");
	char buf[2 * LABEL + 16];
	for (int i = 0; i < r->nseg; i++) {
		seg_label(buf, sizeof(buf), r, &r->seg[i]);
		if ((int)strlen(buf) > w)
			w = (int)strlen(buf);
		for (int p = 0; p < r->seg[i].npairs; p++) {
			pair_label(buf, sizeof(buf), r, &r->seg[i].pairs[p]);
			if ((int)strlen(buf) + indent > w)
				w = (int)strlen(buf) + indent;
		}
	}
	return w;
}

static void header(FILE *f, int w, int indent)
{
	fprintf(f, "%*s%-*s %10s %9s %9s %9s %9s %9s %9s %9s %8s\n", indent, "", w, "segment", "count", "mean", "min",
		"p50", "p90", "p99", "p99.9", "max", "lost");
}

static void row(FILE *f, int indent, int w, const char *label, const struct vnt_stats *st, const uint64_t *lost)
{
	char v[7][32];
	const double x[7] = { st->mean, (double)st->min, (double)st->p50, (double)st->p90, (double)st->p99,
			      (double)st->p999, (double)st->max };
	for (int i = 0; i < 7; i++) {
		if (st->count)
			vnt_report_fmt_ns(v[i], sizeof(v[i]), x[i]);
		else
			snprintf(v[i], sizeof(v[i]), "-");
	}
	fprintf(f, "%*s%-*s %10" PRIu64 " %9s %9s %9s %9s %9s %9s %9s", indent, "", w, label, st->count, v[0], v[1],
		v[2], v[3], v[4], v[5], v[6]);
	if (lost)
		fprintf(f, " %8" PRIu64, *lost);
	fprintf(f, "\n");
}

/* A host's kernel counted more passages at a hop than the store holds. */
struct note_ctx {
	FILE *f;
	const struct vnt_report *r;
};

static void missing_note(void *arg, int host, int hop, uint64_t hits, uint64_t stored)
{
	const struct note_ctx *c = arg;
	char hl[LABEL], hp[LABEL];
	vnt_report_host_label(hl, sizeof(hl), c->r, host);
	vnt_report_hop_label(hp, sizeof(hp), c->r, hop);
	fprintf(c->f, "  WARNING: %s's kernel counted %" PRIu64 " passages at %s but %" PRIu64 " events are stored: %" PRIu64
		      " missing (the host's lost events: %" PRId64 ")\n",
		hl, hits, hp, stored, hits - stored, c->r->hosts[host].lost);
}

static void breakdown(FILE *f, const struct vnt_report *r)
{
	fprintf(f, "per-hop latency breakdown (packets joined by fingerprint across hosts, clocks aligned)\n");
	if (r->nseg == 0) {
		fprintf(f, "  no segments: the run has fewer than two hops\n\n");
		return;
	}
	int w = label_width(r, 2);
	header(f, w, 2);
	char label[2 * LABEL + 16];
	for (int i = 0; i < r->nseg; i++) {
		const struct vnt_report_segment *s = &r->seg[i];
		if (!vnt_report_segment_shown(s))
			continue;
		seg_label(label, sizeof(label), r, s);
		uint64_t lost = s->entered - s->reached;
		row(f, 2, w, label, &s->st, &lost);
		for (int p = 0; p < s->npairs && r->nhosts > 1; p++) {
			pair_label(label, sizeof(label), r, &s->pairs[p]);
			row(f, 4, w - 2, label, &s->pairs[p].st, NULL);
		}
	}
	for (int i = 0; i < r->nseg; i++)
		if (r->seg[i].dropped) {
			seg_label(label, sizeof(label), r, &r->seg[i]);
			fprintf(f, "  %s: %" PRIu64 " of the %" PRIu64 " lost were seen dropped by the kernel (a drop hop)\n",
				label, r->seg[i].dropped, r->seg[i].entered - r->seg[i].reached);
		}
	for (int i = 0; i < r->nseg; i++) {
		uint64_t unseen = vnt_report_segment_unseen(r, &r->seg[i]);
		if (!unseen || !vnt_report_segment_shown(&r->seg[i]))
			continue;
		seg_label(label, sizeof(label), r, &r->seg[i]);
		fprintf(f, "  %s: up to %" PRIu64 " of the %" PRIu64 " lost may have passed unseen: the kernel skipped %" PRIu64
			   " hop program run%s there (see the hosts' aggregations)\n",
			label, unseen, r->seg[i].entered - r->seg[i].reached, unseen, unseen == 1 ? "" : "s");
	}
	vnt_report_missing_events(r, missing_note, &(struct note_ctx){ .f = f, .r = r });
	fprintf(f, "\n");
}

static void flows(FILE *f, const struct vnt_report *r, size_t top)
{
	size_t n = r->nflows < top ? r->nflows : top;
	fprintf(f, "flows: %zu", r->nflows);
	if (n < r->nflows)
		fprintf(f, " (the %zu with the most packets shown)", n);
	fprintf(f, "\n");
	int w = label_width(r, 0);
	char label[2 * LABEL + 16];
	for (size_t k = 0; k < n; k++) {
		const struct vnt_report_flow *fl = &r->flows[k];
		vnt_report_fmt_flow(label, sizeof(label), fl);
		fprintf(f, "  %s: %" PRIu64 " packets\n", label, fl->packets);
		header(f, w, 4);
		for (int i = 0; i < r->nseg; i++) {
			if (!vnt_report_segment_shown(&r->seg[i]))
				continue;
			seg_label(label, sizeof(label), r, &r->seg[i]);
			uint64_t lost = fl->seg[i].entered - fl->seg[i].reached;
			row(f, 4, w, label, &fl->seg[i].st, &lost);
		}
	}
	fprintf(f, "\n");
}

static void hosts(FILE *f, const struct vnt_report *r)
{
	char label[LABEL], a[32], b[32];
	int w = (int)strlen("host"), hw = (int)strlen("hop");
	for (int i = 0; i < r->nhosts; i++) {
		vnt_report_host_label(label, sizeof(label), r, i);
		if ((int)strlen(label) > w)
			w = (int)strlen(label);
	}
	for (int h = 0; h < r->nhops; h++) {
		vnt_report_hop_label(label, sizeof(label), r, h);
		if ((int)strlen(label) > hw)
			hw = (int)strlen(label);
	}
	fprintf(f, "hosts: %d\n", r->nhosts);
	fprintf(f, "  %-*s %-22s %-10s %12s %10s %12s\n", w, "host", "clock offset", "status", "events sent", "lost",
		"events kept");
	for (int i = 0; i < r->nhosts; i++) {
		const struct vnt_report_host *h = &r->hosts[i];
		vnt_report_host_label(label, sizeof(label), r, i);
		vnt_report_fmt_ns(a, sizeof(a), h->offset_ns);
		vnt_report_fmt_ns(b, sizeof(b), h->uncertainty_ns);
		char clock[80];
		int n = snprintf(clock, sizeof(clock), "%s%s \u00b1 %s", h->offset_ns >= 0 ? "+" : "", a, b);
		/* "\u00b1" is two bytes in UTF-8 and one column */
		fprintf(f, "  %-*s %s%*s %-10s %12" PRId64 " %10" PRId64 " %12" PRIu64 "\n", w, label, clock,
			n - 1 < 22 ? 22 - (n - 1) : 0, "", h->status ? h->status : "-", h->events_reported, h->lost,
			h->events_stored);
	}
	fprintf(f, "\nevents per hop and host\n  %-*s", hw, "hop");
	for (int i = 0; i < r->nhosts; i++) {
		vnt_report_host_label(label, sizeof(label), r, i);
		fprintf(f, " %*s", w > 10 ? w : 10, label);
	}
	fprintf(f, " %10s\n", "packets");
	for (int h = 0; h < r->nhops; h++) {
		vnt_report_hop_label(label, sizeof(label), r, h);
		fprintf(f, "  %-*s", hw, label);
		for (int i = 0; i < r->nhosts; i++)
			fprintf(f, " %*" PRIu64, w > 10 ? w : 10, r->hosts[i].hop_events[h]);
		fprintf(f, " %10" PRIu64 "\n", r->hops[h].packets);
	}
}

/* Each host's own aggregations, printed as `vnt run` prints them, by
 * trace and host: what the snapshots hold, with or without raw events. */
void vnt_report_text_aggregations(FILE *f, const struct vnt_report *r)
{
	if (!r->nsnaps)
		return;
	fprintf(f, "aggregations per host (each host's last snapshot, as its agent computed it)\n");
	for (int i = 0; i < r->nsnaps; i++) {
		bool first = true;   /* of its trace: traces in the order they first appear */
		for (int j = 0; j < i && first; j++)
			first = strcmp(r->snaps[j].trace, r->snaps[i].trace) != 0;
		if (!first)
			continue;
		for (int h = 0; h < r->nhosts; h++)
			for (int j = i; j < r->nsnaps; j++) {
				const struct vnt_report_snapshot *sn = &r->snaps[j];
				if (sn->host != h || strcmp(sn->trace, r->snaps[i].trace))
					continue;
				char label[LABEL], err[256];
				vnt_report_host_label(label, sizeof(label), r, h);
				struct vnt_snapshot_doc d;
				if (vnt_snapshot_from_json(sn->json, &d, err, sizeof(err))) {
					fprintf(f, "  host %s, trace %s: unreadable snapshot (%s)\n\n", label, sn->trace, err);
					continue;
				}
				char *text = NULL;
				size_t n = 0;
				FILE *m = open_memstream(&text, &n);
				if (m) {
					vnt_output_text(m, &d.snap);
					fclose(m);
					fprintf(f, "  host %s:\n", label);
					for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
						nl = strchr(line, '\n');
						fprintf(f, "%s%.*s\n", line == nl ? "" : "    ", nl ? (int)(nl - line) : (int)strlen(line),
							line);
					}
				}
				free(text);
				vnt_snapshot_doc_free(&d);
			}
	}
}

int vnt_report_text(FILE *f, const struct vnt_report *r, const struct vnt_report_opts *o)
{
	char t0[64], t1[64];
	vnt_report_fmt_time(t0, sizeof(t0), r->started_ns);
	vnt_report_fmt_time(t1, sizeof(t1), r->ended_ns);
	fprintf(f, "run %" PRId64 " of %s: %s\n", r->run_id, r->db, r->script ? r->script : "-");
	fprintf(f, "started %s, ended %s, status %s\n", t0, t1, r->status ? r->status : "-");
	fprintf(f, "%d host%s, %d hop%s, %" PRIu64 " events, %" PRIu64 " packets", r->nhosts, r->nhosts == 1 ? "" : "s",
		r->nhops, r->nhops == 1 ? "" : "s", r->events, r->packets);
	if (r->repeats)
		fprintf(f, ", %" PRIu64 " repeated passages (a packet at a hop again; the pairing rules apply)",
			r->repeats);
	if (r->orphans)
		fprintf(f, ", %" PRIu64 " events of unknown hosts or hops ignored", r->orphans);
	fprintf(f, "\n\n");
	if (!r->events) {
		/* Say why there is no path, rather than a table of zeros. */
		fprintf(f, "no raw events in this run: its traces have no `events`, so packets cannot be followed\n"
			"across hosts (add `events` to a trace for its per-hop breakdown).%s\n\n",
			r->nsnaps ? " Each host's own aggregations follow." : " Its hosts sent no snapshots either.");
		vnt_report_text_aggregations(f, r);
		hosts(f, r);
		return ferror(f) ? -1 : 0;
	}
	breakdown(f, r);
	flows(f, r, o->top_flows);
	vnt_report_text_aggregations(f, r);
	hosts(f, r);
	return ferror(f) ? -1 : 0;
}

const struct vnt_report_format vnt_report_format_text = {
	.id = { "text", "aligned tables: breakdown, loss, flows, hosts" },
	.write = vnt_report_text,
};
