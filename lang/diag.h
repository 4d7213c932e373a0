/* Diagnostics: every error knows its file, line and column, and is
 * printed like a good C compiler's: location, message, source line, caret,
 * and an optional hint. */
#ifndef VNT_DIAG_H
#define VNT_DIAG_H

#include <stdbool.h>
#include <stdio.h>
#include "lang/ast.h"

enum vnt_sev { SEV_ERROR, SEV_WARNING, SEV_NOTE };

struct vnt_diag_entry;
struct vnt_diag {
	int errors, warnings;
	int max_errors;         /* stop collecting after this many (0: 50) */
	FILE *out;              /* NULL: stderr */
	int color;              /* -1 auto, 0 never, 1 always */
	/* Buffered (vnt_diag_buffer): kept until vnt_diag_flush, which prints
	 * them in the order of the source, whatever pass found them. */
	bool buffered;
	int n, cap;
	struct vnt_diag_entry *ent;
};

void vnt_diag_init(struct vnt_diag *d);
/* Report at loc; hint may be NULL. printf-style message. */
void vnt_diag(struct vnt_diag *d, enum vnt_sev sev, const struct vnt_loc *loc,
	      const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
#define vnt_error(d, loc, hint, ...) vnt_diag((d), SEV_ERROR, (loc), (hint), __VA_ARGS__)
#define vnt_note(d, loc, ...) vnt_diag((d), SEV_NOTE, (loc), NULL, __VA_ARGS__)

/* Keep what is reported until vnt_diag_flush. */
void vnt_diag_buffer(struct vnt_diag *d);
/* Print what was kept, sorted by file, line and column (messages without
 * a place first), and forget it. */
void vnt_diag_flush(struct vnt_diag *d);

/* Errors without a source location (files, system calls). */
void vnt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
