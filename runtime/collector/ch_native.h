/* ClickHouse's Native format, for INSERT ... FORMAT Native: one block of
 * columns, each column's values one after another, built as the rows
 * arrive (no row encoding to parse on the server's side).
 *
 * A block as ClickHouse 18.16's NativeBlockInputStream reads it from an
 * HTTP client (server revision 0: no BlockInfo): the number of columns and
 * of rows (LEB128), then for each column its name and type (LEB128 length
 * and bytes) and its data: fixed-width numbers as a little-endian array of
 * rows values, String as the LEB128 length and the bytes of each value.
 * The columns are sent in the order, with the names and types, of the
 * INSERT's column list. */
#ifndef VNT_CH_NATIVE_H
#define VNT_CH_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include "runtime/collector/ch_http.h"

#define VNT_NATIVE_MAX_COLS 24

struct vnt_native_col {
	const char *name, *type;   /* static strings */
	int width;                 /* bytes per value; 0: String */
	struct vnt_rb data;
};

struct vnt_native {
	int ncols;
	uint64_t rows;
	struct vnt_native_col col[VNT_NATIVE_MAX_COLS];
	unsigned char head[VNT_NATIVE_MAX_COLS + 1][80];   /* the block's and each column's header, made by _iov */
};

/* Columns from "name Type" pairs (types: UInt8/16/32/64, Int64, String);
 * room for `rows` values of every fixed-width column is taken now (the
 * pages are touched only when written). -1 on a type it does not know, too
 * many columns or out of memory. */
int vnt_native_init(struct vnt_native *nb, const char *const *names, const char *const *types, int ncols,
		    size_t rows);
/* The block as an I/O vector over nb's own buffers (valid until the next
 * append or free): n entries in iov (room for 2 * VNT_NATIVE_MAX_COLS + 1),
 * total bytes in *len. -1 if an append ran out of memory. */
int vnt_native_iov(struct vnt_native *nb, struct iovec *iov, int *n, size_t *len);
/* The block in one buffer (for the spool). -1 on out of memory. */
int vnt_native_flat(struct vnt_native *nb, struct vnt_rb *out);
bool vnt_native_oom(const struct vnt_native *nb);
void vnt_native_free(struct vnt_native *nb);


static inline void vnt_native_put(struct vnt_native *nb, int col, const void *v, size_t n)
{
	struct vnt_rb *b = &nb->col[col].data;
	if (b->len + n <= b->cap) {
		memcpy(b->p + b->len, v, n);
		b->len += n;
	} else {
		vnt_rb_put_slow(b, v, n);
	}
}
static inline void vnt_native_u8(struct vnt_native *nb, int c, uint8_t v) { vnt_native_put(nb, c, &v, 1); }
static inline void vnt_native_u16(struct vnt_native *nb, int c, uint16_t v) { vnt_native_put(nb, c, &v, 2); }
static inline void vnt_native_u32(struct vnt_native *nb, int c, uint32_t v) { vnt_native_put(nb, c, &v, 4); }
static inline void vnt_native_u64(struct vnt_native *nb, int c, uint64_t v) { vnt_native_put(nb, c, &v, 8); }
/* A String value of n bytes (n < 128 in one length byte, the common case). */
static inline void vnt_native_blob(struct vnt_native *nb, int c, const void *p, size_t n)
{
	if (n < 128) {
		uint8_t l = (uint8_t)n;
		vnt_native_put(nb, c, &l, 1);
		if (n)
			vnt_native_put(nb, c, p, n);
	} else {
		vnt_rb_blob(&nb->col[c].data, p, n);
	}
}
static inline void vnt_native_str(struct vnt_native *nb, int c, const char *s)
{
	vnt_native_blob(nb, c, s, s ? strlen(s) : 0);
}

#endif
