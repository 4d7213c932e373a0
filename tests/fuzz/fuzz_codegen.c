/* libFuzzer target: whole scripts through the loader, the checker and the
 * code generator (lowering against this kernel's BTF, eBPF C assembled from
 * bpf-templates/), without clang. The seeds are valid scripts, so most
 * mutations stay close enough to reach lowering and generation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lang/parse.h"
#include "lang/program.h"
#include "compiler/spec.h"
#include "compiler/codegen.h"
#include "compiler/plan.h"
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
	/* The loader refuses files with a NUL byte (binary, not a script). */
	if (memchr(data, '\0', size) || fz_names_special_file(data, size) || fz_write_script(data, size))
		return 0;
	struct vnt_diag d;
	fz_diag(&d);
	struct vnt_program *p = vnt_program_load(fz_path, NULL, 0, &d);
	if (!p)
		return 0;
	if (!d.errors)
		vnt_check(p, vnt_compiler_spec(), &d);
	if (!d.errors && p->main->traces) {
		char *csrc = NULL;
		struct vnt_plan *plan = NULL;
		if (vnt_codegen(p, NULL, &d, &csrc, &plan) == 0) {
			free(csrc);
			vnt_plan_free(plan);
		}
	}
	vnt_program_free(p);
	/* The kernel's BTF stays loaded between inputs (vnt_kinfo_release
	 * would reload 5 MB per input). */
	return 0;
}
