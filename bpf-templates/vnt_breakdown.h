/* Whole-path breakdown: for every packet that passed each hop of a trace
 * in order, the latency of each consecutive segment, into log-linear
 * histograms (16 exact buckets, then 16 per power of two: a bucket is at
 * most 1/16 of its lower bound wide, so a percentile read at the bucket's
 * middle is within 3.2% of the exact value).
 *
 * The generated file defines VNT_BREAKDOWN before including this. */
#ifndef VNT_BREAKDOWN_H
#define VNT_BREAKDOWN_H

#define VNT_BD_MAXHOPS 16

#ifndef VNT_BD_SLOTS
#define VNT_BD_SLOTS 16384      /* power of two */
#endif

struct vnt_bd_state {
	__u64 fp;               /* the packet in this slot (with its trace mixed in), 0: empty */
	__u64 ts[VNT_BD_MAXHOPS];
	__u32 mask;             /* local hops seen, in order */
	__u32 pad;
};

/* Packets in flight along a path: direct-mapped by the packet's slot key
 * (ev->lk: consecutive packets of a flow, consecutive slots), like the
 * latency table (no hashing or LRU bookkeeping per hop). A packet whose
 * slot is taken by a later one is lost to the breakdown and shows as loss. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VNT_BD_SLOTS);
	__type(key, __u32);
	__type(value, struct vnt_bd_state);
} vnt_bd_path SEC(".maps");

/* Per global hop: packets that reached it having passed every earlier hop. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VNT_NHOPS);
	__type(key, __u32);
	__type(value, __u64);
} vnt_bd_seen SEC(".maps");

/* Segment starting at global hop h: buckets at [h * VNT_LL_SLOTS + slot]. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VNT_NHOPS * VNT_LL_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} vnt_bd_hist SEC(".maps");

/* Segment starting at global hop h: [VNT_BD_SUM(h)] sum of latencies, [VNT_BD_MAX(h)] maximum. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VNT_NHOPS * 2);
	__type(key, __u32);
	__type(value, __u64);
} vnt_bd_sum SEC(".maps");

/* Packets that died on the path, at a drop hop after the path's hops:
 * counted by the segment they were in (the last hop they passed), why
 * and where the kernel dropped them. One table for all CPUs (atomic
 * counts), set aside when the trace starts: drops seldom have more than
 * a few (segment, reason, location) kinds. */
/* struct vnt_bd_drop_key: vnt_abi.h */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct vnt_bd_drop_key);
	__type(value, __u64);
} vnt_bd_drops SEC(".maps");

/* Drops that found the table full: counted, never silently lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vnt_bd_drops_full SEC(".maps");

static __always_inline void vnt_bd_record(__u32 seg_hop, __u64 d)
{
	__u64 idx = (__u64)seg_hop * VNT_LL_SLOTS + vnt_ll_slot(d);
	asm volatile("" : "+r"(idx));
	if (idx >= VNT_NHOPS * VNT_LL_SLOTS)
		return;
	__u32 k = (__u32)idx;
	__u64 *c = bpf_map_lookup_elem(&vnt_bd_hist, &k);
	if (c)
		*c += 1;
	k = VNT_BD_SUM(seg_hop);
	c = bpf_map_lookup_elem(&vnt_bd_sum, &k);
	if (c)
		*c += d;
	k = VNT_BD_MAX(seg_hop);
	c = bpf_map_lookup_elem(&vnt_bd_sum, &k);
	if (c && d > *c)
		*c = d;
}

/* At local hop i (of n) of trace `trace` whose first global hop is first. */
static __always_inline void vnt_bd_hop(struct vnt_ev *ev, __u32 trace, __u32 first, const __u32 i, const __u32 n)
{
	if (vnt_flow_get(ev) <= 0)
		return;
	__u64 id = ev->fp ^ ((__u64)(trace + 1) * 0x9E3779B97F4A7C15ULL);
	id |= 1;                /* never 0, the empty mark */
	__u32 slot = (ev->lk + trace * 0x9E3779B9U) & (VNT_BD_SLOTS - 1);
	struct vnt_bd_state *st = bpf_map_lookup_elem(&vnt_bd_path, &slot);
	if (!st)
		return;
	if (i == 0) {
		st->fp = id;
		st->ts[0] = ev->ts;
		st->mask = 1;
		vnt_inc(&vnt_bd_seen, first);
		return;
	}
	/* Only packets that came through every earlier hop, once. */
	if (st->fp != id || st->mask != (1u << i) - 1)
		return;
	st->ts[i & (VNT_BD_MAXHOPS - 1)] = ev->ts;
	st->mask |= 1u << i;
	vnt_inc(&vnt_bd_seen, first + i);
	if (i != n - 1)
		return;
#pragma unroll
	for (__u32 s = 0; s + 1 < VNT_BD_MAXHOPS; s++) {
		if (s + 1 >= n)
			break;
		__u64 a = st->ts[s], b = st->ts[s + 1];
		vnt_bd_record(first + s, b > a ? b - a : 0);
	}
	st->fp = 0;
}

/* At a drop hop of trace `trace` (whose n path packet hops start at global
 * hop first): a packet on its way (it passed hops 0..k-1, k < n) died in
 * segment k-1 -> k. The path state is left as it is: a clone dropped while
 * the packet goes on (it is then seen at the next hop as usual) must not
 * end the packet's path. */
static __always_inline void vnt_bd_drop(struct vnt_ev *ev, __u32 trace, __u32 first, const __u32 n)
{
	if (vnt_flow_get(ev) <= 0)
		return;
	__u64 id = ev->fp ^ ((__u64)(trace + 1) * 0x9E3779B97F4A7C15ULL);
	id |= 1;
	__u32 slot = (ev->lk + trace * 0x9E3779B9U) & (VNT_BD_SLOTS - 1);
	struct vnt_bd_state *st = bpf_map_lookup_elem(&vnt_bd_path, &slot);
	if (!st || st->fp != id || !st->mask)
		return;
	__u32 k = (__u32)__builtin_popcount(st->mask);   /* hops passed, in order */
	if (k >= n)
		return;
	struct vnt_bd_drop_key key = { .seg = first + k - 1, .reason = ev->reason, .location = ev->location };
	__u64 *c = bpf_map_lookup_elem(&vnt_bd_drops, &key);
	if (!c) {
		__u64 zero = 0;
		bpf_map_update_elem(&vnt_bd_drops, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&vnt_bd_drops, &key);
	}
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		vnt_inc(&vnt_bd_drops_full, 0);
}

#endif
