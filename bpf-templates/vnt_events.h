/* Raw per-hop records through a ring buffer, for offline analysis.
 * A record that does not fit is counted, never silently dropped. */
#ifndef VNT_EVENTS_H
#define VNT_EVENTS_H

#ifndef VNT_RINGBUF_BYTES
#define VNT_RINGBUF_BYTES (8 << 20)
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

static __always_inline void vnt_emit(struct vnt_ev *ev)
{
	struct vnt_event *e = bpf_ringbuf_reserve(&vnt_events, sizeof(*e), 0);
	if (!e) {
		vnt_inc(&vnt_events_lost, 0);
		return;
	}
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
	bpf_ringbuf_submit(e, 0);
}

#endif
