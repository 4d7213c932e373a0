/* Tables of named things (output formats, store engines, ...): each entry
 * a struct whose first member is a struct vnt_named, in a NULL-terminated
 * array of pointers; the first entry is the default. */
#ifndef VNT_NAMED_H
#define VNT_NAMED_H

#include <stddef.h>
#include <stdio.h>

struct vnt_named {
	const char *name;       /* what the option takes */
	const char *help;       /* one line for --help */
};

/* A table as these functions take it. */
#define VNT_NAMED(table) ((const void *const *)(table))

/* The entry called name, or NULL. table is an array of pointers to
 * structs that begin with a struct vnt_named. */
const void *vnt_named_find(const void *const *table, const char *name);
/* "a, b, c", for messages. */
void vnt_named_list(const void *const *table, char *buf, size_t n);
/* One line per entry, "INDENTname   help", the first marked (default). */
void vnt_named_help(const void *const *table, FILE *f, const char *indent);

#endif
