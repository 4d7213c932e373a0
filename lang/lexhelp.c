/* Helpers for the scanner that are easier to read as plain C. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/parse.h"

void vnt_lex_comment(struct vnt_pstate *ps, const char *text)
{
	/* A comment after a token on its line is about that line: it
	 * documents nothing below it (vnt fmt may put an empty line there). */
	if (ps->seen_token && ps->tok_line == ps->line)
		return;
	/* "# text" -> "text"; consecutive lines join with newlines. */
	if (*text == ' ')
		text++;
	size_t old = ps->pending_doc ? strlen(ps->pending_doc) : 0;
	size_t add = strlen(text);
	char *d = realloc(ps->pending_doc, old + add + 2);
	if (!d)
		return;
	if (old)
		d[old++] = '\n';
	memcpy(d + old, text, add + 1);
	ps->pending_doc = d;
	ps->nl_run = 0;
}

void vnt_lex_newline(struct vnt_pstate *ps)
{
	/* A blank line ends a comment block: the first such block in the
	 * file documents the module, later ones document nothing. */
	if (++ps->nl_run >= 2 && ps->pending_doc) {
		if (!ps->seen_token && !ps->module_doc) {
			ps->module_doc = ps->pending_doc;
		} else {
			free(ps->pending_doc);
		}
		ps->pending_doc = NULL;
	}
}

int vnt_lex_duration(const char *text, uint64_t *ns)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno)
		return -1;
	uint64_t mul;
	if (!strcmp(end, "ns")) mul = 1;
	else if (!strcmp(end, "us")) mul = 1000ULL;
	else if (!strcmp(end, "ms")) mul = 1000000ULL;
	else if (!strcmp(end, "s")) mul = 1000000000ULL;
	else if (!strcmp(end, "m")) mul = 60ULL * 1000000000ULL;
	else if (!strcmp(end, "h")) mul = 3600ULL * 1000000000ULL;
	else return -1;
	if (v && mul > UINT64_MAX / v)
		return -1;
	*ns = v * mul;
	return 0;
}

char *vnt_lex_unquote(const char *text)
{
	size_t n = strlen(text);
	char *out = malloc(n), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 1; i + 1 < n; i++) {
		char c = text[i];
		if (c == '\\' && i + 2 < n) {
			c = text[++i];
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			default: break;   /* \" \\ and anything else: the char itself */
			}
		}
		*o++ = c;
	}
	*o = '\0';
	return out;
}

struct vnt_source *vnt_source_from_string(const char *name, const char *text)
{
	struct vnt_source *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->path = strdup(name);
	s->text = strdup(text);
	s->len = strlen(text);
	if (!s->path || !s->text) {
		vnt_source_free(s);
		return NULL;
	}
	return s;
}

/* Scripts are small text files: a device, a FIFO or a huge file is not
 * one, and reading it could block or exhaust memory. */
#define VNT_SOURCE_MAX (4u << 20)

struct vnt_source *vnt_source_read(const char *path, const char *display)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (off_t)VNT_SOURCE_MAX) {
		int e = fstat(fd, &st) ? errno : S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		close(fd);
		errno = e;
		return NULL;
	}
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		close(fd);
		return NULL;
	}
	struct vnt_source *s = calloc(1, sizeof(*s));
	char *buf = NULL;
	size_t len = 0, cap = 0;
	if (!s)
		goto fail;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		size_t r = fread(buf + len, 1, cap - len - 1, f);
		len += r;
		if (len > VNT_SOURCE_MAX) {
			errno = EFBIG;
			goto fail;
		}
		if (r == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	if (memchr(buf, '\0', len)) {
		errno = EILSEQ;   /* binary file: not a script */
		goto fail;
	}
	buf[len] = '\0';
	fclose(f);
	s->text = buf;
	s->len = len;
	s->path = strdup(display ? display : path);
	if (!s->path) {
		vnt_source_free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
fail:;
	int e = errno;
	fclose(f);
	free(buf);
	free(s);
	errno = e ? e : EIO;
	return NULL;
}

const char *vnt_source_strerror(int e)
{
	if (e == EINVAL)
		return "not a regular file";
	if (e == EFBIG)
		return "larger than 4 MiB: not a script";
	if (e == EILSEQ)
		return "contains NUL bytes: not a script";
	return strerror(e);
}

void vnt_source_free(struct vnt_source *s)
{
	if (!s)
		return;
	free(s->path);
	free(s->text);
	free(s);
}

struct vnt_loc vnt_mkloc(struct vnt_pstate *ps, int fl, int fc, int ll, int lc)
{
	struct vnt_loc l = { ps->src, fl, fc, ll, lc };
	return l;
}
