/* vnt lib [MODULE]: what the module search path offers, and a module's
 * documentation taken from its comments. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/parse.h"
#include "lang/program.h"
#include "lib/fileutil.h"
#include "tools/cmds.h"

static void help(FILE *f)
{
	fprintf(f, "usage: vnt lib [-I DIR]... [MODULE]\n\n"
		"Without MODULE, list the modules on the search path (-I dirs, $VNT_PATH,\n"
		"then the installed stdlib) with the first sentence of their documentation.\n"
		"With MODULE, print its documentation, hop points and filters.\n\n"
		"  -I DIR     add DIR to the module search path\n"
		"  -h, --help show this help\n");
}

static struct vnt_module *parse_quiet(const char *path, struct vnt_source **src)
{
	*src = vnt_source_read(path, NULL);
	if (!*src)
		return NULL;
	struct vnt_diag d;
	vnt_diag_init(&d);
	d.out = fopen("/dev/null", "w");
	struct vnt_module *m = vnt_parse_source(*src, &d);
	if (d.out)
		fclose(d.out);
	return m;
}

/* The summary `vnt lib` lists for a module: the first sentence of its
 * documentation, its lines joined. A sentence ends at '.', '!' or '?'
 * followed by the end of the text, or by a space and a capital letter
 * (so "e.g. the" goes on); a first paragraph that never ends one is taken
 * whole. NULL when out of memory. */
static char *doc_summary(const char *doc)
{
	char *s = strdup(doc ? doc : "");
	if (!s)
		return NULL;
	for (char *c = s; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	for (char *c = s; *c; c++) {
		if (*c != '.' && *c != '!' && *c != '?')
			continue;
		char *n = c + 1;
		while (*n == ' ')
			n++;
		if (!*n || (n > c + 1 && n[0] >= 'A' && n[0] <= 'Z')) {
			c[1] = '\0';
			break;
		}
	}
	return s;
}

/* Print text from column `col` on, wrapped at spaces before column
 * `width`; continuation lines start at column `indent`. A word longer
 * than a line is printed whole. */
static void print_wrapped(const char *text, int col, int indent, int width)
{
	const char *s = text;
	while (*s == ' ')
		s++;
	if (!*s)
		printf("\n");
	while (*s) {
		int room = width - col, len = (int)strlen(s);
		if (len > room) {
			int cut = room;
			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (cut == 0)
				for (cut = room; s[cut] && s[cut] != ' ';)
					cut++;
			len = cut;
		}
		int end = len;
		while (end > 0 && s[end - 1] == ' ')
			end--;
		printf("%.*s\n", end, s);
		s += len;
		while (*s == ' ')
			s++;
		if (*s)
			printf("%*s", indent, "");
		col = indent;
	}
}

static int list(char **dirs, int n)
{
	for (int i = 0; i < n; i++) {
		DIR *d = opendir(dirs[i]);
		if (!d)
			continue;
		printf("%s:\n", dirs[i]);
		struct dirent *de;
		char **names = NULL;
		int nn = 0;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (l > 4 && !strcmp(de->d_name + l - 4, ".vnt")) {
				names = realloc(names, sizeof(*names) * (size_t)(nn + 1));
				names[nn++] = strdup(de->d_name);
			}
		}
		closedir(d);
		qsort(names, (size_t)nn, sizeof(*names), vnt_strcmp_ptr);
		for (int k = 0; k < nn; k++) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", dirs[i], names[k]);
			struct vnt_source *src;
			struct vnt_module *m = parse_quiet(path, &src);
			char *sum = doc_summary(m ? m->doc : NULL);
			int w = printf("  %-12.*s ", (int)(strlen(names[k]) - 4), names[k]);
			print_wrapped(sum ? sum : "", w, 15, 79);
			free(sum);
			vnt_module_free(m);
			vnt_source_free(src);
			free(names[k]);
		}
		free(names);
	}
	return 0;
}

static int show(char **dirs, int n, const char *name)
{
	for (int i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.vnt", dirs[i], name);
		struct vnt_source *src;
		struct vnt_module *m = parse_quiet(path, &src);
		if (!m)
			continue;
		printf("MODULE %s (%s)\n\n", name, path);
		if (m->doc)
			printf("%s\n\n", m->doc);
		if (m->hopdefs)
			printf("HOP POINTS\n");
		for (const struct vnt_hopdef *h = m->hopdefs; h; h = h->next) {
			printf("  %s.%s(", name, h->name);
			for (int p = 0; p < h->nparams; p++)
				printf("%s%s", p ? ", " : "", h->params[p]);
			printf(")    [%s]\n", h->attach.form);
			if (h->doc) {
				for (const char *s = h->doc; *s;) {
					const char *e = strchr(s, '\n');
					int len = e ? (int)(e - s) : (int)strlen(s);
					printf("      %.*s\n", len, s);
					s += len + (e ? 1 : 0);
				}
			}
		}
		if (m->filters)
			printf("\nFILTERS\n");
		for (const struct vnt_filterdef *f = m->filters; f; f = f->next)
			printf("  %s.%s%s%s\n", name, f->name, f->doc ? "    " : "", f->doc ? f->doc : "");
		vnt_module_free(m);
		vnt_source_free(src);
		return 0;
	}
	fprintf(stderr, "vnt: error: no module '%s' on the search path\n", name);
	return 1;
}

int cmd_lib(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	char *incs[32];
	int ninc = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hI:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': help(stdout); return 0;
		case 'I': if (ninc < 32) incs[ninc++] = optarg; break;
		default: help(stderr); return 2;
		}
	}
	if (argc - optind > 1) {
		help(stderr);
		return 2;
	}
	char **dirs;
	int n = vnt_search_path(incs, ninc, &dirs);
	int rc = optind < argc ? show(dirs, n, argv[optind]) : list(dirs, n);
	for (int i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}
