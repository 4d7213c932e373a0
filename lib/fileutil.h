/* Small file helpers shared by the compiler and the runtime. */
#ifndef VNT_FILEUTIL_H
#define VNT_FILEUTIL_H
#include <stddef.h>
#include <sys/types.h>

/* Whole file into a NUL-terminated malloc'd buffer; NULL with errno. */
char *vnt_read_file(const char *path, size_t *len);
/* Write atomically (temp file + rename). 0 or -1 with errno. */
int vnt_write_file(const char *path, const void *data, size_t len);
int vnt_mkdir_p(const char *path, mode_t mode);
int vnt_strcmp_ptr(const void *a, const void *b);   /* qsort over char * */
#endif
