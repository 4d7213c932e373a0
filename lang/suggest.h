/* "Did you mean" for misspelt names (lang/suggest.c). */
#ifndef VNT_SUGGEST_H
#define VNT_SUGGEST_H
#include <stdbool.h>
#include <stddef.h>

/* The nearest of names[0..n) (NULLs skipped) to word, as "'a'" or
 * "'a' or 'b'" in out; false if none is near enough to be a misspelling. */
bool vnt_suggest(const char *word, const char *const *names, int n, char *out, size_t len);
/* names joined with ", " (truncated with "..." to fit). */
void vnt_name_list(const char *const *names, int n, char *out, size_t len);

#endif
