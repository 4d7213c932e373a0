/* Raw records from an agent into the store: hop and trace names from the
 * agent's LOAD_OK, addresses as text. Timestamps stay on the agent's
 * realtime clock; the store keeps its offset (store.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/dispatch/dispatch.h"

int dispatch_store_events(const struct vnt_store_ops *ops, struct vnt_store *st, int64_t run, int64_t host,
			  const struct dispatch_names *nm, const struct vnt_events_msg *m, char *err, size_t errlen)
{
	if (!m->n)
		return 0;
	/* Not zeroed (4096 records a message): every field is set below. */
	struct vnt_store_event *ev = malloc(m->n * sizeof(*ev));
	char (*addr)[2][INET6_ADDRSTRLEN] = malloc(m->n * sizeof(*addr));
	if (!ev || !addr) {
		free(ev);
		free(addr);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t k = 0, bad = 0, off = 0;
	for (uint32_t i = 0; i < m->n; i++) {
		struct vnt_wire_event w;
		vnt_dec_event(m, &off, &w);
		if (w.hop >= (uint32_t)nm->nhops) {
			bad++;   /* not a hop of this trace: an agent bug, never stored */
			continue;
		}
		struct vnt_store_event *e = &ev[k];
		*e = (struct vnt_store_event){ 0 };
		e->ts_ns = w.ts_ns;
		e->fp = w.fp;
		e->hop = nm->hop[w.hop];
		e->trace = nm->trace[nm->hop_trace[w.hop]];
		e->len = w.len;
		e->ifindex = w.ifindex;
		e->netns = w.netns;
		e->cpu = w.cpu;
		e->pid = w.pid;
		if (m->packets) {
			e->pkt = w.bytes;   /* in the frame, which outlives the call */
			e->caplen = w.caplen;
			e->link = w.link;
			e->has_pkt = 1;
		}
		if (w.family == 4 || w.family == 6) {
			int af = w.family == 6 ? AF_INET6 : AF_INET;
			inet_ntop(af, w.saddr, addr[k][0], INET6_ADDRSTRLEN);
			inet_ntop(af, w.daddr, addr[k][1], INET6_ADDRSTRLEN);
			e->saddr = addr[k][0];
			e->daddr = addr[k][1];
			e->sport = w.sport;
			e->dport = w.dport;
			e->proto = w.proto;
		}
		k++;
	}
	int rc = k ? ops->add_events(st, run, host, ev, k) : 0;
	free(ev);
	free(addr);
	if (rc) {
		snprintf(err, errlen, "cannot store %zu events (the store refused them)", k);
		return -1;
	}
	if (bad) {
		snprintf(err, errlen, "%zu records named an unknown hop and were dropped", bad);
		return 1;
	}
	return 0;
}
