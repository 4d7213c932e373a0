/* The language's view of what the compiler defines (lang/program.h,
 * struct vnt_lang_spec): the attach forms of the hop kinds, the
 * signatures of the aggregation kinds (in vnt_aggkinds' order: the
 * checker's index is the descriptor's) and the key names. */
#include "compiler/aggkind.h"
#include "compiler/hopkind.h"
#include "compiler/plan.h"
#include "compiler/spec.h"

const struct vnt_lang_spec *vnt_compiler_spec(void)
{
	static const struct vnt_form *forms[32];
	static const struct vnt_agg_sig *aggs[32];
	static const char *keys[KF__COUNT];
	static struct vnt_lang_spec spec = { .forms = forms, .aggs = aggs, .keys = keys };
	if (spec.nforms)
		return &spec;
	for (const struct vnt_hopkind *const *k = vnt_hopkinds; *k && spec.nforms < 32; k++)
		forms[spec.nforms++] = &(*k)->form;
	for (const struct vnt_aggkind *const *k = vnt_aggkinds; *k && spec.naggs < 32; k++)
		aggs[spec.naggs++] = &(*k)->sig;
	for (int i = 0; i < KF__COUNT; i++)
		keys[spec.nkeys++] = vnt_keyfield_name((enum vnt_keyfield)i);
	return &spec;
}
