/* What every generated vNetTracer program shares: the event a hop sees,
 * the maps common to all scripts, and the update helpers.
 *
 * The generated file defines, before including this header:
 *   VNT_NHOPS, VNT_NLAT (latency pairs, >= 1), VNT_NAGGS (>= 1),
 *   VNT_ZERO_SIZE (largest aggregation value), VNT_LRU_ENTRIES,
 *   VNT_SNAP (bytes of each packet copied, <= VNT_SNAP_MAX),
 *   VNT_PCAP_SNAP (0, or bytes of each packet kept in raw records),
 *   VNT_NEED_NETNS / VNT_NEED_PID / VNT_NEED_MARK (0 or 1).
 * Everything here is CO-RE: types come from vmlinux.h with relocations. */
#ifndef VNT_COMMON_H
#define VNT_COMMON_H

#include "vnt_kernel.h"
#include "vnt_pkt.h"

char LICENSE[] SEC("license") = "GPL";

#ifndef TC_ACT_UNSPEC
#define TC_ACT_UNSPEC (-1)   /* linux/pkt_cls.h; not in vmlinux.h */
#endif

struct vnt_ev {
	__u64 ts;
	struct vnt_pkt *p;      /* NULL at hops without a packet */
	__u32 hop;
	__u32 ifindex;
	__u32 netns;            /* inode number of the device's network namespace */
	__u32 mark;
	__u32 len;              /* frame length (tcpdump's len) */
	int flow_state;         /* 0 not parsed yet, 1 parsed, -1 not an IP packet */
	struct task_struct *task; /* the task a scheduler hop is about, else NULL */
	__u32 reason;           /* drop reason at kfree_skb hops */
	__u64 location;         /* code address at kfree_skb hops */
	__u64 fp;               /* packet fingerprint, valid when flow_state == 1 */
	__u32 lk;               /* its slot key in the in-flight tables (vnt_flow_parse_lk) */
	struct vnt_flow flow;
};

/* Per-CPU scratch for the packet copy: too big for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vnt_pkt);
} vnt_scratch SEC(".maps");

/* Packets that passed the filter, per hop. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VNT_NHOPS);
	__type(key, __u32);
	__type(value, __u64);
} vnt_hop_hits SEC(".maps");

/* Per latency pair: [4i] remembered at the first hop, [4i+1] matched at
 * the second, [4i+2] seen at the second with nothing remembered, [4i+3]
 * remembered packets displaced from the table before being matched. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VNT_NLAT * 4);
	__type(key, __u32);
	__type(value, __u64);
} vnt_lat_stats SEC(".maps");

/* Packets in flight between the two hops of a latency pair: a
 * direct-mapped table indexed by fingerprint (and pair). Bounded memory
 * and no hashing or LRU bookkeeping on the hot path (measured: the LRU
 * update was over half the cost of a latency hop); a packet that lands
 * on a slot still holding another is counted as displacing it. */
struct vnt_lat_slot {
	__u64 fp;               /* 0: empty */
	__u64 ts;
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VNT_LAT_SLOTS);
	__type(key, __u32);
	__type(value, struct vnt_lat_slot);
} vnt_lat_start SEC(".maps");

/* Updates of keyed aggregations the kernel refused, per aggregation and
 * cause: [agg * 4 + VNT_REFUSED_*] (vnt_abi.h). Only a map holding
 * max_entries keys counts as full; any other refusal is counted under its
 * own name. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VNT_NAGGS * 4);
	__type(key, __u32);
	__type(value, __u64);
} vnt_agg_refused SEC(".maps");

/* A zeroed value to insert new keys with (hist values exceed the stack). */
struct vnt_zero_val { __u8 b[VNT_ZERO_SIZE]; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vnt_zero_val);
} vnt_zero SEC(".maps");

/* struct vnt_sval, struct vnt_pval, VNT_LL_SLOTS: vnt_abi.h */

/* Set by the loader: 1 for the hops another host runs, in programs
 * shared by several hops (a host loads only its own hops). */
const volatile __u32 vnt_hop_off[VNT_NHOPS] = {};

/* Set by the loader: network namespace of each tc/xdp hop's device. */
const volatile __u32 vnt_hop_netns[VNT_NHOPS] = {};

/* Mask a length in an instruction clang cannot move or drop, so the
 * verifier knows its bound at the helper call (a C `&` is often
 * reordered away). VNT_SNAP_MAX is 256. */
#define VNT_LEN_BOUND(x) ({ __u64 _v = (x); asm volatile("%0 &= 0xff" : "+r"(_v)); _v; })
_Static_assert(VNT_SNAP_MAX == 256, "VNT_LEN_BOUND masks with 0xff");
_Static_assert(VNT_SNAP < VNT_SNAP_MAX, "VNT_SNAP must be below VNT_SNAP_MAX");

/* The clock is read only by scripts that use it (latency, breakdown,
 * events): one helper call less per event for the others. */
#if VNT_NEED_TS
#define vnt_now() bpf_ktime_get_ns()
#else
#define vnt_now() 0ULL
#endif

static __always_inline void vnt_inc(void *map, __u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(map, &idx);
	if (c)
		*c += 1;
}

static __always_inline int vnt_flow_get(struct vnt_ev *ev)
{
	if (!ev->flow_state)
		ev->flow_state = ev->p && vnt_flow_parse_lk(ev->p, &ev->flow, &ev->fp, &ev->lk) == 0 ? 1 : -1;
	return ev->flow_state;
}

/* Identity of a task at scheduler hops: its thread id, tagged so it can
 * never equal a packet fingerprint that matters. */
static __always_inline __u64 vnt_task_identity(struct task_struct *t)
{
	return (1ULL << 63) | (__u32)BPF_CORE_READ(t, pid);
}

/* pid and comm: of the hop's task where there is one, else of current. */
static __always_inline __u32 vnt_ev_pid(const struct vnt_ev *ev)
{
	/* A local copy: CO-RE relocates accesses through a typed local
	 * pointer, not through a field of a struct that is not a kernel type. */
	struct task_struct *t = ev->task;
	if (t)
		return BPF_CORE_READ(t, tgid);
	return bpf_get_current_pid_tgid() >> 32;
}

static __always_inline void vnt_ev_comm(const struct vnt_ev *ev, char *comm)
{
	struct task_struct *t = ev->task;
	if (t)
		bpf_probe_read_kernel_str(comm, 16, t->comm);
	else
		bpf_get_current_comm(comm, 16);
}

/* log2 bucket: 0 for 0, else 1 + floor(log2(v)); at most 64. */
static __always_inline __u32 vnt_log2_slot(__u64 v)
{
	if (!v)
		return 0;
	__u32 r = 0;
	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r + 1;
}

static __always_inline void vnt_refused(__u32 agg, long err)
{
	vnt_inc(&vnt_agg_refused, agg * 4 + (err == -7 ? VNT_REFUSED_FULL : err == -12 ? VNT_REFUSED_NOMEM
							    : VNT_REFUSED_OTHER));
}

/* A keyed aggregation's map is one hash table for all CPUs (values are
 * shared, so the map side is updated with atomic instructions:
 * vnt_*_shared), preallocated when it is small (compiler/plan.c,
 * vnt_plan_agg_prealloc). A new key then takes an element the kernel set
 * aside at creation and is refused only when the map is full (-E2BIG);
 * otherwise its element comes from the kernel's slab caches. Both
 * replace a per-CPU hash whose new keys each needed a per-CPU value
 * (BPF_F_NO_PREALLOC): the kernel's per-CPU allocator may only use
 * already populated pages there (GFP_NOWAIT), ran dry under a burst of
 * new keys, and the updates failed with -ENOMEM while the map was far
 * from full (measured: 5-12 of 9000 new keys per aggregation, each with
 * a percpu_alloc_percpu_fail event, and ~30 us per new key;
 * tests/integration/keys_burst.t).
 *
 * Look a key up, inserting `init` the first time it is seen; NULL (and
 * the refusal counted) if the kernel refuses the new key. */
static __always_inline void *vnt_lookup_or_init(void *map, const void *key, __u32 agg, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);
	if (v || !init)
		return v;
	long err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	/* -EEXIST: another CPU inserted it first, which is as good. */
	v = bpf_map_lookup_elem(map, key);
	if (!v)
		vnt_refused(agg, err ? err : -2);
	return v;
}

/* The zeroed value histograms start from (larger than the stack allows). */
static __always_inline const void *vnt_zero_value(void)
{
	__u32 z = 0;
	return bpf_map_lookup_elem(&vnt_zero, &z);
}

/* The value of key k (nw 32-bit words) in a keyed aggregation's front
 * cache (compiler/codegen.c, emit_agg_cache: used at 0, the key at 4, the
 * value at voff), claiming the key's slot if it is empty; NULL if another
 * key holds it. The slot is the top bits of a sum of the words times odd
 * constants: they depend on every bit of every word, and unlike a chained
 * hash the multiplies do not wait for each other (a flow key is 10 words). Per CPU, so no two programs race
 * for a slot, except one interrupted by another on its CPU, which at worst
 * counts one update under the interrupting one's key. */
static __always_inline void *vnt_aggc_find(void *map, const __u32 *k, const int nw, const int shift, const int voff)
{
	__u32 h = 0x766e74;
#pragma unroll
	for (int i = 0; i < nw; i++)
		h += k[i] * ((0x9E3779B1U ^ (__u32)i * 0x85EBCA77U) | 1);
	__u32 slot = h >> shift;
	__u32 *e = bpf_map_lookup_elem(map, &slot);
	if (!e)
		return NULL;
	if (!e[0]) {
#pragma unroll
		for (int i = 0; i < nw; i++)
			e[1 + i] = k[i];
		e[0] = 1;
		return (char *)e + voff;
	}
#pragma unroll
	for (int i = 0; i < nw; i++)
		if (e[1 + i] != k[i])
			return NULL;
	return (char *)e + voff;
}

/* Scalar and histogram updates: vnt_*_add for a value only this CPU
 * writes (a front cache slot, a per-CPU array), vnt_*_shared for a value
 * of the shared keyed map, with atomic instructions. */
static __always_inline void vnt_scalar_add(struct vnt_sval *s, __s64 v)
{
	if (!s)
		return;
	if (!s->count || v < s->min)
		s->min = v;
	if (!s->count || v > s->max)
		s->max = v;
	s->count += 1;
	s->sum += (__u64)v;
}

/* A shared scalar starts as VNT_SVAL_INIT: min and max at their far ends,
 * so that the first update needs no test of count. */
#define VNT_SVAL_INIT { .count = 0, .sum = 0, .min = 0x7fffffffffffffffLL, .max = -0x7fffffffffffffffLL - 1 }

/* Lower (or raise) *p to v with compare-and-swap. A failed swap means
 * another CPU moved *p towards v meanwhile; 16 of them in a row would
 * take 16 other updates of the same key within a few instructions.
 * Returns 0, or -1 if it gave up (counted as refused). */
static __always_inline int vnt_atomic_min(__s64 *p, __s64 v, const int max)
{
	__s64 old = *(volatile __s64 *)p;
	for (int i = 0; i < 16; i++) {
		if (max ? v <= old : v >= old)
			return 0;
		__s64 seen = __sync_val_compare_and_swap(p, old, v);
		if (seen == old)
			return 0;
		old = seen;
	}
	return -1;
}

static __always_inline void vnt_scalar_shared(struct vnt_sval *s, __s64 v, __u32 agg)
{
	if (!s)
		return;
	/* min and max first: a reader that sees the count sees them set. */
	if (vnt_atomic_min(&s->min, v, 0) | vnt_atomic_min(&s->max, v, 1))
		vnt_refused(agg, -11);
	__sync_fetch_and_add(&s->count, 1);
	__sync_fetch_and_add(&s->sum, (__u64)v);
}

static __always_inline __u64 vnt_hist_slot(__u64 v)
{
	__u64 i = vnt_log2_slot(v);
	asm volatile("" : "+r"(i));   /* keep the clamp: the verifier needs it */
	if (i > 64)
		i = 64;
	return i;
}

/* Linear slot: 0 below lo, n - 1 at or above hi. 64-bit compare on an
 * opaque value: clang can neither drop the clamp nor narrow it to a
 * 32-bit compare the verifier loses. */
static __always_inline __u64 vnt_lhist_slot(__s64 v, __s64 lo, __s64 hi, __s64 step, __u64 n)
{
	__u64 i;
	if (v < lo)
		i = 0;
	else if (v >= hi)
		i = n - 1;
	else
		i = 1 + (__u64)(v - lo) / (__u64)step;
	asm volatile("" : "+r"(i));
	if (i > n - 1)
		i = n - 1;
	return i;
}

/* The log-linear bucket of v (vnt_abi.h says what the buckets are). */
static __always_inline __u32 vnt_ll_slot(__u64 v)
{
	if (v < 16)
		return (__u32)v;
	__u32 e = vnt_log2_slot(v) - 1;          /* floor(log2 v), >= 4 */
	__u32 sub = (__u32)(v >> (e - 4)) & 15;
	return 16 + (e - 4) * 16 + sub;
}

static __always_inline __u32 vnt_ll_index(__u64 v)
{
	__u32 i = vnt_ll_slot(v);
	asm volatile("" : "+r"(i));   /* keep the clamp: the verifier needs it */
	if (i >= VNT_LL_SLOTS)
		i = VNT_LL_SLOTS - 1;
	return i;
}

static __always_inline void vnt_pct_add(struct vnt_pval *p, __s64 v)
{
	if (!p)
		return;
	__u64 u = v < 0 ? 0 : (__u64)v;
	p->slots[vnt_ll_index(u)] += 1;
	p->sum += u;
	if (u > p->max)
		p->max = u;
}

static __always_inline void vnt_pct_shared(struct vnt_pval *p, __s64 v, __u32 agg)
{
	if (!p)
		return;
	__u64 u = v < 0 ? 0 : (__u64)v;
	if (vnt_atomic_min((__s64 *)&p->max, (__s64)u, 1))   /* max: the same compare-and-swap, upwards */
		vnt_refused(agg, -11);
	__sync_fetch_and_add(&p->slots[vnt_ll_index(u)], 1);
	__sync_fetch_and_add(&p->sum, u);
}

static __always_inline void vnt_hist_add(__u64 *slots, __u64 v)
{
	if (slots)
		slots[vnt_hist_slot(v)] += 1;
}

static __always_inline void vnt_hist_shared(__u64 *slots, __u64 v)
{
	if (slots)
		__sync_fetch_and_add(&slots[vnt_hist_slot(v)], 1);
}

static __always_inline void vnt_lhist_add(__u64 *slots, __s64 v, __s64 lo, __s64 hi, __s64 step, __u64 n)
{
	if (slots)
		slots[vnt_lhist_slot(v, lo, hi, step, n)] += 1;
}

static __always_inline void vnt_lhist_shared(__u64 *slots, __s64 v, __s64 lo, __s64 hi, __s64 step, __u64 n)
{
	if (slots)
		__sync_fetch_and_add(&slots[vnt_lhist_slot(v, lo, hi, step, n)], 1);
}

/* ---- filling the event from what each kind of hop has ---- */

static __always_inline struct vnt_pkt *vnt_scratch_get(void)
{
	__u32 z = 0;
	return bpf_map_lookup_elem(&vnt_scratch, &z);
}

/* Context of an sk_buff: device, namespace, mark, frame length.
 * `direct` is a constant: BTF-typed programs (tp_btf, fentry) may load
 * fields directly, the others must use probe reads. */
static __always_inline void vnt_ev_skb_ctx(struct vnt_ev *ev, struct sk_buff *skb, const int direct)
{
	struct net_device *dev;
	__u16 mac, nh;
	unsigned char *head, *data;
	if (direct) {
		dev = skb->dev;
		ev->len = skb->len;
		mac = skb->mac_header;
		head = skb->head;
		data = skb->data;
		(void)nh;
		if (dev)
			ev->ifindex = dev->ifindex;
#if VNT_NEED_NETNS
		if (dev)
			ev->netns = dev->nd_net.net->ns.inum;
#endif
#if VNT_NEED_MARK
		ev->mark = skb->mark;
#endif
	} else {
		dev = BPF_CORE_READ(skb, dev);
		ev->len = BPF_CORE_READ(skb, len);
		mac = BPF_CORE_READ(skb, mac_header);
		head = BPF_CORE_READ(skb, head);
		data = BPF_CORE_READ(skb, data);
		if (dev)
			ev->ifindex = BPF_CORE_READ(dev, ifindex);
#if VNT_NEED_NETNS
		if (dev)
			ev->netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
#endif
#if VNT_NEED_MARK
		ev->mark = BPF_CORE_READ(skb, mark);
#endif
	}
	/* Count the link-layer header the way tcpdump does, whether or not
	 * this hop sees the skb before or after it was pulled. */
	if (mac != (__u16)~0U && head + mac < data)
		ev->len += (__u32)(data - (head + mac));
}

#ifndef VNT_SNAP_FIRST
#define VNT_SNAP_FIRST VNT_SNAP
#endif

/* Do this network header's protocol headers reach past the first copy?
 * IPv4 or IPv6 carrying VXLAN (UDP to port 4789 with the I flag; the flag
 * is not looked at past the first copy, behind long IPv4 options), or
 * IPv6 with extension headers. d holds at least VNT_SNAP_FIRST (64)
 * bytes. */
static __always_inline int vnt_headers_go_further(const __u8 *d, __u16 ethertype)
{
	_Static_assert(VNT_SNAP_FIRST >= 64, "the VXLAN flag of IPv6 is at 48");
	if (ethertype == 0x0800) {
		__u32 l4 = (__u32)(d[0] & 0xf) * 4;
		if (d[9] != 17 || l4 < 20 || l4 > 60)
			return 0;
		if (d[(l4 + 2) & 63] != 0x12 || d[(l4 + 3) & 63] != 0xb5)     /* 4789 */
			return 0;
		return l4 + 8 > 63 || (d[(l4 + 8) & 63] & VNT_VXLAN_I);
	}
	if (ethertype == 0x86dd) {
		if (d[6] == 6 || d[6] == 58)
			return 0;
		return d[6] != 17 || (d[42] == 0x12 && d[43] == 0xb5 && (d[48] & VNT_VXLAN_I));
	}
	return 0;
}

/* Set by the loader: 1 to read the packet's first bytes with plain loads
 * through skb->head (BTF-typed hops on kernels whose verifier allows
 * loads through untrusted pointers: a fault reads as 0), 0 for probe
 * reads. A frozen read-only value, so the verifier never walks the branch
 * not taken: where it refuses the direct loads, the loader loads again
 * with 0. Measured here: a 64-byte bpf_probe_read_kernel costs ~30 ns of
 * a count-by-device hop's ~150 ns; eight plain loads cost next to nothing. */
const volatile __u32 vnt_direct_pkt = 0;

/* Bytes [from, to) of the packet at src into p->data, 8 at a time, with
 * plain loads (see vnt_direct_pkt); from and to are constants. */
static __always_inline void vnt_copy_direct(struct vnt_pkt *p, const unsigned char *src, const int from, const int to)
{
	const __u64 *s = (const __u64 *)src;
	__u64 *d = (__u64 *)p->data;
#pragma unroll
	for (int i = from / 8; i < to / 8; i++)
		d[i] = s[i];
}

/* Copy the packet from its network header into the scratch buffer. */
static __always_inline int vnt_ev_skb_pkt(struct vnt_ev *ev, struct sk_buff *skb, const int direct)
{
	struct vnt_pkt *p = vnt_scratch_get();
	if (!p)
		return -1;
	unsigned char *head;
	__u16 nh;
	__u32 tail;
	__u16 proto;
	if (direct) {
		head = skb->head;
		nh = skb->network_header;
		tail = skb->tail;
		proto = skb->protocol;
	} else {
		head = BPF_CORE_READ(skb, head);
		nh = BPF_CORE_READ(skb, network_header);
		tail = BPF_CORE_READ(skb, tail);
		proto = BPF_CORE_READ(skb, protocol);
	}
	__u32 avail = tail > nh ? tail - nh : 0;
	/* One fixed-size read is cheaper than a variable one; bytes past
	 * `caplen` are never looked at. Most packets are decided by their
	 * first VNT_SNAP_FIRST bytes: the rest is copied only for the ones
	 * whose headers go further (VXLAN inner packets, IPv6 extensions). */
	__u32 want = VNT_SNAP_FIRST;
	_Static_assert(VNT_SNAP_FIRST % 8 == 0 && VNT_SNAP % 8 == 0, "the direct copy moves 8 bytes at a time");
	if (direct && vnt_direct_pkt)
		vnt_copy_direct(p, head + nh, 0, VNT_SNAP_FIRST);
	else if (bpf_probe_read_kernel(p->data, VNT_SNAP_FIRST, head + nh)) {
		/* near the end of the buffer: what there is, and no more */
		if (avail > VNT_SNAP_FIRST)
			avail = VNT_SNAP_FIRST;
		if (!avail || bpf_probe_read_kernel(p->data, VNT_LEN_BOUND(avail), head + nh))
			avail = 0;
	}
#if VNT_SNAP > VNT_SNAP_FIRST
	if (avail > VNT_SNAP_FIRST && vnt_headers_go_further(p->data, bpf_ntohs(proto))) {
		want = VNT_SNAP;
		if (direct && vnt_direct_pkt)
			vnt_copy_direct(p, head + nh, VNT_SNAP_FIRST, VNT_SNAP);
		else if (bpf_probe_read_kernel(p->data + VNT_SNAP_FIRST, VNT_SNAP - VNT_SNAP_FIRST,
						head + nh + VNT_SNAP_FIRST))
			want = VNT_SNAP_FIRST;
	}
#endif
	p->caplen = avail < want ? avail : want;
	p->wirelen = ev->len;
	p->l3off = 0;
	p->ethertype = bpf_ntohs(proto);
	p->oob = 0;
	p->link = VNT_PCAP_RAW;
	ev->p = p;
	return 0;
}

/* tc programs: the frame starts at the Ethernet header. */
static __always_inline int vnt_ev_tc(struct vnt_ev *ev, struct __sk_buff *skb)
{
	ev->ifindex = skb->ifindex;
	ev->netns = vnt_hop_netns[ev->hop < VNT_NHOPS ? ev->hop : 0];
	ev->len = skb->len;
	ev->mark = skb->mark;
	return 0;
}

static __always_inline int vnt_ev_tc_pkt(struct vnt_ev *ev, struct __sk_buff *skb)
{
	struct vnt_pkt *p = vnt_scratch_get();
	if (!p)
		return -1;
	/* Bound first, then test: the verifier then knows 14 <= n <= 255. */
	__u64 n = VNT_LEN_BOUND(skb->len < VNT_SNAP ? skb->len : VNT_SNAP);
	if (n < 14 || bpf_skb_load_bytes(skb, 0, p->data, n))
		n = 0;
	vnt_pkt_set_l2(p, n, skb->len);
	ev->p = p;
	return 0;
}

static __always_inline int vnt_ev_xdp(struct vnt_ev *ev, struct xdp_md *x)
{
	__u32 len = x->data_end - x->data;
	ev->ifindex = x->ingress_ifindex;
	ev->netns = vnt_hop_netns[ev->hop < VNT_NHOPS ? ev->hop : 0];
	ev->len = len;
	return 0;
}

static __always_inline int vnt_ev_xdp_pkt(struct vnt_ev *ev, struct xdp_md *x)
{
	struct vnt_pkt *p = vnt_scratch_get();
	if (!p)
		return -1;
	__u32 len = ev->len;
	__u64 n = VNT_LEN_BOUND(len < VNT_SNAP ? len : VNT_SNAP);
	if (n < 14 || bpf_xdp_load_bytes(x, 0, p->data, n))
		n = 0;
	vnt_pkt_set_l2(p, n, len);
	ev->p = p;
	return 0;
}

#endif
