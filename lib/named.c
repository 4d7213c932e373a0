/* Tables of named things (named.h). */
#include <string.h>
#include "lib/named.h"

static const struct vnt_named *at(const void *const *table, int i)
{
	return (const struct vnt_named *)table[i];
}

const void *vnt_named_find(const void *const *table, const char *name)
{
	for (int i = 0; table[i]; i++)
		if (!strcmp(at(table, i)->name, name))
			return table[i];
	return NULL;
}

void vnt_named_list(const void *const *table, char *buf, size_t n)
{
	size_t k = 0;
	if (n)
		buf[0] = '\0';
	for (int i = 0; table[i] && k < n; i++) {
		int w = snprintf(buf + k, n - k, "%s%s", i ? ", " : "", at(table, i)->name);
		if (w < 0)
			break;
		k += (size_t)w;
	}
}

void vnt_named_help(const void *const *table, FILE *f, const char *indent)
{
	for (int i = 0; table[i]; i++)
		fprintf(f, "%s%-6s %s%s\n", indent, at(table, i)->name, at(table, i)->help, i ? "" : " (default)");
}
