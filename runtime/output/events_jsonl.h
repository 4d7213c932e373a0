/* Raw events as JSON lines, one record per line (json-c). */
#ifndef VNT_EVENTS_OUT_H
#define VNT_EVENTS_OUT_H
#include <stddef.h>
#include <stdio.h>
#include "compiler/plan.h"

struct vnt_events_out {
	FILE *f;
	const struct vnt_plan *plan;
	unsigned long long written, malformed;
};

/* A vnt_event_fn: ctx is a struct vnt_events_out. */
int vnt_events_write(void *ctx, void *data, size_t size);

#endif
