#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bpf-templates/vnt_abi.h"
#include "compiler/clang.h"
#include "compiler/codegen.h"
#include "compiler/kernel_info.h"
#include "compiler/spec.h"
#include "lang/program.h"
#include "lib/netns.h"
#include "runtime/loader/resolve.h"
#include "tools/build.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Problems found on this host, reported in the order of the script. */
struct problem {
	struct vnt_loc loc;
	bool found;
	char *msg, *hint;
};
struct resolve_ctx {
	struct vnt_program *prog;
	int n;
	struct problem p[64];
};

static void collect(void *ctx, const char *srcloc, const char *msg, const char *hint)
{
	struct resolve_ctx *rc = ctx;
	if (rc->n == 64)
		return;
	struct problem *p = &rc->p[rc->n++];
	p->found = vnt_program_loc(rc->prog, srcloc, &p->loc);
	char buf[1600];
	snprintf(buf, sizeof(buf), "%s%s%s", p->found || !srcloc ? "" : srcloc, p->found || !srcloc ? "" : ": ", msg);
	p->msg = vnt_xstrdup(buf);
	p->hint = hint ? vnt_xstrdup(hint) : NULL;
}

static int by_place(const void *x, const void *y)
{
	const struct problem *a = x, *b = y;
	if (a->found != b->found)
		return a->found ? -1 : 1;
	if (!a->found)
		return 0;
	int c = strcmp(a->loc.src->path, b->loc.src->path);
	if (c)
		return c;
	return a->loc.line != b->loc.line ? a->loc.line - b->loc.line : a->loc.col - b->loc.col;
}

/* Devices, namespaces and kernel features, as `vnt run` would resolve
 * them here, each at its place in the script (caret and all). */
static void resolve_here(struct vnt_program *prog, const struct vnt_plan *plan, struct vnt_diag *d)
{
	struct resolve_ctx ctx = { .prog = prog };
	vnt_plan_resolve(plan, ~0u, collect, &ctx);
	vnt_netns_cache_free();
	qsort(ctx.p, (size_t)ctx.n, sizeof(ctx.p[0]), by_place);
	for (int i = 0; i < ctx.n; i++) {
		vnt_error(d, ctx.p[i].found ? &ctx.p[i].loc : NULL, ctx.p[i].hint, "%s", ctx.p[i].msg);
		free(ctx.p[i].msg);
		free(ctx.p[i].hint);
	}
}

int vnt_build_script(const char *path, const struct vnt_build_opts *o, bool compile, struct vnt_build *b)
{
	memset(b, 0, sizeof(*b));
	struct vnt_diag d;
	vnt_diag_init(&d);
	vnt_diag_buffer(&d);   /* every pass's errors, printed in the script's order */
	double t0 = now();
	struct vnt_program *prog = vnt_program_load(path, o->incdirs, o->nincdirs, &d);
	if (!prog) {
		vnt_diag_flush(&d);
		return 1;
	}
	/* The checker runs on what parsed even after syntax errors: every
	 * error of a script in one run, as a C compiler gives them. */
	vnt_check(prog, vnt_compiler_spec(), &d);
	if (!d.errors && !prog->main->traces && compile)
		vnt_error(&d, NULL, "write `trace NAME { hop ... }` to say what to trace",
			  "%s defines no trace", path);
	int rc = 0;
	for (struct vnt_module *m = prog->modules; m; m = m->next_loaded)
		b->nsrc++;
	b->src_names = vnt_xcalloc((size_t)b->nsrc, sizeof(char *));
	b->src_texts = vnt_xcalloc((size_t)b->nsrc, sizeof(char *));
	int k = 0;
	for (struct vnt_module *m = prog->modules; m; m = m->next_loaded, k++) {
		b->src_names[k] = vnt_xstrdup(m->src->path);
		b->src_texts[k] = vnt_xstrdup(m->src->text);
	}
	/* A library (no trace) is checked, not generated. */
	struct vnt_codegen_opts cg = { .snaplen = o->snaplen };
	if (!d.errors && prog->main->traces)
		rc = vnt_codegen(prog, &cg, &d, &b->csrc, &b->plan);
	if (!d.errors && !rc && b->plan && o->snaplen && !b->plan->snaplen)
		vnt_error(&d, NULL, "write `events` in the trace whose packets you want (vnt-lang(7))",
			  "packet bytes were asked for (--pcap or --snaplen), but %s writes no raw events to put them in", path);
	if (!d.errors && !rc && b->plan && o->resolve)
		resolve_here(prog, b->plan, &d);
	vnt_diag_flush(&d);
	vnt_program_free(prog);
	vnt_kinfo_release();
	if (d.errors || rc) {
		if (d.errors)
			fprintf(stderr, "%d error%s generated.\n", d.errors, d.errors == 1 ? "" : "s");
		vnt_build_free(b);
		return 1;
	}
	b->gen_s = now() - t0;
	if (!compile || !b->plan)
		return 0;
	t0 = now();
	struct vnt_clang_opts co = { .no_cache = o->no_cache, .verbose = o->verbose };
	if (vnt_clang_compile(b->csrc, path, &co, &b->obj, &b->obj_len, &b->cached)) {
		vnt_build_free(b);
		return 1;
	}
	b->clang_s = now() - t0;
	return 0;
}

void vnt_build_free(struct vnt_build *b)
{
	free(b->csrc);
	vnt_plan_free(b->plan);
	free(b->obj);
	for (int i = 0; i < b->nsrc; i++) {
		free(b->src_names[i]);
		free(b->src_texts[i]);
	}
	free(b->src_names);
	free(b->src_texts);
	memset(b, 0, sizeof(*b));
}

int vnt_parse_snaplen(const char *arg, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*end || end == arg || v < 1 || v > VNT_PCAP_SNAP_MAX) {
		fprintf(stderr, "vnt: error: --snaplen takes a number of bytes from 1 to %d, not '%s'\n",
			VNT_PCAP_SNAP_MAX, arg);
		return -1;
	}
	*out = (int)v;
	return 0;
}
