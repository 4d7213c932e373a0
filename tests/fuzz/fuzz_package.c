/* libFuzzer target: control packages (.vntpkg) through vnt_package_parse.
 *
 * The first byte of the input selects how the rest is used:
 *
 *   bit 0 clear  the rest is a package file as is (vnt inspect, vnt run,
 *                the agent's LOAD): magic, header, zlib, member walker.
 *                Random changes mostly stop at zlib or at the first
 *                member's checksum, hence:
 *   bit 0 set    the rest is the decompressed payload; the target wraps it
 *                in a valid container (magic, format 1, size, zlib) after
 *                fixing every member's trailing SHA-256, so the member
 *                walker, the manifest (JSON) and the plan reader
 *                (vnt_manifest_read) see the fuzzer's bytes:
 *      bit 2 clear  the payload in the package's own layout (u16 name
 *                   length, name, u64 size, data, sha256[32]): the target
 *                   walks it as the reader does and rewrites the checksum
 *                   after each member that is all there (unless bit 3 is
 *                   set: then the checksums are the fuzzer's);
 *      bit 2 set    members as text, separated by FZ_SEP: the name up to
 *                   the first newline, the data after it; the target
 *                   writes the lengths and checksums (mutations that
 *                   grow or shrink a member keep the layout valid);
 *      bit 1 set    also rewrite the "sha256" of each entry of the
 *                   manifest's "members" list that names a member present
 *                   (the manifest is parsed and written back by json-c),
 *                   so the plan is reached whatever the members hold.
 *
 * A package that parses is also taken through what its readers do next:
 * the kernel features its plan needs, and the plan written back as a
 * manifest and read again (which must succeed and give the same text). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <zlib.h>
#include "runtime/loader/package.h"
#include "tests/fuzz/fuzz_common.h"

#define FZ_SEP "\0VM\0"         /* between members, split layout */
#define FZ_SEP_LEN 4

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init();
	return 0;
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;
	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL))
		abort();
}

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			abort();
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put_member(struct buf *b, const char *name, size_t nl, const void *data, size_t size)
{
	uint16_t l = (uint16_t)(nl > 0xffff ? 0xffff : nl);
	uint64_t sz = size;
	unsigned char h[32];
	put(b, &l, 2);
	put(b, name, l);
	put(b, &sz, 8);
	put(b, data, size);
	sha256(data, size, h);
	put(b, h, 32);
}

/* The next whole member at *off of a payload in the package's own layout,
 * walked as vnt_package_parse does: its name (nl bytes), and its data (sz
 * bytes, followed by its 32-byte checksum) at the offset returned; -1 at
 * the end or where the layout breaks off. */
static long next_member(const unsigned char *p, size_t len, size_t *off, const unsigned char **name, uint16_t *nl,
			uint64_t *sz)
{
	if (len - *off < 2)
		return -1;
	memcpy(nl, p + *off, 2);
	*off += 2;
	if (len - *off < (size_t)*nl + 8)
		return -1;
	*name = p + *off;
	*off += *nl;
	memcpy(sz, p + *off, 8);
	*off += 8;
	if (*sz > len - *off || len - *off - *sz < 32)
		return -1;
	long data = (long)*off;
	*off += *sz + 32;
	return data;
}

/* Each member's checksum rewritten where the member is all there. */
static void fix_exact(unsigned char *p, size_t len)
{
	size_t off = 0;
	const unsigned char *name;
	uint16_t nl;
	uint64_t sz;
	long d;
	while ((d = next_member(p, len, &off, &name, &nl, &sz)) >= 0)
		sha256(p + d, sz, p + d + sz);
}

/* Members as text, separated by FZ_SEP: "NAME\nDATA". */
static void build_split(struct buf *out, const unsigned char *p, size_t len)
{
	size_t off = 0;
	for (;;) {
		const unsigned char *end = memmem(p + off, len - off, FZ_SEP, FZ_SEP_LEN);
		size_t mlen = end ? (size_t)(end - (p + off)) : len - off;
		const unsigned char *m = p + off;
		const unsigned char *nlp = memchr(m, '\n', mlen);
		size_t nl = nlp ? (size_t)(nlp - m) : mlen;
		size_t dstart = nlp ? nl + 1 : mlen;
		put_member(out, (const char *)m, nl, m + dstart, mlen - dstart);
		if (!end)
			break;
		off += mlen + FZ_SEP_LEN;
	}
}

/* The member named NAME in a payload (package layout), or NULL. */
static const unsigned char *find_member(const unsigned char *p, size_t len, const char *name, size_t *size)
{
	size_t off = 0, want = strlen(name);
	const unsigned char *n;
	uint16_t nl;
	uint64_t sz;
	long d;
	while ((d = next_member(p, len, &off, &n, &nl, &sz)) >= 0) {
		if (nl == want && !memcmp(n, name, want)) {
			*size = sz;
			return p + d;
		}
	}
	return NULL;
}

/* The manifest's listed checksums made to match the members present: the
 * payload is rebuilt with manifest.json written back by json-c. Returns
 * the new payload, or NULL to keep the old one. */
static unsigned char *fix_listed(const unsigned char *p, size_t len, size_t *newlen)
{
	size_t msz;
	const unsigned char *mdata = find_member(p, len, "manifest.json", &msz);
	if (!mdata)
		return NULL;
	char *text = malloc(msz + 1);
	if (!text)
		abort();
	memcpy(text, mdata, msz);
	text[msz] = '\0';
	json_object *root = json_tokener_parse(text);
	free(text);
	json_object *members;
	if (!root || !json_object_object_get_ex(root, "members", &members) ||
	    !json_object_is_type(members, json_type_array)) {
		json_object_put(root);
		return NULL;
	}
	size_t n = json_object_array_length(members);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(members, i), *nm, *hs;
		if (!json_object_object_get_ex(o, "name", &nm) || !json_object_is_type(nm, json_type_string) ||
		    !json_object_object_get_ex(o, "sha256", &hs) || !json_object_is_type(hs, json_type_string))
			continue;
		size_t sz;
		const unsigned char *d = find_member(p, len, json_object_get_string(nm), &sz);
		if (!d)
			continue;
		unsigned char h[32];
		char hx[65];
		sha256(d, sz, h);
		for (int k = 0; k < 32; k++)
			snprintf(hx + 2 * k, 3, "%02x", h[k]);
		json_object_object_add(o, "sha256", json_object_new_string(hx));
	}
	const char *mtext = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	/* The same members in the same order, manifest.json replaced. */
	struct buf out = { 0 };
	size_t off = 0;
	while (len - off >= 2) {
		uint16_t nl;
		uint64_t sz;
		size_t start = off;
		memcpy(&nl, p + off, 2);
		if (len - off - 2 < (size_t)nl + 8)
			break;
		memcpy(&sz, p + off + 2 + nl, 8);
		size_t doff = off + 2 + nl + 8;
		if (sz > len - doff || len - doff - sz < 32)
			break;
		if (nl == 13 && !memcmp(p + off + 2, "manifest.json", 13))
			put_member(&out, "manifest.json", 13, mtext, strlen(mtext));
		else
			put(&out, p + start, doff + sz + 32 - start);
		off = doff + sz + 32;
	}
	put(&out, p + off, len - off);   /* whatever did not parse, as it was */
	json_object_put(root);
	*newlen = out.len;
	return out.p;
}

static unsigned char *wrap(const unsigned char *payload, size_t plen, size_t *len)
{
	uLongf clen = compressBound((uLong)plen);
	unsigned char *out = malloc(24 + clen);
	if (!out || compress2(out + 24, &clen, payload, (uLong)plen, 1) != Z_OK)
		abort();
	uint32_t fmt = VNT_PKG_FORMAT, flags = 0;
	uint64_t sz = plen;
	memcpy(out, "VNTPKG\r\n", 8);
	memcpy(out + 8, &fmt, 4);
	memcpy(out + 12, &flags, 4);
	memcpy(out + 16, &sz, 8);
	*len = 24 + clen;
	return out;
}

/* What the readers of a package do with its plan, minus the kernel. */
static void use(const struct vnt_package *p)
{
	const char *feat[16];
	int nf = vnt_plan_features(p->plan, feat, 16);
	if (nf < 1 || nf > 16)
		abort();
	for (int i = 0; i < p->nmembers; i++)
		if (vnt_package_member(p, p->members[i].name) == NULL)
			abort();

	/* The plan written back must read again, to the same text. */
	char *m1 = vnt_manifest_write(p->plan);
	char err[256];
	struct vnt_plan *again = vnt_manifest_read(m1, err, sizeof(err));
	if (!again) {
		fprintf(stderr, "fuzz_package: a plan the reader accepted does not read back: %s\n%s\n", err, m1);
		abort();
	}
	char *m2 = vnt_manifest_write(again);
	if (strcmp(m1, m2)) {
		fprintf(stderr, "fuzz_package: the manifest changes on a round trip:\n%s\n---\n%s\n", m1, m2);
		abort();
	}
	free(m2);
	free(m1);
	vnt_plan_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned mode = data[0];
	const unsigned char *in = data + 1;
	size_t n = size - 1;
	unsigned char *pkg = NULL;
	size_t pkg_len = n;

	if (mode & 1) {
		struct buf payload = { 0 };
		if (mode & 4) {
			build_split(&payload, in, n);
		} else {
			put(&payload, in, n);
			if (!(mode & 8))
				fix_exact(payload.p, payload.len);
		}
		if (mode & 2) {
			size_t nl;
			unsigned char *np = fix_listed(payload.p, payload.len, &nl);
			if (np) {
				free(payload.p);
				payload.p = np;
				payload.len = nl;
			}
		}
		pkg = wrap(payload.p, payload.len, &pkg_len);
		free(payload.p);
	} else {
		/* Its own copy, so a read past the end is caught exactly. */
		pkg = malloc(n ? n : 1);
		if (!pkg)
			abort();
		memcpy(pkg, in, n);
	}

	struct vnt_package *p = NULL;
	char err[512];
	memset(err, 'x', sizeof(err));
	if (vnt_package_parse(pkg, pkg_len, &p, err, sizeof(err)) == 0) {
		use(p);
		vnt_package_free(p);
	} else if (!memchr(err, '\0', sizeof(err))) {
		abort();   /* the sentence is always terminated */
	}
	free(pkg);
	return 0;
}
