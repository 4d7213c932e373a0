/* A hand-written latency pair: the least a program can do for what
 * workloads 2 and 5 ask of vnt, a lower bound for its generated code.
 *
 * At the first device's transmit and the second device's receive (both
 * BTF tracepoints, as vnt's hops): the device by ifindex and namespace,
 * then the UDP 5-tuple of a plain IPv4 packet read straight from the
 * sk_buff, a fingerprint from fields no hop rewrites, the clock, a
 * direct-mapped table of packets in flight, a log2 histogram. None of
 * vnt's generality: no other packet shapes (IPv6, options, VLAN, VXLAN
 * outer headers), no filter language, no counters of what was missed.
 *
 * Built by bench.py for each workload it serves, with its devices and
 * addresses as -D constants (HAND_IFINDEX_A/B, HAND_NETNS_A/B, HAND_SRC,
 * HAND_DST: network order as a little-endian load sees them; HAND_SPORT,
 * HAND_DPORT: host order), and loaded by `bench.py floor`, which prints
 * the histogram's total when it stops: the pair really matched. */
#include "vnt_kernel.h"

char LICENSE[] SEC("license") = "GPL";

#define HAND_SLOTS 65536

struct hand_slot {
	__u64 fp;
	__u64 ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HAND_SLOTS);
	__type(key, __u32);
	__type(value, struct hand_slot);
} hand_inflight SEC(".maps");

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

/* The packet's fingerprint and its slot, if it is the workload's. */
static __always_inline int hand_packet(struct sk_buff *skb, __u32 ifindex, __u32 netns, __u64 *fp, __u32 *slot)
{
	struct net_device *dev = skb->dev;
	if (!dev || dev->ifindex != ifindex || dev->nd_net.net->ns.inum != netns)
		return 0;
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

SEC("tp_btf/net_dev_start_xmit")
int hand_xmit(__u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[0];
	__u64 fp;
	__u32 k;
	if (!hand_packet(skb, HAND_IFINDEX_A, HAND_NETNS_A, &fp, &k))
		return 0;
	struct hand_slot *s = bpf_map_lookup_elem(&hand_inflight, &k);
	if (s) {
		s->ts = bpf_ktime_get_ns();
		s->fp = fp;
	}
	return 0;
}

SEC("tp_btf/netif_receive_skb")
int hand_recv(__u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[0];
	__u64 fp;
	__u32 k;
	if (!hand_packet(skb, HAND_IFINDEX_B, HAND_NETNS_B, &fp, &k))
		return 0;
	struct hand_slot *s = bpf_map_lookup_elem(&hand_inflight, &k);
	if (!s || s->fp != fp)
		return 0;
	__s64 d = (__s64)(bpf_ktime_get_ns() - s->ts);
	s->fp = 0;
	__u32 z = 0;
	struct hand_hist_val *hv = bpf_map_lookup_elem(&hand_hist, &z);
	if (hv) {
		__u64 i = hand_log2(d < 0 ? 0 : (__u64)d);
		asm volatile("" : "+r"(i));   /* keep the clamp: the verifier needs it */
		if (i > 64)
			i = 64;
		hv->slots[i] += 1;
	}
	return 0;
}
