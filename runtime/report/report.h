/* `vnt report`: the offline analysis of one run of the collector's store.
 *
 * Packets are joined by fingerprint across all hosts of the run, each
 * host's timestamps put on the collector's clock (ts + offset), and the
 * hops ordered as in the manifest (trace, then hop). Each pair of
 * consecutive hops is a segment with its exact latency distribution and
 * its loss; the same per flow and per pair of hosts. doc/store-schema.md
 * describes the JSON form and the pairing rules. */
#ifndef VNT_REPORT_H
#define VNT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Latencies of one segment (ns, may be negative across hosts whose clocks
 * are known only within their uncertainty). */
struct vnt_lat {
	int64_t *v;
	size_t n, cap;
};

/* Exact statistics of a vnt_lat (nearest-rank percentiles). */
struct vnt_stats {
	uint64_t count;
	double mean;
	int64_t min, p50, p90, p99, p999, max;
};

struct vnt_report_hop {
	int id, trace;              /* as in the store's hops table */
	char *trace_name, *name, *kind, *target;
	bool task;                  /* identifies a task, not a packet: joined per host */
	bool drop;                  /* where packets are dropped (kfree_skb): no path segment, it places losses */
	uint64_t packets;           /* packets (fingerprints) seen at this hop */
};

struct vnt_report_host {
	int64_t id;
	char *name, *status;        /* status NULL while unknown */
	double offset_ns, uncertainty_ns;
	int64_t events_reported, lost; /* from the host's final status */
	uint64_t events_stored;
	uint64_t *hop_events;       /* [nhops]: events at each hop */
	/* Clock measurements during the run (the store's clock table), by
	 * agent time: each record is aligned with the offset of its time
	 * (runtime/report/clock_align.h); none: offset_ns for every record. */
	int nclock;
	int64_t *clock_agent, *clock_offset;
};

/* A segment between two hosts: latencies of packets that were at `from`
 * on host from_host and at `to` on host to_host. */
struct vnt_report_pair {
	int from_host, to_host;     /* indexes in hosts */
	struct vnt_lat lat;
	struct vnt_stats st;
};

struct vnt_report_segment {
	int from, to;               /* hop indexes (path order) */
	bool boundary;              /* hops of different traces, or a packet hop and a task hop */
	uint64_t entered;           /* passages at `from` */
	uint64_t reached;           /* of those, paired with a passage at `to` */
	uint64_t dropped;           /* packets at `from` and not at `to`, that a drop hop saw dropped */
	struct vnt_lat lat;
	struct vnt_stats st;
	int npairs;
	struct vnt_report_pair *pairs;
};

struct vnt_report_flowseg {
	uint64_t entered, reached;
	struct vnt_lat lat;
	struct vnt_stats st;
};

struct vnt_report_flow {
	char *saddr, *daddr;
	int sport, dport, proto;
	uint64_t packets;
	struct vnt_report_flowseg *seg; /* [nseg] */
};

/* A host's last snapshot of a trace (its JSON document, doc/json-output.md):
 * the aggregations as that host's agent computed them. */
struct vnt_report_snapshot {
	int host;                   /* index in hosts */
	char *trace;
	char *json;
};

struct vnt_report {
	char *db;
	int64_t run_id, started_ns, ended_ns; /* ended_ns 0 while unknown */
	char *script, *status;
	uint64_t events, packets;
	uint64_t repeats;           /* passages of a packet at a hop it had passed already */
	uint64_t orphans;           /* events of a host or hop the run does not list */
	int nhops;
	struct vnt_report_hop *hops;    /* path order */
	int nhosts;
	struct vnt_report_host *hosts;  /* by id */
	int nseg;
	struct vnt_report_segment *seg;
	size_t nflows;
	struct vnt_report_flow *flows;  /* most packets first */
	int nsnaps;
	struct vnt_report_snapshot *snaps; /* by host, then trace */
};

/* ---- loading (runtime/report/load_sqlite.c): the run from an SQLite store ---- */

/* Read run `run_id` (0: the latest) of the store at path and analyse it.
 * Returns NULL with a message in err. */
struct vnt_report *vnt_report_load(const char *path, int64_t run_id, char *err, size_t errlen);
void vnt_report_free(struct vnt_report *r);

/* ---- pcapng (runtime/report/pcap_sqlite.c) ---- */

/* The run's events that carry packet bytes, into o (o->w open; o->snaplen
 * is set from the run's manifest). 0, or -1 with a message: a store without
 * packet columns, a run whose events have no bytes, a write error. */
struct vnt_pcap_out;
int vnt_report_pcap(const struct vnt_report *r, struct vnt_pcap_out *o, char *err, size_t errlen);

/* ---- building (runtime/report/build.c) ---- */

/* After the run, hosts and hops are filled in (hops in path order). */
struct vnt_report_builder;
struct vnt_report_builder *vnt_report_builder_new(struct vnt_report *r);
/* One event; events of one fingerprint come together. Strings are copied. */
struct vnt_report_obs {
	uint64_t fp;
	int host, hop;              /* indexes in r->hosts, r->hops */
	int64_t ts;                 /* on the collector's clock */
	const char *saddr, *daddr;  /* NULL when not IP */
	int sport, dport, proto;
};
int vnt_report_builder_add(struct vnt_report_builder *b, const struct vnt_report_obs *o);
/* Ends the last packet, computes every statistic, frees the builder. */
int vnt_report_builder_finish(struct vnt_report_builder *b);
void vnt_report_builder_abort(struct vnt_report_builder *b);

/* ---- statistics (runtime/report/stats.c) ---- */

int vnt_lat_push(struct vnt_lat *l, int64_t v);
void vnt_lat_free(struct vnt_lat *l);
/* Sorts l in place and fills st. */
void vnt_lat_stats(struct vnt_lat *l, struct vnt_stats *st);
/* The value at fraction k/d of sorted l by nearest rank (l->n > 0). */
int64_t vnt_lat_rank(const struct vnt_lat *l, uint64_t k, uint64_t d);

/* ---- formatting (runtime/report/fmt.c) ---- */

/* "850ns", "12.3us", "1.24ms", "2.50s". */
void vnt_report_fmt_ns(char *buf, size_t len, double ns);
/* "udp", "tcp", "icmp" or the number. */
/* "10.0.0.1:5000 > 10.0.0.2:6000 udp" (IPv6 addresses in brackets). */
void vnt_report_fmt_flow(char *buf, size_t len, const struct vnt_report_flow *f);
/* A hop's name, "trace.hop" when the run has several traces. */
void vnt_report_hop_label(char *buf, size_t len, const struct vnt_report *r, int hop);
/* A host's name, "host#id" when two hosts of the run share a name. */
void vnt_report_host_label(char *buf, size_t len, const struct vnt_report *r, int host);
/* Wall-clock time "2026-11-25 18:48:22.123 UTC" from ns since the epoch. */
void vnt_report_fmt_time(char *buf, size_t len, int64_t ns);
/* Segments worth showing: all but a boundary (see above) where nothing
 * was joined across. */
bool vnt_report_segment_shown(const struct vnt_report_segment *s);

/* ---- what the kernel counted (runtime/report/kernel_counts.c) ---- */

/* Runs of hop programs host's kernel skipped (its snapshots' lost.skipped_runs). */
uint64_t vnt_report_host_skipped(const struct vnt_report *r, int host);
/* The passages host's kernel counted at hop (its last snapshot's hops[].hits);
 * false when no snapshot says. */
bool vnt_report_host_hop_hits(const struct vnt_report *r, int host, int hop, uint64_t *hits);
/* Of a segment's lost packets no drop hop placed, how many may have passed
 * unseen: at most the runs the kernel skipped on the hosts of its end. */
uint64_t vnt_report_segment_unseen(const struct vnt_report *r, const struct vnt_report_segment *s);
/* Each (host, packet hop) whose kernel counted more passages than the store
 * holds events: fn(arg, host, hop, hits, stored). Returns how many. */
typedef void (*vnt_report_missing_fn)(void *arg, int host, int hop, uint64_t hits, uint64_t stored);
int vnt_report_missing_events(const struct vnt_report *r, vnt_report_missing_fn fn, void *arg);

/* ---- outputs ---- */

struct vnt_report_opts {
	size_t top_flows;           /* flows shown (most packets first) */
};
int vnt_report_text(FILE *f, const struct vnt_report *r, const struct vnt_report_opts *o);
/* Each host's own aggregations (its last snapshot of each trace), as
 * `vnt run` prints them; nothing if the run stored no snapshot. */
void vnt_report_text_aggregations(FILE *f, const struct vnt_report *r);
int vnt_report_json(FILE *f, const struct vnt_report *r, const struct vnt_report_opts *o);
int vnt_report_html(FILE *f, const struct vnt_report *r, const struct vnt_report_opts *o);
/* The answer first: a sentence naming where the time goes and where
 * packets were lost, a picture of the path, the segments on one axis
 * (runtime/report/glance.c). */
void vnt_report_glance(FILE *f, const struct vnt_report *r);
/* Text escaped for HTML (runtime/report/html.c). */
void vnt_report_html_esc(FILE *f, const char *s);
/* An inline SVG plot of a segment's latencies: the CDF with the p50, p90,
 * p99 and p99.9 marked (runtime/report/svg.c). Needs sorted latencies. */
void vnt_report_svg_cdf(FILE *f, const struct vnt_lat *sorted, const struct vnt_stats *st);

#endif
