/* The metrics endpoint (metrics_http.h) over libmicrohttpd: one internal
 * polling thread, a few connections at once (Prometheus scrapes with one),
 * no request bodies.
 *
 * Why dlopen and not the link line: Debian's libmicrohttpd links GnuTLS,
 * whose chain (p11-kit, nettle, gmp, libunistring...) is initialised when
 * the program starts, used or not: it raised the idle RSS of every
 * vnt-agent from 3.5 to 6.2 MB (bench agent_idle_rss), metrics or not.
 * Loaded here, only the process that serves pays for it. */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "runtime/output/metrics_http.h"
#include "lib/listen.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_Result_t;
#else
typedef enum MHD_Result MHD_Result_t;
#endif

#define VNT_MHD_SONAME "libmicrohttpd.so.12"

/* The library's functions this file calls, looked up by load_mhd(). */
static struct {
	struct MHD_Daemon *(*start)(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls,
				    MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	void (*stop)(struct MHD_Daemon *d);
	MHD_socket (*quiesce)(struct MHD_Daemon *d);
	struct MHD_Response *(*response)(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode);
	MHD_Result_t (*header)(struct MHD_Response *r, const char *header, const char *content);
	MHD_Result_t (*queue)(struct MHD_Connection *c, unsigned int status, struct MHD_Response *r);
	void (*destroy)(struct MHD_Response *r);
} mhd;

static int load_mhd(char *err, size_t errlen)
{
	if (mhd.start)
		return 0;
	void *h = dlopen(VNT_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "cannot load %s (%s): install libmicrohttpd12", VNT_MHD_SONAME, dlerror());
		return -1;
	}
	static const char *const names[] = { "MHD_start_daemon", "MHD_stop_daemon", "MHD_quiesce_daemon",
		"MHD_create_response_from_buffer", "MHD_add_response_header", "MHD_queue_response",
		"MHD_destroy_response" };
	void *f[7];
	for (int i = 0; i < 7; i++)
		if (!(f[i] = dlsym(h, names[i]))) {
			snprintf(err, errlen, "%s has no %s", VNT_MHD_SONAME, names[i]);
			dlclose(h);
			return -1;
		}
	/* POSIX: a function pointer converts from dlsym's void * like this. */
	memcpy(&mhd.stop, &f[1], sizeof(f[1]));
	memcpy(&mhd.quiesce, &f[2], sizeof(f[2]));
	memcpy(&mhd.response, &f[3], sizeof(f[3]));
	memcpy(&mhd.header, &f[4], sizeof(f[4]));
	memcpy(&mhd.queue, &f[5], sizeof(f[5]));
	memcpy(&mhd.destroy, &f[6], sizeof(f[6]));
	memcpy(&mhd.start, &f[0], sizeof(f[0]));
	return 0;
}

struct vnt_metrics_http {
	struct MHD_Daemon *d;
	char *(*page)(void *ctx);
	void *ctx;
};

int vnt_metrics_bind(const char *spec, char *err, size_t errlen)
{
	char host[256], port[32];
	int bad = vnt_listen_split(spec, host, sizeof(host), port, sizeof(port)), gai;
	if (bad) {
		snprintf(err, errlen, bad == 1 ? "bad metrics address '%s' (write [ADDR6]:PORT)" : "bad metrics address '%s'",
			 spec);
		return -1;
	}
	char *end;
	long pn = strtol(port, &end, 10);
	if (!port[0] || *end || pn < 1 || pn > 65535) {
		snprintf(err, errlen, "bad metrics address '%s': the port must be a number from 1 to 65535 "
			 "(write HOST:PORT, e.g. 127.0.0.1:9750, or :PORT for all addresses)", spec);
		return -1;
	}
	int fd = vnt_listen_tcp(host, port, 16, &gai);
	if (fd < 0 && gai)
		snprintf(err, errlen, "cannot listen for metrics on '%s': %s", spec, gai_strerror(gai));
	else if (fd < 0)
		snprintf(err, errlen, "cannot listen for metrics on '%s': %s%s", spec, strerror(errno),
			 errno == EADDRINUSE ? " (another program has it: choose another port)" : "");
	return fd;
}

static MHD_Result_t answer(struct MHD_Connection *c, unsigned code, char *body, const char *type)
{
	if (!body)
		return MHD_NO;
	struct MHD_Response *r = mhd.response(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	mhd.header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_Result_t ret = mhd.queue(c, code, r);
	mhd.destroy(r);
	return ret;
}

static MHD_Result_t handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			    const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct vnt_metrics_http *h = cls;
	(void)version;
	(void)upload;
	if (*upload_size) {   /* no bodies: drop what comes */
		*upload_size = 0;
		return MHD_YES;
	}
	if (!*state) {        /* headers only: answer on the next call */
		*state = h;
		return MHD_YES;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, strdup("only GET /metrics\n"), "text/plain");
	if (strcmp(url, "/metrics"))
		return answer(c, MHD_HTTP_NOT_FOUND, strdup("vNetTracer: the metrics are at /metrics\n"), "text/plain");
	char *page = h->page(h->ctx);
	if (!page)
		return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE, strdup("no metrics (out of memory)\n"), "text/plain");
	return answer(c, MHD_HTTP_OK, page, "text/plain; version=0.0.4; charset=utf-8");
}

struct vnt_metrics_http *vnt_metrics_http_start(int fd, char *(*page)(void *ctx), void *ctx, char *err,
						size_t errlen)
{
	if (load_mhd(err, errlen)) {
		close(fd);
		return NULL;
	}
	struct vnt_metrics_http *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	h->page = page;
	h->ctx = ctx;
	h->d = mhd.start(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, h,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_CONNECTION_LIMIT, 8u,
				MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "cannot start the metrics HTTP server (libmicrohttpd)");
		close(fd);
		free(h);
		return NULL;
	}
	return h;
}

void vnt_metrics_http_stop(struct vnt_metrics_http *h)
{
	if (!h)
		return;
	int fd = (int)mhd.quiesce(h->d);
	mhd.stop(h->d);
	if (fd >= 0)
		close(fd);
	free(h);
}
