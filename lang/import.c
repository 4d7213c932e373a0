/* Loading a script and its imports through the module search path. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lang/program.h"
#include "lang/parse.h"
#include "lib/datadir.h"

int vnt_search_path(char **incdirs, int ninc, char ***out)
{
	char **v = NULL;
	int n = 0;
	for (int i = 0; i < ninc; i++) {
		v = realloc(v, sizeof(*v) * (size_t)(n + 1));
		v[n++] = vnt_xstrdup(incdirs[i]);
	}
	const char *env = getenv("VNT_PATH");
	if (env && *env) {
		char *copy = vnt_xstrdup(env), *save = NULL;
		for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
			v = realloc(v, sizeof(*v) * (size_t)(n + 1));
			v[n++] = vnt_xstrdup(t);
		}
		free(copy);
	}
	char std[PATH_MAX + 16];
	snprintf(std, sizeof(std), "%s/stdlib", vnt_datadir());
	v = realloc(v, sizeof(*v) * (size_t)(n + 1));
	v[n++] = vnt_xstrdup(std);
	*out = v;
	return n;
}

static struct vnt_module *find_loaded(struct vnt_program *p, const char *real)
{
	for (struct vnt_module *m = p->modules; m; m = m->next_loaded)
		if (m->src && !strcmp(m->src->path, real))
			return m;
	return NULL;
}

/* Modules are keyed by their real path; diagnostics show it too, so a
 * user can see which of two same-named modules was taken. */
static struct vnt_module *load_file(struct vnt_program *p, const char *path, struct vnt_diag *d)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		return NULL;
	struct vnt_module *m = find_loaded(p, real);
	if (m)
		return m;
	struct vnt_source *src = vnt_source_read(real, NULL);
	if (!src)
		return NULL;
	m = vnt_parse_source(src, d);
	m->next_loaded = p->modules;
	p->modules = m;
	return m;
}

static void load_imports(struct vnt_program *p, struct vnt_module *m, struct vnt_diag *d);

static char *resolve(struct vnt_program *p, const struct vnt_module *from, const char *name)
{
	char buf[PATH_MAX * 2];
	bool relative = strchr(name, '/') || (strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".vnt"));
	if (relative) {
		if (name[0] == '/') {
			snprintf(buf, sizeof(buf), "%s", name);
		} else {
			const char *slash = strrchr(from->src->path, '/');
			int dl = slash ? (int)(slash - from->src->path) : 1;
			snprintf(buf, sizeof(buf), "%.*s/%s", dl, slash ? from->src->path : ".", name);
		}
		return access(buf, R_OK) == 0 ? vnt_xstrdup(buf) : NULL;
	}
	for (int i = 0; i < p->nsearch; i++) {
		snprintf(buf, sizeof(buf), "%s/%s.vnt", p->search[i], name);
		if (access(buf, R_OK) == 0)
			return vnt_xstrdup(buf);
	}
	return NULL;
}

static void load_imports(struct vnt_program *p, struct vnt_module *m, struct vnt_diag *d)
{
	m->visiting = 1;
	for (struct vnt_import *im = m->imports; im; im = im->next) {
		if (!im->alias)
			im->alias = vnt_module_name(im->path);
		for (struct vnt_import *o = m->imports; o != im; o = o->next)
			if (!strcmp(o->alias, im->alias)) {
				vnt_error(d, &im->loc, "give one of them another name with `import \"...\" as NAME`",
					  "module name '%s' is already imported at line %d", im->alias, o->loc.line);
				break;
			}
		char *path = resolve(p, m, im->path);
		if (!path) {
			char hint[512];
			snprintf(hint, sizeof(hint), "searched %s; set VNT_PATH or use -I DIR to add a directory",
				 p->nsearch ? p->search[p->nsearch - 1] : "nothing");
			vnt_error(d, &im->loc, hint, "cannot find module \"%s\"", im->path);
			free(path);
			continue;
		}
		struct vnt_module *dep = load_file(p, path, d);
		if (!dep) {
			vnt_error(d, &im->loc, NULL, "cannot read module %s: %s", path, vnt_source_strerror(errno));
			free(path);
			continue;
		}
		free(path);
		if (dep->visiting == 1) {
			vnt_error(d, &im->loc, "move what both modules need into a third module",
				  "import cycle: \"%s\" imports itself through its imports", im->path);
			continue;
		}
		im->mod = dep;
		if (dep->visiting == 0)
			load_imports(p, dep, d);
	}
	m->visiting = 2;   /* done: later importers reuse it */
}

struct vnt_program *vnt_program_load(const char *path, char **incdirs, int ninc, struct vnt_diag *d)
{
	struct vnt_program *p = vnt_xcalloc(1, sizeof(*p));
	p->nsearch = vnt_search_path(incdirs, ninc, &p->search);
	struct vnt_source *src = vnt_source_read(path, NULL);
	if (!src) {
		vnt_fail("cannot read %s: %s", path, vnt_source_strerror(errno));
		vnt_program_free(p);
		return NULL;
	}
	p->main = vnt_parse_source(src, d);
	p->modules = p->main;
	load_imports(p, p->main, d);
	return p;
}

void vnt_program_free(struct vnt_program *p)
{
	if (!p)
		return;
	for (struct vnt_module *m = p->modules, *n; m; m = n) {
		n = m->next_loaded;
		struct vnt_source *src = m->src;
		vnt_module_free(m);
		vnt_source_free(src);
	}
	for (int i = 0; i < p->nsearch; i++)
		free(p->search[i]);
	free(p->search);
	free(p);
}

const struct vnt_hopdef *vnt_module_hopdef(const struct vnt_module *m, const char *name)
{
	for (const struct vnt_hopdef *h = m->hopdefs; h; h = h->next)
		if (!strcmp(h->name, name))
			return h;
	return NULL;
}

const struct vnt_filterdef *vnt_module_filter(const struct vnt_module *m, const char *name)
{
	for (const struct vnt_filterdef *f = m->filters; f; f = f->next)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

struct vnt_module *vnt_module_import(const struct vnt_module *m, const char *alias)
{
	for (const struct vnt_import *im = m->imports; im; im = im->next)
		if (im->alias && !strcmp(im->alias, alias))
			return im->mod;
	return NULL;
}

bool vnt_program_loc(const struct vnt_program *p, const char *srcloc, struct vnt_loc *out)
{
	memset(out, 0, sizeof(*out));
	const char *c2 = srcloc ? strrchr(srcloc, ':') : NULL;
	if (!c2 || c2 == srcloc)
		return false;
	const char *c1 = c2 - 1;
	while (c1 > srcloc && *c1 != ':')
		c1--;
	if (*c1 != ':')
		return false;
	int line = atoi(c1 + 1), col = atoi(c2 + 1);
	const char *dash = strchr(c2 + 1, '-');
	int end = dash ? atoi(dash + 1) : 0;   /* "file:line:col-end" */
	size_t plen = (size_t)(c1 - srcloc);
	for (const struct vnt_module *m = p->modules; m; m = m->next_loaded) {
		if (strlen(m->src->path) != plen || strncmp(m->src->path, srcloc, plen))
			continue;
		*out = (struct vnt_loc){ .src = m->src, .line = line, .col = col, .end_line = line,
					 .end_col = end > col ? end : col };
		/* A string argument: the caret spans it. */
		const char *t = m->src->text;
		for (int l = 1; l < line && *t; t++)
			if (*t == '\n')
				l++;
		if (end <= col && col >= 1 && (size_t)(col - 1) < strlen(t) && t[col - 1] == '"') {
			const char *q = strchr(t + col, '"'), *nl = strchr(t + col - 1, '\n');
			if (q && (!nl || q < nl))
				out->end_col = col + (int)(q - (t + col - 1)) + 1;
		}
		return true;
	}
	return false;
}
