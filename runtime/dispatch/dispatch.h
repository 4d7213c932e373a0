/* vnt dispatch: send a control package to the agents of several hosts,
 * run it there, and collect what they send into the store.
 *   dispatch_hosts.c  the hosts file and --host list
 *   dispatch_conn.c   reaching an agent: TCP + mutual TLS, or a command's stdio
 *   dispatch_store.c  agent records -> store records
 *   dispatch.c        the run: hello, clocks, load, start, stream, stop */
#ifndef VNT_DISPATCH_H
#define VNT_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "runtime/proto/proto.h"
#include "runtime/collector/store.h"

struct vnt_dispatch_host {
	char *name;
	char *addr;             /* "HOST:PORT" for TLS, NULL for stdio */
	char *port;             /* split from addr */
	char *host;
	char *cmd;              /* stdio: shell command that runs `vnt-agent --stdio` */
	int nhops;              /* hops this host runs (names); 0: all */
	char **hops;
};

struct vnt_dispatch_hosts {
	int n;
	struct vnt_dispatch_host *h;
};

/* Lines "NAME ADDR:PORT [hops=a,b]" or "NAME stdio:COMMAND..."; '#'
 * comments. 0, or -1 with "FILE:LINE: ..." in err. */
int vnt_dispatch_hosts_file(const char *path, struct vnt_dispatch_hosts *out, char *err, size_t errlen);
/* "NAME=ADDR:PORT,NAME=ADDR:PORT" (all hops on each). */
int vnt_dispatch_hosts_list(const char *spec, struct vnt_dispatch_hosts *out, char *err, size_t errlen);
void vnt_dispatch_hosts_free(struct vnt_dispatch_hosts *hs);

struct vnt_dispatch_opts {
	const char *pkg_path;
	const char *db;         /* store path */
	const char *engine;     /* store engine, NULL: default */
	double duration;        /* seconds; <= 0: the package's `for`, else until Ctrl-C */
	const char *cert, *key, *ca;
	int timeout_s;          /* an agent silent this long is gone; also connect/answer timeouts */
	uint32_t interval_ms;   /* snapshot interval for traces without `every` */
	int time_samples;       /* TIME exchanges per host */
	int connect_timeout_s;  /* keep trying an agent that refuses the connection this long (0: no retry) */
	int clock_every_ms;     /* measure each agent's clock this often while tracing (0: at the start only) */
	bool quiet;
};

/* Stop flag, set from a signal handler (Ctrl-C). */
extern volatile int vnt_dispatch_stop;

/* The whole run; returns the exit status (0 all hosts fine, 1 otherwise). */
int vnt_dispatch_run(const struct vnt_dispatch_opts *o, const struct vnt_dispatch_hosts *hs);

/* dispatch_conn.c */
struct vnt_conn;
typedef struct ssl_ctx_st SSL_CTX;
struct vnt_conn *dispatch_connect_tls(SSL_CTX *ctx, const struct vnt_dispatch_host *h, int timeout_ms, char *err,
				      size_t errlen);
/* dispatch_connect_tls, tried again every 200 ms while the agent refuses
 * the connection (not listening yet: a host just booted), for up to
 * retry_s seconds; then the last error, with how long it was tried. */
struct vnt_conn *dispatch_connect_retry(SSL_CTX *ctx, const struct vnt_dispatch_host *h, int timeout_ms, int retry_s,
					char *err, size_t errlen);
struct vnt_conn *dispatch_spawn(const struct vnt_dispatch_host *h, pid_t *pid, char *err, size_t errlen);
/* Wait for a spawned agent to exit, killing it after timeout_ms. */
void dispatch_reap(pid_t pid, int timeout_ms);

/* dispatch_store.c: hop names of the trace, by global hop id. */
struct dispatch_names {
	int nhops, ntraces;
	char **hop, **trace;   /* borrowed from a LOAD_OK */
	uint16_t *hop_trace;
};
/* Store n records of an EVENTS message for (run, host). 0 or -1 (err). */
int dispatch_store_events(const struct vnt_store_ops *ops, struct vnt_store *st, int64_t run, int64_t host,
			  const struct dispatch_names *nm, const struct vnt_events_msg *m, char *err, size_t errlen);

#endif
