/* vnt-agent: runs the hops of a dispatched trace on this host. See
 * tools/vnt-agent.c for the command line and doc/protocol.md for what
 * is spoken. The pieces:
 *   agent_config.c  defaults, /etc/vnt/agent.conf, limits
 *   agent_server.c  TCP listener, one process per connection
 *   agent_conn.c    the protocol state machine of one connection
 *   agent_trace.c   a loaded trace: limits, attach, snapshots, events, CPU
 *   agent_log.c     timestamped log lines on stderr (journald keeps them)
 *   metrics.c       the Prometheus metrics page of the traces */
#ifndef VNT_AGENT_H
#define VNT_AGENT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNT_AGENT_CONFIG "/etc/vnt/agent.conf"
#define VNT_AGENT_PORT "7878"

struct vnt_agent_config {
	char *listen;           /* "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (all addresses) */
	char *cert, *key, *ca;  /* PEM files: own certificate and key, CA of the dispatchers */
	char *name;             /* host name reported to the dispatcher (default: hostname) */
	int timeout_s;          /* a dispatcher silent this long is gone: detach */
	int handshake_timeout_s;
	int max_traces;         /* connections (each runs at most one trace) at once */
	int max_programs;       /* BPF programs one trace may load */
	uint64_t max_map_bytes; /* BPF map memory one trace may create (see agent_trace.c) */
	uint64_t max_cpu_ms;    /* BPF run time one trace may use in total; 0: no limit */
	char *metrics;          /* where Prometheus scrapes the traces (HOST:PORT); NULL: not served */
	int metrics_keep_s;     /* an ended trace's final counts stay on the metrics page this long */
};

void vnt_agent_config_defaults(struct vnt_agent_config *c);
void vnt_agent_config_free(struct vnt_agent_config *c);
/* One setting by its config-file key; 0 or -1 with a sentence in err. */
int vnt_agent_config_set(struct vnt_agent_config *c, const char *key, const char *val, char *err, size_t errlen);
/* key = value lines, '#' comments. A missing file is an error only when
 * must_exist (it was named with --config). */
int vnt_agent_config_load(struct vnt_agent_config *c, const char *path, bool must_exist, char *err, size_t errlen);
void vnt_agent_config_print(const struct vnt_agent_config *c);

/* Set by SIGTERM/SIGINT: everything attached is detached and the agent ends. */
extern volatile sig_atomic_t vnt_agent_stop;
void vnt_agent_signals(void);

/* Speak the protocol on one connection until it ends; returns 0 if the
 * dispatcher said BYE, 1 otherwise. `busy`: the agent already runs
 * max_traces traces, so a LOAD is refused. */
struct vnt_conn;
int vnt_agent_serve(const struct vnt_agent_config *cfg, struct vnt_conn *conn, const char *peer, bool busy);

/* Listen on cfg->listen with TLS and serve until stopped; exit status. */
int vnt_agent_listen(const struct vnt_agent_config *cfg);

/* The metrics page (runtime/agent/metrics.c). start: binds cfg->metrics
 * (an error naming it when in use or malformed), makes the directory the
 * traces publish into and forks the process that serves it; nothing to do
 * without cfg->metrics. stop: ends that process, removes the directory.
 * publish: a trace's snapshot onto the page (in the connection's process). */
struct vnt_snapshot;
int vnt_agent_metrics_start(const struct vnt_agent_config *cfg, char *err, size_t errlen);
void vnt_agent_metrics_stop(void);
void vnt_agent_metrics_publish(int trace, const struct vnt_snapshot *snap);

void vnt_agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
