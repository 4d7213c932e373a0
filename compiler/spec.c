/* The language's view of what the compiler defines (lang/program.h,
 * struct vnt_lang_spec): the attach forms of the hop kinds. */
#include "compiler/hopkind.h"
#include "compiler/spec.h"

const struct vnt_lang_spec *vnt_compiler_spec(void)
{
	static const struct vnt_form *forms[32];
	static struct vnt_lang_spec spec = { .forms = forms };
	if (!spec.nforms)
		for (const struct vnt_hopkind *const *k = vnt_hopkinds; *k && spec.nforms < 32; k++)
			forms[spec.nforms++] = &(*k)->form;
	return &spec;
}
