/* Recording a script's layout while it is parsed (lang/layout.h). */
#include <stdlib.h>
#include "lang/layout.h"

#define GROW(arr, n, cap) do {                                                  \
	if ((n) == (cap)) {                                                     \
		(cap) = (cap) ? (cap) * 2 : 64;                                 \
		(arr) = vnt_xrealloc((arr), sizeof(*(arr)) * (size_t)(cap));    \
	}                                                                       \
} while (0)

void vnt_layout_token(struct vnt_layout *l, int tok, int line, int col, int end_col)
{
	GROW(l->tok, l->ntok, l->captok);
	l->tok[l->ntok++] = (struct vnt_ltok){ .tok = tok, .line = line, .col = col, .end_col = end_col };
}

void vnt_layout_item(struct vnt_layout *l, struct vnt_lspan s)
{
	GROW(l->items, l->nitems, l->capitems);
	l->items[l->nitems++] = s;
}

void vnt_layout_stmt(struct vnt_layout *l, struct vnt_lspan s)
{
	GROW(l->stmts, l->nstmts, l->capstmts);
	l->stmts[l->nstmts++] = s;
}

void vnt_layout_free(struct vnt_layout *l)
{
	free(l->tok);
	free(l->items);
	free(l->stmts);
	*l = (struct vnt_layout){ 0 };
}
