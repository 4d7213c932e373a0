/* What the hand-written bounds (hand-latency.bpf.c, hand-breakdown.bpf.c)
 * share: the device test, the workload's packet and its fingerprint, the
 * log2 histogram. Built by bench.py with -D constants: HAND_SRC, HAND_DST
 * (network order as a little-endian load sees them), HAND_SPORT,
 * HAND_DPORT (host order), and each program's devices. */
#ifndef HAND_COMMON_H
#define HAND_COMMON_H

#include "vnt_kernel.h"

#define HAND_SLOTS 65536        /* in-flight table: power of two */

static __always_inline __u64 hand_mix(__u64 h, __u64 v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

static __always_inline int hand_dev(struct sk_buff *skb, __u32 ifindex, __u32 netns)
{
	struct net_device *dev = skb->dev;
	return dev && (__u32)dev->ifindex == ifindex && dev->nd_net.net->ns.inum == netns;
}

/* If skb is the workload's packet (plain IPv4, not a later fragment, the
 * UDP 5-tuple), its fingerprint (never 0) and its slot in the in-flight
 * table, from fields no hop rewrites, read where the packet lies. */
static __always_inline int hand_packet(struct sk_buff *skb, __u64 *fp, __u32 *slot)
{
	if (skb->protocol != bpf_htons(0x0800) || skb->tail < skb->network_header + 32u)
		return 0;
	const unsigned char *d = skb->head + skb->network_header;
	__u64 w0 = *(const __u64 *)d;           /* version..fragment offset */
	__u64 w1 = *(const __u64 *)(d + 8);     /* ttl, protocol, checksum, saddr */
	__u64 w2 = *(const __u64 *)(d + 16);    /* daddr, ports */
	__u64 w3 = *(const __u64 *)(d + 24);    /* UDP length and checksum */
	if ((__u8)w0 != 0x45 || (__u8)(w1 >> 8) != 17 || ((w0 >> 48) & bpf_htons(0x1fff)))
		return 0;
	if ((__u32)(w1 >> 32) != HAND_SRC || (__u32)w2 != HAND_DST ||
	    (w2 >> 32) != ((__u64)bpf_htons(HAND_DPORT) << 16 | bpf_htons(HAND_SPORT)))
		return 0;
	__u64 h = hand_mix(0x68616e64ULL, w1 >> 32);
	h = hand_mix(h, w2);
	__u32 flow = (__u32)(h >> 32);
	__u32 id = bpf_ntohs((__u16)(w0 >> 32));
	h = hand_mix(h, id);
	h = hand_mix(h, (__u32)w3);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	*fp = h | 1;
	*slot = (flow + id) & (HAND_SLOTS - 1);
	return 1;
}

/* 0 for 0, else 1 + floor(log2(v)), as vnt's log2 histograms */
static __always_inline __u32 hand_log2(__u64 v)
{
	if (!v)
		return 0;
	__u32 r = 1;
	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

struct hand_hist_val {
	__u64 slots[65];
};

/* The histogram each bound fills, by this name: `bench.py floor` prints
 * its total when it stops, so a bound that matched nothing shows. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hand_hist_val);
} hand_hist SEC(".maps");

/* Add v to the histogram's log2 bucket. */
static __always_inline void hand_hist_add(__u64 v)
{
	__u32 z = 0;
	struct hand_hist_val *hv = bpf_map_lookup_elem(&hand_hist, &z);
	if (!hv)
		return;
	__u64 s = hand_log2(v);
	asm volatile("" : "+r"(s));   /* keep the clamp: the verifier needs it */
	if (s > 64)
		s = 64;
	hv->slots[s] += 1;
}

#endif
