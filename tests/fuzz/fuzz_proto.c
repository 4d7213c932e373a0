/* libFuzzer target: the dispatcher <-> agent wire protocol (runtime/proto/proto.c)
 * on arbitrary bytes, as either side reads them from the network.
 *
 * The first byte of the input sets how the rest, a byte stream, arrives:
 * bits 0-6 the size of each read (0: all at once), alternately through
 * vnt_rx_feed and through vnt_rx_space + vnt_rx_commit as tls.c does;
 * bit 7 also runs every payload through every decoder, not only its
 * type's. Each frame vnt_rx_next returns is decoded by the decoder of its
 * type (the one agent_conn.c or dispatch.c uses), an EVENTS frame's records
 * one by one; until the stream is refused or ends.
 *
 * A payload that decodes must encode back to the same bytes (the decoders
 * refuse trailing bytes, so there is exactly one encoding), except the two
 * padding bytes at the end of an event record, which are not read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/proto/proto.h"

static void same(const char *what, const struct vnt_wbuf *w, const uint8_t *p, size_t n)
{
	if (w->oom)
		abort();
	if (w->len != n || (n && memcmp(w->p, p, n))) {
		fprintf(stderr, "fuzz_proto: %s: a decoded payload of %zu bytes encodes to %zu different bytes\n", what,
			n, w->len);
		abort();
	}
}

/* Decode the payload as message TYPE; on success re-encode and compare. */
static void decode(int type, const uint8_t *p, size_t n)
{
	struct vnt_wbuf w;
	vnt_w_init(&w);
	const char *name = vnt_msg_name(type);
	if (!name)
		abort();
	switch (type) {
	case VNT_MSG_HELLO: {
		struct vnt_hello m;
		if (vnt_dec_hello(p, n, &m))
			break;
		vnt_enc_hello(&w, &m);
		same(name, &w, p, n);
		vnt_hello_free(&m);
		break;
	}
	case VNT_MSG_HELLO_OK: {
		struct vnt_hello_ok m;
		if (vnt_dec_hello_ok(p, n, &m))
			break;
		vnt_enc_hello_ok(&w, &m);
		same(name, &w, p, n);
		vnt_hello_ok_free(&m);
		break;
	}
	case VNT_MSG_TIME: {
		struct vnt_time m;
		if (vnt_dec_time(p, n, &m))
			break;
		vnt_enc_time(&w, &m);
		same(name, &w, p, n);
		break;
	}
	case VNT_MSG_LOAD: {
		struct vnt_load m;
		if (vnt_dec_load(p, n, &m))
			break;
		if (m.pkg_len && (m.pkg == NULL || (const uint8_t *)m.pkg < p ||
				  (const uint8_t *)m.pkg + m.pkg_len > p + n))
			abort();   /* the package points into the frame */
		vnt_enc_load(&w, &m);
		same(name, &w, p, n);
		vnt_load_free(&m);
		break;
	}
	case VNT_MSG_LOAD_OK: {
		struct vnt_load_ok m;
		if (vnt_dec_load_ok(p, n, &m))
			break;
		for (int i = 0; i < m.nhops; i++)
			if (m.hop_trace[i] >= m.ntraces || m.hop_mine[i] > 1)
				abort();   /* the decoder promises both */
		vnt_enc_load_ok(&w, &m);
		same(name, &w, p, n);
		vnt_load_ok_free(&m);
		break;
	}
	case VNT_MSG_ERROR: {
		struct vnt_error m;
		if (vnt_dec_error(p, n, &m))
			break;
		vnt_enc_error(&w, m.code, m.text);
		same(name, &w, p, n);
		vnt_error_free(&m);
		break;
	}
	case VNT_MSG_START:
	case VNT_MSG_STOP:
		if (vnt_dec_empty(p, n) == 0 && n)
			abort();
		break;
	case VNT_MSG_STARTED:
	case VNT_MSG_PING:
	case VNT_MSG_PONG: {
		uint64_t v;
		if (vnt_dec_u64(p, n, &v))
			break;
		vnt_enc_u64(&w, v);
		same(name, &w, p, n);
		break;
	}
	case VNT_MSG_STOPPED: {
		struct vnt_stopped m;
		if (vnt_dec_stopped(p, n, &m))
			break;
		vnt_enc_stopped(&w, &m);
		same(name, &w, p, n);
		break;
	}
	case VNT_MSG_SNAPSHOT: {
		struct vnt_snapshot_msg m;
		if (vnt_dec_snapshot(p, n, &m))
			break;
		vnt_enc_snapshot(&w, m.trace, m.json);
		same(name, &w, p, n);
		vnt_snapshot_msg_free(&m);
		break;
	}
	case VNT_MSG_EVENTS:
	case VNT_MSG_EVENTS_PKT: {
		struct vnt_events_msg m;
		bool pk = type == VNT_MSG_EVENTS_PKT;
		if (vnt_dec_events(p, n, pk, &m))
			break;
		if (m.n > VNT_PROTO_MAX_BATCH || (m.n && !m.recs))
			abort();
		vnt_w_u64(&w, m.lost);
		vnt_w_u32(&w, m.n);
		size_t off = 0;
		for (uint32_t i = 0; i < m.n; i++) {
			const uint8_t *rec = m.recs + off;
			struct vnt_wire_event e;
			vnt_dec_event(&m, &off, &e);
			size_t at = w.len;
			if (pk)
				vnt_enc_event_pkt(&w, &e);
			else
				vnt_enc_event(&w, &e);
			if (w.len - at != (size_t)(m.recs + off - rec) || off > m.len)
				abort();
			if (!w.oom) { /* padding: not read, written as zero */
				memcpy(w.p + at + VNT_PROTO_EVENT_SIZE - 2, rec + VNT_PROTO_EVENT_SIZE - 2, 2);
				if (pk)
					w.p[at + VNT_PROTO_EVENT_SIZE + 1] = rec[VNT_PROTO_EVENT_SIZE + 1];
			}
		}
		same(name, &w, p, n);
		break;
	}
	case VNT_MSG_BYE: {
		char *s;
		if (vnt_dec_str(p, n, &s))
			break;
		vnt_w_str(&w, s);
		same(name, &w, p, n);
		free(s);
		break;
	}
	default:
		abort();   /* vnt_rx_next returned a type it should have refused */
	}
	vnt_w_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = data[0] & 0x7f;
	bool every = data[0] & 0x80;
	const uint8_t *in = data + 1;
	size_t n = size - 1;
	if (!chunk)
		chunk = n ? n : 1;

	struct vnt_frame_rx rx;
	vnt_rx_init(&rx);
	size_t off = 0;
	int turn = 0, r = 0;
	while (off < n && r >= 0) {
		size_t k = n - off < chunk ? n - off : chunk;
		if (turn++ & 1) {
			uint8_t *d = vnt_rx_space(&rx, k + 7);   /* room for more than arrives */
			if (!d)
				abort();
			memcpy(d, in + off, k);
			vnt_rx_commit(&rx, k);
		} else if (vnt_rx_feed(&rx, in + off, k)) {
			abort();
		}
		off += k;
		struct vnt_frame f;
		char err[256];
		memset(err, 'x', sizeof(err));
		while ((r = vnt_rx_next(&rx, &f, err, sizeof(err))) == 1) {
			if (f.len > VNT_PROTO_MAX_FRAME || f.type <= 0 || f.type >= VNT_MSG__MAX)
				abort();
			/* The decoders get their own copy: a read past the payload
			 * is then caught, not hidden by the next frame's bytes. */
			uint8_t *copy = malloc(f.len ? f.len : 1);
			if (!copy)
				abort();
			if (f.len)
				memcpy(copy, f.payload, f.len);
			decode(f.type, copy, f.len);
			if (every)
				for (int t = 1; t < VNT_MSG__MAX; t++)
					if (t != f.type)
						decode(t, copy, f.len);
			free(copy);
		}
		if (r < 0 && !memchr(err, '\0', sizeof(err)))
			abort();
	}
	vnt_rx_free(&rx);
	return 0;
}
