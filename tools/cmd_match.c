/* vnt match FILTER -r FILE: which records of a capture a filter accepts,
 * decided by the kernel running the filter as a trace's hop would. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tools/cmds.h"
#include "lib/strbuf.h"
#include "lang/parse.h"
#include "runtime/local/match.h"

static void help(FILE *f)
{
	fprintf(f, "usage: vnt match [OPTIONS] FILTER... (-r | --pcap) FILE\n\n"
		"Run a filter over the records of an Ethernet pcap file in the kernel\n"
		"(BPF_PROG_TEST_RUN) and print the position in the file (1 = first record)\n"
		"of every record it accepts, one per line. The filter is compiled exactly as\n"
		"a trace compiles it, so this is how a filter is tried out and tested.\n\n"
		"FILTER uses tcpdump's primitives (host, net, port, portrange, src/dst, tcp,\n"
		"udp, icmp, ip, ip6, arp, len, less, greater, proto[off:size] arithmetic)\n"
		"plus vxlan, vni N, inner(...) and outer(...); several words are joined\n"
		"with spaces, as tcpdump does. On frames without VLAN tags or VXLAN the\n"
		"answer is tcpdump's, truncated and malformed frames included. By default a\n"
		"VXLAN packet also matches when its inner packet does (unless the filter\n"
		"uses inner, outer, vxlan or vni), and VLAN tags are looked through.\n\n"
		"Note: tcpdump's -# numbers the packets it prints, not their positions.\n\n"
		"  -r, --pcap FILE  the capture to read (Ethernet link type only)\n"
		"  --outer-only     match the outermost headers only, never inner packets\n"
		"  --flow           also print each match's flow and packet fingerprint (the\n"
		"                   identity hops use to recognise a packet)\n"
		"  --emit-c         print the generated eBPF C and exit\n"
		"  --no-cache       run clang even if the object is cached\n"
		"  -v               print the clang command line and libbpf messages\n"
		"  -h, --help       show this help\n\n"
		"Exit status: 0 success, 1 error (filter, capture or kernel), 2 usage.\n");
}

int cmd_match(int argc, char **argv)
{
	enum { O_OUTER = 256, O_EMIT, O_NOCACHE, O_FLOW };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' }, { "pcap", required_argument, NULL, 'r' },
		{ "outer-only", no_argument, NULL, O_OUTER }, { "emit-c", no_argument, NULL, O_EMIT },
		{ "no-cache", no_argument, NULL, O_NOCACHE }, { "flow", no_argument, NULL, O_FLOW }, { 0 } };
	struct vnt_match_opts mo = { 0 };
	const char *pcap = NULL;
	bool emit_c = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hr:v", opts, NULL)) != -1) {
		switch (c) {
		case 'h': help(stdout); return 0;
		case 'r': pcap = optarg; break;
		case 'v': mo.verbose = true; break;
		case O_OUTER: mo.outer_only = true; break;
		case O_EMIT: emit_c = true; break;
		case O_NOCACHE: mo.no_cache = true; break;
		case O_FLOW: mo.flow = true; break;
		default: help(stderr); return 2;
		}
	}
	if (optind >= argc || (!pcap && !emit_c)) {
		fprintf(stderr, "vnt match: %s\n", optind >= argc ? "no filter given" : "no capture given (-r FILE)");
		help(stderr);
		return 2;
	}
	struct strbuf text;
	sb_init(&text);
	for (int i = optind; i < argc; i++)
		sb_printf(&text, "%s%s", i > optind ? " " : "", argv[i]);
	struct vnt_source *src = vnt_source_from_string("<filter>", text.s);
	sb_free(&text);
	if (!src) {
		vnt_fail("out of memory");
		return 1;
	}
	struct vnt_diag d;
	vnt_diag_init(&d);
	struct vnt_fexpr *f = vnt_parse_filter(src, &d);
	vnt_fexpr_services(f, &d);   /* no named filters here: "port 22 or https" */
	char *csrc = NULL;
	struct vnt_matcher *m = NULL;
	int rc = 1;
	if (!f || d.errors || vnt_match_source(f, &mo, &d, &csrc))
		goto out;
	if (emit_c) {
		fputs(csrc, stdout);
		rc = 0;
		goto out;
	}
	if (vnt_matcher__open(csrc, &mo, &m))
		goto out;
	rc = vnt_match_pcap(m, pcap, stdout) ? 1 : 0;
out:
	vnt_matcher__close(m);
	free(csrc);
	vnt_fexpr_free(f);
	vnt_source_free(src);
	return rc;
}
