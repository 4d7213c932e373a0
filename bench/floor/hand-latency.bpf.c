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
 * addresses as -D constants (HAND_IFINDEX_A/B, HAND_NETNS_A/B, and those
 * of hand_common.h), and loaded by `bench.py floor`, which prints
 * the histogram's total when it stops: the pair really matched. */
#include "bench/floor/hand_common.h"

char LICENSE[] SEC("license") = "GPL";

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

SEC("tp_btf/net_dev_start_xmit")
int hand_xmit(__u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[0];
	__u64 fp;
	__u32 k;
	if (!hand_dev(skb, HAND_IFINDEX_A, HAND_NETNS_A) || !hand_packet(skb, &fp, &k))
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
	if (!hand_dev(skb, HAND_IFINDEX_B, HAND_NETNS_B) || !hand_packet(skb, &fp, &k))
		return 0;
	struct hand_slot *s = bpf_map_lookup_elem(&hand_inflight, &k);
	if (!s || s->fp != fp)
		return 0;
	__s64 d = (__s64)(bpf_ktime_get_ns() - s->ts);
	s->fp = 0;
	hand_hist_add(d < 0 ? 0 : (__u64)d);
	return 0;
}
