/* Internals of a dispatch run shared by dispatch.c (the run),
 * dispatch_host.c (requests to one agent) and dispatch_stream.c (what
 * agents send while tracing). */
#ifndef VNT_DISPATCH_RUN_H
#define VNT_DISPATCH_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "runtime/dispatch/dispatch.h"
#include "runtime/loader/package.h"
#include "runtime/proto/proto.h"
#include "runtime/collector/store.h"
#include "runtime/proto/clock.h"

struct dhost {
	const struct vnt_dispatch_host *h;
	struct vnt_conn *c;
	pid_t pid;              /* stdio agent's process */
	struct vnt_frame_rx rx;
	char *kernel;
	double offset, unc;     /* agent + offset = collector, +/- unc (ns) */
	struct vnt_load_ok lo;
	bool loaded, started, running, stopped, failed;
	bool stop_sent;         /* we asked for STOPPED: an unasked one means the agent ended the trace */
	bool bye;
	int attached;
	uint64_t events, lost, snapshots;
	int64_t host_id, last_rx;
	/* Clock tracking while tracing (runtime/dispatch/clock_track.c). */
	int64_t clk_next;        /* CLOCK_MONOTONIC ns of the next burst of TIME exchanges */
	int64_t clk_t1;          /* t1 of the exchange in flight, 0 none */
	int clk_left;            /* exchanges left in the burst */
	struct vnt_time_sample clk_best; /* the burst's least round trip so far */
	bool clk_have;
	int clk_samples;         /* measurements stored */
	double clk_last_offset, clk_max_unc, clk_min_unc;
	int clk_rejected;        /* bursts in a row whose best was too uncertain */
	char err[2048];
};

struct run {
	const struct vnt_dispatch_opts *o;
	struct dhost *d;
	int n;
	const struct vnt_store_ops *ops;
	struct vnt_store *st;
	int64_t run_id;
	bool have_run, store_failed;
	bool store_incomplete;   /* end_run: part of the run is spooled or lost */
	int timeout_ms;
	int64_t last_keepalive;  /* CLOCK_MONOTONIC ns of the last PING round */
	char *pkg;               /* the package's bytes, sent as they are */
	size_t pkg_len;
	struct vnt_package *parsed;  /* its plan: which hops each host runs */
	char abort[1024];        /* why the run stopped before every host started, "" if it did not */
};

/* dispatch.c: stop the run before (or while) starting hosts, for a reason
 * that is no one host's fault (TLS setup, the package). Printed once. */
void dispatch_abort(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* dispatch_assign.c: masks[k] = the hops host k runs; refuses (-1, err) a
 * hop that runs nowhere and a mix of hosts with and without hops=; warns
 * about a hop on two hosts of a trace joined across hosts. */
int dispatch_check_assignment(const struct vnt_plan *p, const struct vnt_dispatch_hosts *hs, uint32_t *masks,
			      bool quiet, char *err, size_t errlen);

/* dispatch_host.c */
void dhost_fail(struct dhost *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dhost_send(struct run *r, struct dhost *d, int type, const struct vnt_wbuf *w);
void dhost_send_u64(struct run *r, struct dhost *d, int type, uint64_t v);
void dispatch_keepalive(struct run *r, const struct dhost *busy);
void dhost_agent_error(struct dhost *d, const struct vnt_frame *f);
int dhost_hello(struct run *r, struct dhost *d);
int dhost_clock(struct run *r, struct dhost *d);
int dhost_send_load(struct run *r, struct dhost *d, const void *pkg, size_t len);
int dhost_load_ok(struct run *r, struct dhost *d);
int dhost_started(struct run *r, struct dhost *d);
void dhost_names(const struct dhost *d, struct dispatch_names *nm);

/* dispatch/clock_track.c: each agent's clock offset measured again every
 * clock_every_ms while tracing, each measurement stored (add_clock). */
void clock_track_tick(struct run *r);
/* A TIME answer while tracing. */
void clock_track_answer(struct run *r, struct dhost *d, const struct vnt_frame *f);
/* One last burst on every running host, waited for (at most 2 s). */
void clock_track_final(struct run *r);
/* The measurement made at the start (dhost_clock), stored. */
void clock_track_first(struct run *r, struct dhost *d);

/* dispatch_stream.c */
void dispatch_stream(struct run *r, double duration);
void dispatch_pump(struct run *r, int wait_ms);
void dispatch_stop_all(struct run *r);
void dispatch_store_fail(struct run *r, const char *what);
int dispatch_any_failed(const struct run *r);

#endif
