/* The metrics endpoint: an HTTP server (libmicrohttpd) that answers
 * GET /metrics with a page in the Prometheus text format (prometheus.h).
 * `vnt run --metrics ADDR` serves its own traces' snapshots; the agent
 * serves the pages its traces publish (runtime/agent/metrics.c). */
#ifndef VNT_METRICS_HTTP_H
#define VNT_METRICS_HTTP_H

#include <stddef.h>

/* Binds and listens on ADDR: "HOST:PORT", "[ADDR6]:PORT", ":PORT" (all
 * addresses) or "PORT". Done before anything is attached, so that an
 * address in use or malformed is an error naming it and nothing else
 * happens. The socket (close-on-exec), or -1 with a sentence in err. */
int vnt_metrics_bind(const char *addr, char *err, size_t errlen);

/* Serves on the socket fd (taken, closed by stop) from libmicrohttpd's
 * own thread. page(ctx) runs in that thread for each request and returns
 * the page (malloc'd, freed by the server) or NULL (503). A process that
 * starts the server must not fork afterwards (except to exec): a child
 * of a threaded process may inherit a lock held by the thread. */
struct vnt_metrics_http;
struct vnt_metrics_http *vnt_metrics_http_start(int fd, char *(*page)(void *ctx), void *ctx, char *err,
						size_t errlen);
void vnt_metrics_http_stop(struct vnt_metrics_http *h);

#endif
