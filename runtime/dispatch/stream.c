/* While tracing: what the agents send (snapshots, raw records, their
 * STOPPED and BYE) goes to the store; PINGs keep quiet agents alive; an
 * agent silent past the timeout has failed. Then STOP, and the wait for
 * every agent's last data. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/proto/clock.h"
#include "runtime/dispatch/run.h"
#include "runtime/proto/tls.h"

void dispatch_store_fail(struct run *r, const char *what)
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
			dhost_fail(d, "malformed SNAPSHOT from the agent");
			return;
		}
		d->snapshots++;
		if (r->ops->add_snapshot(r->st, r->run_id, d->host_id, m.json))
			dispatch_store_fail(r, "a snapshot");
		vnt_snapshot_msg_free(&m);
		return;
	}
	case VNT_MSG_EVENTS:
	case VNT_MSG_EVENTS_PKT: {
		struct vnt_events_msg m;
		struct dispatch_names nm;
		if (vnt_dec_events(f->payload, f->len, f->type == VNT_MSG_EVENTS_PKT, &m)) {
			dhost_fail(d, "malformed %s from the agent", vnt_msg_name(f->type));
			return;
		}
		dhost_names(d, &nm);
		int rc = dispatch_store_events(r->ops, r->st, r->run_id, d->host_id, &nm, &m, err, sizeof(err));
		if (rc < 0)
			dispatch_store_fail(r, "events");
		else if (rc > 0)
			fprintf(stderr, "vnt: %s: warning: %s\n", d->h->name, err);
		d->events += m.n;
		d->lost = m.lost;
		return;
	}
	case VNT_MSG_STOPPED: {
		struct vnt_stopped s;
		if (vnt_dec_stopped(f->payload, f->len, &s)) {
			dhost_fail(d, "malformed STOPPED from the agent");
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
		dhost_agent_error(d, f);
		return;
	case VNT_MSG_BYE: {
		char *why = NULL;
		vnt_dec_str(f->payload, f->len, &why);
		if (!d->stop_sent)
			dhost_fail(d, "the agent ended the trace: %s", why ? why : "no reason given");
		free(why);
		d->running = false;
		d->bye = true;
		return;
	}
	case VNT_MSG_PING: {
		uint64_t nonce;
		if (!vnt_dec_u64(f->payload, f->len, &nonce))
			dhost_send_u64(r, d, VNT_MSG_PONG, nonce);
		return;
	}
	case VNT_MSG_TIME:
		clock_track_answer(r, d, f);
		return;
	case VNT_MSG_PONG:
	case VNT_MSG_STARTED:
		return;
	default:
		dhost_fail(d, "protocol error: unexpected %s from the agent", vnt_msg_name(f->type));
	}
}

/* Read and handle what every live host sent, waiting up to wait_ms. */
void dispatch_pump(struct run *r, int wait_ms)
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
			dhost_fail(d, "connection lost: %s", err);
			continue;
		}
		d->last_rx = vnt_monotonic_ns();
		struct vnt_frame f;
		int fr;
		while (!d->failed && (fr = vnt_rx_next(&d->rx, &f, err, sizeof(err))) != 0) {
			if (fr < 0) {
				dhost_fail(d, "protocol error: %s", err);
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
			dhost_fail(d, "the agent has been silent for %d s", r->o->timeout_s);
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

int dispatch_any_failed(const struct run *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->d[i].failed)
			return 1;
	return 0;
}

void dispatch_stream(struct run *r, double duration)
{
	int64_t start = vnt_monotonic_ns();
	int64_t end = duration > 0 ? start + (int64_t)(duration * 1e9) : INT64_MAX;
	r->last_keepalive = start;
	while (!vnt_dispatch_stop && any_running(r)) {
		int64_t now = vnt_monotonic_ns();
		if (now >= end)
			break;
		int64_t wait = (end - now) / 1000000;
		dispatch_pump(r, wait > 200 ? 200 : (int)wait);
		clock_track_tick(r);
		dispatch_keepalive(r, NULL);
		check_silence(r);
	}
}

void dispatch_stop_all(struct run *r)
{
	clock_track_final(r); /* the offset at the end too: no record is after the last measurement by much */
	for (int i = 0; i < r->n; i++)
		if (r->d[i].running) {
			r->d[i].stop_sent = true;
			dhost_send(r, &r->d[i], VNT_MSG_STOP, NULL);
		}
	/* Ctrl-C again does not cut this short: the agents' last data and
	 * their detaching are what STOP waits for; the timeout bounds it. */
	vnt_dispatch_stop = 0;
	int64_t now = vnt_monotonic_ns();
	for (int i = 0; i < r->n; i++)
		r->d[i].last_rx = r->d[i].running ? now : r->d[i].last_rx;
	while (any_running(r) || any_unexplained(r)) {
		dispatch_pump(r, 200);
		dispatch_keepalive(r, NULL);
		check_silence(r);
	}
}
