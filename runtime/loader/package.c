/* Building and reading control packages (format in package.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <zlib.h>
#include "config.h"
#include "lang/ast.h"
#include "lib/strbuf.h"
#include "compiler/hopkind.h"
#include "runtime/loader/package.h"

static const char MAGIC[8] = { 'V', 'N', 'T', 'P', 'K', 'G', '\r', '\n' };

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;
	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

static void hex(const unsigned char *h, char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

int vnt_plan_features(const struct vnt_plan *plan, const char **out, int max)
{
	int n = 0;
	for (int i = 0; i < plan->nhops; i++) {
		const char *f = plan->hops[i].kind->feature;
		bool have = false;
		for (int k = 0; k < n; k++)
			have |= !strcmp(out[k], f);
		if (!have && n < max)
			out[n++] = f;
	}
	bool rb = false;
	for (int t = 0; t < plan->ntraces; t++)
		rb |= plan->traces[t].events;
	if (rb && n < max)
		out[n++] = "ringbuf";
	if (n < max)
		out[n++] = "btf";
	return n;
}

static void put_member(struct strbuf *b, const char *name, const void *data, size_t size)
{
	uint16_t nl = (uint16_t)strlen(name);
	uint64_t sz = size;
	unsigned char h[32];
	sha256(data, size, h);
	sb_putn(b, (const char *)&nl, 2);
	sb_putn(b, name, nl);
	sb_putn(b, (const char *)&sz, 8);
	sb_putn(b, data, size);
	sb_putn(b, (const char *)h, 32);
}

void *vnt_package_build(const struct vnt_plan *plan, const void *obj, size_t obj_len, const char *csrc,
			char **src_names, char **src_texts, int nsrc, size_t *len)
{
	/* The manifest lists every other member's checksum. */
	json_object *root = json_object_new_object();
	json_object_object_add(root, "vnt_package", json_object_new_int(VNT_PKG_FORMAT));
	json_object_object_add(root, "vnt_version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(root, "script", json_object_new_string(plan->script));
	const char *feat[16];
	int nf = vnt_plan_features(plan, feat, 16);
	json_object *fa = json_object_new_array();
	for (int i = 0; i < nf; i++)
		json_object_array_add(fa, json_object_new_string(feat[i]));
	json_object_object_add(root, "features", fa);
	json_object *mem = json_object_new_array();
	char hx[65];
	unsigned char h[32];
	struct { const char *name; const void *data; size_t size; } m[2 + 64];
	int nm = 0;
	m[nm].name = "object.o"; m[nm].data = obj; m[nm++].size = obj_len;
	m[nm].name = "generated.c"; m[nm].data = csrc; m[nm++].size = strlen(csrc);
	char *names[64];
	for (int i = 0; i < nsrc && i < 64; i++) {
		struct strbuf nb;
		sb_init(&nb);
		const char *base = strrchr(src_names[i], '/');
		base = base ? base + 1 : src_names[i];
		/* Two modules may share a base name (a script kprobe.vnt that
		 * imports the kprobe module): number the later ones. */
		int same = 0;
		for (int k = 0; k < i; k++) {
			const char *ob = strrchr(src_names[k], '/');
			same += !strcmp(ob ? ob + 1 : src_names[k], base);
		}
		if (same)
			sb_printf(&nb, "src/%d/%s", same + 1, base);
		else
			sb_printf(&nb, "src/%s", base);
		names[i] = sb_steal(&nb);
		m[nm].name = names[i]; m[nm].data = src_texts[i]; m[nm++].size = strlen(src_texts[i]);
	}
	for (int i = 0; i < nm; i++) {
		json_object *o = json_object_new_object();
		sha256(m[i].data, m[i].size, h);
		hex(h, hx);
		json_object_object_add(o, "name", json_object_new_string(m[i].name));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)m[i].size));
		json_object_object_add(o, "sha256", json_object_new_string(hx));
		json_object_array_add(mem, o);
	}
	json_object_object_add(root, "members", mem);
	char *plan_json = vnt_manifest_write(plan);
	json_object *pj = json_tokener_parse(plan_json);
	free(plan_json);
	json_object_object_add(root, "plan", pj);
	const char *mtext = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);

	struct strbuf payload;
	sb_init(&payload);
	put_member(&payload, "manifest.json", mtext, strlen(mtext));
	for (int i = 0; i < nm; i++)
		put_member(&payload, m[i].name, m[i].data, m[i].size);
	json_object_put(root);
	for (int i = 0; i < nsrc && i < 64; i++)
		free(names[i]);

	uLongf clen = compressBound((uLong)payload.len);
	unsigned char *out = malloc(24 + clen);
	if (!out || compress2(out + 24, &clen, (const Bytef *)payload.s, (uLong)payload.len, 9) != Z_OK) {
		free(out);
		sb_free(&payload);
		return NULL;
	}
	uint32_t fmt = VNT_PKG_FORMAT, flags = 0;
	uint64_t plen = payload.len;
	memcpy(out, MAGIC, 8);
	memcpy(out + 8, &fmt, 4);
	memcpy(out + 12, &flags, 4);
	memcpy(out + 16, &plen, 8);
	sb_free(&payload);
	*len = 24 + clen;
	return out;
}

const struct vnt_pkg_member *vnt_package_member(const struct vnt_package *p, const char *name)
{
	for (int i = 0; i < p->nmembers; i++)
		if (!strcmp(p->members[i].name, name))
			return &p->members[i];
	return NULL;
}

void vnt_package_free(struct vnt_package *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nmembers; i++) {
		free(p->members[i].name);
		free(p->members[i].data);
	}
	free(p->members);
	for (int i = 0; i < p->nfeatures; i++)
		free(p->features[i]);
	free(p->features);
	free(p->manifest_json);
	free(p->vnt_version);
	vnt_plan_free(p->plan);
	free(p);
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

static int check_listed(struct vnt_package *p, json_object *members, char *err, size_t errlen)
{
	size_t n = json_object_array_length(members);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(members, i), *nm, *hs;
		if (!json_object_object_get_ex(o, "name", &nm) || !json_object_object_get_ex(o, "sha256", &hs) ||
		    !json_object_is_type(nm, json_type_string) || !json_object_is_type(hs, json_type_string)) {
			snprintf(err, errlen, "package: manifest member %zu lacks a name or checksum", i);
			return -1;
		}
		const struct vnt_pkg_member *m = vnt_package_member(p, json_object_get_string(nm));
		if (!m) {
			snprintf(err, errlen, "package: member %s listed in the manifest is missing", json_object_get_string(nm));
			return -1;
		}
		unsigned char h[32];
		char hx[65];
		sha256(m->data, m->size, h);
		hex(h, hx);
		if (strcmp(hx, json_object_get_string(hs))) {
			snprintf(err, errlen, "package: checksum of %s does not match the manifest (tampered or corrupt)", m->name);
			return -1;
		}
	}
	return 0;
}

int vnt_package_parse(const void *buf, size_t len, struct vnt_package **out, char *err, size_t errlen)
{
	const unsigned char *b = buf;
	unsigned char *payload = NULL;
	json_object *root = NULL;
	struct vnt_package *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (len < 24 || memcmp(b, MAGIC, 8))
		FAIL("not a vnt package (bad magic); make one with `vnt compile FILE -o NAME.vntpkg`");
	uint32_t fmt, flags;
	uint64_t plen;
	memcpy(&fmt, b + 8, 4);
	memcpy(&flags, b + 12, 4);
	memcpy(&plen, b + 16, 8);
	if (fmt > VNT_PKG_FORMAT)
		FAIL("package format %u is newer than this vnt understands (%d); upgrade vnt on this host", fmt, VNT_PKG_FORMAT);
	if (fmt == 0)
		FAIL("package format 0 is invalid");
	if (flags)
		FAIL("package header flags %#x are unknown", flags);
	if (plen > VNT_PKG_MAX_BYTES || plen == 0)
		FAIL("package declares %llu bytes uncompressed; the limit is %u", (unsigned long long)plen, VNT_PKG_MAX_BYTES);
	p->format = fmt;
	payload = malloc(plen);
	uLongf dlen = (uLongf)plen;
	if (!payload)
		FAIL("out of memory");
	int zr = uncompress(payload, &dlen, b + 24, (uLong)(len - 24));
	if (zr != Z_OK || dlen != plen)
		FAIL("package is truncated or corrupt (zlib: %s)", zr == Z_OK ? "size mismatch" : zError(zr));
	size_t off = 0;
	while (off < dlen) {
		uint16_t nl;
		uint64_t sz;
		if (dlen - off < 2)
			FAIL("package member header truncated");
		memcpy(&nl, payload + off, 2);
		off += 2;
		if (nl == 0 || nl > 255 || dlen - off < (size_t)nl + 8)
			FAIL("package member name truncated or invalid");
		if (memchr(payload + off, '\0', nl))
			FAIL("package member name contains a NUL byte");
		char *name = strndup((const char *)payload + off, nl);
		off += nl;
		for (int k = 0; k < p->nmembers; k++)
			if (name && !strcmp(p->members[k].name, name)) {
				snprintf(err, errlen, "package has two members named %s", name);
				free(name);
				goto fail;
			}
		memcpy(&sz, payload + off, 8);
		off += 8;
		if (sz > dlen - off || dlen - off - sz < 32) {
			free(name);
			FAIL("package member %s truncated", "(data)");
		}
		unsigned char h[32];
		sha256(payload + off, sz, h);
		if (memcmp(h, payload + off + sz, 32)) {
			snprintf(err, errlen, "package: checksum of member %s is wrong (tampered or corrupt)", name);
			free(name);
			goto fail;
		}
		struct vnt_pkg_member *nm = realloc(p->members, sizeof(*nm) * (size_t)(p->nmembers + 1));
		if (!nm) {
			free(name);
			FAIL("out of memory");
		}
		p->members = nm;
		struct vnt_pkg_member *m = &p->members[p->nmembers++];
		m->name = name;
		m->size = sz;
		m->data = malloc(sz + 1);
		if (!m->data)
			FAIL("out of memory");
		memcpy(m->data, payload + off, sz);
		((char *)m->data)[sz] = '\0';
		off += sz + 32;
	}
	const struct vnt_pkg_member *mm = vnt_package_member(p, "manifest.json");
	const struct vnt_pkg_member *ob = vnt_package_member(p, "object.o");
	if (!mm || !ob)
		FAIL("package lacks %s", mm ? "object.o" : "manifest.json");
	p->manifest_json = strdup(mm->data);
	root = json_tokener_parse(p->manifest_json);
	json_object *members, *plan, *ver, *feat;
	if (!root || !json_object_object_get_ex(root, "members", &members) ||
	    !json_object_is_type(members, json_type_array) || !json_object_object_get_ex(root, "plan", &plan) ||
	    !json_object_object_get_ex(root, "vnt_version", &ver) || !json_object_is_type(ver, json_type_string) ||
	    !json_object_object_get_ex(root, "features", &feat) || !json_object_is_type(feat, json_type_array) ||
	    !json_object_is_type(plan, json_type_object))
		FAIL("package manifest is malformed");
	if (check_listed(p, members, err, errlen))
		goto fail;
	p->vnt_version = strdup(json_object_get_string(ver));
	size_t nf = json_object_array_length(feat);
	p->features = calloc(nf ? nf : 1, sizeof(char *));
	for (size_t i = 0; i < nf && i < 32; i++) {
		json_object *fo = json_object_array_get_idx(feat, i);
		if (!json_object_is_type(fo, json_type_string))
			FAIL("package manifest: a required feature is not a name");
		p->features[p->nfeatures++] = strdup(json_object_get_string(fo));
	}
	char perr[256];
	p->plan = vnt_manifest_read(json_object_to_json_string(plan), perr, sizeof(perr));
	if (!p->plan)
		FAIL("package: %s", perr);
	p->obj = ob->data;
	p->obj_len = ob->size;
	json_object_put(root);
	free(payload);
	*out = p;
	return 0;
fail:
	json_object_put(root);
	free(payload);
	vnt_package_free(p);
	return -1;
}
