/* A snapshot of a trace's aggregations, read from the kernel's maps and
 * merged over CPUs: what every output format (text, JSON) prints. The
 * reader fills it; outputs only read it. */
#ifndef VNT_SNAPSHOT_H
#define VNT_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "compiler/aggshape.h"

/* An aggregation's shape says how it is shown (compiler/aggshape.h):
 *   AS_SCALAR     one number per row: count, sum, min, max or avg (scalar)
 *   AS_LOG2       slots: slot 0 holds value 0, slot k>=1 holds [2^(k-1), 2^k)
 *   AS_LINEAR     slots: slot 0 below lmin, slots 1..n [lmin+(k-1)*step, lmin+k*step), last >= lmax
 *   AS_QUANTILES  q[] (p50, p90, p99, p99.9), mean and max per row */

struct vnt_snap_row {
	char **keys;            /* nkeys rendered key values, e.g. "tx", "veth-a", "10.0.0.1:5000 > 10.0.0.2:53 udp" */
	uint64_t count;         /* events aggregated (all kinds) */
	uint64_t sum;           /* SUM, AVG */
	int64_t min, max;       /* MIN, MAX, AVG (valid when count > 0) */
	uint64_t *slots;        /* AS_LOG2, AS_LINEAR: nslots counters */
	double q[4];            /* AS_QUANTILES: p50, p90, p99, p99.9 */
	double mean;            /* AS_QUANTILES (its max is max) */
	int64_t order;          /* rows keyed first by hop: the hop's place in the path (rows sort by it first) */
};

struct vnt_snap_aggr {
	const char *title;      /* as written in the script, e.g. "hist(latency(tx, rx)) by flow" */
	const char *kind;       /* "count", "hist", "percentiles", "top", ... */
	enum vnt_agg_shape shape;
	enum vnt_agg_scalar scalar;
	uint32_t top;           /* top(N): the rows are the N largest of keys_total; 0: all */
	uint64_t keys_total;
	const char *value;      /* "latency(tx, rx)", "len", NULL for count */
	const char *unit;       /* "ns", "bytes", or "" */
	int nkeys;
	const char **key_names; /* "hop", "dev", "flow", ... */
	int nslots;             /* AS_LOG2: 65, AS_LINEAR: (lmax-lmin)/lstep + 2 */
	int64_t lmin, lmax, lstep;
	int nrows;
	struct vnt_snap_row *rows;   /* sorted: keyed first by hop, in path order; then by value descending
				      * for scalars, by keys for hists */
	bool path_order;        /* the first key is the hop: rows follow the path */
	/* Updates of a keyed aggregation the kernel refused, by cause (each
	 * refused update is an event that is missing from the rows): */
	uint64_t map_full;      /* the map held all the keys it has room for (E2BIG) */
	uint64_t no_memory;     /* no element could be allocated (ENOMEM; older packages) */
	uint64_t refused;       /* any other cause (lock contention: EBUSY, EDEADLK) */
};

/* Per-pair latency matching statistics. */
struct vnt_snap_latency {
	const char *from, *to;  /* hop names */
	uint64_t started;       /* packets seen at `from` and remembered */
	uint64_t matched;       /* of those, seen later at `to` */
	uint64_t unmatched;     /* seen at `to` with no remembered `from` (displaced or never seen) */
	uint64_t displaced;     /* remembered at `from`, then pushed out of the table by another packet */
};

/* Packets that died in a segment, by why and where (a drop hop). */
struct vnt_snap_drop {
	char *reason;           /* "QDISC_DROP", ... */
	char *location;         /* "__dev_queue_xmit+0x8d0", or "" */
	uint64_t count;
};

/* One segment of a whole-path breakdown (latencies in ns). */
struct vnt_snap_segment {
	const char *from, *to;  /* hop names */
	uint64_t count;         /* packets that passed the whole path */
	double mean;
	uint64_t p50, p90, p99, p999, max;
	uint64_t entered;       /* packets that reached `from` in order */
	uint64_t reached;       /* of those, packets that reached `to` */
	int ndrops;             /* of the others, those a drop hop saw die here */
	struct vnt_snap_drop *drops;   /* most first */
};

struct vnt_snapshot {
	const char *trace;      /* trace name */
	const char *script;     /* script path */
	bool final;             /* last snapshot of the run */
	uint64_t seq;           /* interval number, from 1 */
	double elapsed_s;       /* since the trace was attached */
	double timestamp;       /* wall clock, seconds since the epoch */
	uint32_t sample_n;      /* 1/N sampling, 1 if none */
	int naggs;
	struct vnt_snap_aggr *aggs;
	int nlat;
	struct vnt_snap_latency *lat;
	uint64_t lost_events;   /* ring-buffer records lost (0 if none used) */
	uint64_t events;        /* ring-buffer records delivered */
	int nseg;               /* breakdown() segments, 0 if none */
	struct vnt_snap_segment *seg;
	uint64_t drops_unplaced; /* drops the breakdown's table had no room for */
	uint64_t hop_events_total; /* hop program runs that passed the filter, all hops */
	int nhops;
	const char **hop_names;
	uint64_t *hop_hits;     /* per hop: packets that passed the filter there */
};

/* The value at fraction q of a log-linear histogram (VNT_LL_SLOTS buckets
 * of count values), read at its bucket's middle (within 3.2%), and never
 * above the largest value seen, max (the top bucket's middle can be;
 * 0: not known). */
uint64_t vnt_ll_percentile(const uint64_t *b, uint64_t count, double q, uint64_t max);

/* Frees what a snapshot owns (its rows and arrays; not the strings, which
 * belong to the plan or the document it was read from). */
void vnt_snapshot_free(struct vnt_snapshot *snap);

/* Outputs (runtime/output/text.c, runtime/output/json.c). */
void vnt_output_text(FILE *f, const struct vnt_snapshot *s);
/* One JSON document per call, on one line, followed by a newline. */
void vnt_output_json(FILE *f, const struct vnt_snapshot *s);

#endif
