/* vnt fmt: a script in one canonical layout. */
#ifndef VNT_FORMAT_H
#define VNT_FORMAT_H

#include "lang/ast.h"
#include "lang/diag.h"

/* The text of src laid out canonically into *out (malloc'd, the caller
 * frees it): one statement per line, four spaces of indentation in a
 * trace, one space around operators and after commas, `and`/`or`/`not`
 * and `==` for their symbol spellings, `;` dropped, blank lines kept
 * (at most one) and added between top-level items of different kinds,
 * `=` of consecutive hops, the clauses of consecutive aggregations and
 * consecutive end-of-line comments aligned. Every comment is kept, at the
 * token it was written before or at the end of the line it ended. The
 * tokens are the same as src's (checked by lexing the result again), so
 * the script means what it meant.
 *
 * Returns 0, or -1 with the errors reported to diag (src does not parse:
 * nothing is laid out). */
int vnt_format(struct vnt_source *src, struct vnt_diag *diag, char **out);

/* The text at loc (a filter, say) as vnt fmt writes it, on one line and
 * without its comments; NULL if it cannot be read. What the plan shows
 * of a script's text, so that formatting a script leaves its plan alone. */
char *vnt_format_span(const struct vnt_loc *loc);

#endif
