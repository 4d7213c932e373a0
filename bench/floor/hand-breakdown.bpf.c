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
 * P2, B, and those of hand_common.h. `bench.py floor` prints the
 * end-to-end histogram's total when it stops. */
#include "bench/floor/hand_common.h"

char LICENSE[] SEC("license") = "GPL";

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

/* The workload's packet's record in the in-flight table, and its fingerprint. */
static __always_inline struct hand_path *hand_record(struct sk_buff *skb, __u64 *fp)
{
	__u32 k;
	if (!hand_packet(skb, fp, &k))
		return NULL;
	return bpf_map_lookup_elem(&hand_inflight, &k);
}

static __always_inline void hand_add(__u32 k, __u64 v)
{
	__u64 *c = bpf_map_lookup_elem(&hand_stats, &k);
	if (c)
		*c += v;
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
	hand_hist_add(e2e);
}

SEC("tp_btf/net_dev_start_xmit")
int hand_xmit(__u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[0];
	int first = hand_dev(skb, HAND_IFINDEX_A, HAND_NETNS_A);
	if (!first && !hand_dev(skb, HAND_IFINDEX_P2, HAND_NETNS_P2))
		return 0;
	__u64 fp;
	struct hand_path *st = hand_record(skb, &fp);
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
	struct hand_path *st = hand_record(skb, &fp);
	if (!st)
		return 0;
	if (last)
		hand_next(st, fp, 3);
	else
		hand_next(st, fp, 1);
	return 0;
}
