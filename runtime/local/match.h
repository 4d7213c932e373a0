/* `vnt match`: run a filter over a pcap file in the kernel.
 *
 * The filter is compiled to the same C the hops use (compiler/filter_gen,
 * with the same outer-or-inner default), wrapped in a tc program, loaded,
 * and fed every record with BPF_PROG_TEST_RUN. Its answers are the ones a
 * trace's hop gives on the same bytes, which is what makes the filter
 * testable against tcpdump. */
#ifndef VNT_MATCH_H
#define VNT_MATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "lang/ast.h"
#include "lang/diag.h"

/* Bytes of each record the program sees (VNT_SNAP_MAX in the BPF C). */
#define VNT_MATCH_SNAP 256

struct vnt_match_opts {
	bool outer_only;        /* no VXLAN inner default: tcpdump's view */
	bool no_cache;          /* always run clang */
	bool verbose;           /* clang command line, libpcap/libbpf details */
	bool flow;              /* also parse each match's flow and fingerprint */
};

/* The eBPF C of the match program for f (malloc'd into *csrc). Returns 0,
 * or -1 after reporting errors through diag. */
int vnt_match_source(const struct vnt_fexpr *f, const struct vnt_match_opts *o,
		     struct vnt_diag *diag, char **csrc);

struct vnt_matcher;

/* Compile csrc and load it. Returns 0 or a negative errno (reported). */
int vnt_matcher__open(const char *csrc, const struct vnt_match_opts *o, struct vnt_matcher **m);

/* One frame: 1 match, 0 no match, negative errno on failure. */
int vnt_matcher__run(struct vnt_matcher *m, const uint8_t *pkt, uint32_t caplen, uint32_t wirelen);

void vnt_matcher__close(struct vnt_matcher *m);

/* Print to out the 1-based position in the file of every matching
 * record, one per line; with opts.flow followed by the packet's
 * fingerprint and flow (vnt_flow_parse): "N fp=HEX proto=P SRC.SPORT >
 * DST.DPORT", or "N fp=-" if it is not IP. Returns 0, or -1 after
 * printing an error (not a readable capture, not Ethernet, truncated). */
int vnt_match_pcap(struct vnt_matcher *m, const char *path, FILE *out);

#endif
