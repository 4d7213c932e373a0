#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "compiler/clang.h"
#include "compiler/codegen.h"
#include "compiler/kernel_info.h"
#include "lang/program.h"
#include "tools/build.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int vnt_build_script(const char *path, const struct vnt_build_opts *o, bool compile, struct vnt_build *b)
{
	memset(b, 0, sizeof(*b));
	struct vnt_diag d;
	vnt_diag_init(&d);
	double t0 = now();
	struct vnt_program *prog = vnt_program_load(path, o->incdirs, o->nincdirs, &d);
	if (!prog)
		return 1;
	if (!d.errors)
		vnt_check(prog, &d);
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
	if (!d.errors && prog->main->traces)
		rc = vnt_codegen(prog, &d, &b->csrc, &b->plan);
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
