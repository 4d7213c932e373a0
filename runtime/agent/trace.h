/* One trace as an agent runs it (agent_trace.c): the package verified,
 * this host's hops loaded within the configured limits, attached on
 * START, snapshots and raw records sent as they come, everything
 * detached when it is freed. Used by agent_conn.c only. */
#ifndef VNT_AGENT_TRACE_H
#define VNT_AGENT_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include "runtime/agent/agent.h"
#include "runtime/proto/proto.h"

struct agent_trace;
/* Sends one message to the dispatcher; 0 or -1 (the connection is gone). */
typedef int (*agent_send_fn)(void *ctx, int type, const struct vnt_wbuf *payload);
/* A whole frame (header and payload) as it is, with no copy: 0 or -1. */
typedef int (*agent_send_frame_fn)(void *ctx, const struct vnt_wbuf *frame);

/* Verify, check features and limits, load. On success fills `ok` with
 * the LOAD_OK payload; on failure NULL with an error code and sentence. */
struct agent_trace *agent_trace_load(const struct vnt_agent_config *cfg, const struct vnt_load *req,
				     agent_send_fn send, agent_send_frame_fn send_frame, void *ctx, struct vnt_wbuf *ok,
				     uint16_t *code, char *err, size_t errlen);
/* Attach; *attached is the number of hops now attached. */
int agent_trace_start(struct agent_trace *t, int *attached, uint16_t *code, char *err, size_t errlen);
/* The ring buffer's epoll descriptor to poll, or -1 (no raw records). */
int agent_trace_fd(const struct agent_trace *t);
/* When (CLOCK_MONOTONIC ns) agent_trace_tick wants to run next. */
int64_t agent_trace_next(const struct agent_trace *t);
/* Send the snapshots that are due and check the CPU budget: -1 with a
 * code and sentence when the trace must stop. */
int agent_trace_tick(struct agent_trace *t, uint16_t *code, char *err, size_t errlen);
/* Send the raw records waiting in the ring buffer. 0 or -1. */
int agent_trace_pump(struct agent_trace *t);
/* Drain, send the final snapshots and STOPPED. 0 or -1. */
int agent_trace_stop(struct agent_trace *t);
/* Detach and unload everything (NULL is fine). */
void agent_trace_free(struct agent_trace *t);

#endif
