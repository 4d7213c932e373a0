#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lang/diag.h"

void vnt_diag_init(struct vnt_diag *d)
{
	memset(d, 0, sizeof(*d));
	d->max_errors = 50;
	d->color = -1;
}

/* Print source line `line` of src, then a caret under [col, end_col]. */
static void show_line(FILE *out, const struct vnt_loc *loc, int color)
{
	const struct vnt_source *src = loc->src;
	if (!src || !src->text || loc->line <= 0)
		return;
	const char *p = src->text;
	for (int l = 1; l < loc->line && *p; p++)
		if (*p == '\n')
			l++;
	const char *e = strchr(p, '\n');
	size_t n = e ? (size_t)(e - p) : strlen(p);
	fprintf(out, "%5d | %.*s\n      | ", loc->line, (int)n, p);
	int width = 1;
	if (loc->end_line == loc->line && loc->end_col > loc->col)
		width = loc->end_col - loc->col;
	/* Keep tabs so the caret lines up with the source as displayed. */
	for (int i = 1; i < loc->col && (size_t)(i - 1) < n; i++)
		fputc(p[i - 1] == '\t' ? '\t' : ' ', out);
	if (color)
		fputs("\033[1;32m", out);
	fputc('^', out);
	for (int i = 1; i < width; i++)
		fputc('~', out);
	if (color)
		fputs("\033[0m", out);
	fputc('\n', out);
}

struct vnt_diag_entry {
	char *path;             /* NULL: no place */
	int line, col, seq;
	char *text;             /* the whole report, as printed */
};

void vnt_diag_buffer(struct vnt_diag *d)
{
	d->buffered = true;
}

static int by_place(const void *x, const void *y)
{
	const struct vnt_diag_entry *a = x, *b = y;
	if (!a->path != !b->path)
		return a->path ? 1 : -1;
	int c = a->path ? strcmp(a->path, b->path) : 0;
	if (!c)
		c = a->line != b->line ? a->line - b->line : a->col != b->col ? a->col - b->col : a->seq - b->seq;
	return c;
}

void vnt_diag_flush(struct vnt_diag *d)
{
	FILE *out = d->out ? d->out : stderr;
	if (d->n > 1)
		qsort(d->ent, (size_t)d->n, sizeof(*d->ent), by_place);
	for (int i = 0; i < d->n; i++) {
		fputs(d->ent[i].text, out);
		free(d->ent[i].text);
		free(d->ent[i].path);
	}
	free(d->ent);
	d->ent = NULL;
	d->n = d->cap = 0;
	d->buffered = false;
}

static void emit(struct vnt_diag *d, FILE *out, enum vnt_sev sev, const struct vnt_loc *loc, const char *hint,
		 int color, const char *fmt, va_list ap);

void vnt_diag(struct vnt_diag *d, enum vnt_sev sev, const struct vnt_loc *loc,
	      const char *hint, const char *fmt, ...)
{
	FILE *out = d->out ? d->out : stderr;
	int color = d->color;
	if (color < 0)
		color = isatty(fileno(out)) && !getenv("NO_COLOR");
	if (sev == SEV_ERROR) {
		if (d->max_errors && d->errors >= d->max_errors) {
			d->errors++;
			return;
		}
		d->errors++;
	} else if (sev == SEV_WARNING) {
		d->warnings++;
	}
	va_list ap;
	va_start(ap, fmt);
	if (!d->buffered) {
		emit(d, out, sev, loc, hint, color, fmt, ap);
		va_end(ap);
		return;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (m) {
		emit(d, m, sev, loc, hint, color, fmt, ap);
		fclose(m);
	}
	va_end(ap);
	if (!text)
		return;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->ent = realloc(d->ent, sizeof(*d->ent) * (size_t)d->cap);
		if (!d->ent)
			abort();
	}
	d->ent[d->n] = (struct vnt_diag_entry){ loc && loc->src ? strdup(loc->src->path) : NULL, loc ? loc->line : 0,
						loc ? loc->col : 0, d->n, text };
	d->n++;
}

static void emit(struct vnt_diag *d, FILE *out, enum vnt_sev sev, const struct vnt_loc *loc, const char *hint,
		 int color, const char *fmt, va_list ap)
{
	(void)d;
	static const char *const names[] = { "error", "warning", "note" };
	static const char *const colors[] = { "\033[1;31m", "\033[1;35m", "\033[1;36m" };
	if (loc && loc->src)
		fprintf(out, "%s%s:%d:%d: ", color ? "\033[1m" : "", loc->src->path, loc->line, loc->col);
	else
		fprintf(out, "%svnt: ", color ? "\033[1m" : "");
	fprintf(out, "%s%s:%s ", color ? colors[sev] : "", names[sev], color ? "\033[0m\033[1m" : "");
	vfprintf(out, fmt, ap);
	fprintf(out, "%s\n", color ? "\033[0m" : "");
	if (loc)
		show_line(out, loc, color);
	if (hint)
		fprintf(out, "      = hint: %s\n", hint);
}

void vnt_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("vnt: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
