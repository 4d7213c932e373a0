/* vnt inspect PKG: verify a control package and show what it holds. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/hopkind.h"
#include "lib/fileutil.h"
#include "runtime/loader/package.h"
#include "tools/cmds.h"

static void help(FILE *f)
{
	fprintf(f, "usage: vnt inspect [--manifest] [--source] PKG\n\n"
		"Verify every checksum of a control package (.vntpkg) and print its\n"
		"script, compiler version, required kernel features, hops, aggregations\n"
		"and members. Exit status 1 if the package is invalid.\n\n"
		"  --manifest  print manifest.json\n"
		"  --source    print the script and its modules as packed\n"
		"  -h, --help  show this help\n");
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { "manifest", no_argument, NULL, 'm' },
					      { "source", no_argument, NULL, 's' }, { 0 } };
	bool manifest = false, source = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': help(stdout); return 0;
		case 'm': manifest = true; break;
		case 's': source = true; break;
		default: help(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		help(stderr);
		return 2;
	}
	size_t len;
	char *buf = vnt_read_file(argv[optind], &len);
	if (!buf) {
		fprintf(stderr, "vnt: error: cannot read %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	struct vnt_package *p;
	char err[512];
	if (vnt_package_parse(buf, len, &p, err, sizeof(err))) {
		fprintf(stderr, "vnt: error: %s: %s\n", argv[optind], err);
		free(buf);
		return 1;
	}
	free(buf);
	const struct vnt_plan *pl = p->plan;
	printf("package %s: format %u, made by vnt %s, all checksums verified\n", argv[optind], p->format, p->vnt_version);
	printf("script: %s\nrequires:", pl->script);
	for (int i = 0; i < p->nfeatures; i++)
		printf(" %s", p->features[i]);
	printf("\n");
	for (int t = 0; t < pl->ntraces; t++) {
		const struct vnt_plan_trace *tr = &pl->traces[t];
		printf("trace %s%s%s\n", tr->name, tr->breakdown ? " (breakdown)" : "", tr->events ? " (events)" : "");
		for (int h = tr->first_hop; h < tr->first_hop + tr->nhops; h++) {
			const struct vnt_plan_hop *ph = &pl->hops[h];
			const char *dev = ph->dev ? ph->dev : ph->filter_dev;
			printf("  hop %-12s %-10s %s%s%s%s%s\n", ph->name, ph->kind->name, ph->target,
			       dev ? "  on " : "", dev ? dev : "", ph->def ? "  = " : "", ph->def ? ph->def : "");
		}
		for (int a = 0; a < pl->naggs; a++)
			if (pl->aggs[a].trace == t)
				printf("  %s\n", pl->aggs[a].title);
	}
	printf("members:\n");
	for (int i = 0; i < p->nmembers; i++)
		printf("  %-28s %8zu bytes\n", p->members[i].name, p->members[i].size);
	if (manifest)
		printf("%s\n", p->manifest_json);
	if (source)
		for (int i = 0; i < p->nmembers; i++)
			if (!strncmp(p->members[i].name, "src/", 4))
				printf("==> %s <==\n%s\n", p->members[i].name + 4, (char *)p->members[i].data);
	vnt_package_free(p);
	return 0;
}
