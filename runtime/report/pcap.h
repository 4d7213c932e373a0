/* vnt report --pcap, shared by the engines' readers (pcap_sqlite.c,
 * pcap_clickhouse.c): one stored event with packet bytes becomes one
 * pcapng packet (runtime/output/events_pcap.c), its timestamp moved to
 * the collector's clock the way the report moves it (clock_align.h: the
 * host's offset at that time of its clock, from the run's clock
 * measurements). The collector cannot name another host's devices: an
 * interface is named by the device the script gave the hop (its tc/XDP
 * device, or the one its filter names), else by namespace inode and
 * ifindex. */
#ifndef VNT_REPORT_PCAP_H
#define VNT_REPORT_PCAP_H
#include <stdint.h>
#include "compiler/plan.h"
#include "runtime/output/events_pcap.h"
#include "runtime/report/report.h"

struct vnt_pcap_row {
	int64_t host_id, hop_id, ts_ns;     /* as stored: the agent's clock */
	uint64_t fp;
	uint32_t len, ifindex, netns;
	int link;                           /* VNT_PCAP_RAW or VNT_PCAP_ETHER */
	const void *data;
	uint32_t caplen;
};

struct vnt_pcap_ctx {
	const struct vnt_report *r;
	struct vnt_plan *plan;              /* the run's manifest, or NULL */
	struct vnt_pcap_out *o;
	uint64_t orphans;                   /* rows of a host or hop the run does not list */
};

/* Take the manifest (may be NULL; freed by vnt_pcap_ctx_end). */
void vnt_pcap_ctx_init(struct vnt_pcap_ctx *c, const struct vnt_report *r, struct vnt_plan *plan,
		       struct vnt_pcap_out *o);
/* 0, or -1 when the file could not be written. */
int vnt_pcap_ctx_row(struct vnt_pcap_ctx *c, const struct vnt_pcap_row *row);
/* The checks at the end (a run whose events have no bytes is an error);
 * frees the manifest. 0 or -1 with a message. */
int vnt_pcap_ctx_end(struct vnt_pcap_ctx *c, char *err, size_t errlen);

int vnt_report_pcap_sqlite(const struct vnt_report *r, struct vnt_pcap_out *o, char *err, size_t errlen);
int vnt_report_pcap_clickhouse(const struct vnt_report *r, struct vnt_pcap_out *o, char *err, size_t errlen);

#endif
