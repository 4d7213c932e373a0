/* Requests to one agent and their answers, in the order of a run:
 * HELLO, TIME (clock offset), LOAD, START. Every failure is recorded on
 * the host and printed with its name (dhost_fail); the first one stays. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/proto/clock.h"
#include "runtime/dispatch/run.h"
#include "runtime/proto/tls.h"

/* Loading runs the verifier and attaching may wait for the kernel: on a
 * busy host that takes longer than an answer to a PING. */
#define LOAD_WAIT_MS(r) ((r)->timeout_ms > 120000 ? (r)->timeout_ms : 120000)

void dhost_fail(struct dhost *d, const char *fmt, ...)
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

int dhost_send(struct run *r, struct dhost *d, int type, const struct vnt_wbuf *w)
{
	char err[512];
	if (!d->c)
		return -1;
	if (vnt_conn_send_msg(d->c, type, w, r->timeout_ms, err, sizeof(err))) {
		dhost_fail(d, "%s", err);
		return -1;
	}
	return 0;
}


void dhost_send_u64(struct run *r, struct dhost *d, int type, uint64_t v)
{
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_u64(&w, v);
	dhost_send(r, d, type, &w);
	vnt_w_free(&w);
}

/* An agent's ERROR, shown as it said it. */
void dhost_agent_error(struct dhost *d, const struct vnt_frame *f)
{
	struct vnt_error e;
	if (vnt_dec_error(f->payload, f->len, &e)) {
		dhost_fail(d, "malformed ERROR from the agent");
		return;
	}
	dhost_fail(d, "%s", e.text);
	vnt_error_free(&e);
}

/* With TLS 1.3 the agent refuses a client certificate after our side of
 * the handshake is done: the refusal arrives as an alert on the first
 * read. Say what it means. */
static const char *tls_hint(const char *err)
{
	if (strstr(err, "alert certificate required"))
		return " (the agent requires a client certificate: --cert and --key, signed by the CA it trusts)";
	if (strstr(err, "alert unknown ca") || strstr(err, "alert bad certificate") ||
	    strstr(err, "alert certificate unknown") || strstr(err, "alert certificate expired"))
		return " (the agent refused this dispatcher's certificate: it must be valid and signed by the CA the agent trusts)";
	return "";
}

/* Every agent still on the line hears from us once a second (but `busy`,
 * the one being waited for): an agent takes a dispatcher silent past its
 * timeout for gone, and one host's slow setup or drain is no silence. */
void dispatch_keepalive(struct run *r, const struct dhost *busy)
{
	int64_t now = vnt_monotonic_ns();
	if (now - r->last_keepalive < 1000000000LL)
		return;
	r->last_keepalive = now;
	for (int i = 0; i < r->n; i++) {
		struct dhost *d = &r->d[i];
		if (d != busy && d->c && !d->failed && !d->bye)
			dhost_send_u64(r, d, VNT_MSG_PING, 0);
	}
}

/* Wait up to wait_ms for a message of `type` (the reply to a request).
 * An ERROR, a BYE, the time running out or the end of the stream fails
 * the host. */
static int expect(struct run *r, struct dhost *d, int type, struct vnt_frame *f, int wait_ms)
{
	char err[512];
	int64_t deadline = vnt_monotonic_ns() + (int64_t)wait_ms * 1000000;
	for (;;) {
		if (vnt_dispatch_stop) {
			dhost_fail(d, "interrupted");
			return -1;
		}
		dispatch_keepalive(r, d);
		int rc = vnt_conn_wait_frame(d->c, &d->rx, f, 1000, err, sizeof(err));
		if (rc == 0 && (vnt_dispatch_stop || vnt_monotonic_ns() < deadline))
			continue;
		if (rc == 0) {
			dhost_fail(d, "no %s from the agent within %d s", vnt_msg_name(type), wait_ms / 1000);
			return -1;
		}
		if (rc < 0) {
			dhost_fail(d, "%s%s", err, tls_hint(err));
			return -1;
		}
		d->last_rx = vnt_monotonic_ns();
		if (f->type == type)
			return 0;
		if (f->type == VNT_MSG_ERROR) {
			dhost_agent_error(d, f);
			return -1;
		}
		if (f->type == VNT_MSG_PING) {
			uint64_t nonce;
			if (!vnt_dec_u64(f->payload, f->len, &nonce))
				dhost_send_u64(r, d, VNT_MSG_PONG, nonce);
			continue;
		}
		if (f->type == VNT_MSG_PONG)
			continue;
		dhost_fail(d, "protocol error: %s from the agent while waiting for %s", vnt_msg_name(f->type),
		     vnt_msg_name(type));
		return -1;
	}
}

int dhost_hello(struct run *r, struct dhost *d)
{
	char me[256] = "vnt";
	gethostname(me, sizeof(me));
	me[sizeof(me) - 1] = '\0';
	struct vnt_hello h = { .vmin = VNT_PROTO_VERSION, .vmax = VNT_PROTO_VERSION, .name = me };
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_hello(&w, &h);
	int rc = dhost_send(r, d, VNT_MSG_HELLO, &w);
	vnt_w_free(&w);
	struct vnt_frame f;
	struct vnt_hello_ok ok;
	if (rc || expect(r, d, VNT_MSG_HELLO_OK, &f, r->timeout_ms))
		return -1;
	if (vnt_dec_hello_ok(f.payload, f.len, &ok)) {
		dhost_fail(d, "malformed HELLO_OK from the agent");
		return -1;
	}
	d->kernel = strdup(ok.kernel);
	if (!r->o->quiet)
		fprintf(stderr, "vnt: %s: agent %s on '%s', kernel %s\n", d->h->name, ok.agent, ok.host, ok.kernel);
	vnt_hello_ok_free(&ok);
	return 0;
}

/* NTP-style: several exchanges, the one with the least round trip. */
int dhost_clock(struct run *r, struct dhost *d)
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
		int rc = dhost_send(r, d, VNT_MSG_TIME, &w);
		vnt_w_free(&w);
		struct vnt_frame f;
		if (rc || expect(r, d, VNT_MSG_TIME, &f, r->timeout_ms))
			break;
		int64_t t4 = vnt_realtime_ns();
		struct vnt_time back;
		if (vnt_dec_time(f.payload, f.len, &back) || back.t1 != t.t1) {
			dhost_fail(d, "malformed TIME answer from the agent");
			break;
		}
		s[got++] = (struct vnt_time_sample){ back.t1, back.t2, back.t3, t4 };
	}
	int rc = d->failed ? -1 : vnt_clock_estimate(s, got, &d->offset, &d->unc);
	/* The sample itself, with its times, for the clock track's first
	 * measurement (dispatch/clock_track.c). */
	for (int i = 0; !rc && i < got; i++) {
		int64_t rtt = (s[i].t4 - s[i].t1) - (s[i].t3 - s[i].t2);
		int64_t best = (d->clk_best.t4 - d->clk_best.t1) - (d->clk_best.t3 - d->clk_best.t2);
		if (rtt >= 0 && (!d->clk_have || rtt < best)) {
			d->clk_best = s[i];
			d->clk_have = true;
		}
	}
	free(s);
	if (rc && !d->failed)
		dhost_fail(d, "cannot estimate the agent's clock offset");
	return rc;
}

int dhost_send_load(struct run *r, struct dhost *d, const void *pkg, size_t len)
{
	uint32_t flags = VNT_LOAD_EVENTS | VNT_LOAD_PACKETS | (r->o->duration > 0 ? 0 : VNT_LOAD_TRACE_FOR);
	struct vnt_load m = { .interval_ms = r->o->interval_ms, .flags = flags, .nhops = d->h->nhops,
			      .hops = d->h->hops, .pkg = pkg, .pkg_len = len };
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_load(&w, &m);
	int rc = dhost_send(r, d, VNT_MSG_LOAD, &w);
	vnt_w_free(&w);
	return rc;
}

int dhost_load_ok(struct run *r, struct dhost *d)
{
	struct vnt_frame f;
	if (expect(r, d, VNT_MSG_LOAD_OK, &f, LOAD_WAIT_MS(r)))
		return -1;
	if (vnt_dec_load_ok(f.payload, f.len, &d->lo)) {
		dhost_fail(d, "malformed LOAD_OK from the agent");
		return -1;
	}
	d->loaded = true;
	return 0;
}

void dhost_names(const struct dhost *d, struct dispatch_names *nm)
{
	nm->nhops = d->lo.nhops;
	nm->ntraces = d->lo.ntraces;
	nm->hop = d->lo.hop_names;
	nm->trace = d->lo.traces;
	nm->hop_trace = d->lo.hop_trace;
}

/* STARTED, the answer to START: the number of hops attached. */
int dhost_started(struct run *r, struct dhost *d)
{
	struct vnt_frame f;
	uint64_t n;
	if (d->failed || expect(r, d, VNT_MSG_STARTED, &f, LOAD_WAIT_MS(r)))
		return -1;
	if (vnt_dec_u64(f.payload, f.len, &n)) {
		dhost_fail(d, "malformed STARTED from the agent");
		return -1;
	}
	d->attached = (int)n;
	d->started = d->running = true;
	return 0;
}
