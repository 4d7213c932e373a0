/* tests/fuzz/mkseeds.c: seeds of fuzz_package and fuzz_proto (run by
 * seed.sh, built without instrumentation from the same sources).
 *
 *   mkseeds package OUTDIR PKG...   from packages made by `vnt compile`
 *   mkseeds proto OUTDIR            frames of every type, by the encoders
 *
 * Package seeds (the first byte is fuzz_package's mode, see there):
 *   raw-*     each package as is and its header alone; rebuilt small
 *             (object.o and generated.c replaced by stubs, by
 *             vnt_package_build, so that mutations are cheap), and that
 *             truncated or corrupted (magic, format, flags, declared
 *             size, zlib stream);
 *   exact-*   the small ones' decompressed payloads (modes 1, 3 and 9),
 *             and variants with a member cut, resized, renamed or with a
 *             wrong checksum;
 *   split-*   the same members as text (modes 5 and 7), and, of the
 *             package with the largest manifest, the manifest with one
 *             part of the plan broken each.
 * Proto seeds (first byte: read size | 0x80 for every decoder): one
 * frame of each type, a conversation of each side as one stream, read
 * whole and in small pieces, and frames refused by the reader. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "runtime/loader/package.h"
#include "runtime/proto/proto.h"

static const char *outdir;

static void emit(const char *name, unsigned mode, const void *p, size_t n)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	FILE *f = fopen(path, "wb");
	unsigned char m = (unsigned char)mode;
	if (!f || fwrite(&m, 1, 1, f) != 1 || (n && fwrite(p, 1, n, f) != n) || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	size_t cap = 1 << 16, n = 0, r;
	unsigned char *b = malloc(cap);
	while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	if (!b)
		exit(1);
	*len = n;
	return b;
}

/* The decompressed payload of a package (trusted: made by vnt). */
static unsigned char *payload_of(const unsigned char *pkg, size_t len, size_t *plen)
{
	uint64_t sz;
	memcpy(&sz, pkg + 16, 8);
	uLongf d = (uLongf)sz;
	unsigned char *p = malloc(sz ? sz : 1);
	if (!p || uncompress(p, &d, pkg + 24, (uLong)(len - 24)) != Z_OK) {
		fprintf(stderr, "mkseeds: cannot decompress\n");
		exit(1);
	}
	*plen = d;
	return p;
}

struct buf {
	unsigned char *p;
	size_t len;
};
static void put(struct buf *b, const void *p, size_t n)
{
	b->p = realloc(b->p, b->len + n + 1);
	if (!b->p)
		exit(1);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}
static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

/* The members as fuzz_package's split layout, with the manifest's text
 * replaced by MANIFEST if not NULL. */
static struct buf split_of(const struct vnt_package *p, const char *manifest)
{
	struct buf b = { 0 };
	for (int i = 0; i < p->nmembers; i++) {
		if (i)
			put(&b, "\0VM\0", 4);
		puts_(&b, p->members[i].name);
		puts_(&b, "\n");
		if (manifest && !strcmp(p->members[i].name, "manifest.json"))
			puts_(&b, manifest);
		else
			put(&b, p->members[i].data, p->members[i].size);
	}
	return b;
}

/* TEXT with occurrence NTH (from 1) of FROM replaced by TO (malloc'd), or NULL. */
static char *replace(const char *text, const char *from, const char *to, int nth)
{
	const char *at = strstr(text, from);
	while (at && --nth > 0)
		at = strstr(at + 1, from);
	if (!at)
		return NULL;
	size_t n = strlen(text) - strlen(from) + strlen(to);
	char *s = malloc(n + 1);
	snprintf(s, n + 1, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return s;
}

static void package_seeds(const char *path, bool edit)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char stem[256], name[512];
	snprintf(stem, sizeof(stem), "%.*s", (int)(strcspn(base, ".")), base);
	size_t len;
	unsigned char *pkg = slurp(path, &len);

	snprintf(name, sizeof(name), "raw-%s", stem);
	emit(name, 0, pkg, len);
	snprintf(name, sizeof(name), "raw-%s-header-only", stem);
	emit(name, 0, pkg, 24);

	struct vnt_package *p;
	char err[512];
	if (vnt_package_parse(pkg, len, &p, err, sizeof(err))) {
		/* Keep it (the refusal is a path too), but nothing to rebuild. */
		fprintf(stderr, "mkseeds: %s: %s (kept as a raw seed only)\n", path, err);
		free(pkg);
		return;
	}

	/* Small: stub object and C, the same plan and sources. */
	static const unsigned char stub_obj[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
	char *names[64], *texts[64];
	int ns = 0;
	for (int i = 0; i < p->nmembers && ns < 64; i++)
		if (!strncmp(p->members[i].name, "src/", 4)) {
			names[ns] = p->members[i].name + 4;
			texts[ns++] = p->members[i].data;
		}
	size_t slen;
	unsigned char *small = vnt_package_build(p->plan, stub_obj, sizeof(stub_obj), "/* generated */\n", names,
						 texts, ns, &slen);
	if (!small)
		exit(1);
	snprintf(name, sizeof(name), "raw-%s-small", stem);
	emit(name, 0, small, slen);
	snprintf(name, sizeof(name), "raw-%s-small-truncated", stem);
	emit(name, 0, small, slen / 2);

	/* Corruptions of the small one, each stopping at another check. */
	unsigned char *c = malloc(slen);
	struct { const char *what; size_t at; unsigned char v; } bad[] = {
		{ "magic", 3, 'X' },
		{ "format0", 8, 0 },
		{ "format2", 8, 2 },
		{ "flags", 12, 1 },
		{ "size-small", 16, 1 },
		{ "size-zero", 17, 0 },
		{ "size-huge", 23, 0x40 },
		{ "zlib-header", 24, 0 },
		{ "zlib-middle", 24 + (slen - 24) / 2, 0 },
		{ "zlib-end", slen - 1, 0 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(c, small, slen);
		if (!strcmp(bad[i].what, "size-zero"))
			memset(c + 16, 0, 8);
		else
			c[bad[i].at] = c[bad[i].at] == bad[i].v ? (unsigned char)~bad[i].v : bad[i].v;
		snprintf(name, sizeof(name), "raw-%s-bad-%s", stem, bad[i].what);
		emit(name, 0, c, slen);
	}
	free(c);

	/* Payloads. */
	size_t plen;
	unsigned char *pl = payload_of(small, slen, &plen);
	snprintf(name, sizeof(name), "exact-%s", stem);
	emit(name, 1, pl, plen);
	snprintf(name, sizeof(name), "exact-%s-fixlisted", stem);
	emit(name, 3, pl, plen);
	snprintf(name, sizeof(name), "exact-%s-sums-as-given", stem);
	emit(name, 9, pl, plen);
	pl[plen - 1] ^= 0x55;
	snprintf(name, sizeof(name), "exact-%s-bad-sum", stem);
	emit(name, 9, pl, plen);
	pl[plen - 1] ^= 0x55;
	snprintf(name, sizeof(name), "exact-%s-cut", stem);
	emit(name, 1, pl, plen * 2 / 3);
	/* manifest.json's size field one too large / its name damaged */
	unsigned char *v = malloc(plen);
	memcpy(v, pl, plen);
	v[2 + 13] ^= 1;
	snprintf(name, sizeof(name), "exact-%s-size", stem);
	emit(name, 1, v, plen);
	memcpy(v, pl, plen);
	v[2] = 'M';
	snprintf(name, sizeof(name), "exact-%s-noname", stem);
	emit(name, 3, v, plen);
	free(v);
	free(pl);

	/* Text members: those of the small package. */
	vnt_package_free(p);
	if (vnt_package_parse(small, slen, &p, err, sizeof(err))) {
		fprintf(stderr, "mkseeds: %s rebuilt: %s\n", path, err);
		exit(1);
	}
	struct buf s = split_of(p, NULL);
	snprintf(name, sizeof(name), "split-%s", stem);
	emit(name, 5, s.p, s.len);
	snprintf(name, sizeof(name), "split-%s-fixlisted", stem);
	emit(name, 7, s.p, s.len);
	free(s.p);

	/* The plan broken one way at a time (split, listed checksums fixed).
	 * Not here: what crashed the reader once (null fields, a hop range
	 * that overflows): those are in regressions/package/, replayed on
	 * every run, and kept out of the seeds so that a known bug does not
	 * stop the bounded fuzzing at its first input. */
	const char *m = p->manifest_json;
#define X3 "{},{},{},"
#define X33 X3 X3 X3 X3 X3 X3 X3 X3 X3 X3 X3
	struct { const char *what, *from, *to; int nth; } edits[] = {
		{ "manifest-version", "\"vnt_manifest\":1", "\"vnt_manifest\":2", 1 },
		{ "kind", "\"kind\":\"", "\"kind\":\"x", 1 },
		{ "first-hop", "\"first_hop\":0", "\"first_hop\":30", 1 },
		{ "nhops", "\"nhops\":", "\"nhops\":-", 1 },
		{ "hop-id", "\"id\":0", "\"id\":7", 1 },
		{ "hop-trace", "\"trace\":0", "\"trace\":9", 1 },
		{ "skb-arg", "\"skb_arg\":", "\"skb_arg\":1", 1 },
		{ "latency", "\"from\":", "\"from\":4", 1 },
		{ "fn", "\"fn\":\"", "\"fn\":\"h", 1 },
		{ "key-field", "\"field\":\"", "\"field\":\"x", 1 },
		{ "key-off", "\"off\":0", "\"off\":4294967292", 1 },
		{ "nslots", "\"nslots\":", "\"nslots\":9", 1 },
		{ "value-size", "\"value_size\":", "\"value_size\":1", 1 },
		{ "lstep", "\"lstep\":", "\"lstep\":-", 1 },
		{ "plan-script-null", "\"script\":\"", "\"script\":null, \"x\":\"", 2 },
		{ "member-name-number", "\"name\":\"", "\"name\":7, \"x\":\"", 1 },
		{ "member-unknown", "\"name\":\"", "\"name\":\"src/none\", \"x\":\"", 1 },
		{ "hop-def-null", "\"def\":\"", "\"def\":null, \"x\":\"", 1 },
		{ "members-object", "\"members\":[", "\"members\":{}, \"x\":[", 1 },
		{ "sha-number", "\"sha256\":\"", "\"sha256\":7, \"x\":\"", 1 },
		{ "version-number", "\"vnt_version\":\"", "\"vnt_version\":7, \"x\":\"", 1 },
		{ "features", "\"features\":[", "\"features\":[ 1, 2.5, {}, [], ", 1 },
		{ "devices", "\"devices\":[", "\"devices\":[ \"eth0\", 2, ", 1 },
		{ "traces-type", "\"traces\":[", "\"traces\":1, \"y\":[", 1 },
		{ "too-many-traces", "\"traces\":[", "\"traces\":[" X33, 1 },
		{ "too-many-hops", "\"hops\":[", "\"hops\":[" X33, 1 },
		{ "too-many-latency", "\"latency\":[", "\"latency\":[" X33, 1 },
		{ "too-many-aggregations", "\"aggregations\":[", "\"aggregations\":[" X33, 1 },
		{ "too-many-keys", "\"keys\":[", "\"keys\":[" X33, 1 },
		{ "too-many-devices", "\"devices\":[", "\"devices\":[" X33 X33, 1 },
		{ "deep", "\"plan\":{", "\"plan\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], \"x\":{", 1 },
	};
	for (size_t i = 0; edit && i < sizeof(edits) / sizeof(edits[0]); i++) {
		char *e = replace(m, edits[i].from, edits[i].to, edits[i].nth);
		if (!e)
			continue;
		s = split_of(p, e);
		snprintf(name, sizeof(name), "split-%s-%s", stem, edits[i].what);
		emit(name, 7, s.p, s.len);
		free(s.p);
		free(e);
	}
	free(small);
	vnt_package_free(p);
	free(pkg);
}

/* ---- proto ---- */

static void frame(struct vnt_wbuf *stream, int type, struct vnt_wbuf *payload)
{
	vnt_w_frame(stream, type, payload->p, payload->len);
	vnt_w_free(payload);
}

static void emit_stream(const char *name, unsigned mode, const struct vnt_wbuf *w)
{
	if (w->oom)
		exit(1);
	emit(name, mode, w->p, w->len);
}

static void proto_seeds(void)
{
	struct vnt_wbuf w, s, d2a, a2d;
	char name[256];
	vnt_w_init(&d2a);
	vnt_w_init(&a2d);
	static const char *feats[] = { "tp_btf", "tcx", "ringbuf", "btf" };
	static const char *hops[] = { "tx", "rx" };
	static const char *traces[] = { "path", "sched" };

#define ONE(TYPE, SIDE, BODY)                                               \
	do {                                                                \
		vnt_w_init(&w);                                             \
		BODY;                                                       \
		vnt_w_init(&s);                                             \
		vnt_w_frame(&s, TYPE, w.p, w.len);                          \
		snprintf(name, sizeof(name), "frame-%s-%s", #SIDE, vnt_msg_name(TYPE)); \
		emit_stream(name, 0, &s);                                   \
		vnt_w_free(&s);                                             \
		frame(&SIDE, TYPE, &w);                                     \
	} while (0)

	ONE(VNT_MSG_HELLO, d2a, vnt_enc_hello(&w, &(struct vnt_hello){ 1, 1, "dispatcher" }));
	ONE(VNT_MSG_HELLO_OK, a2d,
	    vnt_enc_hello_ok(&w, &(struct vnt_hello_ok){ 1, "host1", "6.8.0", "vnt 0.1", 4, (char **)feats }));
	ONE(VNT_MSG_TIME, d2a, vnt_enc_time(&w, &(struct vnt_time){ 1700000000000000000, 0, 0 }));
	ONE(VNT_MSG_TIME, a2d,
	    vnt_enc_time(&w, &(struct vnt_time){ 1700000000000000000, 1700000000000100000, 1700000000000200000 }));
	{
		static const unsigned char pkg[] = "VNTPKG\r\n\1\0\0\0\0\0\0\0\10\0\0\0\0\0\0\0x\x9c";
		ONE(VNT_MSG_LOAD, d2a,
		    vnt_enc_load(&w, &(struct vnt_load){ 1000, VNT_LOAD_EVENTS, 2, (char **)hops, pkg, sizeof(pkg) - 1 }));
	}
	{
		uint16_t ht[] = { 0, 1 };
		uint8_t hm[] = { 1, 0 };
		ONE(VNT_MSG_LOAD_OK, a2d,
		    vnt_enc_load_ok(&w, &(struct vnt_load_ok){ "path.vnt", "{\"vnt_manifest\": 1}", 2, (char **)traces,
							      2, (char **)hops, ht, hm }));
	}
	ONE(VNT_MSG_START, d2a, (void)0);
	ONE(VNT_MSG_STARTED, a2d, vnt_enc_u64(&w, 2));
	ONE(VNT_MSG_PING, d2a, vnt_enc_u64(&w, 42));
	ONE(VNT_MSG_PONG, a2d, vnt_enc_u64(&w, 42));
	ONE(VNT_MSG_SNAPSHOT, a2d, vnt_enc_snapshot(&w, 1, "{\"trace\": \"sched\", \"aggregations\": []}"));
	{
		vnt_w_init(&w);
		vnt_w_u64(&w, 3);
		vnt_w_u32(&w, 2);
		struct vnt_wire_event e = { .ts_ns = 1700000000000000000, .fp = 0x1234, .hop = 1, .len = 1500,
					    .ifindex = 2, .netns = 4026531840u, .cpu = 3, .pid = 100,
					    .saddr = { 10, 0, 0, 1 }, .daddr = { 10, 0, 0, 2 }, .sport = 1234,
					    .dport = 80, .proto = 6, .family = 4 };
		vnt_enc_event(&w, &e);
		e.family = 6;
		e.saddr[15] = 1;
		vnt_enc_event(&w, &e);
		vnt_w_init(&s);
		vnt_w_frame(&s, VNT_MSG_EVENTS, w.p, w.len);
		emit_stream("frame-a2d-EVENTS", 0, &s);
		vnt_w_free(&s);
		frame(&a2d, VNT_MSG_EVENTS, &w);
		/* the same records with packet bytes (EVENTS_PKT) */
		static const uint8_t pkt[8] = { 0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0 };
		vnt_w_init(&w);
		vnt_w_u64(&w, 3);
		vnt_w_u32(&w, 2);
		e.link = 0;
		e.caplen = 8;
		e.bytes = pkt;
		vnt_enc_event_pkt(&w, &e);
		e.link = 1;
		e.caplen = 0;
		vnt_enc_event_pkt(&w, &e);
		vnt_w_init(&s);
		vnt_w_frame(&s, VNT_MSG_EVENTS_PKT, w.p, w.len);
		emit_stream("frame-a2d-EVENTS_PKT", 0, &s);
		vnt_w_free(&s);
		frame(&a2d, VNT_MSG_EVENTS_PKT, &w);
	}
	ONE(VNT_MSG_STOP, d2a, (void)0);
	ONE(VNT_MSG_STOPPED, a2d, vnt_enc_stopped(&w, &(struct vnt_stopped){ 1000, 3 }));
	ONE(VNT_MSG_ERROR, a2d, vnt_enc_error(&w, VNT_ERR_FEATURE, "the kernel lacks tcx"));
	ONE(VNT_MSG_BYE, d2a, vnt_w_str(&w, "done"));
	ONE(VNT_MSG_BYE, a2d, vnt_w_str(&w, "agent stopping"));
#undef ONE

	emit_stream("stream-dispatcher", 0, &d2a);
	emit_stream("stream-agent", 0, &a2d);
	emit_stream("stream-dispatcher-bytewise", 1, &d2a);
	emit_stream("stream-agent-pieces", 5, &a2d);
	emit_stream("stream-agent-every", 0x80, &a2d);
	emit_stream("stream-dispatcher-every-pieces", 0x80 | 13, &d2a);

	/* Refused: bad magic, version, type, flags, length; and a frame cut. */
	static const struct { const char *what; int at; uint8_t v; } bad[] = {
		{ "magic", 0, 'X' }, { "version", 4, 2 }, { "type0", 5, 0 }, { "type-max", 5, VNT_MSG__MAX },
		{ "flags", 6, 1 }, { "length", 11, 0x40 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char *c = malloc(a2d.len);
		memcpy(c, a2d.p, a2d.len);
		c[bad[i].at] = bad[i].v;
		snprintf(name, sizeof(name), "refused-%s", bad[i].what);
		emit(name, 0, c, a2d.len);
		free(c);
	}
	emit("cut", 3, a2d.p, a2d.len - 5);
	vnt_w_free(&d2a);
	vnt_w_free(&a2d);
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "package") && strcmp(argv[1], "proto"))) {
		fprintf(stderr, "usage: mkseeds package OUTDIR PKG... | mkseeds proto OUTDIR\n");
		return 2;
	}
	outdir = argv[2];
	if (!strcmp(argv[1], "proto")) {
		proto_seeds();
		return 0;
	}
	/* The plan broken one way at a time: in the richest manifest only. */
	int richest = 3;
	size_t most = 0;
	for (int i = 3; i < argc; i++) {
		size_t len;
		unsigned char *pkg = slurp(argv[i], &len);
		struct vnt_package *p;
		char err[512];
		if (!vnt_package_parse(pkg, len, &p, err, sizeof(err))) {
			if (strlen(p->manifest_json) > most) {
				most = strlen(p->manifest_json);
				richest = i;
			}
			vnt_package_free(p);
		}
		free(pkg);
	}
	for (int i = 3; i < argc; i++)
		package_seeds(argv[i], i == richest);
	return 0;
}
