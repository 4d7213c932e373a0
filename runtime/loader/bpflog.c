#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "lib/strbuf.h"
#include "runtime/loader/bpflog.h"

static struct strbuf buf;
static bool echo_msgs;

static int on_message(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	if (lvl == LIBBPF_DEBUG)
		return 0;
	if (echo_msgs) {
		va_list cp;
		va_copy(cp, ap);
		vfprintf(stderr, fmt, cp);
		va_end(cp);
	}
	if (buf.len < (1u << 20))
		sb_vprintf(&buf, fmt, ap);
	return 0;
}

void vnt_bpflog_start(bool echo)
{
	if (!buf.s)
		sb_init(&buf);
	buf.len = 0;
	buf.s[0] = '\0';
	echo_msgs = echo;
	libbpf_set_print(on_message);
}

const char *vnt_bpflog_text(void)
{
	return buf.s ? buf.s : "";
}

const char *vnt_bpflog_tail(size_t max)
{
	const char *s = vnt_bpflog_text();
	return buf.len > max ? s + buf.len - max : s;
}
