/* vnt check FILE: parse, resolve imports and check; print diagnostics. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "tools/cmds.h"
#include "parse.h"

static void help(FILE *f)
{
	fprintf(f, "usage: vnt check [-I DIR]... FILE\n\n"
		"Parse and check a .vnt script without compiling it. Errors are printed as\n"
		"FILE:LINE:COL with the source line and a caret; the exit status is 1 if\n"
		"there were errors.\n\n"
		"  -I DIR     add DIR to the module search path (before VNT_PATH)\n"
		"  -h, --help show this help\n");
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;
	while ((c = getopt_long(argc, argv, "hI:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': help(stdout); return 0;
		case 'I': break;
		default: help(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		help(stderr);
		return 2;
	}
	struct vnt_source *src = vnt_source_read(argv[optind], NULL);
	if (!src) {
		fprintf(stderr, "vnt: error: cannot read %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	struct vnt_diag d;
	vnt_diag_init(&d);
	struct vnt_module *m = vnt_parse_source(src, &d);
	vnt_module_free(m);
	vnt_source_free(src);
	if (d.errors) {
		fprintf(stderr, "%d error%s\n", d.errors, d.errors == 1 ? "" : "s");
		return 1;
	}
	return 0;
}
