/* Raw per-hop records through a ring buffer, for offline analysis.
 * A record that does not fit is counted, never silently dropped. */
#ifndef VNT_EVENTS_H
#define VNT_EVENTS_H

#ifndef VNT_RINGBUF_BYTES
#define VNT_RINGBUF_BYTES (8 << 20)
#endif

/* Readers are not woken for every record (a wakeup per record costs the
 * traced task more than the record): a record is submitted without one
 * unless VNT_RINGBUF_WAKE bytes are waiting, and the readers look at the
 * buffer on their own at least every few ms (the agent every 20 ms, `vnt
 * run` at the end of every poll: runtime/loader/session.c). The adaptive
 * wakeup of flags 0 would not do: it wakes only when the reader has taken
 * everything before the record, which under a flood is never. */
#ifndef VNT_RINGBUF_WAKE
#define VNT_RINGBUF_WAKE (256 << 10)
#endif

/* struct vnt_event: vnt_abi.h */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VNT_RINGBUF_BYTES);
} vnt_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vnt_events_lost SEC(".maps");

#ifndef VNT_PCAP_SNAP
#define VNT_PCAP_SNAP 0
#endif

/* The fixed part of a raw record, the same with or without packet bytes. */
static __always_inline void vnt_event_fill(struct vnt_event *e, struct vnt_ev *ev)
{
	vnt_flow_get(ev);
	e->ts = ev->ts;
	e->fp = ev->fp;
	e->hop = ev->hop;
	e->len = ev->len;
	e->ifindex = ev->ifindex;
	e->netns = ev->netns;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->flow = ev->flow;
}

static __always_inline __u64 vnt_submit_flags(void)
{
	return bpf_ringbuf_query(&vnt_events, BPF_RB_AVAIL_DATA) >= VNT_RINGBUF_WAKE ? BPF_RB_FORCE_WAKEUP :
										      BPF_RB_NO_WAKEUP;
}

#if VNT_PCAP_SNAP
/* A record with the packet's first bytes (vnt_abi.h): only in packages
 * compiled with a snap length, so that ordinary records cost what they
 * did. The bytes come from the hop's scratch copy, which the generator
 * makes at least this long (compiler/codegen.c). */
#define VNT_PCAP_COPY ((VNT_PCAP_SNAP + 7) & ~7)
_Static_assert(VNT_PCAP_SNAP <= VNT_PCAP_SNAP_MAX, "VNT_PCAP_SNAP too large");
_Static_assert(VNT_PCAP_COPY <= VNT_SNAP && VNT_PCAP_COPY <= VNT_SNAP_FIRST, "the scratch copy is shorter than the snap length");
struct vnt_event_rec {
	struct vnt_event e;
	struct vnt_event_bytes b;
	__u8 data[VNT_PCAP_COPY];
};

static __always_inline void vnt_emit(struct vnt_ev *ev)
{
	struct vnt_event_rec *r = bpf_ringbuf_reserve(&vnt_events, sizeof(*r), 0);
	if (!r) {
		vnt_inc(&vnt_events_lost, 0);
		return;
	}
	vnt_event_fill(&r->e, ev);
	struct vnt_pkt *p = ev->p;
	__u32 n = 0;
	if (p) {
		n = p->caplen < VNT_PCAP_SNAP ? p->caplen : VNT_PCAP_SNAP;
		r->b.ethertype = p->ethertype;
		r->b.link = p->link;
		__builtin_memcpy(r->data, p->data, VNT_PCAP_COPY);
	} else {
		r->b.ethertype = 0;
		r->b.link = VNT_PCAP_RAW;
		__builtin_memset(r->data, 0, VNT_PCAP_COPY);
	}
	r->b.caplen = n;
	r->b.pad[0] = r->b.pad[1] = r->b.pad[2] = 0;
	bpf_ringbuf_submit(r, vnt_submit_flags());
}
#else
static __always_inline void vnt_emit(struct vnt_ev *ev)
{
	struct vnt_event *e = bpf_ringbuf_reserve(&vnt_events, sizeof(*e), 0);
	if (!e) {
		vnt_inc(&vnt_events_lost, 0);
		return;
	}
	vnt_event_fill(e, ev);
	bpf_ringbuf_submit(e, vnt_submit_flags());
}
#endif

#endif
