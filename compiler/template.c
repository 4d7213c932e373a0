/* Template expansion for the eBPF pieces: @KEY@ placeholders only, so the
 * templates stay readable C. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/codegen.h"
#include "compiler/clang.h"
#include "lib/fileutil.h"
#include "lib/strbuf.h"

char *vnt_template(const char *name, const char *const *kv)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/bpf-templates/%s", vnt_datadir(), name);
	char *t = vnt_read_file(path, NULL);
	if (!t) {
		fprintf(stderr, "vnt: error: missing template %s (is VNT_DATADIR right?)\n", path);
		return NULL;
	}
	struct strbuf b;
	sb_init(&b);
	for (const char *p = t; *p;) {
		const char *at = strchr(p, '@');
		if (!at) {
			sb_puts(&b, p);
			break;
		}
		sb_putn(&b, p, (size_t)(at - p));
		const char *end = strchr(at + 1, '@');
		bool done = false;
		if (end) {
			for (const char *const *k = kv; k[0]; k += 2)
				if (strlen(k[0]) == (size_t)(end - at - 1) && !strncmp(k[0], at + 1, (size_t)(end - at - 1))) {
					sb_puts(&b, k[1]);
					p = end + 1;
					done = true;
					break;
				}
		}
		if (!done) {
			sb_putn(&b, "@", 1);
			p = at + 1;
		}
	}
	free(t);
	return sb_steal(&b);
}
