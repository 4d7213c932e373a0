/* One dispatcher connection, as the agent serves it: a poll loop over the
 * connection, the trace's ring buffer and its timers. States:
 *
 *   HELLO -> READY --LOAD--> LOADED --START--> RUNNING --STOP--> READY
 *
 * A malformed frame or a message out of place ends the connection with
 * an ERROR; a refused request (package, feature, limit, attach) is
 * answered with an ERROR and the connection stays usable. Whatever the
 * way out (BYE, end of stream, silence past the timeout, SIGTERM), the
 * trace is freed, which detaches everything it attached. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "config.h"
#include "runtime/agent/agent.h"
#include "runtime/agent/trace.h"
#include "runtime/proto/clock.h"
#include "runtime/proto/tls.h"

enum state { S_HELLO, S_READY, S_LOADED, S_RUNNING };

struct conn {
	const struct vnt_agent_config *cfg;
	struct vnt_conn *c;
	const char *peer;
	bool busy;
	enum state st;
	struct agent_trace *t;
	int64_t rx_real;        /* CLOCK_REALTIME when the last bytes arrived: t2 of TIME */
	bool dead;              /* the connection is over: a send failed, or a violation */
	bool bye;
	char why[512];          /* why the connection ended */
	bool send_failed;       /* the dispatcher is gone: nothing more to say to it */
};

static int send_msg(void *ctx, int type, const struct vnt_wbuf *w)
{
	struct conn *k = ctx;
	char err[256];
	if (k->dead)
		return -1;
	if (vnt_conn_send_msg(k->c, type, w, k->cfg->timeout_s * 1000, err, sizeof(err))) {
		snprintf(k->why, sizeof(k->why), "cannot send to the dispatcher: %s", err);
		k->dead = true;
		k->send_failed = true;
		return -1;
	}
	return 0;
}

static int send_frame(void *ctx, const struct vnt_wbuf *f)
{
	struct conn *k = ctx;
	char err[256];
	if (k->dead)
		return -1;
	if (vnt_conn_send(k->c, f->p, f->len, k->cfg->timeout_s * 1000, err, sizeof(err))) {
		snprintf(k->why, sizeof(k->why), "cannot send to the dispatcher: %s", err);
		k->dead = true;
		k->send_failed = true;
		return -1;
	}
	return 0;
}

static void send_error(struct conn *k, uint16_t code, const char *text)
{
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_error(&w, code, text);
	send_msg(k, VNT_MSG_ERROR, &w);
	vnt_w_free(&w);
}

/* A protocol violation: say so and end the connection. */
static void violation(struct conn *k, const char *fmt, const char *arg)
{
	char text[256];
	snprintf(text, sizeof(text), fmt, arg);
	send_error(k, VNT_ERR_PROTOCOL, text);
	snprintf(k->why, sizeof(k->why), "protocol error: %s", text);
	k->dead = true;
}

static void drop_trace(struct conn *k)
{
	agent_trace_free(k->t);
	k->t = NULL;
	k->st = S_READY;
}

static void features(char **out, int *n)
{
	*n = 0;
	out[(*n)++] = "btf";
	out[(*n)++] = "tp_btf";
	out[(*n)++] = "tcx";
	out[(*n)++] = "xdp";
	out[(*n)++] = "ringbuf";
	if (!access("/sys/bus/event_source/devices/kprobe/type", R_OK))
		out[(*n)++] = "kprobe";
}

static void on_hello(struct conn *k, const struct vnt_frame *f)
{
	struct vnt_hello h;
	if (vnt_dec_hello(f->payload, f->len, &h))
		return violation(k, "malformed %s", "HELLO");
	vnt_agent_log("dispatcher '%s' (%s) connected", h.name, k->peer);
	bool ok = h.vmin <= VNT_PROTO_VERSION && VNT_PROTO_VERSION <= h.vmax;
	vnt_hello_free(&h);
	if (!ok)
		return violation(k, "this agent speaks protocol version 1 only%s", "");
	struct utsname u;
	char host[256];
	uname(&u);
	if (gethostname(host, sizeof(host)))
		snprintf(host, sizeof(host), "%s", u.nodename);
	host[sizeof(host) - 1] = '\0';
	char *feat[8];
	struct vnt_hello_ok m = { .version = VNT_PROTO_VERSION, .host = k->cfg->name ? k->cfg->name : host,
				  .kernel = u.release, .agent = PACKAGE_VERSION, .features = feat };
	features(feat, &m.nfeatures);
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_hello_ok(&w, &m);
	send_msg(k, VNT_MSG_HELLO_OK, &w);
	vnt_w_free(&w);
	k->st = S_READY;
}

static void on_time(struct conn *k, const struct vnt_frame *f)
{
	struct vnt_time t;
	if (vnt_dec_time(f->payload, f->len, &t))
		return violation(k, "malformed %s", "TIME");
	t.t2 = vnt_agent_time(k->rx_real);
	struct vnt_wbuf w;
	vnt_w_init(&w);
	t.t3 = vnt_agent_time(vnt_realtime_ns());
	vnt_enc_time(&w, &t);
	send_msg(k, VNT_MSG_TIME, &w);
	vnt_w_free(&w);
}

static void on_load(struct conn *k, const struct vnt_frame *f)
{
	struct vnt_load req;
	if (vnt_dec_load(f->payload, f->len, &req))
		return violation(k, "malformed %s", "LOAD");
	char err[4096];
	uint16_t code = 0;
	if (k->busy) {
		snprintf(err, sizeof(err), "this agent already runs its maximum of %d traces (max_traces)",
			 k->cfg->max_traces);
		code = VNT_ERR_LIMIT;
	} else {
		struct vnt_wbuf ok;
		vnt_w_init(&ok);
		k->t = agent_trace_load(k->cfg, &req, send_msg, send_frame, k, &ok, &code, err, sizeof(err));
		if (k->t) {
			vnt_agent_log("trace loaded (%zu-byte package)", req.pkg_len);
			send_msg(k, VNT_MSG_LOAD_OK, &ok);
			k->st = S_LOADED;
		}
		vnt_w_free(&ok);
	}
	vnt_load_free(&req);
	if (!k->t) {
		vnt_agent_log("LOAD refused: %s", err);
		send_error(k, code, err);
	}
}

static void on_start(struct conn *k)
{
	char err[4096];
	uint16_t code = 0;
	int attached = 0;
	if (agent_trace_start(k->t, &attached, &code, err, sizeof(err))) {
		vnt_agent_log("START failed: %s", err);
		drop_trace(k);   /* what did attach is detached */
		send_error(k, code, err);
		return;
	}
	vnt_agent_log("trace started: %d hops attached", attached);
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_u64(&w, (uint64_t)attached);
	send_msg(k, VNT_MSG_STARTED, &w);
	vnt_w_free(&w);
	k->st = S_RUNNING;
}

static void on_frame(struct conn *k, const struct vnt_frame *f)
{
	if (k->st == S_HELLO && f->type != VNT_MSG_HELLO)
		return violation(k, "%s before HELLO", vnt_msg_name(f->type));
	switch (f->type) {
	case VNT_MSG_HELLO:
		if (k->st != S_HELLO)
			return violation(k, "a second %s", "HELLO");
		return on_hello(k, f);
	case VNT_MSG_TIME:
		return on_time(k, f);
	case VNT_MSG_LOAD:
		if (k->st != S_READY)
			return violation(k, "LOAD while a trace is %s (one trace per connection)",
					 k->st == S_RUNNING ? "running" : "loaded");
		return on_load(k, f);
	case VNT_MSG_START:
		if (vnt_dec_empty(f->payload, f->len) || k->st != S_LOADED)
			return violation(k, "%s without a loaded trace", "START");
		return on_start(k);
	case VNT_MSG_STOP:
		if (vnt_dec_empty(f->payload, f->len) || k->st != S_RUNNING)
			return violation(k, "%s without a running trace", "STOP");
		agent_trace_stop(k->t);
		drop_trace(k);
		vnt_agent_log("trace stopped by the dispatcher; everything detached");
		return;
	case VNT_MSG_PING: {
		uint64_t nonce;
		if (vnt_dec_u64(f->payload, f->len, &nonce))
			return violation(k, "malformed %s", "PING");
		struct vnt_wbuf w;
		vnt_w_init(&w);
		vnt_enc_u64(&w, nonce);
		send_msg(k, VNT_MSG_PONG, &w);
		vnt_w_free(&w);
		return;
	}
	case VNT_MSG_PONG:
		return;
	case VNT_MSG_BYE:
		k->bye = true;
		snprintf(k->why, sizeof(k->why), "the dispatcher said BYE");
		return;
	case VNT_MSG_ERROR: {
		struct vnt_error e;
		if (!vnt_dec_error(f->payload, f->len, &e)) {
			vnt_agent_log("the dispatcher reports an error: %s", e.text);
			vnt_error_free(&e);
		}
		return;
	}
	default:
		return violation(k, "unexpected %s from a dispatcher", vnt_msg_name(f->type));
	}
}

static bool readable(struct vnt_conn *c)
{
	struct pollfd p = { vnt_conn_fd(c), POLLIN, 0 };
	return vnt_conn_pending(c) || poll(&p, 1, 0) > 0;
}

static int poll_timeout(const struct conn *k, int64_t last_rx)
{
	int64_t now = vnt_monotonic_ns();
	int64_t until = last_rx + (int64_t)k->cfg->timeout_s * 1000000000LL;
	if (k->st == S_RUNNING && agent_trace_next(k->t) < until)
		until = agent_trace_next(k->t);
	int64_t ms = (until - now) / 1000000 + 1;
	/* Check the stop flag at least every 200 ms (signals may land in a
	 * blocking send instead of poll); look at the ring buffer every
	 * 20 ms, which wakes us only when much is waiting
	 * (bpf-templates/vnt_events.h). */
	int cap = k->st == S_RUNNING && agent_trace_fd(k->t) >= 0 ? 20 : 200;
	return ms < 0 ? 0 : ms > cap ? cap : (int)ms;
}

int vnt_agent_serve(const struct vnt_agent_config *cfg, struct vnt_conn *c, const char *peer, bool busy)
{
	struct conn k = { .cfg = cfg, .c = c, .peer = peer, .busy = busy, .st = S_HELLO };
	struct vnt_frame_rx rx;
	vnt_rx_init(&rx);
	int64_t last_rx = vnt_monotonic_ns();
	while (!k.dead && !k.bye) {
		if (vnt_agent_stop) {
			snprintf(k.why, sizeof(k.why), "the agent is stopping");
			if (k.st == S_RUNNING)
				agent_trace_stop(k.t);   /* the final snapshots still reach the dispatcher */
			struct vnt_wbuf w;
			vnt_w_init(&w);
			vnt_w_str(&w, "the agent is stopping");
			send_msg(&k, VNT_MSG_BYE, &w);
			vnt_w_free(&w);
			break;
		}
		struct pollfd pf[2] = { { vnt_conn_fd(c), POLLIN, 0 }, { -1, POLLIN, 0 } };
		if (k.st == S_RUNNING)
			pf[1].fd = agent_trace_fd(k.t);
		int rc = poll(pf, 2, vnt_conn_pending(c) ? 0 : poll_timeout(&k, last_rx));
		if (rc < 0 && errno != EINTR) {
			snprintf(k.why, sizeof(k.why), "poll: %s", strerror(errno));
			break;
		}
		if (rc > 0 && (pf[0].revents || vnt_conn_pending(c))) {
			char err[512];
			ssize_t n = vnt_conn_recv(c, &rx, err, sizeof(err));
			if (n < 0) {
				snprintf(k.why, sizeof(k.why), "%s", err);
				break;
			}
			if (n > 0) {
				last_rx = vnt_monotonic_ns();
				k.rx_real = vnt_realtime_ns();
			}
			struct vnt_frame f;
			int fr;
			while (!k.dead && !k.bye && (fr = vnt_rx_next(&rx, &f, err, sizeof(err))) != 0) {
				if (fr < 0) {
					violation(&k, "%s", err);
					break;
				}
				on_frame(&k, &f);
				/* Time spent here (the verifier can take seconds on a
				 * LOAD) is not the dispatcher's silence. */
				last_rx = vnt_monotonic_ns();
			}
		} else if (vnt_conn_pending(c)) {
			continue;
		}
		if (k.st == S_RUNNING && pf[1].fd >= 0 && agent_trace_pump(k.t))
			break;
		if (k.st == S_RUNNING && vnt_monotonic_ns() >= agent_trace_next(k.t)) {
			char err[512];
			uint16_t code;
			if (agent_trace_tick(k.t, &code, err, sizeof(err))) {
				vnt_agent_log("%s", err);
				drop_trace(&k);
				send_error(&k, code, err);
			}
		}
		/* Silent only if nothing waits unread: a long send or drain
		 * is our delay, not the dispatcher's silence. */
		if (vnt_monotonic_ns() - last_rx > (int64_t)cfg->timeout_s * 1000000000LL && !readable(c)) {
			snprintf(k.why, sizeof(k.why), "the dispatcher was silent for %d s", cfg->timeout_s);
			break;
		}
	}
	bool had = k.t != NULL;
	drop_trace(&k);
	vnt_rx_free(&rx);
	vnt_agent_log("connection ended: %s%s", k.why[0] ? k.why : "closed",
		      had ? "; the trace is detached" : "");
	/* We end it (stopping, a violation): let the dispatcher read our last
	 * words before the close, which would reset the connection if its
	 * PINGs were still unread. */
	if (!k.bye && !k.send_failed)
		vnt_conn_linger(c, 1000);
	return k.bye ? 0 : 1;
}
