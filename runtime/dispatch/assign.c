/* Which host runs which hop, checked against the package before any host
 * is reached. A hop that runs nowhere, or runs on two hosts of a path
 * whose packets are joined across hosts, gives a report that looks
 * plausible and is wrong (a hop with no records reads as loss); so these
 * are refused, or warned about, before anything is attached. */
#include <stdio.h>
#include <string.h>
#include "runtime/dispatch/run.h"

/* "trace.hop" of hop i */
static const char *hop_label(const struct vnt_plan *p, int i, char *buf, size_t n)
{
	snprintf(buf, n, "%s.%s", p->traces[p->hops[i].trace].name, p->hops[i].name);
	return buf;
}

int dispatch_check_assignment(const struct vnt_plan *p, const struct vnt_dispatch_hosts *hs, uint32_t *masks,
			      bool quiet, char *err, size_t errlen)
{
	int with = 0, without = -1, listed = -1;
	for (int k = 0; k < hs->n; k++) {
		const struct vnt_dispatch_host *h = &hs->h[k];
		char e2[1024];
		if (vnt_plan_hop_mask(p, (const char *const *)h->hops, h->nhops, &masks[k], e2, sizeof(e2))) {
			snprintf(err, errlen, "host '%s', hops=: %s", h->name, e2);
			return -1;
		}
		if (h->nhops) {
			with++;
			if (listed < 0)
				listed = k;
		} else if (without < 0) {
			without = k;
		}
	}
	if (with && without >= 0) {
		snprintf(err, errlen,
			 "host '%s' has no hops= but host '%s' lists its hops: a host without hops= runs every hop, "
			 "so the hops of the other hosts would run twice and their packets be counted twice "
			 "(hint: give '%s' its own hops=, e.g. hops=%s)",
			 hs->h[without].name, hs->h[listed].name, hs->h[without].name, p->nhops ? p->hops[0].name : "HOP");
		return -1;
	}
	char a[256], b[256];
	for (int i = 0; i < p->nhops; i++) {
		int first = -1, second = -1;
		for (int k = 0; k < hs->n; k++)
			if (masks[k] >> i & 1) {
				if (first < 0)
					first = k;
				else if (second < 0)
					second = k;
			}
		if (first < 0) {
			snprintf(err, errlen,
				 "hop '%s' runs on no host: the hosts' hops= leave it out, and the report would show "
				 "every packet lost there (hint: add %s to the hops= of the host that sees it)",
				 hop_label(p, i, a, sizeof(a)), p->hops[i].name);
			return -1;
		}
		const struct vnt_plan_trace *t = &p->traces[p->hops[i].trace];
		if (second >= 0 && with && (t->breakdown || t->events) && !quiet)
			fprintf(stderr,
				"vnt: warning: hop '%s' runs on hosts '%s' and '%s': trace '%s' joins each packet's "
				"records across hosts, so a packet that both see counts twice there\n",
				hop_label(p, i, a, sizeof(a)), hs->h[first].name, hs->h[second].name, t->name);
	}
	for (int i = 0; i < p->ntraces && hs->n > 1 && !quiet; i++)
		if (!p->traces[i].events)
			fprintf(stderr,
				"vnt: note: trace '%s' has no `events`: each host stores its own aggregations, but "
				"`vnt report` cannot follow its packets across hosts (add `events` for a per-hop breakdown)\n",
				p->traces[i].name);
	if (!with && hs->n > 1 && !quiet)
		for (int i = 0; i < p->ntraces; i++)
			if (p->traces[i].breakdown || p->traces[i].events) {
				fprintf(stderr,
					"vnt: warning: every host runs every hop of trace '%s' (no hops= in the hosts): "
					"right for the same hops on many hosts; for one path across hosts, give "
					"each host its hops with hops= (e.g. %s)\n",
					p->traces[i].name, hop_label(p, p->traces[i].first_hop, b, sizeof(b)));
				break;
			}
	return 0;
}
