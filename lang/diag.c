#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "diag.h"

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
	static const char *const names[] = { "error", "warning", "note" };
	static const char *const colors[] = { "\033[1;31m", "\033[1;35m", "\033[1;36m" };
	if (loc && loc->src)
		fprintf(out, "%s%s:%d:%d: ", color ? "\033[1m" : "", loc->src->path, loc->line, loc->col);
	else
		fprintf(out, "%svnt: ", color ? "\033[1m" : "");
	fprintf(out, "%s%s:%s ", color ? colors[sev] : "", names[sev], color ? "\033[0m\033[1m" : "");
	va_list ap;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
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
