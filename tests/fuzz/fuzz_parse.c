/* libFuzzer target: the front end on arbitrary bytes.
 *
 * 1. The bytes as a string through the scanner and parser
 *    (vnt_parse_source), the module freed.
 * 2. vnt fmt's layout (lang/format.c): where the grammar accepts the bytes,
 *    formatting must succeed (the text it writes reads as the same tokens)
 *    and formatting its result must give that result again; else abort.
 * 3. The bytes as a script file through the loader (imports resolve by the
 *    stdlib search path and relative to the file) and the checker. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lang/format.h"
#include "lang/parse.h"
#include "lang/program.h"
#include "compiler/spec.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init();
	return 0;
}

static void fz_format(struct vnt_source *src)
{
	struct vnt_diag d;
	struct vnt_layout lay = { 0 };
	fz_diag(&d);
	int syntax = vnt_parse_layout(src, &d, &lay);
	vnt_layout_free(&lay);
	char *once = NULL, *twice = NULL;
	fz_diag(&d);
	if (vnt_format(src, &d, &once)) {
		if (!syntax)
			abort();   /* the grammar accepts it, vnt fmt refused */
		return;
	}
	struct vnt_source *again = vnt_source_from_string("fuzz.vnt", once);
	fz_diag(&d);
	if (!again || vnt_format(again, &d, &twice) || strcmp(once, twice))
		abort();   /* not idempotent */
	free(once);
	free(twice);
	vnt_source_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnt_diag d;

	char *text = fz_string(data, size);
	struct vnt_source *src = vnt_source_from_string("fuzz.vnt", text);
	free(text);
	if (src) {
		fz_diag(&d);
		struct vnt_module *m = vnt_parse_source(src, &d);
		vnt_module_free(m);
		fz_format(src);
		vnt_source_free(src);
	}

	/* The loader refuses files with a NUL byte (binary, not a script). */
	if (memchr(data, '\0', size) || fz_names_special_file(data, size) || fz_write_script(data, size))
		return 0;
	fz_diag(&d);
	struct vnt_program *p = vnt_program_load(fz_path, NULL, 0, &d);
	if (p) {
		vnt_check(p, vnt_compiler_spec(), &d);   /* after syntax errors too, as vnt check does */
		vnt_program_free(p);
	}
	return 0;
}
