/* Per-packet latency between two hops. The first hop remembers when it
 * saw the packet, keyed by the packet's fingerprint (the skb address is
 * recycled at once, so it cannot identify a packet); the second hop looks
 * it up and forgets it (table: vnt_lat_start in vnt_common.h). */
#ifndef VNT_LATENCY_H
#define VNT_LATENCY_H

static __always_inline struct vnt_lat_slot *vnt_lat_slot_of(const struct vnt_ev *ev, __u32 pair)
{
	/* the pair moves the flow's run of slots far away, so that the
	 * pairs of one packet do not collide */
	__u32 idx = (ev->lk + pair * 0x9E3779B9U) & (VNT_LAT_SLOTS - 1);
	return bpf_map_lookup_elem(&vnt_lat_start, &idx);
}

static __always_inline void vnt_lat_begin(struct vnt_ev *ev, __u32 pair)
{
	if (vnt_flow_get(ev) <= 0)
		return;
	struct vnt_lat_slot *s = vnt_lat_slot_of(ev, pair);
	if (!s)
		return;
	if (s->fp && s->fp != ev->fp)
		vnt_inc(&vnt_lat_stats, pair * 4 + VNT_LAT_DISPLACED);
	s->ts = ev->ts;
	s->fp = ev->fp;
	vnt_inc(&vnt_lat_stats, pair * 4 + VNT_LAT_STARTED);
}

/* Nanoseconds since the packet was seen at the pair's first hop, or -1. */
static __always_inline __s64 vnt_lat_end(struct vnt_ev *ev, __u32 pair)
{
	if (vnt_flow_get(ev) <= 0)
		return -1;
	struct vnt_lat_slot *s = vnt_lat_slot_of(ev, pair);
	if (!s || s->fp != ev->fp) {
		vnt_inc(&vnt_lat_stats, pair * 4 + VNT_LAT_UNMATCHED);
		return -1;
	}
	__s64 d = (__s64)(ev->ts - s->ts);
	s->fp = 0;
	vnt_inc(&vnt_lat_stats, pair * 4 + VNT_LAT_MATCHED);
	return d < 0 ? 0 : d;
}

/* Command name equality without a string compare loop the verifier must
 * unroll at run time: n is a constant and small. */
static __always_inline int vnt_comm_eq(const struct vnt_ev *ev, const char *want, const int n)
{
	char comm[16] = {};
	vnt_ev_comm(ev, comm);
#pragma unroll
	for (int i = 0; i < 16; i++) {
		if (i > n)
			break;
		if (comm[i] != (i < n ? want[i] : 0))
			return 0;
	}
	return 1;
}

#endif
