/* Control packages (.vntpkg): one file that carries a compiled trace to
 * the hosts that run it. Versioned and checksummed; see doc/package-format.md.
 *
 *   "VNTPKG\r\n"  u32 format (LE)  u32 flags (0)  u64 payload size (LE)
 *   zlib( member* )          member: u16 name_len, name, u64 size, data, sha256(data)[32]
 *
 * Members: "manifest.json" (the plan, plus vnt version, required kernel
 * features and the SHA-256 of every other member), "object.o" (the CO-RE
 * BPF object), "generated.c", and "src/NAME" for the script and each
 * module it imported. The reader verifies every checksum, both the one
 * after each member and the one listed in the manifest. */
#ifndef VNT_PACKAGE_H
#define VNT_PACKAGE_H

#include <stddef.h>
#include <stdint.h>
#include "compiler/plan.h"

#define VNT_PKG_FORMAT 1
#define VNT_PKG_MAX_BYTES (64u << 20)   /* uncompressed: refuse larger */

struct vnt_pkg_member {
	char *name;
	void *data;
	size_t size;
};

struct vnt_package {
	uint32_t format;
	char *manifest_json;            /* text of manifest.json */
	struct vnt_plan *plan;          /* parsed from it */
	char *vnt_version;              /* of the compiler that made it */
	char **features;                /* kernel features it needs: "tp_btf", "tc", "kprobe", ... */
	int nfeatures;
	const void *obj;                /* points into members */
	size_t obj_len;
	int nmembers;
	struct vnt_pkg_member *members;
};

/* Build a package in memory: plan, object, generated C, sources (name,
 * text pairs). Returns a malloc'd buffer. */
void *vnt_package_build(const struct vnt_plan *plan, const void *obj, size_t obj_len, const char *csrc,
			char **src_names, char **src_texts, int nsrc, size_t *len);

/* Parse and verify. 0, or -1 with a sentence in err. */
int vnt_package_parse(const void *buf, size_t len, struct vnt_package **out, char *err, size_t errlen);
void vnt_package_free(struct vnt_package *p);
const struct vnt_pkg_member *vnt_package_member(const struct vnt_package *p, const char *name);

/* Kernel features a plan needs (names as in the manifest). */
int vnt_plan_features(const struct vnt_plan *plan, const char **out, int max);

#endif
