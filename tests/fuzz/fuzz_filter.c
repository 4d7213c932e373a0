/* libFuzzer target: standalone filters (`vnt match FILTER`) through the
 * parser and the filter code generator.
 *
 * Each filter that parses is generated twice: as `vnt match` does (no
 * context predicates, no parameters: both are errors), with vnt_filter_gen
 * and vnt_filter_gen_top; and as a hop's filter is (context predicates and
 * parameters bound by stub callbacks), so the code behind those is reached
 * too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lang/parse.h"
#include "compiler/filter_gen.h"
#include "lib/strbuf.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init();
	return 0;
}

/* Parameters: names starting with 'c' are constants, others expressions. */
static const char *param_value(struct vnt_filter_env *env, const char *name, uint64_t *num)
{
	(void)env;
	if (!name || !*name || name[0] == 'u')
		return NULL;                    /* unbound */
	if (name[0] == 'c') {
		*num = (uint64_t)strlen(name) * 0x01010101u;
		return "";
	}
	return "ev->arg";
}

static int emit_ctx(struct vnt_filter_env *env, const struct vnt_fexpr *f, struct strbuf *out)
{
	if (f->param && !param_value(env, f->param, &(uint64_t){ 0 })) {
		vnt_error(env->diag, &f->loc, NULL, "unbound parameter '%s'", f->param);
		return -1;
	}
	sb_printf(out, "(ev->ctx%d == %llu)", (int)f->ctx, (unsigned long long)f->num);
	return 0;
}

static void gen(const struct vnt_fexpr *f, struct vnt_filter_env *env)
{
	struct strbuf b;
	sb_init(&b);
	vnt_filter_gen(&b, "fz_filter", f, env);
	sb_free(&b);
	sb_init(&b);
	vnt_filter_gen_top(&b, "fz_filter_top", f, env);
	sb_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_string(data, size);
	struct vnt_source *src = vnt_source_from_string("<filter>", text);
	free(text);
	if (!src)
		return 0;
	struct vnt_diag d;
	fz_diag(&d);
	struct vnt_fexpr *f = vnt_parse_filter(src, &d);
	if (f) {
		(void)vnt_filter_needs_packet(f);
		(void)vnt_filter_explicit_layer(f);
		struct vnt_filter_env match_env = { .diag = &d };
		gen(f, &match_env);
		struct vnt_filter_env hop_env = { .diag = &d, .emit_ctx = emit_ctx, .param_value = param_value };
		gen(f, &hop_env);
		vnt_fexpr_free(f);
	}
	vnt_source_free(src);
	return 0;
}
