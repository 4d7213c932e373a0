/* One dispatch run (dispatch.h): every host is reached, greeted, has its
 * clock measured and the package loaded before any is started, so that a
 * refusal anywhere (package, feature, limit) stops the run before
 * anything is attached. Then all are started, their snapshots and raw
 * records go to the store as they arrive, and at the end (duration,
 * Ctrl-C, or every host gone) each is stopped and waited for. Errors are
 * printed with the host's name; any makes the exit status 1. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "runtime/proto/clock.h"
#include "runtime/dispatch/run.h"
#include "runtime/proto/tls.h"


volatile int vnt_dispatch_stop;

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

void dispatch_abort(struct run *r, const char *fmt, ...)
{
	if (r->abort[0])
		return;   /* the first reason is the one that explains */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->abort, sizeof(r->abort), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vnt: error: %s\n", r->abort);
}

/* One line per host: what it did, or why it did not. A host that never
 * started says so (with the reason), not "0 hops attached". */
static void status_lines(const struct run *r)
{
	int failed = 0;
	for (int i = 0; i < r->n; i++)
		failed += r->d[i].failed;
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
		if (!d->started) {
			printf("%s: NOT STARTED: %s%s%s%s\n", d->h->name,
			       r->abort[0] ? r->abort : failed ? "another host failed, so no host was started" : "the run was stopped",
			       d->loaded ? " (its hops were loaded: " : "", d->loaded ? hops : "", d->loaded ? ")" : "");
			continue;
		}
		printf("%s: %d hop%s attached (%s), %llu events, %llu lost, %llu snapshots, clock offset %+.3f ms +/- %.3f ms",
		       d->h->name, d->attached, d->attached == 1 ? "" : "s", hops, (unsigned long long)d->events,
		       (unsigned long long)d->lost, (unsigned long long)d->snapshots, d->offset / 1e6, d->unc / 1e6);
		if (d->clk_samples > 1) /* tracked while tracing (dispatch/clock_track.c) */
			printf(" (%+.3f ms at the end, %d measurements, +/- %.3f ms at worst)", d->clk_last_offset / 1e6,
			       d->clk_samples, d->clk_max_unc / 1e6);
		putchar('\n');
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
					dispatch_abort(r, "TLS: %s", err);
					return -1;
				}
			}
			d->c = dispatch_connect_retry(ctx, d->h, r->timeout_ms, r->o->connect_timeout_s, err, sizeof(err));
		}
		if (!d->c) {
			dhost_fail(d, "%s", err);
			continue;
		}
		d->last_rx = vnt_monotonic_ns();
		if (!dhost_hello(r, d))
			dhost_clock(r, d);
	}
	vnt_tls_ctx_free(ctx);
	return dispatch_any_failed(r) || vnt_dispatch_stop ? -1 : 0;
}

/* The package, read and parsed once before any host is touched: its
 * plan says which hops each host runs (dispatch_assign.c); the agents
 * verify it again, here it is also the bytes to send. */
static int read_package(struct run *r, const struct vnt_dispatch_hosts *hs, uint32_t *masks)
{
	FILE *f = fopen(r->o->pkg_path, "rb");
	if (!f) {
		dispatch_abort(r, "cannot read %s: %s", r->o->pkg_path, strerror(errno));
		return -1;
	}
	size_t cap = 0;
	for (;;) {
		if (r->pkg_len == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			char *nb = cap <= VNT_PROTO_MAX_FRAME ? realloc(r->pkg, cap) : NULL;
			if (!nb) {
				dispatch_abort(r, "%s is too large to send (limit %u bytes)", r->o->pkg_path,
					       VNT_PROTO_MAX_FRAME - 64);
				fclose(f);
				return -1;
			}
			r->pkg = nb;
		}
		size_t got = fread(r->pkg + r->pkg_len, 1, cap - r->pkg_len, f);
		r->pkg_len += got;
		if (!got)
			break;
	}
	fclose(f);
	char err[2048];
	if (vnt_package_parse(r->pkg, r->pkg_len, &r->parsed, err, sizeof(err))) {
		dispatch_abort(r, "%s: %s", r->o->pkg_path, err);
		return -1;
	}
	if (dispatch_check_assignment(r->parsed->plan, hs, masks, r->o->quiet, err, sizeof(err))) {
		dispatch_abort(r, "%s", err);
		return -1;
	}
	return 0;
}

static int load_all(struct run *r)
{
	for (int i = 0; i < r->n; i++)
		dhost_send_load(r, &r->d[i], r->pkg, r->pkg_len);
	for (int i = 0; i < r->n; i++)
		if (!r->d[i].failed)
			dhost_load_ok(r, &r->d[i]);
	return dispatch_any_failed(r) ? -1 : 0;
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
			dispatch_store_fail(r, err);
			return -1;
		}
		clock_track_first(r, d);
	}
	return 0;
}

static int start_all(struct run *r)
{
	for (int i = 0; i < r->n; i++)
		dhost_send(r, &r->d[i], VNT_MSG_START, NULL);
	for (int i = 0; i < r->n; i++)
		dhost_started(r, &r->d[i]);
	return dispatch_any_failed(r) ? -1 : 0;
}

static void finish(struct run *r, const char *status)
{
	/* BYE even after a failure: the agent detaches at once instead of
	 * waiting out its timeout. Every host first, then each given a moment
	 * to read it and close its end (a PONG still in flight would make our
	 * close a reset that can swallow the BYE). */
	for (int i = 0; i < r->n; i++) {
		struct dhost *d = &r->d[i];
		if (d->c) {
			struct vnt_wbuf w;
			vnt_w_init(&w);
			vnt_w_str(&w, status);
			char err[256];
			vnt_conn_send_msg(d->c, VNT_MSG_BYE, &w, 1000, err, sizeof(err));
			vnt_w_free(&w);
		}
	}
	int64_t linger_end = vnt_monotonic_ns() + 1000000000LL;
	for (int i = 0; i < r->n; i++) {
		struct dhost *d = &r->d[i];
		if (d->c) {
			int64_t left = (linger_end - vnt_monotonic_ns()) / 1000000;
			vnt_conn_linger(d->c, left > 0 ? (int)left : 0);
			vnt_conn_close(d->c);
			d->c = NULL;
		}
		dispatch_reap(d->pid, 3000);
		if (r->have_run && !r->store_failed)
			r->ops->host_status(r->st, d->host_id, d->failed ? d->err : "ok", d->events, d->lost);
	}
	/* The store says itself what it could not keep (or where it kept it). */
	if (r->have_run && !r->store_failed && r->ops->end_run(r->st, r->run_id, vnt_realtime_ns(), status))
		r->store_incomplete = true;
}

int vnt_dispatch_run(const struct vnt_dispatch_opts *o, const struct vnt_dispatch_hosts *hs)
{
	struct run r = { .o = o, .n = hs->n, .timeout_ms = (o->timeout_s > 0 ? o->timeout_s : 10) * 1000 };
	char err[1024];
	uint32_t masks[hs->n > 0 ? hs->n : 1];
	int rc = 1;
	r.ops = o->engine ? vnt_store_engine(o->engine) : vnt_store_for(o->db);
	if (!r.ops) {
		fprintf(stderr, "vnt: error: no store engine '%s'\n", o->engine);
		return 1;
	}
	r.d = calloc((size_t)hs->n, sizeof(*r.d));
	if (!r.d)
		return 1;
	for (int i = 0; i < hs->n; i++) {
		r.d[i].h = &hs->h[i];
		vnt_rx_init(&r.d[i].rx);
	}
	/* The package and the store first: a bad package, hosts file or --db
	 * fails before any host is touched. */
	const char *status = "failed";
	if (read_package(&r, hs, masks))
		goto untouched;
	if (r.ops->open(o->db, &r.st, err, sizeof(err))) {
		dispatch_abort(&r, "%s", err);
		goto untouched;
	}
	if (connect_all(&r) || load_all(&r) || store_begin(&r) || start_all(&r)) {
		dispatch_stop_all(&r);   /* hosts that did start are stopped in order */
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
	dispatch_stream(&r, duration);
	bool interrupted = vnt_dispatch_stop;
	dispatch_stop_all(&r);
	status = r.store_failed || dispatch_any_failed(&r) ? "failed" : interrupted ? "interrupted" : "ok";
out:
	finish(&r, status);
	rc = dispatch_any_failed(&r) || r.store_failed || r.store_incomplete || r.abort[0] ? 1 : 0;
	status_lines(&r);
	if (!o->quiet && r.have_run)
		fprintf(stderr, "vnt: run %lld stored in %s\n", (long long)r.run_id, o->db);
	r.ops->close(r.st);
	goto release;
untouched:
	status_lines(&r);
release:
	for (int i = 0; i < r.n; i++) {
		vnt_rx_free(&r.d[i].rx);
		vnt_load_ok_free(&r.d[i].lo);
		free(r.d[i].kernel);
	}
	free(r.d);
	vnt_package_free(r.parsed);
	free(r.pkg);
	return rc;
}
