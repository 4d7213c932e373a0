/* A hand-written four-hop path breakdown: the least a program can do for
 * what workload 4 asks of vnt (packets per hop, the average of each of the
 * three segments, the end-to-end histogram), a lower bound for its
 * generated code, as hand-latency.bpf.c is for workloads 2 and 5.
 *
 * Hops: A's transmit (0), the bridge's port 1 receive (1), port 2
 * transmit (2), B's receive (3), on the two BTF tracepoints vnt's hops use.
 * Per event: the hop from the device (ifindex and namespace), the UDP
 * 5-tuple of a plain IPv4 packet read straight from the sk_buff, a
 * fingerprint, the clock, the packet's record in a direct-mapped table
 * (one record per packet for the whole path: cheaper than vnt's table
 * per pair of hops), a per-CPU counter and segment sum. None of vnt's
 * generality.
 *
 * Built by bench.py with -D constants: HAND_IFINDEX_/HAND_NETNS_ A, P1,
 * P2, B; HAND_SRC, HAND_DST (network order as a little-endian load sees
 * them); HAND_SPORT, HAND_DPORT (host order). `bench.py floor` prints the
 * end-to-end histogram's total when it stops. */
#include "vnt_kernel.h"

char LICENSE[] SEC("license") = "GPL";

#define HAND_SLOTS 65536

struct hand_path {
	__u64 fp;
	__u64 ts[4];
	__u32 mask;             /* hops seen, in order */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HAND_SLOTS);
	__type(key, __u32);
	__type(value, struct hand_path);
} hand_inflight SEC(".maps");

/* [0..3] packets per hop; [4..6] sum of each segment's latency */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 7);
	__type(key, __u32);
	__type(value, __u64);
} hand_stats SEC(".maps");

struct hand_hist_val {
	__u64 slots[65];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hand_hist_val);
} hand_hist SEC(".maps");

static __always_inline __u64 hand_mix(__u64 h, __u64 v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

static __always_inline int hand_dev(struct sk_buff *skb, __u32 ifindex, __u32 netns)
{
	struct net_device *dev = skb->dev;
	return dev && dev->ifindex == ifindex && dev->nd_net.net->ns.inum == netns;
}

/* The packet's fingerprint and its record, if it is the workload's. */
static __always_inline struct hand_path *hand_packet(struct sk_buff *skb, __u64 *fp)
{
	if (skb->protocol != bpf_htons(0x0800) || skb->tail < skb->network_header + 32u)
		return NULL;
	const unsigned char *d = skb->head + skb->network_header;
	__u64 w0 = *(const __u64 *)d;           /* version..fragment offset */
	__u64 w1 = *(const __u64 *)(d + 8);     /* ttl, protocol, checksum, saddr */
	__u64 w2 = *(const __u64 *)(d + 16);    /* daddr, ports */
	__u64 w3 = *(const __u64 *)(d + 24);    /* UDP length and checksum */
	if ((__u8)w0 != 0x45 || (__u8)(w1 >> 8) != 17 || ((w0 >> 48) & bpf_htons(0x1fff)))
		return NULL;
	if ((__u32)(w1 >> 32) != HAND_SRC || (__u32)w2 != HAND_DST ||
	    (w2 >> 32) != ((__u64)bpf_htons(HAND_DPORT) << 16 | bpf_htons(HAND_SPORT)))
		return NULL;
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
	__u32 k = (flow + id) & (HAND_SLOTS - 1);
	return bpf_map_lookup_elem(&hand_inflight, &k);
}

static __always_inline void hand_add(__u32 k, __u64 v)
{
	__u64 *c = bpf_map_lookup_elem(&hand_stats, &k);
	if (c)
		*c += v;
}

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

/* Hop i (1..3) of a packet whose record says it passed hops 0..i-1. */
static __always_inline void hand_next(struct hand_path *st, __u64 fp, const __u32 i)
{
	if (st->fp != fp || st->mask != (1u << i) - 1)
		return;
	__u64 now = bpf_ktime_get_ns();
	st->ts[i] = now;
	st->mask |= 1u << i;
	hand_add(i, 1);
	__u64 prev = st->ts[i - 1];
	hand_add(3 + i, now > prev ? now - prev : 0);
	if (i != 3)
		return;
	__u64 e2e = now > st->ts[0] ? now - st->ts[0] : 0;
	st->fp = 0;
	__u32 z = 0;
	struct hand_hist_val *hv = bpf_map_lookup_elem(&hand_hist, &z);
	if (hv) {
		__u64 s = hand_log2(e2e);
		asm volatile("" : "+r"(s));   /* keep the clamp: the verifier needs it */
		if (s > 64)
			s = 64;
		hv->slots[s] += 1;
	}
}

SEC("tp_btf/net_dev_start_xmit")
int hand_xmit(__u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[0];
	int first = hand_dev(skb, HAND_IFINDEX_A, HAND_NETNS_A);
	if (!first && !hand_dev(skb, HAND_IFINDEX_P2, HAND_NETNS_P2))
		return 0;
	__u64 fp;
	struct hand_path *st = hand_packet(skb, &fp);
	if (!st)
		return 0;
	if (first) {
		st->ts[0] = bpf_ktime_get_ns();
		st->fp = fp;
		st->mask = 1;
		hand_add(0, 1);
	} else {
		hand_next(st, fp, 2);
	}
	return 0;
}

SEC("tp_btf/netif_receive_skb")
int hand_recv(__u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[0];
	int last = hand_dev(skb, HAND_IFINDEX_B, HAND_NETNS_B);
	if (!last && !hand_dev(skb, HAND_IFINDEX_P1, HAND_NETNS_P1))
		return 0;
	__u64 fp;
	struct hand_path *st = hand_packet(skb, &fp);
	if (!st)
		return 0;
	if (last)
		hand_next(st, fp, 3);
	else
		hand_next(st, fp, 1);
	return 0;
}
