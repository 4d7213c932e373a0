/* libFuzzer target: the front end on arbitrary bytes.
 *
 * 1. The bytes as a string through the scanner and parser
 *    (vnt_parse_source), the module freed.
 * 2. The bytes as a script file through the loader (imports resolve by the
 *    stdlib search path and relative to the file) and the checker. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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
