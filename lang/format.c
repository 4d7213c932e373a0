/* vnt fmt's printer (lang/format.h). It lays out the tokens the parser
 * read, not a tree printed back: the tree has already folded what the
 * user wrote (the `where`s of a trace are one AND, implicit qualifiers
 * are filled in, parentheses are gone), while the tokens keep every
 * parenthesis and number as written, so the result cannot mean anything
 * else. The parser tells where each top-level item and trace statement
 * starts and ends (lang/layout.h); comments are what lies between the
 * tokens besides white space. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/strbuf.h"
#include "lang/format.h"
#include "lang/layout.h"
#include "lang/parse.h"
#include "lang/parser.h"

#define INDENT 4          /* spaces per level, as every script in the tree */
#define COMMENT_GAP 2     /* spaces at least before an end-of-line comment */

struct tok {
	int kind;
	const char *text;     /* in the source */
	size_t len;
	int line, col;
	bool skip;            /* `;`: one statement per line makes it redundant */
	bool tight;           /* `/` of ADDR/LEN and 1/N, `-` of A-B and ftp-data: no spaces */
	bool unary;           /* `-` of a negative number: no space after it */
	bool relop_eq;        /* `=` comparing: written `==` */
	bool blank;           /* an empty line between it and what precedes it */
};

struct comment {
	const char *text;     /* from `#` to the end of the line, trailing blanks cut */
	size_t len;
	int before;           /* the token it precedes (ntok: the end of the file) */
	bool trailing;        /* written after a token on the same line */
	bool blank;           /* an empty line before it */
};

enum lkind { L_CODE, L_COMMENT, L_HOP, L_AGG };

struct line {
	enum lkind kind;
	int indent;           /* levels */
	bool blank;           /* an empty line before it */
	char *code;           /* the statement, or the comment of an L_COMMENT */
	const struct comment *trail;
	int at;               /* where alignment pads: L_HOP after the name,
			       * L_AGG after the call if a clause follows; else -1 */
};

struct fmt {
	const struct vnt_source *src;
	struct tok *t;
	int nt;
	bool end_blank;       /* an empty line before the comments' end of file */
	struct comment *c;
	int nc, capc, ci;     /* ci: the next comment to place */
	struct line *l;
	int nl, capl;
};

/* ---- reading: tokens, comments, blank lines ---- */

static size_t *line_starts(const struct vnt_source *src, int *n)
{
	int cap = 64;
	size_t *ls = vnt_xcalloc((size_t)cap, sizeof(*ls));
	*n = 1;
	ls[0] = 0;
	for (size_t i = 0; i < src->len; i++)
		if (src->text[i] == '\n') {
			if (*n == cap) {
				cap *= 2;
				ls = vnt_xrealloc(ls, sizeof(*ls) * (size_t)cap);
			}
			ls[(*n)++] = i + 1;
		}
	return ls;
}

static void add_comment(struct fmt *f, struct comment c)
{
	if (f->nc == f->capc) {
		f->capc = f->capc ? f->capc * 2 : 32;
		f->c = vnt_xrealloc(f->c, sizeof(*f->c) * (size_t)f->capc);
	}
	f->c[f->nc++] = c;
}

/* What lies between two tokens (from, to): white space and comments. */
static void scan_gap(struct fmt *f, size_t from, size_t to, int before)
{
	const char *s = f->src->text;
	int nl = 0;
	bool first = true;
	for (size_t p = from; p < to; p++) {
		if (s[p] == '\n') {
			nl++;
		} else if (s[p] == '#') {
			size_t e = p;
			while (e < to && s[e] != '\n')
				e++;
			size_t n = e - p;
			while (n > 1 && (s[p + n - 1] == ' ' || s[p + n - 1] == '\t' || s[p + n - 1] == '\r'))
				n--;
			add_comment(f, (struct comment){ .text = s + p, .len = n, .before = before,
							 .trailing = before > 0 && first && nl == 0, .blank = nl >= 2 });
			first = false;
			nl = 0;
			p = e - 1;
		}
	}
	if (before < f->nt)
		f->t[before].blank = nl >= 2;
	else
		f->end_blank = nl >= 2;
}

static bool is_kind(const struct fmt *f, int k, int kind)
{
	return k >= 0 && k < f->nt && f->t[k].kind == kind;
}

/* The token at a line and column, or the last one starting before it. */
static int tok_before(const struct fmt *f, int line, int col)
{
	int lo = 0, hi = f->nt - 1, r = -1;
	while (lo <= hi) {
		int m = (lo + hi) / 2;
		const struct tok *t = &f->t[m];
		if (t->line < line || (t->line == line && t->col <= col)) {
			r = m;
			lo = m + 1;
		} else {
			hi = m - 1;
		}
	}
	return r;
}

/* [*a, *b): the tokens of a span the parser reported. */
static void span_toks(const struct fmt *f, const struct vnt_lspan *s, int *a, int *b)
{
	*a = tok_before(f, s->line, s->col);
	*b = tok_before(f, s->end_line, s->end_col - 1) + 1;
}

static void read_tokens(struct fmt *f, const struct vnt_layout *lay)
{
	int nls;
	size_t *ls = line_starts(f->src, &nls);
	f->nt = lay->ntok;
	f->t = vnt_xcalloc((size_t)f->nt + 1, sizeof(*f->t));
	size_t prev_end = 0;
	for (int i = 0; i < f->nt; i++) {
		const struct vnt_ltok *lt = &lay->tok[i];
		struct tok *t = &f->t[i];
		size_t off = ls[lt->line - 1] + (size_t)(lt->col - 1);
		*t = (struct tok){ .kind = lt->tok, .text = f->src->text + off, .len = (size_t)(lt->end_col - lt->col),
				   .line = lt->line, .col = lt->col, .skip = lt->tok == ';' };
		scan_gap(f, prev_end, off, i);
		prev_end = off + t->len;
	}
	scan_gap(f, prev_end, f->src->len, f->nt);
	free(ls);
	/* what the parser's context tells about spacing and spelling */
	for (int k = 0; k < f->nt; k++) {
		struct tok *t = &f->t[k];
		if (t->kind == '/')
			t->tight = is_kind(f, k - 1, ADDR4) || is_kind(f, k - 1, ADDR6) ||
				   (is_kind(f, k - 1, NUM) && (is_kind(f, k - 2, NETK) || is_kind(f, k - 2, SAMPLE)));
		if (t->kind == '-') {
			t->tight = (is_kind(f, k - 1, NUM) && is_kind(f, k - 2, PORTRANGE)) ||
				   (is_kind(f, k - 1, IDENT) && is_kind(f, k - 2, PORT));
			t->unary = is_kind(f, k - 1, '(') || is_kind(f, k - 1, ',');
		}
		t->relop_eq = t->kind == '=';
	}
	/* a dropped `;` passes its comments and blank line to the next token */
	for (int i = 0; i < f->nc; i++) {
		int k = f->c[i].before;
		while (k < f->nt && f->t[k].skip)
			k++;
		f->c[i].before = k;
	}
	for (int k = 0; k < f->nt; k++)
		if (f->t[k].skip && f->t[k].blank) {
			if (k + 1 < f->nt)
				f->t[k + 1].blank = true;
			else
				f->end_blank = true;
		}
}

/* The `=` of `filter NAME =`, `hop NAME(...) =` and `hop NAME =` defines;
 * every other `=` compares. */
static void mark_definition(struct fmt *f, int a, int b)
{
	if (!is_kind(f, a, FILTER) && !is_kind(f, a, HOP))
		return;
	for (int k = a; k < b; k++)
		if (f->t[k].kind == '=') {
			f->t[k].relop_eq = false;
			return;
		}
}

/* ---- writing lines ---- */

static struct line *push_line(struct fmt *f, enum lkind kind, int indent, bool blank, char *code)
{
	if (f->nl == f->capl) {
		f->capl = f->capl ? f->capl * 2 : 64;
		f->l = vnt_xrealloc(f->l, sizeof(*f->l) * (size_t)f->capl);
	}
	struct line *l = &f->l[f->nl++];
	*l = (struct line){ .kind = kind, .indent = indent, .blank = blank && f->nl > 1, .code = code, .at = -1 };
	return l;
}

static bool has_comments(const struct fmt *f, int k)
{
	return f->ci < f->nc && f->c[f->ci].before == k;
}

/* The comments before token k: one written at the end of the line before
 * stays at the end of that line, the others get lines of their own at
 * indent. The first of those has an empty line before it if force, or if
 * it had one and blank_ok. Whether the token's line then has one. */
static bool place(struct fmt *f, int k, int indent, bool blank_ok, bool force)
{
	bool own = false;
	while (has_comments(f, k)) {
		const struct comment *c = &f->c[f->ci++];
		struct line *last = f->nl ? &f->l[f->nl - 1] : NULL;
		if (c->trailing && last && last->kind != L_COMMENT && !last->trail) {
			last->trail = c;
			continue;
		}
		char *text = vnt_xcalloc(1, c->len + 1);
		memcpy(text, c->text, c->len);
		push_line(f, L_COMMENT, indent, own ? c->blank : force || (blank_ok && c->blank), text);
		own = true;
	}
	bool tblank = k < f->nt ? f->t[k].blank : f->end_blank;
	return own ? tblank : force || (blank_ok && tblank);
}

/* Names a call's `(` follows without a space: functions, hop points and
 * forms (a module or form may be named like a filter keyword), inner(),
 * outer(). After anything else `(` groups. */
static bool calls(int kind)
{
	switch (kind) {
	case IDENT: case INNER: case OUTER: case NETK: case TCP: case UDP: case IP: case IP6:
	case ICMP: case VXLAN: case DEV: case CPU:
		return true;
	default:
		return false;
	}
}

static bool space_between(const struct tok *p, const struct tok *q)
{
	if (p->tight || q->tight || p->unary)
		return false;
	if (p->kind == '(' || p->kind == '[' || p->kind == '.' || p->kind == ':')
		return false;
	if (q->kind == ')' || q->kind == ']' || q->kind == ',' || q->kind == '.' || q->kind == ':' || q->kind == '[')
		return false;
	if (q->kind == '(')
		return !calls(p->kind);
	return true;
}

static void spell(struct strbuf *b, const struct tok *t)
{
	switch (t->kind) {
	case AND: sb_puts(b, "and"); break;
	case OR:  sb_puts(b, "or"); break;
	case NOT: sb_puts(b, "not"); break;
	default:
		if (t->relop_eq)
			sb_puts(b, "==");
		else
			sb_putn(b, t->text, t->len);
	}
}

/* The `)` closing the `(` at k. */
static int closing(const struct fmt *f, int k, int b)
{
	int depth = 0;
	for (; k < b; k++) {
		if (f->t[k].kind == '(')
			depth++;
		else if (f->t[k].kind == ')' && --depth == 0)
			return k;
	}
	return -1;
}

/* Tokens [a, b) as one statement on a line at indent (its comments were
 * placed). A comment inside it ends the line there; the statement goes on
 * one level deeper. */
static void statement(struct fmt *f, int a, int b, int indent, enum lkind kind, bool blank)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "");
	int mark = -1, at = -1, last = -1, cur = indent;
	if (kind == L_HOP)
		mark = a + 1;
	else if (kind == L_AGG) {
		mark = closing(f, a + 1, b);
		if (mark < 0 || mark + 1 >= b ||
		    !(is_kind(f, mark + 1, IF) || is_kind(f, mark + 1, AT) || is_kind(f, mark + 1, BY)))
			mark = -1;
	}
	bool broken = false;
	for (int k = a; k < b; k++) {
		const struct tok *t = &f->t[k];
		if (t->skip)
			continue;
		if (k > a && has_comments(f, k)) {
			push_line(f, L_CODE, cur, blank, sb_steal(&sb));
			sb_puts(&sb, "");
			place(f, k, indent + 1, false, false);
			cur = indent + 1;
			blank = false;
			broken = true;
			last = -1;
		}
		if (last >= 0 && space_between(&f->t[last], t))
			sb_putn(&sb, " ", 1);
		spell(&sb, t);
		if (k == mark)
			at = (int)sb.len;
		last = k;
	}
	struct line *l = push_line(f, broken ? L_CODE : kind, cur, blank, sb_steal(&sb));
	if (!broken)
		l->at = at;
}

static enum lkind stmt_kind(const struct fmt *f, int a)
{
	if (is_kind(f, a, HOP))
		return L_HOP;
	if (is_kind(f, a, IDENT))
		return L_AGG;
	return L_CODE;
}

/* `trace NAME {`, its statements one level in, `}`. */
static void trace(struct fmt *f, int a, int b, bool blank, const struct vnt_layout *lay, int *si)
{
	int h = a;
	while (h < b && f->t[h].kind != '{')
		h++;
	statement(f, a, h + 1, 0, L_CODE, blank);
	bool first = true;
	for (; *si < lay->nstmts; (*si)++) {
		int sa, sb;
		span_toks(f, &lay->stmts[*si], &sa, &sb);
		if (sa >= b - 1)
			break;
		if (sa <= h || f->t[sa].skip)
			continue;
		mark_definition(f, sa, sb);
		bool bl = place(f, sa, 1, !first, false);
		statement(f, sa, sb, 1, stmt_kind(f, sa), bl);
		first = false;
	}
	place(f, b - 1, 1, !first, false);
	statement(f, b - 1, b, 0, L_CODE, false);
}

static void lay_out(struct fmt *f, const struct vnt_layout *lay)
{
	int prev = 0, si = 0;
	for (int i = 0; i < lay->nitems; i++) {
		int a, b;
		span_toks(f, &lay->items[i], &a, &b);
		if (a < 0 || a >= b || f->t[a].skip)
			continue;
		int kind = f->t[a].kind;
		/* imports, filters, hop points may stay together; anything else
		 * gets an empty line between */
		bool force = prev && (prev != kind || kind == TRACE);
		bool bl = place(f, a, 0, true, force);
		if (kind == TRACE) {
			trace(f, a, b, bl, lay, &si);
		} else {
			mark_definition(f, a, b);
			statement(f, a, b, 0, L_CODE, bl);
		}
		prev = kind;
	}
	place(f, f->nt, 0, true, false);
}

/* ---- alignment and text ---- */

static void pad(struct line *l, int to)
{
	int n = to - l->at;
	if (n <= 0)
		return;
	size_t len = strlen(l->code);
	char *c = vnt_xcalloc(1, len + (size_t)n + 1);
	memcpy(c, l->code, (size_t)l->at);
	memset(c + l->at, ' ', (size_t)n);
	memcpy(c + l->at + n, l->code + l->at, len - (size_t)l->at + 1);
	free(l->code);
	l->code = c;
}

/* Consecutive lines of a kind (no empty line between): their `at`s in one
 * column. */
static void align(struct fmt *f, enum lkind kind)
{
	for (int i = 0; i < f->nl;) {
		if (f->l[i].kind != kind) {
			i++;
			continue;
		}
		int j = i + 1;
		while (j < f->nl && f->l[j].kind == kind && !f->l[j].blank && f->l[j].indent == f->l[i].indent)
			j++;
		int col = -1;
		for (int k = i; k < j; k++)
			if (f->l[k].at > col)
				col = f->l[k].at;
		for (int k = i; k < j; k++)
			if (f->l[k].at >= 0)
				pad(&f->l[k], col);
		i = j;
	}
}

/* Columns as shown: UTF-8 continuation bytes take none. */
static int width(const struct line *l)
{
	int w = l->indent * INDENT;
	for (const char *p = l->code; *p; p++)
		w += ((unsigned char)*p & 0xc0) != 0x80;
	return w;
}

static char *render(struct fmt *f)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "");
	int col = 0;
	for (int i = 0; i < f->nl; i++) {
		const struct line *l = &f->l[i];
		/* end-of-line comments of consecutive lines in one column */
		if (l->trail && (i == 0 || !f->l[i - 1].trail || l->blank || f->l[i - 1].indent != l->indent)) {
			col = 0;
			for (int j = i; j < f->nl && f->l[j].trail && (j == i || (!f->l[j].blank && f->l[j].indent == l->indent)); j++)
				if (width(&f->l[j]) + COMMENT_GAP > col)
					col = width(&f->l[j]) + COMMENT_GAP;
		}
		if (l->blank)
			sb_puts(&sb, "\n");
		sb_printf(&sb, "%*s%s", l->indent * INDENT, "", l->code);
		if (l->trail)
			sb_printf(&sb, "%*s%.*s", col - width(l), "", (int)l->trail->len, l->trail->text);
		sb_puts(&sb, "\n");
	}
	return sb_steal(&sb);
}

static void fmt_free(struct fmt *f)
{
	for (int i = 0; i < f->nl; i++)
		free(f->l[i].code);
	free(f->l);
	free(f->c);
	free(f->t);
}

/* Syntax errors of src, reported nowhere; -1 if that cannot be done. */
static int quiet_parse(struct vnt_source *src, struct vnt_layout *lay)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *sink = open_memstream(&buf, &len);
	if (!sink)
		return -1;
	struct vnt_diag d;
	vnt_diag_init(&d);
	d.out = sink;
	d.color = 0;
	int n = vnt_parse_layout(src, &d, lay);
	fclose(sink);
	free(buf);
	return n;
}

/* The text laid out must read as the same tokens: lex and parse it again. */
static bool same_tokens(const struct fmt *f, const char *text)
{
	struct vnt_source *s = vnt_source_from_string(f->src->path, text);
	if (!s)
		return false;
	struct vnt_layout lay = { 0 };
	bool ok = quiet_parse(s, &lay) == 0;
	struct fmt g = { .src = s };
	if (ok) {
		read_tokens(&g, &lay);
		int k = 0;
		for (int i = 0; ok && i < f->nt; i++) {
			const struct tok *t = &f->t[i];
			if (t->skip)
				continue;
			if (k >= g.nt) {
				ok = false;
				break;
			}
			const struct tok *u = &g.t[k++];
			if (t->relop_eq)
				ok = u->kind == EQ;
			else if (t->kind == AND || t->kind == OR || t->kind == NOT)
				ok = u->kind == t->kind;
			else
				ok = u->kind == t->kind && u->len == t->len && !memcmp(u->text, t->text, t->len);
		}
		ok = ok && k == g.nt && g.nc == f->nc;
	}
	fmt_free(&g);
	vnt_layout_free(&lay);
	vnt_source_free(s);
	return ok;
}

int vnt_format(struct vnt_source *src, struct vnt_diag *diag, char **out)
{
	*out = NULL;
	struct vnt_layout lay = { 0 };
	/* Like a compiler's formatter, only what the grammar refuses stops it
	 * (a port out of range is laid out as written): parsed quietly first,
	 * then again to report every error if there is a syntax error. */
	int syntax = quiet_parse(src, &lay);
	if (syntax) {
		vnt_layout_free(&lay);
		if (syntax > 0)
			vnt_parse_layout(src, diag, &lay);
		else
			vnt_error(diag, NULL, NULL, "%s: out of memory", src->path);
		vnt_layout_free(&lay);
		return -1;
	}
	struct fmt f = { .src = src };
	read_tokens(&f, &lay);
	lay_out(&f, &lay);
	align(&f, L_HOP);
	align(&f, L_AGG);
	char *text = render(&f);
	bool same = same_tokens(&f, text);
	fmt_free(&f);
	vnt_layout_free(&lay);
	if (!same) {
		vnt_error(diag, NULL, "please report it with the script; the file is left as it was",
			  "%s: internal error: the formatted text would not read as the same tokens", src->path);
		free(text);
		return -1;
	}
	*out = text;
	return 0;
}

char *vnt_format_span(const struct vnt_loc *loc)
{
	const struct vnt_source *src = loc->src;
	if (!src || loc->line < 1 || loc->end_line < loc->line)
		return NULL;
	int nls;
	size_t *ls = line_starts(src, &nls);
	size_t a = 0, b = 0;
	bool ok = loc->end_line <= nls;
	if (ok) {
		a = ls[loc->line - 1] + (size_t)(loc->col - 1);
		b = ls[loc->end_line - 1] + (size_t)(loc->end_col - 1);
		ok = a < b && b <= src->len;
	}
	free(ls);
	if (!ok)
		return NULL;
	char *text = vnt_xcalloc(1, b - a + 1);
	memcpy(text, src->text + a, b - a);
	struct vnt_source *s = vnt_source_from_string(src->path, text);
	free(text);
	if (!s)
		return NULL;
	struct vnt_layout lay = { 0 };
	char *r = NULL;
	if (!vnt_lex_layout(s, &lay) && lay.ntok) {
		struct fmt f = { .src = s };
		read_tokens(&f, &lay);
		f.ci = f.nc;   /* comments are no part of it */
		statement(&f, 0, f.nt, 0, L_CODE, false);
		if (f.nl == 1) {
			r = f.l[0].code;
			f.l[0].code = NULL;
		}
		fmt_free(&f);
	}
	vnt_layout_free(&lay);
	vnt_source_free(s);
	return r;
}
