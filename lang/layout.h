/* Where a script's tokens, top-level items and trace statements are, as
 * the parser saw them: what `vnt fmt` (lang/format.c) lays out again.
 * Recorded only when asked (vnt_parse_layout); other parses pay nothing. */
#ifndef VNT_LAYOUT_H
#define VNT_LAYOUT_H

#include "lang/ast.h"
#include "lang/diag.h"

struct vnt_ltok {
	int tok;                      /* the parser's token number (lang/parser.h) */
	int line, col, end_col;       /* 1-based; end_col is one past the last byte */
};

/* A rule's span: from its first token's start to its last token's end. */
struct vnt_lspan {
	int line, col, end_line, end_col;
};

struct vnt_layout {
	struct vnt_ltok *tok;
	int ntok, captok;
	struct vnt_lspan *items;      /* top-level items, in order */
	int nitems, capitems;
	struct vnt_lspan *stmts;      /* statements of traces, in order */
	int nstmts, capstmts;
};

void vnt_layout_token(struct vnt_layout *l, int tok, int line, int col, int end_col);
void vnt_layout_item(struct vnt_layout *l, struct vnt_lspan s);
void vnt_layout_stmt(struct vnt_layout *l, struct vnt_lspan s);
void vnt_layout_free(struct vnt_layout *l);

/* Parse src recording its layout into *l (zeroed by the caller). Returns
 * the number of syntax errors; they and the errors of the parser's own
 * checks (a port out of range...) are reported to diag. The module built
 * is discarded. */
int vnt_parse_layout(struct vnt_source *src, struct vnt_diag *diag, struct vnt_layout *l);
/* Only the tokens of src (no items, no statements); 0 or -1. */
int vnt_lex_layout(struct vnt_source *src, struct vnt_layout *l);

#endif
