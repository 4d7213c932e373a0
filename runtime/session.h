/* A loaded trace: the object opened from memory, rodata filled in for
 * this host (device indexes), programs loaded and attached by hop kind.
 * Closing it detaches everything; links are owned by file descriptors,
 * so even a killed process leaves nothing attached. */
#ifndef VNT_SESSION_H
#define VNT_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include "compiler/plan.h"
#include "runtime/snapshot.h"

struct vnt_session;

struct vnt_session *vnt_session_open(const void *obj, size_t len, const struct vnt_plan *plan,
				     char *err, size_t errlen);
/* The same, loading and attaching only the hops whose bit is set in
 * hop_mask (bit = global hop id): a host runs the hops that are its own. */
struct vnt_session *vnt_session_open_hops(const void *obj, size_t len, const struct vnt_plan *plan,
					  uint32_t hop_mask, char *err, size_t errlen);
int vnt_session_attach(struct vnt_session *s, char *err, size_t errlen);
void vnt_session_close(struct vnt_session *s);

/* Read the maps of trace `trace` into snap (caller frees with
 * vnt_snapshot_free). 0 or -errno. */
int vnt_session_snapshot(struct vnt_session *s, int trace, struct vnt_snapshot *snap);
void vnt_snapshot_free(struct vnt_snapshot *snap);

/* Raw events: fn gets every ring-buffer record (struct vnt_event as in
 * bpf-templates/vnt_events.h). 0, or -errno if the object has none. */
typedef int (*vnt_event_fn)(void *ctx, void *data, size_t size);
int vnt_session_events(struct vnt_session *s, vnt_event_fn fn, void *ctx);
/* Wait up to timeout_ms for records (or just sleep when there is no ring
 * buffer). Returns the number of records consumed or -errno. */
int vnt_session_poll(struct vnt_session *s, int timeout_ms);
uint64_t vnt_session_events_delivered(struct vnt_session *s);

/* Internals shared with attach.c and reader.c. */
struct bpf_object *vnt_session_object(struct vnt_session *s);
const struct vnt_plan *vnt_session_plan(struct vnt_session *s);

#endif
