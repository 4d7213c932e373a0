/* A loaded trace: the object opened from memory, rodata filled in for
 * this host (device indexes), programs loaded and attached by hop kind.
 * Closing it detaches everything; links are owned by file descriptors,
 * so even a killed process leaves nothing attached. */
#ifndef VNT_SESSION_H
#define VNT_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include "compiler/plan.h"
#include "runtime/output/snapshot.h"

struct vnt_session;

struct vnt_session *vnt_session_open(const void *obj, size_t len, const struct vnt_plan *plan,
				     char *err, size_t errlen);
/* The same, loading and attaching only the hops whose bit is set in
 * hop_mask (bit = global hop id): a host runs the hops that are its own. */
struct vnt_session *vnt_session_open_hops(const void *obj, size_t len, const struct vnt_plan *plan,
					  uint32_t hop_mask, char *err, size_t errlen);
int vnt_session_attach(struct vnt_session *s, char *err, size_t errlen);
/* Detach every hop (the programs stay loaded, the maps readable): after
 * this no new record or count arrives, so a final drain is finite and
 * the last snapshot is consistent with the records. */
void vnt_session_detach(struct vnt_session *s);
/* Detach the hops of one trace, at its own end (`for`). */
void vnt_session_detach_trace(struct vnt_session *s, int trace);
void vnt_session_close(struct vnt_session *s);

/* Read the maps of trace `trace` into snap (caller frees with
 * vnt_snapshot_free). 0 or -errno. */
int vnt_session_snapshot(struct vnt_session *s, int trace, struct vnt_snapshot *snap);

/* Raw events: fn gets every ring-buffer record (struct vnt_event as in
 * bpf-templates/vnt_events.h). 0, or -errno if the object has none. */
typedef int (*vnt_event_fn)(void *ctx, void *data, size_t size);
int vnt_session_events(struct vnt_session *s, vnt_event_fn fn, void *ctx);
/* Wait up to timeout_ms for records (or just sleep when there is no ring
 * buffer) and take at most VNT_SESSION_POLL_BUDGET of them, so a flood
 * cannot keep the caller from its clock. Returns the number of records
 * consumed or -errno (a callback's error). */
#define VNT_SESSION_POLL_BUDGET 65536u
int vnt_session_poll(struct vnt_session *s, int timeout_ms);
/* Take the records already there, at most max (0: all), without waiting.
 * The number taken or a callback's -errno. */
int vnt_session_consume(struct vnt_session *s, unsigned max);
/* The ring buffer's epoll descriptor (readable when records wait), or -1. */
int vnt_session_events_fd(struct vnt_session *s);
uint64_t vnt_session_events_delivered(struct vnt_session *s);

/* Internals shared with attach.c and reader.c. */
struct bpf_object *vnt_session_object(struct vnt_session *s);
const struct vnt_plan *vnt_session_plan(struct vnt_session *s);

#endif
