/* vnt check FILE: parse, resolve imports, check and lower (no clang). */
#include <getopt.h>
#include <stdio.h>
#include "tools/build.h"
#include "tools/cmds.h"

static void help(FILE *f)
{
	fprintf(f, "usage: vnt check [--portable] [-I DIR]... FILE\n\n"
		"Parse and check a .vnt script and the modules it imports, and resolve what\n"
		"`vnt run` would resolve on this host, without compiling or loading it: its\n"
		"hop points against this kernel (tracepoints, BTF, kprobes, fentry), and the\n"
		"devices and network namespaces its hops and filters name. Errors are printed\n"
		"as FILE:LINE:COL with the source line and a caret; the exit status is 1 if\n"
		"there were errors, 2 on usage errors.\n\n"
		"  --portable  only what does not depend on this host (for a script that runs\n"
		"              elsewhere: devices, namespaces and kernel features are then\n"
		"              resolved by the host that runs it)\n"
		"  -I DIR      add DIR to the module search path (before VNT_PATH)\n"
		"  -h, --help  show this help\n");
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' },
					      { "portable", no_argument, NULL, 'P' }, { 0 } };
	struct vnt_build_opts bo = { .resolve = true };
	char *incs[32];
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hI:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': help(stdout); return 0;
		case 'P': bo.resolve = false; break;
		case 'I': if (bo.nincdirs < 32) incs[bo.nincdirs++] = optarg; break;
		default: help(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		help(stderr);
		return 2;
	}
	bo.incdirs = incs;
	struct vnt_build b;
	if (vnt_build_script(argv[optind], &bo, false, &b))
		return 1;
	vnt_build_free(&b);
	return 0;
}
