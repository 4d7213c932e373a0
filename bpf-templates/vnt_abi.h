/* The layouts the generated programs write and user space reads: one
 * definition, included by the BPF templates (vnt_common.h) and by the
 * loader, the agent and the outputs (the libbpf-tools "x.h" pattern), with
 * compile-time checks of the sizes on both sides. A change here changes
 * the package format: bump VNT_PACKAGE_VERSION (runtime/loader/package.h).
 * Plain C: no BPF helpers, no libc beyond the kernel's integer types. */
#ifndef VNT_ABI_H
#define VNT_ABI_H

#ifndef __bpf__
#include <linux/types.h>   /* user space; the programs have vmlinux.h's */
#endif

/* A packet's flow, as keys (`by flow`) and raw events hold it.
 * Addresses are in network byte order (the bytes as on the wire); an
 * IPv4 address is in saddr[0]/daddr[0], the rest zero. family is 4 or 6.
 * Ports are in host order; for ICMP and ICMPv6, sport is the echo
 * identifier (0 for other messages) and dport is type << 8 | code. */
struct vnt_flow {
	__u32 saddr[4], daddr[4];
	__u16 sport, dport;
	__u8 proto, family;
	__u16 pad;
};

/* A scalar aggregation's value: count, sum, min and max together. */
struct vnt_sval {
	__u64 count;
	__u64 sum;
	__s64 min;
	__s64 max;
};

/* Log-linear buckets (breakdown() and percentiles()): 16 exact ones for
 * 0-15, then 16 per power of two, each at most 1/16 of its lower bound
 * wide, so a value read at its bucket's middle is within 3.2%. Bucket
 * slot >= 16 starts at (16 + sub) << (e - 4), e = 4 + (slot - 16) / 16,
 * sub = (slot - 16) % 16, and is 1 << (e - 4) wide. */
#define VNT_LL_SLOTS 976

/* percentiles(v): the log-linear histogram, the exact sum and maximum. */
struct vnt_pval {
	__u64 slots[VNT_LL_SLOTS];
	__u64 sum;
	__u64 max;
};

/* A raw record in the ring buffer (`events`). */
struct vnt_event {
	__u64 ts;               /* CLOCK_MONOTONIC ns */
	__u64 fp;               /* packet fingerprint (or task identity) */
	__u32 hop;
	__u32 len;
	__u32 ifindex;
	__u32 netns;
	__u32 cpu;
	__u32 pid;              /* current task */
	struct vnt_flow flow;
};

/* The packet's first bytes after a raw record, in packages compiled with
 * a snap length (`vnt run --pcap`, `vnt compile --snaplen N`; the
 * generated code's VNT_PCAP_SNAP, at most VNT_PCAP_SNAP_MAX): a record is
 * then struct vnt_event, this header and VNT_PCAP_SNAP bytes rounded up
 * to 8, of which caplen are the packet's. Without one, records are a bare
 * struct vnt_event as before: the size says which. */
#define VNT_PCAP_SNAP_MAX 248   /* the scratch copy's bound (vnt_pkt.h) less 8 */
#define VNT_PCAP_RAW 0          /* bytes from the network header (sk_buff hops) */
#define VNT_PCAP_ETHER 1        /* bytes from the Ethernet header (tc, XDP) */
struct vnt_event_bytes {
	__u16 caplen;           /* valid bytes that follow */
	__u16 ethertype;        /* of the network header the hop's parser ended at */
	__u8 link;              /* VNT_PCAP_RAW or VNT_PCAP_ETHER */
	__u8 pad[3];
};

/* A keyed aggregation's front cache (per CPU): entries of
 * { __u32 used; struct vnt_key_N k; VALUE v; }, the value 8-aligned. The
 * generated code checks its struct against this at compile time. */
#define VNT_AGGC_VALUE_OFF(key_size) ((4 + (key_size) + 7) & ~7)

/* Per-CPU counters, by index:
 *   vnt_agg_refused  [agg * 4 + VNT_REFUSED_*]: updates the kernel refused
 *   vnt_lat_stats    [pair * 4 + VNT_LAT_*]: latency matching
 *   vnt_bd_hist      [hop * VNT_LL_SLOTS + slot]: the segment from hop h
 *   vnt_bd_sum       [VNT_BD_SUM(h)], [VNT_BD_MAX(h)]: its sum and maximum */
#define VNT_REFUSED_FULL 0      /* -E2BIG: the map holds max_entries keys */
#define VNT_REFUSED_NOMEM 1     /* -ENOMEM: no element could be allocated */
#define VNT_REFUSED_OTHER 2     /* anything else: lock contention (EBUSY, EDEADLK), a retry bound */
#define VNT_LAT_STARTED 0       /* remembered at the first hop */
#define VNT_LAT_MATCHED 1       /* of those, seen at the second */
#define VNT_LAT_UNMATCHED 2     /* seen at the second with nothing remembered */
#define VNT_LAT_DISPLACED 3     /* remembered, then pushed out by another packet */
#define VNT_BD_SUM(h) ((h) * 2)
#define VNT_BD_MAX(h) ((h) * 2 + 1)

/* A drop a drop hop saw after the path: by segment, reason, location. */
struct vnt_bd_drop_key {
	__u32 seg;              /* global hop id of the segment's first hop */
	__u32 reason;           /* enum skb_drop_reason */
	__u64 location;         /* the dropping code's address */
};

_Static_assert(sizeof(struct vnt_flow) == 40, "struct vnt_flow");
_Static_assert(sizeof(struct vnt_sval) == 32, "struct vnt_sval");
_Static_assert(sizeof(struct vnt_pval) == (VNT_LL_SLOTS + 2) * 8, "struct vnt_pval");
_Static_assert(sizeof(struct vnt_event) == 80, "struct vnt_event");
_Static_assert(sizeof(struct vnt_event_bytes) == 8, "struct vnt_event_bytes");
_Static_assert(sizeof(struct vnt_bd_drop_key) == 16, "struct vnt_bd_drop_key");

#endif
