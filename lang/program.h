/* A program: the main script and every module it imports, checked. */
#ifndef VNT_PROGRAM_H
#define VNT_PROGRAM_H

#include "lang/ast.h"
#include "lang/diag.h"

struct vnt_program {
	struct vnt_module *main;
	struct vnt_module *modules;    /* every loaded module, main included */
	char **search;                 /* module search path, in order */
	int nsearch;
};

/* Load `path` and, recursively, its imports. Search order for
 * `import "name"`: the -I directories, $VNT_PATH (colon-separated), then
 * the installed stdlib/. `import "./x.vnt"` or any path with a slash is
 * relative to the importing file. Returns NULL if the main file cannot be
 * read; other problems are counted in d. */
struct vnt_program *vnt_program_load(const char *path, char **incdirs, int ninc, struct vnt_diag *d);
void vnt_program_free(struct vnt_program *p);
/* The search path the loader would use (for `vnt lib`). */
int vnt_search_path(char **incdirs, int ninc, char ***out);

/* The place "file:line:col" (as the plan records them) in one of the
 * program's sources; false if it names none of them. */
bool vnt_program_loc(const struct vnt_program *p, const char *srcloc, struct vnt_loc *out);

/* A raw attach form, as scripts write it: tp_btf("x"), tc_ingress(dev)... */
struct vnt_form {
	const char *name;
	int min_args, max_args;
	int dev_arg;                   /* index of a device argument, or -1 */
	const char *usage;
	const char *doc;
};

/* An aggregation as the checker sees it: its name and its arguments,
 * args a pattern of 'v' (a value: len, cpu, pid, a number, latency(A, B)),
 * 'n' (a number, maybe negative) and '?' (what follows is optional):
 * "" for count(), "v" for sum(v), "vnnn" for lhist(v, min, max, step),
 * "n?v" for top(n [, v]). */
struct vnt_agg_sig {
	const char *name;
	const char *args;
	const char *usage;
	/* The kind's own rules once the arguments match the pattern (lhist's
	 * bounds, top's N and keys): reports to d, returns the errors; NULL
	 * if none. Run by the checker, so they come with every other error. */
	int (*check)(const struct vnt_agg *a, struct vnt_diag *d);
};

/* What the checker knows of the names a script may use that the language
 * itself does not define: the attach forms (one per hop kind), the
 * aggregations and the keys. Given by the compiler (compiler/spec.c, from
 * its descriptors), so that the language depends on no layer above it. */
struct vnt_lang_spec {
	const struct vnt_form *const *forms;
	int nforms;
	const struct vnt_agg_sig *const *aggs;
	int naggs;
	const char *const *keys;
	int nkeys;
};
const struct vnt_form *vnt_spec_form(const struct vnt_lang_spec *s, const char *name);

/* Name binding and type checks (check.c). Returns the number of errors. */
int vnt_check(struct vnt_program *p, const struct vnt_lang_spec *spec, struct vnt_diag *d);

/* Find a module's definitions. */
const struct vnt_hopdef *vnt_module_hopdef(const struct vnt_module *m, const char *name);
const struct vnt_filterdef *vnt_module_filter(const struct vnt_module *m, const char *name);
struct vnt_module *vnt_module_import(const struct vnt_module *m, const char *alias);

#endif
