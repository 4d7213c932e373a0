/* The hop kinds, in the order `vnt lib` and the checker's hints list
 * their attach forms. One line per kind (compiler/hopkind.h). */
#include <string.h>
#include "compiler/hopkind.h"

extern const struct vnt_hopkind vnt_hk_tp_btf, vnt_hk_tracepoint, vnt_hk_raw_tp, vnt_hk_tc_ingress,
	vnt_hk_tc_egress, vnt_hk_xdp, vnt_hk_kprobe, vnt_hk_fentry, vnt_hk_uprobe;

const struct vnt_hopkind *const vnt_hopkinds[] = {
	&vnt_hk_tp_btf,
	&vnt_hk_tracepoint,
	&vnt_hk_raw_tp,
	&vnt_hk_tc_ingress,
	&vnt_hk_tc_egress,
	&vnt_hk_xdp,
	&vnt_hk_kprobe,
	&vnt_hk_fentry,
	&vnt_hk_uprobe,
	NULL,
};

const struct vnt_hopkind *vnt_hopkind_find(const char *name)
{
	for (const struct vnt_hopkind *const *k = vnt_hopkinds; *k; k++)
		if (!strcmp((*k)->name, name))
			return *k;
	return NULL;
}

const struct vnt_hopkind *vnt_hopkind_by_form(const char *form)
{
	for (const struct vnt_hopkind *const *k = vnt_hopkinds; *k; k++)
		if (!strcmp((*k)->form.name, form))
			return *k;
	return NULL;
}
