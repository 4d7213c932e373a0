/* pcapng blocks (see pcapng.h): every block is type, total length, body,
 * total length again; options are code, length, value padded to 4 bytes,
 * ended by opt_endofopt. Written in this host's byte order, which the
 * section header's byte-order magic tells readers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/output/pcapng.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define OPT_END 0
#define OPT_COMMENT 1
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_TSRESOL 9

struct vnt_pcapng {
	FILE *f;
	char *path, *tmp;
	int nif;
	bool failed;            /* a write failed: close(keep) reports it */
	int err;
	unsigned char *buf;     /* the block being built */
	size_t len, cap;
};

static void put(struct vnt_pcapng *w, const void *p, size_t n)
{
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 512;
		while (cap < w->len + n)
			cap *= 2;
		unsigned char *b = realloc(w->buf, cap);
		if (!b) {
			w->failed = true;
			w->err = ENOMEM;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put32(struct vnt_pcapng *w, uint32_t v) { put(w, &v, 4); }
static void put16(struct vnt_pcapng *w, uint16_t v) { put(w, &v, 2); }

static void pad4(struct vnt_pcapng *w)
{
	static const unsigned char zero[4];
	put(w, zero, (4 - w->len % 4) % 4);
}

static void opt(struct vnt_pcapng *w, uint16_t code, const void *v, size_t n)
{
	if (n > 0xffff)
		n = 0xffff;
	put16(w, code);
	put16(w, (uint16_t)n);
	put(w, v, n);
	pad4(w);
}

static void begin(struct vnt_pcapng *w, uint32_t type)
{
	w->len = 0;
	put32(w, type);
	put32(w, 0);            /* total length, set by end() */
}

static int end(struct vnt_pcapng *w)
{
	put16(w, OPT_END);
	put16(w, 0);
	put32(w, 0);
	if (w->failed)
		return -1;
	uint32_t total = (uint32_t)w->len;
	memcpy(w->buf + 4, &total, 4);
	memcpy(w->buf + w->len - 4, &total, 4);
	if (fwrite(w->buf, 1, w->len, w->f) != w->len) {
		w->failed = true;
		w->err = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

struct vnt_pcapng *vnt_pcapng_open(const char *path, const char *appl, char *err, size_t errlen)
{
	struct stat st;
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(EISDIR));
		return NULL;
	}
	struct vnt_pcapng *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* The temporary file beside the final one, so rename() is atomic. */
	const char *slash = strrchr(path, '/');
	int dl = slash ? (int)(slash - path) + 1 : 0;
	size_t tl = strlen(path) + 16;
	w->path = strdup(path);
	w->tmp = malloc(tl);
	if (!w->path || !w->tmp) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	snprintf(w->tmp, tl, "%.*s.%s.XXXXXX", dl, path, path + dl);
	int fd = mkstemp(w->tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		free(w->tmp);
		w->tmp = NULL;
		goto fail;
	}
	mode_t um = umask(0);
	umask(um);
	if (fchmod(fd, 0666 & ~um) || !(w->f = fdopen(fd, "wb"))) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		goto fail;
	}
	begin(w, BT_SHB);
	put32(w, 0x1A2B3C4Du);  /* byte-order magic */
	put16(w, 1);            /* version 1.0 */
	put16(w, 0);
	put32(w, 0xffffffffu);  /* section length: not given */
	put32(w, 0xffffffffu);
	if (appl)
		opt(w, SHB_USERAPPL, appl, strlen(appl));
	if (end(w)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(w->err));
		goto fail;
	}
	return w;
fail:
	vnt_pcapng_close(w, false, NULL, 0);
	return NULL;
}

int vnt_pcapng_interface(struct vnt_pcapng *w, const char *name, uint16_t linktype, uint32_t snaplen)
{
	begin(w, BT_IDB);
	put16(w, linktype);
	put16(w, 0);
	put32(w, snaplen);
	opt(w, IF_NAME, name, strlen(name));
	unsigned char ns = 9;   /* timestamps in 10^-9 s */
	opt(w, IF_TSRESOL, &ns, 1);
	if (end(w))
		return -1;
	return w->nif++;
}

int vnt_pcapng_packet(struct vnt_pcapng *w, int ifid, int64_t ts_ns, const void *data, uint32_t caplen,
		      uint32_t wirelen, const char *const *comments)
{
	uint64_t ts = ts_ns > 0 ? (uint64_t)ts_ns : 0;
	begin(w, BT_EPB);
	put32(w, (uint32_t)ifid);
	put32(w, (uint32_t)(ts >> 32));
	put32(w, (uint32_t)ts);
	put32(w, caplen);
	put32(w, wirelen > caplen ? wirelen : caplen);
	put(w, data, caplen);
	pad4(w);
	for (int i = 0; comments && comments[i]; i++)
		opt(w, OPT_COMMENT, comments[i], strlen(comments[i]));
	return end(w);
}

int vnt_pcapng_close(struct vnt_pcapng *w, bool keep, char *err, size_t errlen)
{
	if (!w)
		return 0;
	int rc = 0;
	if (w->f) {
		if (fflush(w->f) && !w->failed) {
			w->failed = true;
			w->err = errno;
		}
		if (fclose(w->f) && !w->failed) {
			w->failed = true;
			w->err = errno;
		}
	}
	if (keep && w->failed) {
		snprintf(err, errlen, "cannot write %s: %s", w->path, strerror(w->err));
		rc = -1;
	} else if (keep && rename(w->tmp, w->path)) {
		snprintf(err, errlen, "cannot write %s: %s", w->path, strerror(errno));
		rc = -1;
	}
	if (w->tmp && (!keep || rc))
		unlink(w->tmp);
	free(w->tmp);
	free(w->path);
	free(w->buf);
	free(w);
	return rc;
}
