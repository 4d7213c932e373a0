/* ClickHouse Native blocks (ch_native.h). */
#include <stdlib.h>
#include <string.h>
#include "runtime/collector/ch_native.h"

static int type_width(const char *t)
{
	static const struct { const char *name; int width; } types[] = {
		{ "UInt8", 1 }, { "UInt16", 2 }, { "UInt32", 4 }, { "UInt64", 8 }, { "Int64", 8 }, { "String", 0 },
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(t, types[i].name))
			return types[i].width;
	return -1;
}

int vnt_native_init(struct vnt_native *nb, const char *const *names, const char *const *types, int ncols,
		    size_t rows)
{
	memset(nb, 0, sizeof(*nb));
	if (ncols < 1 || ncols > VNT_NATIVE_MAX_COLS)
		return -1;
	nb->ncols = ncols;
	for (int i = 0; i < ncols; i++) {
		struct vnt_native_col *c = &nb->col[i];
		c->name = names[i];
		c->type = types[i];
		c->width = type_width(types[i]);
		if (c->width < 0 || strlen(names[i]) + strlen(types[i]) + 2 > sizeof(nb->head[0])) {
			vnt_native_free(nb);
			return -1;
		}
		/* Strings: a guess of 2 bytes a value (empty or short), grown as needed. */
		size_t cap = rows * (size_t)(c->width ? c->width : 2);
		if (cap && !(c->data.p = malloc(cap))) {
			vnt_native_free(nb);
			return -1;
		}
		c->data.cap = cap;
	}
	return 0;
}

static size_t leb(unsigned char *p, uint64_t v)
{
	size_t k = 0;
	do {
		p[k] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			p[k] |= 0x80;
		k++;
	} while (v);
	return k;
}

static size_t put_str(unsigned char *p, const char *s)
{
	size_t n = strlen(s), k = leb(p, n);
	memcpy(p + k, s, n);
	return k + n;
}

bool vnt_native_oom(const struct vnt_native *nb)
{
	for (int i = 0; i < nb->ncols; i++)
		if (nb->col[i].data.oom)
			return true;
	return false;
}

int vnt_native_iov(struct vnt_native *nb, struct iovec *iov, int *n, size_t *len)
{
	if (vnt_native_oom(nb))
		return -1;
	int k = 0;
	size_t total = 0, h = leb(nb->head[0], (uint64_t)nb->ncols);
	h += leb(nb->head[0] + h, nb->rows);
	iov[k++] = (struct iovec){ nb->head[0], h };
	total += h;
	for (int i = 0; i < nb->ncols; i++) {
		struct vnt_native_col *c = &nb->col[i];
		unsigned char *p = nb->head[i + 1];
		size_t m = put_str(p, c->name);
		m += put_str(p + m, c->type);
		iov[k++] = (struct iovec){ p, m };
		total += m;
		if (c->data.len) {
			iov[k++] = (struct iovec){ c->data.p, c->data.len };
			total += c->data.len;
		}
	}
	*n = k;
	*len = total;
	return 0;
}

int vnt_native_flat(struct vnt_native *nb, struct vnt_rb *out)
{
	struct iovec iov[2 * VNT_NATIVE_MAX_COLS + 1];
	int n;
	size_t len;
	*out = (struct vnt_rb){ 0 };
	if (vnt_native_iov(nb, iov, &n, &len) || !(out->p = malloc(len ? len : 1)))
		return -1;
	for (int i = 0; i < n; i++) {
		memcpy(out->p + out->len, iov[i].iov_base, iov[i].iov_len);
		out->len += iov[i].iov_len;
	}
	out->cap = len;
	return 0;
}

void vnt_native_free(struct vnt_native *nb)
{
	for (int i = 0; i < VNT_NATIVE_MAX_COLS; i++)
		vnt_rb_free(&nb->col[i].data);
	nb->ncols = 0;
	nb->rows = 0;
}
