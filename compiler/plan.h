/* The trace plan: what a compiled script does, independent of the AST.
 *
 * The code generator builds it from the checked AST and writes it into
 * the manifest (JSON); the runtime reads it back from the manifest, so a
 * host that only loads packages never sees the source language. */
#ifndef VNT_PLAN_H
#define VNT_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include "bpf-templates/vnt_abi.h"   /* VNT_LL_SLOTS */
#include "lang/bounds.h"
#include "compiler/aggkind.h"

#define VNT_AGG_KEYS 10240      /* keys a keyed aggregation holds at most (lower.c, agg_entries) */
#define VNT_AGG_PREALLOC_BYTES (2u << 20)   /* keyed maps up to this size are preallocated */
#define VNT_MAX_DEVS 64         /* device references resolved at load */
#define VNT_MAX_LHIST_SLOTS 1002

struct vnt_hopkind;   /* compiler/hopkind.h: one descriptor per kind */

/* Key fields an aggregation can be grouped by. */
enum vnt_keyfield {
	KF_HOP, KF_DEV, KF_IFINDEX, KF_NETNS, KF_CPU, KF_PID, KF_COMM, KF_MARK,
	KF_LEN, KF_FLOW, KF_SADDR, KF_DADDR, KF_SPORT, KF_DPORT, KF_PROTO, KF_REASON, KF_LOCATION,
	KF__COUNT
};

enum vnt_valsrc { VS_NONE, VS_LEN, VS_LATENCY, VS_CONST, VS_CPU, VS_PID };

struct vnt_plan_hop {
	int id;                 /* global: index into plan->hops, program vnt_hop_ID */
	int trace;              /* index of its trace */
	char *name;             /* name in the trace ("tx") */
	char *def;              /* where it came from: "net.dev_xmit" or the raw form */
	const struct vnt_hopkind *kind;
	char *target;           /* tracepoint name, function, "binary:symbol" */
	char *dev;              /* device for tc/xdp: "[netns/]ifname" */
	char *filter_dev;       /* the device its filter names (`where dev d`), or NULL: for people (vnt inspect) */
	int skb_arg;            /* tp_btf / raw_tp / kprobe / fentry: argument holding the sk_buff, -1 none */
	int skb_field_off;      /* classic tracepoint: byte offset of skbaddr in the record, -1 none */
	int task_arg;           /* tp_btf without a packet: argument holding the task it is about, -1 none */
	int reason_arg;         /* tp_btf: argument holding an skb drop reason (kfree_skb), -1 none */
	int location_arg;       /* tp_btf: argument holding a code address (kfree_skb's location), -1 none */
	char *prog;             /* program name in the object */
	char *srcloc;           /* "file:line:col" of the hop in the script */
};

struct vnt_plan_key {
	enum vnt_keyfield field;
	uint32_t off, size;     /* in the map key */
};

struct vnt_plan_agg {
	int id;
	int trace;
	char *title;            /* as the user wrote it */
	char *value_text;       /* "latency(tx, rx)", "len", NULL */
	const struct vnt_aggkind *kind;   /* compiler/aggkind.h: one descriptor per kind */
	enum vnt_agg_scalar scalar;       /* a scalar's number: count, sum, ... */
	uint32_t top;           /* top(N): the N largest rows are shown; 0 otherwise */
	enum vnt_valsrc src;
	int lat_from, lat_to;   /* VS_LATENCY: hop ids */
	uint64_t constant;      /* VS_CONST */
	int64_t lmin, lmax, lstep;
	int nslots;             /* hist 65, lhist (lmax-lmin)/lstep + 2, percentiles VNT_LL_SLOTS, else 0 */
	uint32_t hop_mask;      /* hops where it is updated (bit per global hop id) */
	int nkeys;
	struct vnt_plan_key keys[VNT_MAX_KEYS];
	uint32_t key_size, value_size;
	char *map;              /* map name */
	uint32_t max_entries;   /* keyed maps */
	char *filter;           /* `if FILTER` as written, or NULL: updated only for what it accepts */
};

struct vnt_plan_lat {           /* a latency pair: remembered at `from`, matched at `to` */
	int from, to;           /* hop ids */
};

struct vnt_plan_trace {
	char *name;
	uint64_t every_ns, for_ns;
	uint32_t sample_n;
	int first_hop, nhops;   /* hops of this trace are contiguous ids */
	int breakdown;          /* 1: whole-path breakdown of this trace's hops */
	int events;             /* 1: raw per-hop records to the ring buffer */
};

struct vnt_plan_dev {           /* a device named in a filter, resolved at load */
	char *name;             /* "[netns/]ifname" */
	char *srcloc;           /* "file:line:col" where the script names it first, or NULL */
};

struct vnt_plan {
	char *script;
	int ntraces;
	struct vnt_plan_trace *traces;
	int nhops;
	struct vnt_plan_hop hops[VNT_MAX_HOPS];
	int naggs;
	struct vnt_plan_agg aggs[VNT_MAX_AGGS];
	int nlat;
	struct vnt_plan_lat lat[VNT_MAX_HOPS];
	int ndevs;
	struct vnt_plan_dev devs[VNT_MAX_DEVS];
	uint32_t lru_entries;   /* latency matching table size */
	uint32_t snaplen;       /* 0, or packet bytes in each raw record (struct vnt_event_bytes) */
};

/* A BTF-typed hop (tp_btf, fentry) given the sk_buff: it reads the
 * sk_buff's fields directly, and the hops of one hook share a program
 * that dispatches on the device (compiler/lower.c, hop_btf_prog.tpl). */
bool vnt_plan_hop_btf_skb(const struct vnt_plan_hop *h);
/* The hop sees a packet: its context is one (tc, XDP), or it has found
 * the sk_buff among its arguments or in its trace record. */
bool vnt_plan_hop_has_packet(const struct vnt_plan_hop *h);
/* In a trace with breakdown(), a hop where the kernel reports a drop (its
 * tracepoint has a drop reason: skb.drop) ends a packet's life rather
 * than being a segment of the path: drop hops come after the path's hops,
 * and this is how many hops the path has. */
bool vnt_plan_hop_drop(const struct vnt_plan_hop *h);
int vnt_plan_path_hops(const struct vnt_plan *p, const struct vnt_plan_trace *t);
/* Bytes a keyed aggregation's hash map takes when all its keys are in
 * use (the kernel's element header, key, value, bucket), and whether
 * that is small enough to set aside when the map is created. */
uint64_t vnt_plan_agg_map_bytes(const struct vnt_plan_agg *a);
bool vnt_plan_agg_prealloc(const struct vnt_plan_agg *a);
/* The hops named: "hop" (every trace's hop of that name) or
 * "trace.hop"; n == 0 means all hops. 0, or -1 with the unknown name and
 * the package's hops in err. */
int vnt_plan_hop_mask(const struct vnt_plan *p, const char *const *names, int n, uint32_t *mask, char *err,
		      size_t errlen);
const char *vnt_keyfield_name(enum vnt_keyfield k);
int vnt_keyfield_parse(const char *s);
uint32_t vnt_keyfield_size(enum vnt_keyfield k);
void vnt_plan_free(struct vnt_plan *p);

/* Manifest (compiler/manifest.c): plan <-> JSON text. */
char *vnt_manifest_write(const struct vnt_plan *p);
struct vnt_plan *vnt_manifest_read(const char *json, char *err, size_t errlen);

#endif
