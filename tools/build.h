/* Script to object: load and check the program, generate C, compile it
 * (or take it from the cache). Shared by compile, run and match. */
#ifndef VNT_BUILD_H
#define VNT_BUILD_H
#include <stdbool.h>
#include <stddef.h>
#include "compiler/plan.h"

struct vnt_build_opts {
	char **incdirs;
	int nincdirs;
	bool no_cache;
	bool verbose;
	bool resolve;           /* also resolve devices and hop features on this host */
	int snaplen;            /* 0, or packet bytes in each raw record (--snaplen, --pcap) */
};

struct vnt_build {
	char *csrc;
	struct vnt_plan *plan;
	void *obj;
	size_t obj_len;
	bool cached;
	double gen_s, clang_s;  /* time spent generating and compiling */
	int nsrc;               /* the script and every module it imported */
	char **src_names, **src_texts;
};

/* 0, or 1 after printing diagnostics. compile=false stops after the C. */
int vnt_build_script(const char *path, const struct vnt_build_opts *o, bool compile, struct vnt_build *b);
void vnt_build_free(struct vnt_build *b);
/* --snaplen's argument (1..VNT_PCAP_SNAP_MAX) into *out; -1 after saying why. */
int vnt_parse_snaplen(const char *arg, int *out);

#endif
