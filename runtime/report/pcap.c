/* See pcap.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "bpf-templates/vnt_abi.h"
#include "runtime/collector/ch_http.h"
#include "runtime/report/clock_align.h"
#include "runtime/report/pcap.h"

void vnt_pcap_ctx_init(struct vnt_pcap_ctx *c, const struct vnt_report *r, struct vnt_plan *plan,
		       struct vnt_pcap_out *o)
{
	*c = (struct vnt_pcap_ctx){ .r = r, .plan = plan, .o = o };
	o->snaplen = plan && plan->snaplen ? plan->snaplen : VNT_PCAP_SNAP_MAX;
}

static const struct vnt_plan_hop *plan_hop(const struct vnt_plan *p, const struct vnt_report_hop *h)
{
	for (int i = 0; p && i < p->nhops; i++)
		if (p->hops[i].id == h->id && p->hops[i].name && h->name && !strcmp(p->hops[i].name, h->name))
			return &p->hops[i];
	return NULL;
}

int vnt_pcap_ctx_row(struct vnt_pcap_ctx *c, const struct vnt_pcap_row *row)
{
	const struct vnt_report *r = c->r;
	const struct vnt_report_host *h = NULL;
	const struct vnt_report_hop *hp = NULL;
	for (int i = 0; i < r->nhosts && !h; i++)
		if (r->hosts[i].id == row->host_id)
			h = &r->hosts[i];
	for (int i = 0; i < r->nhops && !hp; i++)
		if (r->hops[i].id == row->hop_id)
			hp = &r->hops[i];
	if (!h || !hp) {
		c->orphans++;
		return 0;
	}
	int64_t ts = row->ts_ns;
	ts += h->nclock ? vnt_clock_offset_at(h->clock_agent, h->clock_offset, h->nclock, ts) : llround(h->offset_ns);
	const struct vnt_plan_hop *ph = plan_hop(c->plan, hp);
	const char *given = ph ? (ph->dev ? ph->dev : ph->filter_dev) : NULL;
	char dev[300];
	if (given)
		snprintf(dev, sizeof(dev), "%s", given);
	else
		snprintf(dev, sizeof(dev), "ns%u/if%u", row->netns, row->ifindex);
	struct vnt_pcap_packet p = {
		.hop = hp->name, .trace = hp->trace_name, .host = h->name, .dev = row->ifindex ? dev : NULL,
		.ts_ns = ts, .fp = row->fp, .len = row->len,
		.link = row->link == VNT_PCAP_ETHER ? VNT_PCAP_ETHER : VNT_PCAP_RAW,
		.data = row->data, .caplen = row->caplen,
	};
	return vnt_pcap_out_packet(c->o, &p);
}

int vnt_pcap_ctx_end(struct vnt_pcap_ctx *c, char *err, size_t errlen)
{
	vnt_plan_free(c->plan);
	c->plan = NULL;
	if (c->o->failed) {
		snprintf(err, errlen, "writing a packet failed");
		return -1;
	}
	if (!c->o->written && c->r->events) {
		snprintf(err, errlen, "run %lld has %llu events but no packet bytes: compile its package with"
			 " `vnt compile --snaplen N`", (long long)c->r->run_id, (unsigned long long)c->r->events);
		return -1;
	}
	if (c->orphans)
		fprintf(stderr, "vnt: warning: %llu events of a host or hop the run does not list were left out\n",
			(unsigned long long)c->orphans);
	return 0;
}

int vnt_report_pcap(const struct vnt_report *r, struct vnt_pcap_out *o, char *err, size_t errlen)
{
	return vnt_ch_is_url(r->db) ? vnt_report_pcap_clickhouse(r, o, err, errlen)
				    : vnt_report_pcap_sqlite(r, o, err, errlen);
}
