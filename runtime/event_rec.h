/* A raw record as the programs write it to the ring buffer (struct
 * vnt_event of bpf-templates/vnt_events.h, with its struct vnt_flow laid
 * out inline). Read by `vnt run --events` and by the agent. */
#ifndef VNT_EVENT_REC_H
#define VNT_EVENT_REC_H
#include <stdint.h>

struct vnt_event_rec {
	uint64_t ts, fp;
	uint32_t hop, len, ifindex, netns, cpu, pid;
	uint32_t saddr[4], daddr[4];
	uint16_t sport, dport;
	uint8_t proto, family;
	uint16_t pad;
};
_Static_assert(sizeof(struct vnt_event_rec) == 80, "the layout of struct vnt_event");

#endif
