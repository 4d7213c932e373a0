/* A trace on an agent (see agent_trace.h). The package is verified by
 * vnt_package_parse (every member's checksum), the host's own hops are
 * checked against this kernel's features and the agent's limits before
 * anything is loaded, and the session is closed (all links released) on
 * every path out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "runtime/agent/agent.h"
#include "runtime/agent/limits.h"
#include "runtime/agent/trace.h"
#include "runtime/proto/clock.h"
#include "bpf-templates/vnt_abi.h"
#include "runtime/loader/features.h"
#include "runtime/loader/package.h"
#include "runtime/loader/session.h"
#include "runtime/output/snapshot.h"

#define CPU_CHECK_NS 1000000000LL
#define PUMP_BUDGET (4u * VNT_PROTO_MAX_BATCH)   /* records per pump */
/* The frame's header and the EVENTS payload's (u64 lost, u32 n), filled in
 * when the batch is sent: the records go out from where they were encoded. */
#define BATCH_HEAD (VNT_PROTO_HDR + 12)

struct agent_trace {
	const struct vnt_agent_config *cfg;
	agent_send_fn send;
	agent_send_frame_fn send_frame;
	void *ctx;
	struct vnt_package *pkg;
	struct vnt_session *s;
	uint32_t mask;          /* this host's hops */
	bool events;            /* stream raw records */
	bool packets;           /* with their packet bytes (EVENTS_PKT) */
	bool trace_for;         /* end each trace at its own `for` */
	bool closing;           /* freed without a STOP: records are not sent */
	uint32_t interval_ms;
	int stats_fd;
	int64_t started;        /* CLOCK_MONOTONIC ns */
	int64_t mono2real;      /* realtime - monotonic */
	int64_t next_cpu;
	int64_t next[VNT_MAX_HOPS];   /* per trace: next snapshot; -1 none (no hop of it here, or ended) */
	int64_t end[VNT_MAX_HOPS];    /* per trace: when it ends (its `for`); 0 at STOP */
	uint64_t seq[VNT_MAX_HOPS];
	struct vnt_wbuf batch;  /* raw records not yet sent, after BATCH_HEAD bytes of room */
	uint32_t nbatch;
	uint64_t sent, lost;
	bool send_failed;
};


static uint64_t events_lost(struct agent_trace *t)
{
	struct bpf_map *m = bpf_object__find_map_by_name(vnt_session_object(t->s), "vnt_events_lost");
	int ncpu = libbpf_num_possible_cpus();
	if (!m || ncpu < 1 || ncpu > 4096)
		return t->lost;
	uint64_t *v = calloc((size_t)ncpu, sizeof(uint64_t)), sum = 0;
	uint32_t k = 0;
	if (v && !bpf_map_lookup_elem(bpf_map__fd(m), &k, v))
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	else
		sum = t->lost;
	free(v);
	return sum;
}

static int flush(struct agent_trace *t)
{
	if (!t->nbatch || t->send_failed)
		return t->send_failed ? -1 : 0;
	t->lost = events_lost(t);
	int rc = -1;
	if (!t->batch.oom) {
		uint8_t *h = t->batch.p;
		vnt_frame_head(h, t->packets ? VNT_MSG_EVENTS_PKT : VNT_MSG_EVENTS,
			       (uint32_t)(t->batch.len - VNT_PROTO_HDR));
		for (int i = 0; i < 8; i++)
			h[VNT_PROTO_HDR + i] = (uint8_t)(t->lost >> (8 * i));
		for (int i = 0; i < 4; i++)
			h[VNT_PROTO_HDR + 8 + i] = (uint8_t)(t->nbatch >> (8 * i));
		rc = t->send_frame(t->ctx, &t->batch);
	}
	t->sent += t->nbatch;
	t->nbatch = 0;
	t->batch.len = BATCH_HEAD;
	if (rc)
		t->send_failed = true;
	return rc;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct agent_trace *t = ctx;
	struct vnt_event r;
	if (size < sizeof(r) || t->closing)
		return 0;
	memcpy(&r, data, sizeof(r));
	struct vnt_wire_event e = {
		.ts_ns = vnt_agent_time((int64_t)r.ts + t->mono2real), .fp = r.fp, .hop = r.hop, .len = r.len,
		.ifindex = r.ifindex, .netns = r.netns, .cpu = r.cpu, .pid = r.pid,
		.sport = r.flow.sport, .dport = r.flow.dport, .proto = r.flow.proto, .family = r.flow.family,
	};
	memcpy(e.saddr, r.flow.saddr, 16);
	memcpy(e.daddr, r.flow.daddr, 16);
	if (t->packets) {
		/* A package with a snap length: struct vnt_event_bytes and the
		 * bytes follow (vnt_abi.h); a record without them sends none. */
		struct vnt_event_bytes b = { 0 };
		if (size >= sizeof(r) + sizeof(b))
			memcpy(&b, (const uint8_t *)data + sizeof(r), sizeof(b));
		if (b.caplen > size - sizeof(r) - sizeof(b) || b.caplen > VNT_PROTO_MAX_CAPLEN || b.link > 1)
			b.caplen = 0;
		e.link = b.link <= 1 ? b.link : 0;
		e.caplen = b.caplen;
		e.bytes = (const uint8_t *)data + sizeof(r) + sizeof(b);
		vnt_enc_event_pkt(&t->batch, &e);
	} else {
		vnt_enc_event(&t->batch, &e);
	}
	if (++t->nbatch >= VNT_PROTO_MAX_BATCH && flush(t))
		return -1;   /* stops the ring buffer's consume loop */
	return 0;
}

/* Hop names of the LOAD request (compiler/plan.c, vnt_plan_hop_mask). */
static int hop_mask(const struct vnt_plan *p, const struct vnt_load *req, uint32_t *mask, char *err, size_t errlen)
{
	return vnt_plan_hop_mask(p, (const char *const *)req->hops, req->nhops, mask, err, errlen);
}

static int check_host(const struct vnt_agent_config *cfg, const struct vnt_package *pkg, uint32_t mask,
		      uint16_t *code, char *err, size_t errlen)
{
	const struct vnt_plan *p = pkg->plan;
	char why[1024];
	struct utsname u;
	uname(&u);
	for (int i = 0; i < p->nhops; i++)
		if ((mask >> i & 1) && vnt_feature_check(&p->hops[i], why, sizeof(why))) {
			*code = VNT_ERR_FEATURE;
			snprintf(err, errlen, "this host's kernel (%s) lacks a feature the package needs: %s", u.release, why);
			return -1;
		}
	int nprog = __builtin_popcount(mask);
	if (nprog > cfg->max_programs) {
		*code = VNT_ERR_LIMIT;
		snprintf(err, errlen, "the trace would load %d programs here, more than this agent allows (max_programs = %d)",
			 nprog, cfg->max_programs);
		return -1;
	}
	uint64_t bytes;
	if (agent_map_bytes(pkg->obj, pkg->obj_len, &bytes, err, errlen)) {
		*code = VNT_ERR_PACKAGE;
		return -1;
	}
	if (bytes > cfg->max_map_bytes) {
		*code = VNT_ERR_LIMIT;
		snprintf(err, errlen, "the trace's BPF maps would take %.1f MiB, more than this agent allows "
			 "(max_map_memory = %.1f MiB)", bytes / 1048576.0, cfg->max_map_bytes / 1048576.0);
		return -1;
	}
	return 0;
}

static void load_ok(const struct agent_trace *t, struct vnt_wbuf *w)
{
	const struct vnt_plan *p = t->pkg->plan;
	vnt_w_str(w, p->script);
	vnt_w_str(w, t->pkg->manifest_json);
	vnt_w_u16(w, (uint16_t)p->ntraces);
	for (int i = 0; i < p->ntraces; i++)
		vnt_w_str(w, p->traces[i].name);
	vnt_w_u16(w, (uint16_t)p->nhops);
	for (int i = 0; i < p->nhops; i++) {
		vnt_w_str(w, p->hops[i].name);
		vnt_w_u16(w, (uint16_t)p->hops[i].trace);
		vnt_w_u8(w, (uint8_t)(t->mask >> i & 1));
	}
}

struct agent_trace *agent_trace_load(const struct vnt_agent_config *cfg, const struct vnt_load *req,
				     agent_send_fn send, agent_send_frame_fn send_frame, void *ctx, struct vnt_wbuf *ok,
				     uint16_t *code, char *err, size_t errlen)
{
	struct agent_trace *t = calloc(1, sizeof(*t));
	char e2[4096];
	if (!t) {
		*code = VNT_ERR_INTERNAL;
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->cfg = cfg;
	t->send = send;
	t->send_frame = send_frame;
	t->ctx = ctx;
	t->stats_fd = -1;
	t->interval_ms = req->interval_ms ? req->interval_ms : 1000;
	t->events = req->flags & VNT_LOAD_EVENTS;
	t->trace_for = req->flags & VNT_LOAD_TRACE_FOR;
	vnt_w_init(&t->batch);
	vnt_w_bytes(&t->batch, (uint8_t[BATCH_HEAD]){ 0 }, BATCH_HEAD);
	if (vnt_package_parse(req->pkg, req->pkg_len, &t->pkg, e2, sizeof(e2))) {
		*code = VNT_ERR_PACKAGE;
		snprintf(err, errlen, "package refused: %s", e2);
		goto fail;
	}
	t->packets = (req->flags & VNT_LOAD_PACKETS) && t->pkg->plan->snaplen;
	if (hop_mask(t->pkg->plan, req, &t->mask, err, errlen)) {
		*code = VNT_ERR_PACKAGE;
		goto fail;
	}
	if (check_host(cfg, t->pkg, t->mask, code, err, errlen))
		goto fail;
	t->s = vnt_session_open_hops(t->pkg->obj, t->pkg->obj_len, t->pkg->plan, t->mask, e2, sizeof(e2));
	if (!t->s) {
		*code = VNT_ERR_LOAD;
		snprintf(err, errlen, "%s", e2);
		goto fail;
	}
	load_ok(t, ok);
	return t;
fail:
	agent_trace_free(t);
	return NULL;
}

int agent_trace_start(struct agent_trace *t, int *attached, uint16_t *code, char *err, size_t errlen)
{
	const struct vnt_plan *p = t->pkg->plan;
	if (t->cfg->max_cpu_ms) {
		t->stats_fd = agent_stats_enable();
		if (t->stats_fd < 0) {
			*code = VNT_ERR_LIMIT;
			snprintf(err, errlen, "cannot measure BPF run time for max_cpu_ms (BPF_ENABLE_STATS: %s)",
				 strerror(-t->stats_fd));
			return -1;
		}
	}
	if (vnt_session_attach(t->s, err, errlen)) {
		*code = VNT_ERR_ATTACH;
		return -1;
	}
	*attached = __builtin_popcount(t->mask);
	bool want = false;
	for (int i = 0; i < p->nhops; i++)
		if ((t->mask >> i & 1) && p->traces[p->hops[i].trace].events)
			want = true;
	if (t->events && want) {
		/* The ring buffer's epoll descriptor joins the connection's
		 * poll, so records wake us up. */
		int rc = vnt_session_events(t->s, on_record, t);
		if (rc) {
			*code = VNT_ERR_ATTACH;
			snprintf(err, errlen, "cannot read the trace's raw records: %s",
				 rc == -ENOENT ? "no ring buffer" : strerror(-rc));
			return -1;
		}
	}
	t->started = vnt_monotonic_ns();
	t->mono2real = vnt_mono_to_real_offset();
	t->next_cpu = t->started + CPU_CHECK_NS;
	for (int tr = 0; tr < p->ntraces && tr < VNT_MAX_HOPS; tr++) {
		bool here = false;
		for (int i = 0; i < p->nhops; i++)
			here |= p->hops[i].trace == tr && (t->mask >> i & 1);
		uint64_t every = p->traces[tr].every_ns ? p->traces[tr].every_ns : (uint64_t)t->interval_ms * 1000000;
		t->next[tr] = here ? t->started + (int64_t)every : -1;
		t->end[tr] = t->trace_for && p->traces[tr].for_ns ? t->started + (int64_t)p->traces[tr].for_ns : 0;
	}
	return 0;
}

int agent_trace_fd(const struct agent_trace *t)
{
	return vnt_session_events_fd(t->s);
}

int64_t agent_trace_next(const struct agent_trace *t)
{
	int64_t n = t->next_cpu;
	for (int tr = 0; tr < t->pkg->plan->ntraces && tr < VNT_MAX_HOPS; tr++) {
		if (t->next[tr] >= 0 && t->next[tr] < n)
			n = t->next[tr];
		if (t->next[tr] >= 0 && t->end[tr] && t->end[tr] < n)
			n = t->end[tr];
	}
	return n;
}

static int drain(struct agent_trace *t, unsigned max);

static int send_snapshot(struct agent_trace *t, int tr, bool final)
{
	struct vnt_snapshot snap;
	if (vnt_session_snapshot(t->s, tr, &snap))
		return 0;   /* nothing to report: not an error of the connection */
	snap.final = final;
	snap.seq = ++t->seq[tr];
	snap.elapsed_s = (double)(vnt_monotonic_ns() - t->started) / 1e9;
	snap.events = t->sent + t->nbatch;
	char *json = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&json, &len);
	if (f) {
		vnt_output_json(f, &snap);
		fclose(f);
	}
	vnt_agent_metrics_publish(tr, &snap);
	vnt_snapshot_free(&snap);
	if (!json)
		return 0;
	if (len && json[len - 1] == '\n')
		json[len - 1] = '\0';
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_snapshot(&w, (uint16_t)tr, json);
	int rc = t->send(t->ctx, VNT_MSG_SNAPSHOT, &w);
	vnt_w_free(&w);
	free(json);
	return rc;
}

int agent_trace_tick(struct agent_trace *t, uint16_t *code, char *err, size_t errlen)
{
	const struct vnt_plan *p = t->pkg->plan;
	int64_t now = vnt_monotonic_ns();
	/* Realtime may be stepped or slewed while the trace runs. */
	t->mono2real = vnt_mono_to_real_offset();
	for (int tr = 0; tr < p->ntraces && tr < VNT_MAX_HOPS; tr++) {
		if (t->next[tr] >= 0 && t->end[tr] && now >= t->end[tr]) {
			/* Its own `for` is over: detached, drained, its final snapshot. */
			vnt_session_detach_trace(t->s, tr);
			if (drain(t, 0) || send_snapshot(t, tr, true))
				goto gone;
			t->next[tr] = -1;
			continue;
		}
		if (t->next[tr] < 0 || now < t->next[tr])
			continue;
		if (agent_trace_pump(t) || send_snapshot(t, tr, false))
			goto gone;
		uint64_t every = p->traces[tr].every_ns ? p->traces[tr].every_ns : (uint64_t)t->interval_ms * 1000000;
		while (t->next[tr] <= now)
			t->next[tr] += (int64_t)every;
	}
	if (now >= t->next_cpu) {
		t->next_cpu = now + CPU_CHECK_NS;
		if (t->cfg->max_cpu_ms) {
			uint64_t used = agent_prog_run_ns(vnt_session_object(t->s));
			if (used > t->cfg->max_cpu_ms * 1000000) {
				*code = VNT_ERR_LIMIT;
				snprintf(err, errlen, "trace stopped: its programs ran for %.1f ms of CPU time, over this "
					 "agent's budget (max_cpu_ms = %llu)", used / 1e6,
					 (unsigned long long)t->cfg->max_cpu_ms);
				return -1;
			}
		}
	}
	return 0;
gone:
	*code = VNT_ERR_INTERNAL;
	snprintf(err, errlen, "the dispatcher's connection is gone");
	return -1;
}

/* Send up to max records (0: all there are) of the ring buffer. */
static int drain(struct agent_trace *t, unsigned max)
{
	if (vnt_session_consume(t->s, max) < 0 && t->send_failed)
		return -1;
	return flush(t);
}

int agent_trace_pump(struct agent_trace *t)
{
	/* Bounded: under a flood the connection loop still reads the
	 * dispatcher and keeps its clock. */
	return drain(t, PUMP_BUDGET);
}

int agent_trace_stop(struct agent_trace *t)
{
	const struct vnt_plan *p = t->pkg->plan;
	/* Detached first: the drain is then finite and the final snapshots
	 * count the same packets as the records sent. */
	vnt_session_detach(t->s);
	if (drain(t, 0))
		return -1;
	for (int tr = 0; tr < p->ntraces && tr < VNT_MAX_HOPS; tr++)
		if (t->next[tr] >= 0 && send_snapshot(t, tr, true))
			return -1;
	struct vnt_stopped st = { .events = t->sent, .lost = vnt_session_events_fd(t->s) >= 0 ? events_lost(t) : 0 };
	struct vnt_wbuf w;
	vnt_w_init(&w);
	vnt_enc_stopped(&w, &st);
	int rc = t->send(t->ctx, VNT_MSG_STOPPED, &w);
	vnt_w_free(&w);
	return rc;
}

void agent_trace_free(struct agent_trace *t)
{
	if (!t)
		return;
	t->closing = true;   /* the connection may be gone: no sends from the close's drain */
	vnt_session_close(t->s);   /* every link and program released */
	if (t->stats_fd >= 0)
		close(t->stats_fd);
	vnt_package_free(t->pkg);
	vnt_w_free(&t->batch);
	free(t);
}
