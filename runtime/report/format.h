/* The formats of `vnt report -f`: one descriptor per format, in the file
 * that writes it (runtime/report/), listed in runtime/report/formats.c. A
 * new format is a new file and one line there; `vnt report --help` and
 * its errors list the table. */
#ifndef VNT_REPORT_FORMAT_H
#define VNT_REPORT_FORMAT_H

#include <stdio.h>
#include "lib/named.h"
#include "runtime/report/report.h"

struct vnt_report_format {
	struct vnt_named id;     /* -f NAME, and a line for --help */
	/* The whole report; 0, or non-zero after a write error. */
	int (*write)(FILE *f, const struct vnt_report *r, const struct vnt_report_opts *o);
};

/* NULL-terminated, the default first: find, list and describe it with
 * lib/named.h (vnt_named_find, vnt_named_list, vnt_named_help). */
extern const struct vnt_report_format *const vnt_report_formats[];

#endif
