/* The output formats of `vnt run -f`: one descriptor per format, in the file that writes it (runtime/output/),
 * listed in runtime/output/formats.c. A new format is a new file and one
 * line there; `vnt run --help` and its errors list the table. */
#ifndef VNT_OUTPUT_FORMAT_H
#define VNT_OUTPUT_FORMAT_H

#include <stdio.h>
#include "lib/named.h"
#include "runtime/output/snapshot.h"

struct vnt_output_format {
	struct vnt_named id;     /* -f NAME, and a line for --help */
	/* One snapshot (an interval's, or the final one when s->final):
	 * written and flushed by the caller. */
	void (*snapshot)(FILE *f, const struct vnt_snapshot *s);
};

/* NULL-terminated, the default first: find, list and describe it with
 * lib/named.h (vnt_named_find, vnt_named_list, vnt_named_help). */
extern const struct vnt_output_format *const vnt_output_formats[];

#endif
