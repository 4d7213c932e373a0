/* The wire protocol's decoders against hostile bytes (runtime/proto/proto.c).
 *
 *   proto_fuzz roundtrip        every message encodes and decodes to itself
 *   proto_fuzz mutate N SEED    N random mutations of valid frames, fed to the
 *                               frame reader in random pieces and to every
 *                               decoder; built with ASan/UBSan, any read past
 *                               a buffer, leak or overflow aborts
 *
 * Built with -DVNT_LIBFUZZER (clang -fsanitize=fuzzer) it is a libFuzzer
 * target instead: one input = a byte stream for the frame reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/proto/proto.h"

static int failures;
#define CHECK(c, what) do { if (!(c)) { printf("not ok proto: %s\n", what); failures++; } } while (0)

/* Every decoder on one payload; whatever it says, nothing may leak. */
static void decode_all(const uint8_t *p, size_t n)
{
	struct vnt_hello h;
	struct vnt_hello_ok ho;
	struct vnt_time t;
	struct vnt_load l;
	struct vnt_load_ok lo;
	struct vnt_error e;
	struct vnt_stopped st;
	struct vnt_snapshot_msg sm;
	struct vnt_events_msg em;
	uint64_t u;
	char *s;
	if (!vnt_dec_hello(p, n, &h))
		vnt_hello_free(&h);
	if (!vnt_dec_hello_ok(p, n, &ho))
		vnt_hello_ok_free(&ho);
	(void)vnt_dec_time(p, n, &t);
	if (!vnt_dec_load(p, n, &l)) {
		if (l.pkg_len)   /* the blob must lie inside the payload */
			(void)((const uint8_t *)l.pkg)[l.pkg_len - 1];
		vnt_load_free(&l);
	}
	if (!vnt_dec_load_ok(p, n, &lo))
		vnt_load_ok_free(&lo);
	if (!vnt_dec_error(p, n, &e))
		vnt_error_free(&e);
	(void)vnt_dec_stopped(p, n, &st);
	if (!vnt_dec_snapshot(p, n, &sm))
		vnt_snapshot_msg_free(&sm);
	for (int pk = 0; pk < 2; pk++)
		if (!vnt_dec_events(p, n, pk, &em)) {
			size_t off = 0;
			for (uint32_t i = 0; i < em.n; i++) {
				struct vnt_wire_event w;
				vnt_dec_event(&em, &off, &w);
			}
		}
	(void)vnt_dec_u64(p, n, &u);
	(void)vnt_dec_empty(p, n);
	if (!vnt_dec_str(p, n, &s))
		free(s);
}

/* A byte stream through the frame reader, in pieces of `chunk` bytes. */
static int feed_stream(const uint8_t *p, size_t n, size_t chunk)
{
	struct vnt_frame_rx rx;
	struct vnt_frame f;
	char err[256];
	int frames = 0, rc = 0;
	vnt_rx_init(&rx);
	for (size_t off = 0; off < n && rc >= 0;) {
		size_t k = n - off < chunk ? n - off : chunk;
		if (vnt_rx_feed(&rx, p + off, k))
			break;
		off += k;
		while ((rc = vnt_rx_next(&rx, &f, err, sizeof(err))) == 1) {
			frames++;
			decode_all(f.payload, f.len);
		}
	}
	vnt_rx_free(&rx);
	return rc < 0 ? -1 : frames;
}

/* One valid frame of every type into w (the seeds of the mutations). */
static void valid_stream(struct vnt_wbuf *out)
{
	char *feats[] = { "btf", "tcx" }, *hops[] = { "tx", "t.rx" }, *traces[] = { "t" }, *hn[] = { "tx", "rx" };
	uint16_t ht[] = { 0, 0 };
	uint8_t mine[] = { 1, 0 };
	struct vnt_hello h = { 1, 1, "dispatcher" };
	struct vnt_hello_ok ho = { 1, "host1", "6.1.0", "0.1.0", 2, feats };
	struct vnt_time t = { 1, 2, 3 };
	struct vnt_load l = { 1000, VNT_LOAD_EVENTS, 2, hops, "PKGBYTES", 8 };
	struct vnt_load_ok lo = { "s.vnt", "{}", 1, traces, 2, hn, ht, mine };
	struct vnt_stopped st = { 5, 1 };
	struct vnt_wire_event ev = { .ts_ns = 123, .fp = 0xabcdef, .hop = 1, .len = 64, .family = 4, .proto = 17,
				     .sport = 1000, .dport = 11111, .saddr = { 10, 0, 0, 1 }, .daddr = { 10, 0, 0, 2 } };
	struct vnt_wbuf w;
#define FRAME(type, enc) do { vnt_w_init(&w); enc; vnt_w_frame(out, type, w.p, w.len); vnt_w_free(&w); } while (0)
	FRAME(VNT_MSG_HELLO, vnt_enc_hello(&w, &h));
	FRAME(VNT_MSG_HELLO_OK, vnt_enc_hello_ok(&w, &ho));
	FRAME(VNT_MSG_TIME, vnt_enc_time(&w, &t));
	FRAME(VNT_MSG_LOAD, vnt_enc_load(&w, &l));
	FRAME(VNT_MSG_LOAD_OK, vnt_enc_load_ok(&w, &lo));
	FRAME(VNT_MSG_ERROR, vnt_enc_error(&w, VNT_ERR_PACKAGE, "refused"));
	FRAME(VNT_MSG_START, (void)0);
	FRAME(VNT_MSG_STARTED, vnt_enc_u64(&w, 2));
	FRAME(VNT_MSG_STOPPED, vnt_enc_stopped(&w, &st));
	FRAME(VNT_MSG_SNAPSHOT, vnt_enc_snapshot(&w, 0, "{\"type\":\"final\"}"));
	FRAME(VNT_MSG_EVENTS, (vnt_w_u64(&w, 7), vnt_w_u32(&w, 2), vnt_enc_event(&w, &ev), vnt_enc_event(&w, &ev)));
	static const uint8_t pkt[5] = { 0x45, 0, 0, 228, 9 };
	struct vnt_wire_event ev2 = ev;
	ev2.link = 1;
	ev2.caplen = 5;
	ev2.bytes = pkt;
	FRAME(VNT_MSG_EVENTS_PKT, (vnt_w_u64(&w, 3), vnt_w_u32(&w, 2), vnt_enc_event_pkt(&w, &ev),
				   vnt_enc_event_pkt(&w, &ev2)));
	FRAME(VNT_MSG_PING, vnt_enc_u64(&w, 42));
	FRAME(VNT_MSG_BYE, vnt_w_str(&w, "done"));
#undef FRAME
}

#ifdef VNT_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_stream(data, size, size ? size : 1);
	feed_stream(data, size, 7);
	return 0;
}
#else

static int roundtrip(void)
{
	struct vnt_wbuf s;
	vnt_w_init(&s);
	valid_stream(&s);
	struct vnt_frame_rx rx;
	struct vnt_frame f;
	char err[256];
	vnt_rx_init(&rx);
	vnt_rx_feed(&rx, s.p, s.len);
	int n = 0;
	while (vnt_rx_next(&rx, &f, err, sizeof(err)) == 1) {
		n++;
		switch (f.type) {
		case VNT_MSG_HELLO_OK: {
			struct vnt_hello_ok m;
			CHECK(!vnt_dec_hello_ok(f.payload, f.len, &m) && !strcmp(m.host, "host1") && m.nfeatures == 2 &&
			      !strcmp(m.features[1], "tcx"), "HELLO_OK round trip");
			vnt_hello_ok_free(&m);
			break;
		}
		case VNT_MSG_LOAD: {
			struct vnt_load m;
			CHECK(!vnt_dec_load(f.payload, f.len, &m) && m.nhops == 2 && !strcmp(m.hops[1], "t.rx") &&
			      m.pkg_len == 8 && !memcmp(m.pkg, "PKGBYTES", 8) && m.interval_ms == 1000, "LOAD round trip");
			vnt_load_free(&m);
			break;
		}
		case VNT_MSG_LOAD_OK: {
			struct vnt_load_ok m;
			CHECK(!vnt_dec_load_ok(f.payload, f.len, &m) && m.nhops == 2 && m.hop_mine[0] == 1 &&
			      !strcmp(m.hop_names[1], "rx") && !strcmp(m.traces[0], "t"), "LOAD_OK round trip");
			vnt_load_ok_free(&m);
			break;
		}
		case VNT_MSG_EVENTS: {
			struct vnt_events_msg m;
			struct vnt_wire_event e;
			int ok = !vnt_dec_events(f.payload, f.len, false, &m) && m.n == 2 && m.lost == 7;
			if (ok) {
				size_t off = VNT_PROTO_EVENT_SIZE;
				vnt_dec_event(&m, &off, &e);
				ok = e.ts_ns == 123 && e.fp == 0xabcdef && e.dport == 11111 && e.saddr[3] == 1 && e.family == 4;
			}
			CHECK(ok, "EVENTS round trip");
			break;
		}
		case VNT_MSG_EVENTS_PKT: {
			struct vnt_events_msg m;
			struct vnt_wire_event a, b;
			int ok = !vnt_dec_events(f.payload, f.len, true, &m) && m.n == 2 && m.lost == 3;
			if (ok) {
				size_t off = 0;
				vnt_dec_event(&m, &off, &a);
				vnt_dec_event(&m, &off, &b);
				ok = a.caplen == 0 && a.fp == 0xabcdef && b.caplen == 5 && b.link == 1 && b.bytes &&
				     b.bytes[3] == 228 && b.bytes[4] == 9 && b.dport == 11111 && off == m.len;
			}
			CHECK(ok, "EVENTS_PKT round trip");
			CHECK(vnt_dec_events(f.payload, f.len, false, &m) < 0, "EVENTS_PKT is not EVENTS");
			break;
		}
		case VNT_MSG_TIME: {
			struct vnt_time m;
			CHECK(!vnt_dec_time(f.payload, f.len, &m) && m.t1 == 1 && m.t3 == 3, "TIME round trip");
			break;
		}
		default:
			break;
		}
	}
	CHECK(n == 14, "14 frames read back");
	/* Refusals from the header alone. */
	uint8_t big[12] = { 'V', 'N', 'T', 'W', 1, VNT_MSG_LOAD, 0, 0, 0xff, 0xff, 0xff, 0x7f };
	CHECK(feed_stream(big, sizeof(big), 12) < 0, "a 2 GiB frame is refused from its header");
	uint8_t ver[12] = { 'V', 'N', 'T', 'W', 9, VNT_MSG_PING, 0, 0, 8, 0, 0, 0 };
	CHECK(feed_stream(ver, sizeof(ver), 12) < 0, "an unknown version is refused");
	CHECK(feed_stream((const uint8_t *)"GET / HTTP/1.1\r\n", 16, 16) < 0, "a foreign stream is refused");
	/* Trailing bytes and short payloads. */
	uint8_t pl[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	uint64_t u;
	CHECK(vnt_dec_u64(pl, 9, &u) < 0 && vnt_dec_u64(pl, 7, &u) < 0 && !vnt_dec_u64(pl, 8, &u), "exact sizes");
	struct vnt_events_msg em;
	uint8_t evs[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0 };
	CHECK(vnt_dec_events(evs, 12, false, &em) < 0, "an EVENTS count past its bytes is refused");
	CHECK(vnt_dec_events(evs, 12, true, &em) < 0, "an EVENTS_PKT count past its bytes is refused");
	vnt_rx_free(&rx);
	vnt_w_free(&s);
	if (!failures)
		printf("ok proto: every message round-trips; oversize, foreign and short input refused\n");
	return failures;
}

static uint64_t rng;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int mutate(long n, uint64_t seed)
{
	struct vnt_wbuf s;
	vnt_w_init(&s);
	valid_stream(&s);
	rng = seed ? seed : 88172645463325252ull;
	uint8_t *buf = malloc(s.len + 64);
	long frames = 0, refused = 0;
	for (long i = 0; i < n; i++) {
		size_t len = s.len;
		memcpy(buf, s.p, len);
		int k = 1 + (int)(rnd() % 8);
		for (int j = 0; j < k; j++) {
			size_t at = rnd() % len;
			switch (rnd() % 4) {
			case 0: buf[at] ^= (uint8_t)(1u << (rnd() % 8)); break;     /* bit flip */
			case 1: buf[at] = (uint8_t)rnd(); break;                    /* random byte */
			case 2: buf[at] = (uint8_t)(rnd() % 2 ? 0xff : 0); break;   /* extremes: lengths */
			case 3: len = at + 1; break;                                /* truncate */
			}
		}
		int r = feed_stream(buf, len, 1 + rnd() % 64);
		if (r < 0)
			refused++;
		else
			frames += r;
		/* Payload-level: a random window of the stream into each decoder. */
		size_t a = rnd() % len, b = a + rnd() % (len - a + 1);
		decode_all(buf + a, b - a);
	}
	free(buf);
	vnt_w_free(&s);
	printf("ok proto: %ld mutated streams (%ld frames decoded, %ld streams refused), no fault\n", n, frames, refused);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "roundtrip"))
		return roundtrip() ? 1 : 0;
	if (argc >= 3 && !strcmp(argv[1], "mutate"))
		return mutate(atol(argv[2]), argc > 3 ? strtoull(argv[3], NULL, 0) : 0);
	fprintf(stderr, "usage: proto_fuzz roundtrip | mutate N [SEED]\n");
	return 2;
}
#endif
