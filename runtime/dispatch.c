/* One dispatch run (dispatch.h): every host is reached, greeted, has its
 * clock measured and the package loaded before any is started, so that a
 * refusal anywhere (package, feature, limit) stops the run before
 * anything is attached. Then all are started, their snapshots and raw
 * records go to the store as they arrive, and at the end (duration,
 * Ctrl-C, or every host gone) each is stopped and waited for. Errors are
 * printed with the host's name; any makes the exit status 1. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "runtime/clock.h"
#include "runtime/dispatch.h"
#include "runtime/tls.h"

volatile int vnt_dispatch_stop;

struct dhost {
	const struct vnt_dispatch_host *h;
	struct vnt_conn *c;
	pid_t pid;              /* stdio agent's process */
	struct vnt_frame_rx rx;
	char *kernel;
	double offset, unc;     /* agent + offset = collector, +/- unc (ns) */
	struct vnt_load_ok lo;
	bool loaded, running, stopped, failed;
	bool stop_sent;         /* we asked for STOPPED: an unasked one means the agent ended the trace */
	bool bye;
	int attached;
	uint64_t events, lost, snapshots;
	int64_t host_id, last_rx;
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
	int timeout_ms;
};

static void fail(struct dhost *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct dhost *d, const char *fmt, ...)
{
	if (d->failed)
		return;   /* the first error is the one that explains */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	d->failed = true;
	d->running = false;
	fprintf(stderr, "vnt: %s: error: %s\n", d->h->name, d->err);
}

static int send_msg(struct run *r, struct dhost *d, int type, const struct vnt_wbuf *w)
{
	char err[512];
	if (!d->c)
		return -1;
	if (vnt_conn_send_msg(d->c, type, w, r->timeout_ms, err, sizeof(err))) {
		fail(d, "%s", err);
		return -1;
	}
	return 0;
}

static int send_empty(struct run *r, struct dhost *d, int type) { return send_msg(r, d, type, NULL); }

static void send_u64(struct run *r, struct dhost *d, int type, uint64_t v)
{
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_u64(&w, v);
	send_msg(r, d, type, &w);
	vnt_w_free(&w);
}

/* An agent's ERROR, shown as it said it. */
static void agent_error(struct dhost *d, const struct vnt_frame *f)
{
	struct vnt_error e;
	if (vnt_dec_error(f->payload, f->len, &e)) {
		fail(d, "malformed ERROR from the agent");
		return;
	}
	fail(d, "%s", e.text);
	vnt_error_free(&e);
}

/* Wait for a message of `type` (the reply to a request). An ERROR, a BYE,
 * silence or the end of the stream fails the host. */
static int expect(struct run *r, struct dhost *d, int type, struct vnt_frame *f)
{
	char err[512];
	for (;;) {
		if (vnt_dispatch_stop) {
			fail(d, "interrupted");
			return -1;
		}
		int rc = vnt_conn_wait_frame(d->c, &d->rx, f, r->timeout_ms, err, sizeof(err));
		if (rc == 0 && vnt_dispatch_stop)
			continue;
		if (rc == 0) {
			fail(d, "no %s from the agent within %d s", vnt_msg_name(type), r->o->timeout_s);
			return -1;
		}
		if (rc < 0) {
			fail(d, "%s", err);
			return -1;
		}
		d->last_rx = vnt_monotonic_ns();
		if (f->type == type)
			return 0;
		if (f->type == VNT_MSG_ERROR) {
			agent_error(d, f);
			return -1;
		}
		if (f->type == VNT_MSG_PING) {
			uint64_t nonce;
			if (!vnt_dec_u64(f->payload, f->len, &nonce))
				send_u64(r, d, VNT_MSG_PONG, nonce);
			continue;
		}
		if (f->type == VNT_MSG_PONG)
			continue;
		fail(d, "protocol error: %s from the agent while waiting for %s", vnt_msg_name(f->type),
		     vnt_msg_name(type));
		return -1;
	}
}

static int hello(struct run *r, struct dhost *d)
{
	char me[256] = "vnt";
	gethostname(me, sizeof(me));
	me[sizeof(me) - 1] = '\0';
	struct vnt_hello h = { .vmin = VNT_PROTO_VERSION, .vmax = VNT_PROTO_VERSION, .name = me };
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_hello(&w, &h);
	int rc = send_msg(r, d, VNT_MSG_HELLO, &w);
	vnt_w_free(&w);
	struct vnt_frame f;
	struct vnt_hello_ok ok;
	if (rc || expect(r, d, VNT_MSG_HELLO_OK, &f))
		return -1;
	if (vnt_dec_hello_ok(f.payload, f.len, &ok)) {
		fail(d, "malformed HELLO_OK from the agent");
		return -1;
	}
	d->kernel = strdup(ok.kernel);
	if (!r->o->quiet)
		fprintf(stderr, "vnt: %s: agent %s on '%s', kernel %s\n", d->h->name, ok.agent, ok.host, ok.kernel);
	vnt_hello_ok_free(&ok);
	return 0;
}

/* NTP-style: several exchanges, the one with the least round trip. */
static int clock_sync(struct run *r, struct dhost *d)
{
	int n = r->o->time_samples > 0 ? r->o->time_samples : 8;
	struct vnt_time_sample *s = calloc((size_t)n, sizeof(*s));
	if (!s)
		return -1;
	int got = 0;
	for (int i = 0; i < n; i++) {
		struct vnt_time t = { .t1 = vnt_realtime_ns() };
		struct vnt_wbuf w;
		vnt_w_init(&w);
		vnt_enc_time(&w, &t);
		int rc = send_msg(r, d, VNT_MSG_TIME, &w);
		vnt_w_free(&w);
		struct vnt_frame f;
		if (rc || expect(r, d, VNT_MSG_TIME, &f))
			break;
		int64_t t4 = vnt_realtime_ns();
		struct vnt_time back;
		if (vnt_dec_time(f.payload, f.len, &back) || back.t1 != t.t1) {
			fail(d, "malformed TIME answer from the agent");
			break;
		}
		s[got++] = (struct vnt_time_sample){ back.t1, back.t2, back.t3, t4 };
	}
	int rc = d->failed ? -1 : vnt_clock_estimate(s, got, &d->offset, &d->unc);
	free(s);
	if (rc && !d->failed)
		fail(d, "cannot estimate the agent's clock offset");
	return rc;
}

static int send_load(struct run *r, struct dhost *d, const void *pkg, size_t len)
{
	struct vnt_load m = { .interval_ms = r->o->interval_ms, .flags = VNT_LOAD_EVENTS, .nhops = d->h->nhops,
			      .hops = d->h->hops, .pkg = pkg, .pkg_len = len };
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_load(&w, &m);
	int rc = send_msg(r, d, VNT_MSG_LOAD, &w);
	vnt_w_free(&w);
	return rc;
}

static int load_ok(struct run *r, struct dhost *d)
{
	struct vnt_frame f;
	if (expect(r, d, VNT_MSG_LOAD_OK, &f))
		return -1;
	if (vnt_dec_load_ok(f.payload, f.len, &d->lo)) {
		fail(d, "malformed LOAD_OK from the agent");
		return -1;
	}
	d->loaded = true;
	return 0;
}

static void names_of(const struct dhost *d, struct dispatch_names *nm)
{
	nm->nhops = d->lo.nhops;
	nm->ntraces = d->lo.ntraces;
	nm->hop = d->lo.hop_names;
	nm->trace = d->lo.traces;
	nm->hop_trace = d->lo.hop_trace;
}

static void store_fail(struct run *r, const char *what)
{
	if (!r->store_failed)
		fprintf(stderr, "vnt: error: the store (%s) refused %s; stopping\n", r->o->db, what);
	r->store_failed = true;
	vnt_dispatch_stop = 1;
}

/* A message from a started agent. */
static void handle(struct run *r, struct dhost *d, const struct vnt_frame *f)
{
	char err[512];
	switch (f->type) {
	case VNT_MSG_SNAPSHOT: {
		struct vnt_snapshot_msg m;
		if (vnt_dec_snapshot(f->payload, f->len, &m)) {
			fail(d, "malformed SNAPSHOT from the agent");
			return;
		}
		d->snapshots++;
		if (r->ops->add_snapshot(r->st, r->run_id, d->host_id, m.json))
			store_fail(r, "a snapshot");
		vnt_snapshot_msg_free(&m);
		return;
	}
	case VNT_MSG_EVENTS: {
		struct vnt_events_msg m;
		struct dispatch_names nm;
		if (vnt_dec_events(f->payload, f->len, &m)) {
			fail(d, "malformed EVENTS from the agent");
			return;
		}
		names_of(d, &nm);
		int rc = dispatch_store_events(r->ops, r->st, r->run_id, d->host_id, &nm, &m, err, sizeof(err));
		if (rc < 0)
			store_fail(r, "events");
		else if (rc > 0)
			fprintf(stderr, "vnt: %s: warning: %s\n", d->h->name, err);
		d->events += m.n;
		d->lost = m.lost;
		return;
	}
	case VNT_MSG_STOPPED: {
		struct vnt_stopped s;
		if (vnt_dec_stopped(f->payload, f->len, &s)) {
			fail(d, "malformed STOPPED from the agent");
			return;
		}
		if (s.events != d->events)
			fprintf(stderr, "vnt: %s: warning: the agent sent %llu events, %llu arrived\n", d->h->name,
				(unsigned long long)s.events, (unsigned long long)d->events);
		d->lost = s.lost;
		d->stopped = true;
		d->running = false;
		/* Unasked (the agent is stopping): its BYE, which follows, says why. */
		return;
	}
	case VNT_MSG_ERROR:
		agent_error(d, f);
		return;
	case VNT_MSG_BYE: {
		char *why = NULL;
		vnt_dec_str(f->payload, f->len, &why);
		if (!d->stop_sent)
			fail(d, "the agent ended the trace: %s", why ? why : "no reason given");
		free(why);
		d->running = false;
		d->bye = true;
		return;
	}
	case VNT_MSG_PING: {
		uint64_t nonce;
		if (!vnt_dec_u64(f->payload, f->len, &nonce))
			send_u64(r, d, VNT_MSG_PONG, nonce);
		return;
	}
	case VNT_MSG_PONG:
	case VNT_MSG_STARTED:
		return;
	default:
		fail(d, "protocol error: unexpected %s from the agent", vnt_msg_name(f->type));
	}
}

/* Read and handle what every live host sent, waiting up to wait_ms. */
static void pump(struct run *r, int wait_ms)
{
	struct pollfd *pf = calloc((size_t)r->n, sizeof(*pf));
	if (!pf)
		return;
	bool pending = false;
	for (int i = 0; i < r->n; i++) {
		struct dhost *d = &r->d[i];
		bool live = d->c && !d->failed && !d->bye && (d->running || d->loaded);
		pf[i].fd = live ? vnt_conn_fd(d->c) : -1;
		pf[i].events = POLLIN;
		pending |= live && vnt_conn_pending(d->c);
	}
	int rc = poll(pf, (nfds_t)r->n, pending ? 0 : wait_ms);
	for (int i = 0; rc >= 0 && i < r->n; i++) {
		struct dhost *d = &r->d[i];
		if (pf[i].fd < 0 || (!pf[i].revents && !vnt_conn_pending(d->c)))
			continue;
		char err[512];
		if (vnt_conn_recv(d->c, &d->rx, err, sizeof(err)) < 0) {
			fail(d, "connection lost: %s", err);
			continue;
		}
		d->last_rx = vnt_monotonic_ns();
		struct vnt_frame f;
		int fr;
		while (!d->failed && (fr = vnt_rx_next(&d->rx, &f, err, sizeof(err))) != 0) {
			if (fr < 0) {
				fail(d, "protocol error: %s", err);
				break;
			}
			handle(r, d, &f);
		}
	}
	free(pf);
}

/* Hosts silent past the timeout are gone. */
static void check_silence(struct run *r)
{
	int64_t now = vnt_monotonic_ns();
	for (int i = 0; i < r->n; i++) {
		struct dhost *d = &r->d[i];
		if ((d->running || (d->loaded && !d->stopped) || (d->stopped && !d->stop_sent)) && !d->failed && !d->bye &&
		    now - d->last_rx > (int64_t)r->timeout_ms * 1000000)
			fail(d, "the agent has been silent for %d s", r->o->timeout_s);
	}
}

static int any_running(const struct run *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->d[i].running)
			return 1;
	return 0;
}

/* Hosts whose agent stopped the trace unasked and has not said why yet. */
static int any_unexplained(const struct run *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->d[i].stopped && !r->d[i].stop_sent && !r->d[i].bye && !r->d[i].failed)
			return 1;
	return 0;
}

static int any_failed(const struct run *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->d[i].failed)
			return 1;
	return 0;
}

/* The plan part of a package manifest (compiler/manifest.c's document,
 * which the store reads hops and traces from), malloc'd; the text itself
 * if it has no "plan". */
static char *plan_json(const char *manifest)
{
	json_object *root = json_tokener_parse(manifest), *plan;
	char *out = root && json_object_object_get_ex(root, "plan", &plan)
			    ? strdup(json_object_to_json_string_ext(plan, JSON_C_TO_STRING_PLAIN))
			    : strdup(manifest);
	json_object_put(root);
	return out;
}

/* The package's own `for`, the longest of its traces (seconds), or 0. */
static double manifest_duration(const char *manifest)
{
	char *plan = plan_json(manifest);
	json_object *root = plan ? json_tokener_parse(plan) : NULL, *traces;
	double best = 0;
	if (root && json_object_object_get_ex(root, "traces", &traces) && json_object_is_type(traces, json_type_array))
		for (size_t i = 0; i < json_object_array_length(traces); i++) {
			json_object *fo;
			if (json_object_object_get_ex(json_object_array_get_idx(traces, i), "for_ns", &fo) &&
			    json_object_get_int64(fo) / 1e9 > best)
				best = (double)json_object_get_int64(fo) / 1e9;
		}
	json_object_put(root);
	free(plan);
	return best;
}

static void stream(struct run *r, double duration)
{
	int64_t start = vnt_monotonic_ns(), next_ping = start + 1000000000LL;
	int64_t end = duration > 0 ? start + (int64_t)(duration * 1e9) : INT64_MAX;
	uint64_t nonce = 0;
	while (!vnt_dispatch_stop && any_running(r)) {
		int64_t now = vnt_monotonic_ns();
		if (now >= end)
			break;
		int64_t wait = (end - now) / 1000000;
		pump(r, wait > 200 ? 200 : (int)wait);
		if (vnt_monotonic_ns() >= next_ping) {
			next_ping += 1000000000LL;
			nonce++;
			for (int i = 0; i < r->n; i++)
				if (r->d[i].running)
					send_u64(r, &r->d[i], VNT_MSG_PING, nonce);
		}
		check_silence(r);
	}
}

static void stop_all(struct run *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->d[i].running) {
			r->d[i].stop_sent = true;
			send_empty(r, &r->d[i], VNT_MSG_STOP);
		}
	/* Ctrl-C again does not cut this short: the agents' last data and
	 * their detaching are what STOP waits for; the timeout bounds it. */
	vnt_dispatch_stop = 0;
	int64_t now = vnt_monotonic_ns();
	for (int i = 0; i < r->n; i++)
		r->d[i].last_rx = r->d[i].running ? now : r->d[i].last_rx;
	while (any_running(r) || any_unexplained(r)) {
		pump(r, 200);
		check_silence(r);
	}
}

static void status_lines(const struct run *r)
{
	for (int i = 0; i < r->n; i++) {
		const struct dhost *d = &r->d[i];
		if (d->failed) {
			printf("%s: FAILED: %s\n", d->h->name, d->err);
			continue;
		}
		char hops[1024] = "";
		size_t k = 0;
		for (int j = 0; j < d->lo.nhops && k < sizeof(hops); j++)
			if (d->lo.hop_mine[j])
				k += (size_t)snprintf(hops + k, sizeof(hops) - k, "%s%s", k ? "," : "", d->lo.hop_names[j]);
		printf("%s: %d hop%s attached (%s), %llu events, %llu lost, %llu snapshots, clock offset %+.3f ms +/- %.3f ms\n",
		       d->h->name, d->attached, d->attached == 1 ? "" : "s", hops, (unsigned long long)d->events,
		       (unsigned long long)d->lost, (unsigned long long)d->snapshots, d->offset / 1e6, d->unc / 1e6);
	}
	fflush(stdout);
}

static int connect_all(struct run *r)
{
	char err[1024];
	SSL_CTX *ctx = NULL;
	for (int i = 0; i < r->n && !vnt_dispatch_stop; i++) {
		struct dhost *d = &r->d[i];
		if (d->h->cmd) {
			d->c = dispatch_spawn(d->h, &d->pid, err, sizeof(err));
		} else {
			if (!ctx) {
				ctx = vnt_tls_client_ctx(r->o->cert, r->o->key, r->o->ca, err, sizeof(err));
				if (!ctx) {
					fprintf(stderr, "vnt: error: TLS: %s\n", err);
					return -1;
				}
			}
			d->c = dispatch_connect_tls(ctx, d->h, r->timeout_ms, err, sizeof(err));
		}
		if (!d->c) {
			fail(d, "%s", err);
			continue;
		}
		d->last_rx = vnt_monotonic_ns();
		if (!hello(r, d))
			clock_sync(r, d);
	}
	vnt_tls_ctx_free(ctx);
	return any_failed(r) || vnt_dispatch_stop ? -1 : 0;
}

static int load_all(struct run *r)
{
	size_t len;
	FILE *f = fopen(r->o->pkg_path, "rb");
	if (!f) {
		fprintf(stderr, "vnt: error: cannot read %s: %s\n", r->o->pkg_path, strerror(errno));
		return -1;
	}
	/* The agents verify the package; here it is only bytes to send. */
	char *buf = NULL;
	size_t cap = 0;
	len = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			char *nb = cap <= VNT_PROTO_MAX_FRAME ? realloc(buf, cap) : NULL;
			if (!nb) {
				fprintf(stderr, "vnt: error: %s is too large to send (limit %u bytes)\n", r->o->pkg_path,
					VNT_PROTO_MAX_FRAME - 64);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (!got)
			break;
	}
	fclose(f);
	for (int i = 0; i < r->n; i++)
		send_load(r, &r->d[i], buf, len);
	free(buf);
	for (int i = 0; i < r->n; i++)
		if (!r->d[i].failed)
			load_ok(r, &r->d[i]);
	return any_failed(r) ? -1 : 0;
}

static int store_begin(struct run *r)
{
	char err[1024];
	const struct dhost *first = &r->d[0];
	char *plan = plan_json(first->lo.manifest);
	int rc = plan ? r->ops->begin_run(r->st, first->lo.script, plan, vnt_realtime_ns(), &r->run_id) : -1;
	free(plan);
	if (rc) {
		fprintf(stderr, "vnt: error: cannot record the run in %s\n", r->o->db);
		return -1;
	}
	r->have_run = true;
	for (int i = 0; i < r->n; i++) {
		struct dhost *d = &r->d[i];
		if (r->ops->add_host(r->st, r->run_id, d->h->name, d->offset, d->unc, &d->host_id)) {
			snprintf(err, sizeof(err), "host %s", d->h->name);
			store_fail(r, err);
			return -1;
		}
	}
	return 0;
}

static int start_all(struct run *r)
{
	for (int i = 0; i < r->n; i++)
		send_empty(r, &r->d[i], VNT_MSG_START);
	for (int i = 0; i < r->n; i++) {
		struct dhost *d = &r->d[i];
		struct vnt_frame f;
		uint64_t n;
		if (d->failed || expect(r, d, VNT_MSG_STARTED, &f))
			continue;
		if (vnt_dec_u64(f.payload, f.len, &n)) {
			fail(d, "malformed STARTED from the agent");
			continue;
		}
		d->attached = (int)n;
		d->running = true;
	}
	return any_failed(r) ? -1 : 0;
}

static void finish(struct run *r, const char *status)
{
	for (int i = 0; i < r->n; i++) {
		struct dhost *d = &r->d[i];
		if (d->c) {
			/* BYE even after a failure: the agent detaches at once
			 * instead of waiting out its timeout. */
			struct vnt_wbuf w;
			vnt_w_init(&w);
			vnt_w_str(&w, status);
			char err[256];
			vnt_conn_send_msg(d->c, VNT_MSG_BYE, &w, 1000, err, sizeof(err));
			vnt_w_free(&w);
			vnt_conn_close(d->c);
			d->c = NULL;
		}
		dispatch_reap(d->pid, 3000);
		if (r->have_run && !r->store_failed)
			r->ops->host_status(r->st, d->host_id, d->failed ? d->err : "ok", d->events, d->lost);
	}
	if (r->have_run && !r->store_failed)
		r->ops->end_run(r->st, r->run_id, vnt_realtime_ns(), status);
}

int vnt_dispatch_run(const struct vnt_dispatch_opts *o, const struct vnt_dispatch_hosts *hs)
{
	struct run r = { .o = o, .n = hs->n, .timeout_ms = (o->timeout_s > 0 ? o->timeout_s : 10) * 1000 };
	char err[1024];
	r.ops = vnt_store_engine(o->engine);
	if (!r.ops) {
		fprintf(stderr, "vnt: error: no store engine '%s'\n", o->engine);
		return 1;
	}
	/* The store first: a bad --db fails before any host is touched. */
	if (r.ops->open(o->db, &r.st, err, sizeof(err))) {
		fprintf(stderr, "vnt: error: %s\n", err);
		return 1;
	}
	r.d = calloc((size_t)hs->n, sizeof(*r.d));
	if (!r.d) {
		r.ops->close(r.st);
		return 1;
	}
	for (int i = 0; i < hs->n; i++) {
		r.d[i].h = &hs->h[i];
		vnt_rx_init(&r.d[i].rx);
	}
	const char *status = "failed";
	if (connect_all(&r) || load_all(&r) || store_begin(&r) || start_all(&r)) {
		stop_all(&r);   /* hosts that did start are stopped in order */
		goto out;
	}
	double duration = o->duration > 0 ? o->duration : manifest_duration(r.d[0].lo.manifest);
	int hops = 0;
	for (int i = 0; i < r.n; i++)
		hops += r.d[i].attached;
	if (!o->quiet)
		fprintf(stderr, "vnt: %d host%s, %d hop%s attached; tracing%s%.*f%s... Ctrl-C to stop\n", r.n,
			r.n == 1 ? "" : "s", hops, hops == 1 ? "" : "s", duration > 0 ? " for " : "",
			duration > 0 ? 1 : 0, duration > 0 ? duration : 0.0, duration > 0 ? "s" : "");
	stream(&r, duration);
	bool interrupted = vnt_dispatch_stop;
	stop_all(&r);
	status = r.store_failed || any_failed(&r) ? "failed" : interrupted ? "interrupted" : "ok";
out:
	finish(&r, status);
	int rc = any_failed(&r) || r.store_failed ? 1 : 0;
	status_lines(&r);
	if (!o->quiet && r.have_run)
		fprintf(stderr, "vnt: run %lld stored in %s\n", (long long)r.run_id, o->db);
	for (int i = 0; i < r.n; i++) {
		vnt_rx_free(&r.d[i].rx);
		vnt_load_ok_free(&r.d[i].lo);
		free(r.d[i].kernel);
	}
	free(r.d);
	r.ops->close(r.st);
	return rc;
}
