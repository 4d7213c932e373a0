/* vnt: the command-line front of vNetTracer. Subcommands are a table;
 * each lives in its own file under tools/. */
#include <stdio.h>
#include <string.h>
#include "tools/cmds.h"

static const struct vnt_cmd cmds[] = {
	{ "check",   cmd_check,   "parse and check a script" },
	{ "fmt",     cmd_fmt,     "rewrite scripts in the canonical layout" },
	{ "compile", cmd_compile, "compile a script to a BPF object (or show its C)" },
	{ "run",     cmd_run,     "trace on this host and print live results" },
	{ "inspect", cmd_inspect, "verify a control package and show what it holds" },
	{ "lib",     cmd_lib,     "list library modules or show a module's hop points" },
	{ "match",   cmd_match,   "run a filter over a pcap file in the kernel" },
	{ "dispatch", cmd_dispatch, "run a package on remote agents and collect their data" },
	{ "report",  cmd_report,  "per-hop latency report of a collector store's run" },
	{ "certs",   cmd_certs,   "make a CA and certificates for agents and dispatchers" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vnt COMMAND [ARGS...]\n\n"
		"vNetTracer: trace packets along virtual network paths with eBPF.\n\ncommands:\n");
	for (const struct vnt_cmd *c = cmds; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->help);
	fprintf(f, "\nRun `vnt COMMAND --help` for a command's options; see vnt(1) and vnt-lang(7).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vnt %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (const struct vnt_cmd *c = cmds; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "vnt: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
