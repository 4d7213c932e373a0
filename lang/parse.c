/* Entry points of the front end: run the scanner and parser over a source. */
#include <stdlib.h>
#include <string.h>
#include "lang/parse.h"
#include "lang/parser.h"
#define YYSTYPE VNT_YYSTYPE
#define YYLTYPE VNT_YYLTYPE
#include "lang/lexer.h"

int vnt_yylex(VNT_YYSTYPE *lval, VNT_YYLTYPE *lloc, void *scanner);

static int run(struct vnt_pstate *ps)
{
	yyscan_t sc;
	if (vnt_yylex_init_extra(ps, &sc))
		return -1;
	YY_BUFFER_STATE b = vnt_yy_scan_bytes(ps->src->text, (int)ps->src->len, sc);
	int rc = vnt_yyparse(sc, ps);
	vnt_yy_delete_buffer(b, sc);
	vnt_yylex_destroy(sc);
	free(ps->pending_doc);
	ps->pending_doc = NULL;
	return rc;
}

char *vnt_module_name(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	char *n = vnt_xstrdup(b);
	char *dot = strrchr(n, '.');
	if (dot && dot != n)
		*dot = '\0';
	return n;
}

struct vnt_module *vnt_parse_source(struct vnt_source *src, struct vnt_diag *diag)
{
	struct vnt_pstate ps = { .src = src, .diag = diag, .line = 1, .col = 1 };
	ps.mod = vnt_xcalloc(1, sizeof(*ps.mod));
	ps.mod->src = src;
	ps.mod->name = vnt_module_name(src->path);
	int errs = diag->errors;
	int rc = run(&ps);
	ps.mod->doc = ps.module_doc;
	vnt_fexpr_free(ps.filter_result);
	if (rc && diag->errors == errs)
		vnt_error(diag, NULL, NULL, "%s: cannot parse", src->path);
	return ps.mod;
}

/* The standalone filter goes through the same grammar: the scanner is
 * primed with a START_FILTER token by the wrapper below. */
struct vnt_fexpr *vnt_parse_filter(struct vnt_source *src, struct vnt_diag *diag)
{
	struct vnt_pstate ps = { .src = src, .diag = diag, .line = 1, .col = 1, .start_token = START_FILTER };
	int errs = diag->errors;
	int rc = run(&ps);
	free(ps.module_doc);
	if (rc || diag->errors != errs) {
		vnt_fexpr_free(ps.filter_result);
		if (diag->errors == errs)
			vnt_error(diag, NULL, NULL, "cannot parse the filter");
		return NULL;
	}
	return ps.filter_result;
}

int vnt_parse_layout(struct vnt_source *src, struct vnt_diag *diag, struct vnt_layout *l)
{
	struct vnt_pstate ps = { .src = src, .diag = diag, .line = 1, .col = 1, .layout = l };
	ps.mod = vnt_xcalloc(1, sizeof(*ps.mod));
	ps.mod->src = src;
	ps.mod->name = vnt_module_name(src->path);
	int rc = run(&ps);
	free(ps.module_doc);
	vnt_fexpr_free(ps.filter_result);
	vnt_module_free(ps.mod);
	if (rc && !ps.syntax_errors) {
		vnt_error(diag, NULL, NULL, "%s: cannot parse", src->path);
		ps.syntax_errors++;
	}
	return ps.syntax_errors;
}

int vnt_lex_layout(struct vnt_source *src, struct vnt_layout *l)
{
	struct vnt_pstate ps = { .src = src, .line = 1, .col = 1, .layout = l };
	yyscan_t sc;
	if (vnt_yylex_init_extra(&ps, &sc))
		return -1;
	YY_BUFFER_STATE b = vnt_yy_scan_bytes(src->text, (int)src->len, sc);
	VNT_YYSTYPE v;
	VNT_YYLTYPE loc;
	int t;
	while ((t = vnt_yylex(&v, &loc, sc)) > 0)
		if (t == FILTER || t == HOP || t == ADDR4 || t == ADDR6 || t == STRING || t == IDENT)
			free(v.str);
	vnt_yy_delete_buffer(b, sc);
	vnt_yylex_destroy(sc);
	free(ps.pending_doc);
	free(ps.module_doc);
	return 0;
}
