/* vnt compile FILE [-o OUT] [--emit-c]: check, generate, compile. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpf-templates/vnt_abi.h"
#include "lib/fileutil.h"
#include "runtime/loader/package.h"
#include "tools/build.h"
#include "tools/cmds.h"

static void help(FILE *f)
{
	fprintf(f, "usage: vnt compile [OPTIONS] FILE\n\n"
		"Check a .vnt script, generate its eBPF C and compile it with clang (CO-RE).\n\n"
		"  -o OUT        write a control package to OUT if it ends in .vntpkg (for\n"
		"                `vnt run`, `vnt inspect`, `vnt dispatch`); else the BPF object\n"
		"                to OUT and its manifest to OUT.json\n"
		"  --emit-c      print the generated C on standard output (no clang)\n"
		"  --manifest    print the manifest (hops, maps, keys) on standard output\n"
		"  --snaplen N   keep each packet's first N bytes (1-248) in the raw records of\n"
		"                traces with `events`, for `vnt run --pcap` and `vnt report --pcap`\n"
		"  -I DIR        add DIR to the module search path\n"
		"  --no-cache    run clang even if the object is cached\n"
		"  -v            print the clang command line and timings\n"
		"  -h, --help    show this help\n");
}

int cmd_compile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' }, { "emit-c", no_argument, NULL, 'C' },
		{ "manifest", no_argument, NULL, 'M' }, { "no-cache", no_argument, NULL, 'N' },
		{ "snaplen", required_argument, NULL, 'S' }, { 0 } };
	struct vnt_build_opts bo = { 0 };
	char *incs[32];
	const char *out = NULL;
	bool emit_c = false, manifest = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:I:v", opts, NULL)) != -1) {
		switch (c) {
		case 'h': help(stdout); return 0;
		case 'o': out = optarg; break;
		case 'I': if (bo.nincdirs < 32) incs[bo.nincdirs++] = optarg; break;
		case 'C': emit_c = true; break;
		case 'M': manifest = true; break;
		case 'N': bo.no_cache = true; break;
		case 'v': bo.verbose = true; break;
		case 'S':
			if (vnt_parse_snaplen(optarg, &bo.snaplen))
				return 2;
			break;
		default: help(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		help(stderr);
		return 2;
	}
	bo.incdirs = incs;
	struct vnt_build b;
	if (vnt_build_script(argv[optind], &bo, !emit_c && !manifest ? true : out != NULL, &b))
		return 1;
	int rc = 0;
	if (emit_c)
		fputs(b.csrc, stdout);
	char *m = vnt_manifest_write(b.plan);
	if (manifest)
		printf("%s\n", m);
	size_t ol = out ? strlen(out) : 0;
	if (out && ol > 7 && !strcmp(out + ol - 7, ".vntpkg")) {
		size_t plen;
		void *pkg = vnt_package_build(b.plan, b.obj, b.obj_len, b.csrc, b.src_names, b.src_texts, b.nsrc, &plen);
		if (!pkg || vnt_write_file(out, pkg, plen)) {
			fprintf(stderr, "vnt: error: cannot write %s: %s\n", out, pkg ? strerror(errno) : "packing failed");
			rc = 1;
		}
		free(pkg);
	} else if (out) {
		char mpath[4096];
		snprintf(mpath, sizeof(mpath), "%s.json", out);
		if (vnt_write_file(out, b.obj, b.obj_len) || vnt_write_file(mpath, m, strlen(m))) {
			fprintf(stderr, "vnt: error: cannot write %s: %s\n", out, strerror(errno));
			rc = 1;
		}
	}
	if (bo.verbose)
		fprintf(stderr, "vnt: generated in %.3fs, %s in %.3fs\n", b.gen_s,
			b.cached ? "object from cache" : "clang", b.clang_s);
	free(m);
	vnt_build_free(&b);
	return rc;
}
