/* Raw events as pcapng packets (pcapng.h): one interface per hop and
 * device, named "hop@netns/dev", each packet's first bytes at the hop's
 * timestamp, and its hop, trace, fingerprint and host as comments. Fed
 * by `vnt run` from the ring buffer (vnt_pcap_write) and by `vnt report`
 * from the store (vnt_pcap_out_packet). */
#ifndef VNT_EVENTS_PCAP_H
#define VNT_EVENTS_PCAP_H
#include <stddef.h>
#include <stdint.h>
#include "compiler/plan.h"
#include "runtime/output/pcapng.h"

/* One packet as the writer wants it, whatever it was read from. */
struct vnt_pcap_packet {
	const char *hop, *trace, *host;
	const char *dev;        /* "netns/dev", or NULL at hops without a device */
	int64_t ts_ns;          /* on the collector's (or this host's) realtime clock */
	uint64_t fp;
	uint32_t len;           /* the frame's length on the wire */
	int link;               /* VNT_PCAP_RAW or VNT_PCAP_ETHER (vnt_abi.h) */
	const void *data;
	uint32_t caplen;
};

struct vnt_pcap_iface;
struct vnt_pcap_out {
	struct vnt_pcapng *w;
	uint32_t snaplen;
	/* for vnt_pcap_write: records of this plan, on this host */
	const struct vnt_plan *plan;
	int64_t mono2real;      /* added to the kernel's CLOCK_MONOTONIC stamps */
	const char *host;
	unsigned long long written, malformed;
	int failed;             /* a write failed (the file is then not kept) */
	struct vnt_pcap_iface *ifs;
	int nifs, capifs;
};

/* 0, or -1 if the file could not be written (o->failed is set). */
int vnt_pcap_out_packet(struct vnt_pcap_out *o, const struct vnt_pcap_packet *p);
/* A vnt_event_fn: ctx is a struct vnt_pcap_out; data a ring record. */
int vnt_pcap_write(void *ctx, void *data, size_t size);
/* Frees the interface table (not o->w). */
void vnt_pcap_out_free(struct vnt_pcap_out *o);

#endif
