/* Clocks that stay aligned: the offset of each agent's clock is measured
 * at the start (dhost_clock: best of 8 exchanges) and again every
 * --clock-every ms while tracing, each time as a burst of BURST exchanges
 * of which the least round trip counts (NTP's clock filter, in short; a
 * burst far worse than the host's best is measured again 100 ms later):
 * agent time + offset = collector time within +/- half that round trip.
 * Every measurement goes to the store with the agent time it was made at
 * (the middle of t2 and t3), so that the report puts each record on the
 * collector's clock with the offset of its own time (interpolated between
 * the measurements around it), not with the one of the run's start. A
 * burst's exchanges go one at a time, answered in the stream like any
 * other message: no host waits for another. */
#include <stdio.h>
#include "runtime/proto/clock.h"
#include "runtime/dispatch/run.h"

#define BURST 4
#define REJECT_MAX 5

static void send_time(struct run *r, struct dhost *d)
{
	struct vnt_time t = { .t1 = vnt_realtime_ns() };
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_time(&w, &t);
	if (!dhost_send(r, d, VNT_MSG_TIME, &w))
		d->clk_t1 = t.t1;
	vnt_w_free(&w);
}

static void store_sample(struct run *r, struct dhost *d, const struct vnt_time_sample *s)
{
	double off, unc;
	if (vnt_clock_estimate(s, 1, &off, &unc))
		return;
	d->clk_samples++;
	d->clk_last_offset = off;
	if (d->clk_min_unc <= 0 || unc < d->clk_min_unc)
		d->clk_min_unc = unc;
	if (unc > d->clk_max_unc)
		d->clk_max_unc = unc;
	if (!r->ops->add_clock || !r->have_run || r->store_failed)
		return;
	int64_t agent_ns = s->t2 + (s->t3 - s->t2) / 2;
	if (r->ops->add_clock(r->st, r->run_id, d->host_id, agent_ns, (int64_t)(off < 0 ? off - 0.5 : off + 0.5),
			      (int64_t)(unc + 0.999), (int64_t)(2 * unc + 0.5)))
		dispatch_store_fail(r, "a clock measurement");
}

void clock_track_first(struct run *r, struct dhost *d)
{
	if (d->clk_have) /* dhost_clock's best exchange, at the time it was made */
		store_sample(r, d, &d->clk_best);
	d->clk_have = false;
}

void clock_track_tick(struct run *r)
{
	if (r->o->clock_every_ms <= 0)
		return;
	int64_t now = vnt_monotonic_ns();
	for (int i = 0; i < r->n; i++) {
		struct dhost *d = &r->d[i];
		if (!d->running || d->failed || d->clk_t1 || now < d->clk_next)
			continue;
		d->clk_left = BURST;
		d->clk_have = false;
		send_time(r, d);
	}
}

void clock_track_answer(struct run *r, struct dhost *d, const struct vnt_frame *f)
{
	struct vnt_time back;
	int64_t t4 = vnt_realtime_ns();
	if (vnt_dec_time(f->payload, f->len, &back)) {
		dhost_fail(d, "malformed TIME answer from the agent");
		return;
	}
	if (!d->clk_t1 || back.t1 != d->clk_t1)
		return; /* the answer to a burst given up at the end (clock_track_final) */
	d->clk_t1 = 0;
	struct vnt_time_sample s = { back.t1, back.t2, back.t3, t4 };
	int64_t rtt = (s.t4 - s.t1) - (s.t3 - s.t2);
	int64_t best = (d->clk_best.t4 - d->clk_best.t1) - (d->clk_best.t3 - d->clk_best.t2);
	if (rtt >= 0 && (!d->clk_have || rtt < best)) {
		d->clk_best = s;
		d->clk_have = true;
	}
	if (--d->clk_left > 0 && d->running) {
		send_time(r, d);
		return;
	}
	int64_t next = (int64_t)r->o->clock_every_ms * 1000000;
	if (d->clk_have) {
		/* A burst whose best round trip is far worse than this host's
		 * usual (the dispatcher or the agent was not scheduled in time)
		 * would widen the offset's uncertainty for a whole interval:
		 * tried again soon, up to REJECT_MAX times in a row. */
		double unc = (double)((d->clk_best.t4 - d->clk_best.t1) - (d->clk_best.t3 - d->clk_best.t2)) / 2;
		double limit = 3 * d->clk_min_unc > 50000 ? 3 * d->clk_min_unc : 50000;
		if (d->clk_min_unc > 0 && unc > limit && d->clk_rejected < REJECT_MAX) {
			d->clk_rejected++;
			next = 100000000;
		} else {
			d->clk_rejected = 0;
			store_sample(r, d, &d->clk_best);
		}
	}
	d->clk_next = vnt_monotonic_ns() + next;
}

void clock_track_final(struct run *r)
{
	if (r->o->clock_every_ms <= 0)
		return;
	for (int i = 0; i < r->n; i++)
		r->d[i].clk_next = 0;
	clock_track_tick(r);
	int64_t end = vnt_monotonic_ns() + 2000000000LL;
	for (;;) {
		bool waiting = false;
		for (int i = 0; i < r->n; i++)
			waiting |= r->d[i].running && !r->d[i].failed && r->d[i].clk_t1;
		if (!waiting || vnt_monotonic_ns() > end)
			return;
		dispatch_pump(r, 50);
	}
}
