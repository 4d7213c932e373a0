/* The clang driver: eBPF C in, BPF object (CO-RE, with BTF) out.
 * Objects are cached by a SHA-256 of everything that affects them, so a
 * script run twice calls clang once. */
#ifndef VNT_CLANG_H
#define VNT_CLANG_H

#include <stdbool.h>
#include <stddef.h>
#include "lib/datadir.h"

struct vnt_clang_opts {
	bool no_cache;          /* always run clang (the result is still stored) */
	bool verbose;           /* print the clang command line */
};

/* Compile csrc. On success returns 0 and hands back a malloc'd object
 * image in *obj and *obj_len; *cached tells whether clang was skipped.
 * On failure prints clang's diagnostics (prefixed by `name`) and
 * returns a negative errno. */
int vnt_clang_compile(const char *csrc, const char *name, const struct vnt_clang_opts *o,
		      void **obj, size_t *obj_len, bool *cached);

/* The cache directory ($VNT_CACHE_DIR, $XDG_CACHE_HOME/vnt, ~/.cache/vnt). */
const char *vnt_cache_dir(void);

#endif
