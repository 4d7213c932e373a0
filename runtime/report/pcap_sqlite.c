/* vnt report --pcap: a stored run's raw events that carry packet bytes
 * (packages compiled with a snap length) as pcapng packets
 * (runtime/output/events_pcap.c), each timestamp moved to the collector's
 * clock the way the report moves it (clock_align.h: the host's offset at
 * that time of its clock, from the run's clock measurements). The
 * collector cannot name another host's devices: an interface is named by
 * the device the script gave the hop (its tc/XDP device or the one its
 * filter names), else by namespace inode and ifindex. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpf-templates/vnt_abi.h"
#include "compiler/plan.h"
#include "runtime/collector/store_sqlite.h"
#include "runtime/output/events_pcap.h"
#include "runtime/report/clock_align.h"
#include "runtime/report/report.h"

/* The run's plan from its stored manifest (NULL if none or unreadable):
 * the hops' devices and the snap length. */
static struct vnt_plan *run_plan(sqlite3 *db, int64_t run)
{
	sqlite3_stmt *st;
	struct vnt_plan *p = NULL;
	char err[256];
	if (sqlite3_prepare_v2(db, "SELECT manifest_json FROM runs WHERE id=?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		p = vnt_manifest_read((const char *)sqlite3_column_text(st, 0), err, sizeof(err));
	sqlite3_finalize(st);
	return p;
}

static const struct vnt_plan_hop *plan_hop(const struct vnt_plan *p, const struct vnt_report_hop *h)
{
	for (int i = 0; p && i < p->nhops; i++)
		if (p->hops[i].id == h->id && p->hops[i].name && h->name && !strcmp(p->hops[i].name, h->name))
			return &p->hops[i];
	return NULL;
}

static int has_packets_column(sqlite3 *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'pkt'", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	int have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return have;
}

int vnt_report_pcap(const struct vnt_report *r, struct vnt_pcap_out *o, char *err, size_t errlen)
{
	sqlite3 *db;
	if (vnt_sqlite_open(r->db, false, &db, err, errlen))
		return -1;
	if (!has_packets_column(db)) {
		snprintf(err, errlen, "%s: the store holds no packet bytes (its schema predates them)", r->db);
		sqlite3_close(db);
		return -1;
	}
	struct vnt_plan *plan = run_plan(db, r->run_id);
	o->snaplen = plan && plan->snaplen ? plan->snaplen : VNT_PCAP_SNAP_MAX;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT host_id, hop, ts_ns, fp, len, ifindex, netns, pkt_link, pkt FROM events"
				   " WHERE run_id=? AND pkt IS NOT NULL ORDER BY ts_ns, id", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot read the events: %s", r->db, sqlite3_errmsg(db));
		vnt_plan_free(plan);
		sqlite3_close(db);
		return -1;
	}
	sqlite3_bind_int64(st, 1, r->run_id);
	int rc, failed = 0;
	uint64_t orphans = 0;
	while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t host_id = sqlite3_column_int64(st, 0), hop_id = sqlite3_column_int64(st, 1);
		const struct vnt_report_host *h = NULL;
		const struct vnt_report_hop *hp = NULL;
		for (int i = 0; i < r->nhosts && !h; i++)
			if (r->hosts[i].id == host_id)
				h = &r->hosts[i];
		for (int i = 0; i < r->nhops && !hp; i++)
			if (r->hops[i].id == hop_id)
				hp = &r->hops[i];
		if (!h || !hp) {
			orphans++;
			continue;
		}
		int64_t ts = sqlite3_column_int64(st, 2);
		ts += h->nclock ? vnt_clock_offset_at(h->clock_agent, h->clock_offset, h->nclock, ts) : llround(h->offset_ns);
		const struct vnt_plan_hop *ph = plan_hop(plan, hp);
		char dev[300];
		const char *given = ph ? (ph->dev ? ph->dev : ph->filter_dev) : NULL;
		uint32_t ifindex = (uint32_t)sqlite3_column_int64(st, 5), netns = (uint32_t)sqlite3_column_int64(st, 6);
		if (given)
			snprintf(dev, sizeof(dev), "%s", given);
		else
			snprintf(dev, sizeof(dev), "ns%u/if%u", netns, ifindex);
		struct vnt_pcap_packet p = {
			.hop = hp->name, .trace = hp->trace_name, .host = h->name, .dev = ifindex ? dev : NULL,
			.ts_ns = ts, .fp = (uint64_t)sqlite3_column_int64(st, 3), .len = (uint32_t)sqlite3_column_int64(st, 4),
			.link = sqlite3_column_int(st, 7) == VNT_PCAP_ETHER ? VNT_PCAP_ETHER : VNT_PCAP_RAW,
			.data = sqlite3_column_blob(st, 8), .caplen = (uint32_t)sqlite3_column_bytes(st, 8),
		};
		failed = vnt_pcap_out_packet(o, &p) != 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	vnt_plan_free(plan);
	if (failed) {
		snprintf(err, errlen, "writing a packet failed");
		return -1;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: cannot read the events", r->db);
		return -1;
	}
	if (!o->written && r->events) {
		snprintf(err, errlen, "run %lld has %llu events but no packet bytes: compile its package with"
			 " `vnt compile --snaplen N`", (long long)r->run_id, (unsigned long long)r->events);
		return -1;
	}
	if (orphans)
		fprintf(stderr, "vnt: warning: %llu events of a host or hop the run does not list were left out\n",
			(unsigned long long)orphans);
	return 0;
}
