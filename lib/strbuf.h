/* A growable string buffer used by the code generator and reports. */
#ifndef VNT_STRBUF_H
#define VNT_STRBUF_H

#include <stddef.h>
#include <stdarg.h>

struct strbuf {
	char *s;
	size_t len, cap;
};

void sb_init(struct strbuf *b);
void sb_free(struct strbuf *b);
void sb_puts(struct strbuf *b, const char *s);
void sb_putn(struct strbuf *b, const char *s, size_t n);
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *b, const char *fmt, va_list ap);
char *sb_steal(struct strbuf *b);   /* returns the string; buffer is reset */

#endif
