/* vnt fmt FILE...: rewrite scripts in the canonical layout (lang/format.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lang/format.h"
#include "lang/parse.h"
#include "tools/cmds.h"

static void help(FILE *f)
{
	fprintf(f, "usage: vnt fmt [--check | --stdout] FILE...\n"
		"       vnt fmt -\n\n"
		"Rewrite .vnt scripts in one canonical layout: one statement per line, four\n"
		"spaces of indentation in a trace, one space around operators and after\n"
		"commas, `and`, `or`, `not` and `==` for `&&`, `||`, `!` and a comparing `=`,\n"
		"no `;`, blank lines kept (at most one) and put between top-level items of\n"
		"different kinds, the `=` of consecutive hops, the `if`/`at`/`by` of\n"
		"consecutive aggregations and consecutive end-of-line comments aligned.\n"
		"Comments stay where they were written; the script means exactly what it\n"
		"meant (vnt fmt checks that the result reads as the same tokens).\n"
		"Formatting twice changes nothing more.\n\n"
		"A file is replaced atomically (a temporary file in its directory, renamed\n"
		"over it, with its permissions) and only if its layout changes. A file that\n"
		"does not parse is reported as FILE:LINE:COL with the line and a caret, and\n"
		"left as it is.\n\n"
		"  --check      write nothing; list the files whose layout would change\n"
		"  --stdout     print the formatted text instead of rewriting the files\n"
		"  -            read a script from standard input, print it formatted\n"
		"  -h, --help   show this help\n\n"
		"Exit status: 0 if every file is formatted (or was rewritten), 1 if a file\n"
		"would change (--check) or could not be read, parsed or written, 2 on usage\n"
		"errors.\n");
}

static struct vnt_source *read_stdin(void)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			char *n = realloc(buf, cap * 2);
			if (!n) {
				free(buf);
				return NULL;
			}
			buf = n;
			cap *= 2;
		}
		size_t r = fread(buf + len, 1, cap - len - 1, stdin);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(stdin)) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	struct vnt_source *s = vnt_source_from_string("<stdin>", buf);
	free(buf);
	return s;
}

/* text over path: a temporary file beside the target (through a symbolic
 * link, the file it names), with the target's mode, renamed over it. */
static int replace(const char *path, const char *text)
{
	char real[PATH_MAX], tmp[PATH_MAX + 16];
	if (!realpath(path, real))
		return -1;
	struct stat st;
	if (stat(real, &st))
		return -1;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.fmt-XXXXXX", real) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	const char *p = text;
	int rc = fchmod(fd, st.st_mode & 07777);
	while (!rc && len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			rc = -1;
		else {
			p += w;
			len -= (size_t)w;
		}
	}
	if (!rc)
		rc = fsync(fd);
	int e = errno;
	if (close(fd) && !rc) {
		rc = -1;
		e = errno;
	}
	if (!rc && rename(tmp, real)) {
		rc = -1;
		e = errno;
	}
	if (rc) {
		unlink(tmp);
		errno = e;
	}
	return rc;
}

enum mode { M_WRITE, M_CHECK, M_STDOUT };

/* One file: 0 formatted (or done), 1 would change or failed. */
static int fmt_one(const char *path, enum mode mode)
{
	bool from_stdin = !strcmp(path, "-");
	struct vnt_source *src = from_stdin ? read_stdin() : vnt_source_read(path, path);
	if (!src) {
		vnt_fail("cannot read %s: %s", from_stdin ? "standard input" : path, vnt_source_strerror(errno));
		return 1;
	}
	struct vnt_diag d;
	vnt_diag_init(&d);
	char *out;
	if (vnt_format(src, &d, &out)) {
		fprintf(stderr, "%d error%s generated; %s is left as it is.\n", d.errors, d.errors == 1 ? "" : "s",
			from_stdin ? "nothing is printed" : path);
		vnt_source_free(src);
		return 1;
	}
	bool same = strlen(out) == src->len && !memcmp(out, src->text, src->len);
	int rc = 0;
	if (mode == M_CHECK) {
		if (!same) {
			printf("%s\n", path);
			rc = 1;
		}
	} else if (from_stdin || mode == M_STDOUT) {
		fputs(out, stdout);
	} else if (!same && replace(path, out)) {
		vnt_fail("cannot write %s: %s; it is left as it was", path, strerror(errno));
		rc = 1;
	}
	free(out);
	vnt_source_free(src);
	return rc;
}

int cmd_fmt(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' },
					      { "check", no_argument, NULL, 'c' },
					      { "stdout", no_argument, NULL, 's' }, { 0 } };
	enum mode mode = M_WRITE;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': help(stdout); return 0;
		case 'c':
		case 's':
			if (mode != M_WRITE && mode != (c == 'c' ? M_CHECK : M_STDOUT)) {
				fprintf(stderr, "vnt fmt: --check and --stdout do not go together\n");
				return 2;
			}
			mode = c == 'c' ? M_CHECK : M_STDOUT;
			break;
		default: help(stderr); return 2;
		}
	}
	if (optind == argc) {
		help(stderr);
		return 2;
	}
	int rc = 0;
	for (int i = optind; i < argc; i++)
		if (fmt_one(argv[i], mode))
			rc = 1;
	if (fflush(stdout) || ferror(stdout)) {
		vnt_fail("cannot write to standard output: %s", strerror(errno));
		rc = 1;
	}
	return rc;
}
