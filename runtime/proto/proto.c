/* Wire protocol: frames and message codecs (format in proto.h and
 * doc/protocol.md). The decoders run on bytes from the network: every
 * length is checked against what is actually there before it is used,
 * counts are bounded before anything is allocated from them, and a
 * malformed payload frees whatever was decoded so far. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/proto/proto.h"

static const uint8_t MAGIC[4] = { 'V', 'N', 'T', 'W' };

const char *vnt_msg_name(int t)
{
	static const char *n[] = { NULL, "HELLO", "HELLO_OK", "TIME", "LOAD", "LOAD_OK", "ERROR", "START",
				   "STARTED", "STOP", "STOPPED", "SNAPSHOT", "EVENTS", "PING", "PONG", "BYE",
				   "EVENTS_PKT" };
	return t > 0 && t < VNT_MSG__MAX ? n[t] : "unknown";
}

/* ---- writer ---- */
void vnt_w_init(struct vnt_wbuf *w) { memset(w, 0, sizeof(*w)); }
void vnt_w_free(struct vnt_wbuf *w) { free(w->p); vnt_w_init(w); }

void vnt_w_bytes(struct vnt_wbuf *w, const void *p, size_t n)
{
	if (w->oom)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap < w->len + n)
			cap *= 2;
		uint8_t *np = realloc(w->p, cap);
		if (!np) {
			w->oom = true;
			return;
		}
		w->p = np;
		w->cap = cap;
	}
	if (n)
		memcpy(w->p + w->len, p, n);
	w->len += n;
}

void vnt_w_u8(struct vnt_wbuf *w, uint8_t v) { vnt_w_bytes(w, &v, 1); }
void vnt_w_u16(struct vnt_wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	vnt_w_bytes(w, b, 2);
}
void vnt_w_u32(struct vnt_wbuf *w, uint32_t v)
{
	uint8_t b[4];
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	vnt_w_bytes(w, b, 4);
}
void vnt_w_u64(struct vnt_wbuf *w, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	vnt_w_bytes(w, b, 8);
}
void vnt_w_blob(struct vnt_wbuf *w, const void *p, size_t n)
{
	vnt_w_u32(w, (uint32_t)n);
	vnt_w_bytes(w, p, n);
}
void vnt_w_str(struct vnt_wbuf *w, const char *s)
{
	vnt_w_blob(w, s ? s : "", s ? strlen(s) : 0);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void vnt_frame_head(uint8_t h[VNT_PROTO_HDR], int type, uint32_t len)
{
	memcpy(h, MAGIC, 4);
	h[4] = VNT_PROTO_VERSION;
	h[5] = (uint8_t)type;
	h[6] = h[7] = 0;
	put_le(h + 8, len, 4);
}

void vnt_w_frame(struct vnt_wbuf *w, int type, const void *payload, size_t len)
{
	uint8_t h[VNT_PROTO_HDR];
	vnt_frame_head(h, type, (uint32_t)len);
	vnt_w_bytes(w, h, sizeof(h));
	vnt_w_bytes(w, payload, len);
}

/* ---- reader ---- */
void vnt_r_init(struct vnt_rbuf *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->bad = false;
}

const void *vnt_r_bytes(struct vnt_rbuf *r, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	const void *p = r->p + r->off;
	r->off += n;
	return p;
}

static uint64_t r_le(struct vnt_rbuf *r, int n)
{
	const uint8_t *b = vnt_r_bytes(r, (size_t)n);
	uint64_t v = 0;
	if (!b)
		return 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}
uint8_t vnt_r_u8(struct vnt_rbuf *r) { return (uint8_t)r_le(r, 1); }
uint16_t vnt_r_u16(struct vnt_rbuf *r) { return (uint16_t)r_le(r, 2); }
uint32_t vnt_r_u32(struct vnt_rbuf *r) { return (uint32_t)r_le(r, 4); }
uint64_t vnt_r_u64(struct vnt_rbuf *r) { return r_le(r, 8); }

const void *vnt_r_blob(struct vnt_rbuf *r, size_t *n)
{
	uint32_t l = vnt_r_u32(r);
	const void *p = vnt_r_bytes(r, l);
	*n = p ? l : 0;
	return p;
}

char *vnt_r_str(struct vnt_rbuf *r)
{
	size_t n;
	const char *p = vnt_r_blob(r, &n);
	if (!p || n > VNT_PROTO_MAX_STR || memchr(p, '\0', n)) {
		r->bad = true;
		return NULL;
	}
	char *s = malloc(n + 1);
	if (!s) {
		r->bad = true;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int vnt_r_done(const struct vnt_rbuf *r)
{
	return !r->bad && r->off == r->len ? 0 : -1;
}

static void free_strs(char **v, int n)
{
	if (!v)
		return;
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A u16 count then that many strings; the count is bounded before the
 * array is allocated, and each string must really be there. */
static char **r_strs(struct vnt_rbuf *r, int *n)
{
	uint16_t c = vnt_r_u16(r);
	*n = 0;
	if (r->bad || c > VNT_PROTO_MAX_LIST || (size_t)c * 4 > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	char **v = calloc(c ? c : 1, sizeof(*v));
	if (!v) {
		r->bad = true;
		return NULL;
	}
	for (int i = 0; i < c; i++) {
		v[i] = vnt_r_str(r);
		if (!v[i]) {
			free_strs(v, i);
			return NULL;
		}
	}
	*n = c;
	return v;
}

static void w_strs(struct vnt_wbuf *w, char *const *v, int n)
{
	vnt_w_u16(w, (uint16_t)n);
	for (int i = 0; i < n; i++)
		vnt_w_str(w, v[i]);
}

/* ---- framing ---- */
void vnt_rx_init(struct vnt_frame_rx *rx) { memset(rx, 0, sizeof(*rx)); }
void vnt_rx_free(struct vnt_frame_rx *rx) { free(rx->buf); vnt_rx_init(rx); }

/* The last frame returned is done with: skipped, not moved (a read of
 * many frames would otherwise move what follows each one). */
static void rx_drop_consumed(struct vnt_frame_rx *rx)
{
	rx->off += rx->consumed;
	rx->consumed = 0;
	if (rx->off == rx->len)
		rx->off = rx->len = 0;
}

uint8_t *vnt_rx_space(struct vnt_frame_rx *rx, size_t want)
{
	rx_drop_consumed(rx);
	if (rx->off) {   /* only the start of a frame is left: to the front */
		memmove(rx->buf, rx->buf + rx->off, rx->len - rx->off);
		rx->len -= rx->off;
		rx->off = 0;
	}
	if (rx->cap - rx->len < want) {
		size_t cap = rx->cap ? rx->cap : 4096;
		while (cap - rx->len < want)
			cap *= 2;
		uint8_t *nb = realloc(rx->buf, cap);
		if (!nb)
			return NULL;
		rx->buf = nb;
		rx->cap = cap;
	}
	return rx->buf + rx->len;
}

void vnt_rx_commit(struct vnt_frame_rx *rx, size_t n) { rx->len += n; }

int vnt_rx_feed(struct vnt_frame_rx *rx, const void *p, size_t n)
{
	uint8_t *d = vnt_rx_space(rx, n);
	if (!d)
		return -1;
	memcpy(d, p, n);
	vnt_rx_commit(rx, n);
	return 0;
}

int vnt_rx_next(struct vnt_frame_rx *rx, struct vnt_frame *f, char *err, size_t errlen)
{
	rx_drop_consumed(rx);
	if (rx->len - rx->off < VNT_PROTO_HDR)
		return 0;
	const uint8_t *h = rx->buf + rx->off;
	if (memcmp(h, MAGIC, 4)) {
		snprintf(err, errlen, "the peer does not speak the vnt protocol (bad frame magic)");
		return -1;
	}
	if (h[4] != VNT_PROTO_VERSION) {
		snprintf(err, errlen, "the peer speaks protocol version %u; this side speaks %u", h[4],
			 VNT_PROTO_VERSION);
		return -1;
	}
	uint16_t flags = (uint16_t)(h[6] | h[7] << 8);
	uint32_t len = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
	if (h[5] == 0 || h[5] >= VNT_MSG__MAX || flags) {
		snprintf(err, errlen, "malformed frame (type %u, flags %#x)", h[5], flags);
		return -1;
	}
	/* Refused before a byte of it is buffered. */
	if (len > VNT_PROTO_MAX_FRAME) {
		snprintf(err, errlen, "frame of %u bytes is larger than the limit of %u", len, VNT_PROTO_MAX_FRAME);
		return -1;
	}
	if (rx->len - rx->off - VNT_PROTO_HDR < len)
		return 0;
	f->type = h[5];
	f->payload = h + VNT_PROTO_HDR;
	f->len = len;
	rx->consumed = VNT_PROTO_HDR + (size_t)len;
	return 1;
}

/* ---- messages ---- */
void vnt_enc_hello(struct vnt_wbuf *w, const struct vnt_hello *m)
{
	vnt_w_u16(w, m->vmin);
	vnt_w_u16(w, m->vmax);
	vnt_w_str(w, m->name);
}

int vnt_dec_hello(const void *p, size_t n, struct vnt_hello *m)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, p, n);
	memset(m, 0, sizeof(*m));
	m->vmin = vnt_r_u16(&r);
	m->vmax = vnt_r_u16(&r);
	m->name = vnt_r_str(&r);
	if (vnt_r_done(&r)) {
		vnt_hello_free(m);
		return -1;
	}
	return 0;
}

void vnt_hello_free(struct vnt_hello *m)
{
	free(m->name);
	m->name = NULL;
}

void vnt_enc_hello_ok(struct vnt_wbuf *w, const struct vnt_hello_ok *m)
{
	vnt_w_u16(w, m->version);
	vnt_w_str(w, m->host);
	vnt_w_str(w, m->kernel);
	vnt_w_str(w, m->agent);
	w_strs(w, m->features, m->nfeatures);
}

int vnt_dec_hello_ok(const void *p, size_t n, struct vnt_hello_ok *m)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, p, n);
	memset(m, 0, sizeof(*m));
	m->version = vnt_r_u16(&r);
	m->host = vnt_r_str(&r);
	m->kernel = vnt_r_str(&r);
	m->agent = vnt_r_str(&r);
	m->features = r_strs(&r, &m->nfeatures);
	if (vnt_r_done(&r)) {
		vnt_hello_ok_free(m);
		return -1;
	}
	return 0;
}

void vnt_hello_ok_free(struct vnt_hello_ok *m)
{
	free(m->host);
	free(m->kernel);
	free(m->agent);
	free_strs(m->features, m->nfeatures);
	memset(m, 0, sizeof(*m));
}

void vnt_enc_time(struct vnt_wbuf *w, const struct vnt_time *m)
{
	vnt_w_u64(w, (uint64_t)m->t1);
	vnt_w_u64(w, (uint64_t)m->t2);
	vnt_w_u64(w, (uint64_t)m->t3);
}

int vnt_dec_time(const void *p, size_t n, struct vnt_time *m)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, p, n);
	m->t1 = (int64_t)vnt_r_u64(&r);
	m->t2 = (int64_t)vnt_r_u64(&r);
	m->t3 = (int64_t)vnt_r_u64(&r);
	return vnt_r_done(&r);
}

void vnt_enc_load(struct vnt_wbuf *w, const struct vnt_load *m)
{
	vnt_w_u32(w, m->interval_ms);
	vnt_w_u32(w, m->flags);
	w_strs(w, m->hops, m->nhops);
	vnt_w_blob(w, m->pkg, m->pkg_len);
}

int vnt_dec_load(const void *p, size_t n, struct vnt_load *m)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, p, n);
	memset(m, 0, sizeof(*m));
	m->interval_ms = vnt_r_u32(&r);
	m->flags = vnt_r_u32(&r);
	m->hops = r_strs(&r, &m->nhops);
	m->pkg = vnt_r_blob(&r, &m->pkg_len);
	if (vnt_r_done(&r)) {
		vnt_load_free(m);
		return -1;
	}
	return 0;
}

void vnt_load_free(struct vnt_load *m)
{
	free_strs(m->hops, m->nhops);
	m->hops = NULL;
	m->nhops = 0;
}

void vnt_enc_load_ok(struct vnt_wbuf *w, const struct vnt_load_ok *m)
{
	vnt_w_str(w, m->script);
	vnt_w_str(w, m->manifest);
	w_strs(w, m->traces, m->ntraces);
	vnt_w_u16(w, (uint16_t)m->nhops);
	for (int i = 0; i < m->nhops; i++) {
		vnt_w_str(w, m->hop_names[i]);
		vnt_w_u16(w, m->hop_trace[i]);
		vnt_w_u8(w, m->hop_mine[i]);
	}
}

int vnt_dec_load_ok(const void *p, size_t n, struct vnt_load_ok *m)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, p, n);
	memset(m, 0, sizeof(*m));
	m->script = vnt_r_str(&r);
	m->manifest = vnt_r_str(&r);
	m->traces = r_strs(&r, &m->ntraces);
	uint16_t nh = vnt_r_u16(&r);
	/* Each hop takes at least 7 bytes: bound the count by what is left. */
	if (r.bad || nh > VNT_PROTO_MAX_LIST || (size_t)nh * 7 > r.len - r.off)
		goto bad;
	m->hop_names = calloc(nh ? nh : 1, sizeof(char *));
	m->hop_trace = calloc(nh ? nh : 1, sizeof(uint16_t));
	m->hop_mine = calloc(nh ? nh : 1, 1);
	if (!m->hop_names || !m->hop_trace || !m->hop_mine)
		goto bad;
	for (; m->nhops < nh; m->nhops++) {
		int i = m->nhops;
		m->hop_names[i] = vnt_r_str(&r);
		m->hop_trace[i] = vnt_r_u16(&r);
		m->hop_mine[i] = vnt_r_u8(&r);
		if (!m->hop_names[i])
			goto bad;
		if (m->hop_trace[i] >= m->ntraces || m->hop_mine[i] > 1) {
			m->nhops++;
			goto bad;
		}
	}
	if (vnt_r_done(&r))
		goto bad;
	return 0;
bad:
	vnt_load_ok_free(m);
	return -1;
}

void vnt_load_ok_free(struct vnt_load_ok *m)
{
	free(m->script);
	free(m->manifest);
	free_strs(m->traces, m->ntraces);
	free_strs(m->hop_names, m->nhops);
	free(m->hop_trace);
	free(m->hop_mine);
	memset(m, 0, sizeof(*m));
}

void vnt_enc_error(struct vnt_wbuf *w, uint16_t code, const char *text)
{
	vnt_w_u16(w, code);
	vnt_w_str(w, text);
}

int vnt_dec_error(const void *p, size_t n, struct vnt_error *m)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, p, n);
	m->code = vnt_r_u16(&r);
	m->text = vnt_r_str(&r);
	if (vnt_r_done(&r)) {
		vnt_error_free(m);
		return -1;
	}
	return 0;
}

void vnt_error_free(struct vnt_error *m)
{
	free(m->text);
	m->text = NULL;
}

void vnt_enc_stopped(struct vnt_wbuf *w, const struct vnt_stopped *m)
{
	vnt_w_u64(w, m->events);
	vnt_w_u64(w, m->lost);
}

int vnt_dec_stopped(const void *p, size_t n, struct vnt_stopped *m)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, p, n);
	m->events = vnt_r_u64(&r);
	m->lost = vnt_r_u64(&r);
	return vnt_r_done(&r);
}

void vnt_enc_snapshot(struct vnt_wbuf *w, uint16_t trace, const char *json)
{
	vnt_w_u16(w, trace);
	vnt_w_str(w, json);
}

int vnt_dec_snapshot(const void *p, size_t n, struct vnt_snapshot_msg *m)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, p, n);
	m->trace = vnt_r_u16(&r);
	m->json = vnt_r_str(&r);
	if (vnt_r_done(&r)) {
		vnt_snapshot_msg_free(m);
		return -1;
	}
	return 0;
}

void vnt_snapshot_msg_free(struct vnt_snapshot_msg *m)
{
	free(m->json);
	m->json = NULL;
}

/* EVENTS: u64 lost, u32 n, then n fixed-size records. */
void vnt_enc_event(struct vnt_wbuf *w, const struct vnt_wire_event *e)
{
	/* Built whole and appended once: the agent does this for every record. */
	uint8_t b[VNT_PROTO_EVENT_SIZE];
	put_le(b, (uint64_t)e->ts_ns, 8);
	put_le(b + 8, e->fp, 8);
	put_le(b + 16, e->hop, 4);
	put_le(b + 20, e->len, 4);
	put_le(b + 24, e->ifindex, 4);
	put_le(b + 28, e->netns, 4);
	put_le(b + 32, e->cpu, 4);
	put_le(b + 36, e->pid, 4);
	memcpy(b + 40, e->saddr, 16);
	memcpy(b + 56, e->daddr, 16);
	put_le(b + 72, e->sport, 2);
	put_le(b + 74, e->dport, 2);
	b[76] = e->proto;
	b[77] = e->family;
	b[78] = b[79] = 0;
	vnt_w_bytes(w, b, sizeof(b));
}

void vnt_enc_event_pkt(struct vnt_wbuf *w, const struct vnt_wire_event *e)
{
	vnt_enc_event(w, e);
	uint16_t n = e->caplen < VNT_PROTO_MAX_CAPLEN ? e->caplen : VNT_PROTO_MAX_CAPLEN;
	vnt_w_u8(w, e->link);
	vnt_w_u8(w, 0);
	vnt_w_u16(w, n);
	vnt_w_bytes(w, e->bytes, n);
}

int vnt_dec_events(const void *p, size_t n, bool packets, struct vnt_events_msg *m)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, p, n);
	m->lost = vnt_r_u64(&r);
	m->n = vnt_r_u32(&r);
	m->packets = packets;
	if (r.bad || m->n > VNT_PROTO_MAX_BATCH)
		return -1;
	size_t start = r.off;
	if (!packets) {
		m->len = (size_t)m->n * VNT_PROTO_EVENT_SIZE;
		m->recs = vnt_r_bytes(&r, m->len);
		return vnt_r_done(&r);
	}
	/* Records of EVENTS_PKT: the fixed part, link, 0, caplen, the bytes. */
	for (uint32_t i = 0; i < m->n && !r.bad; i++) {
		vnt_r_bytes(&r, VNT_PROTO_EVENT_SIZE);
		uint8_t link = vnt_r_u8(&r);
		vnt_r_u8(&r);
		uint16_t cl = vnt_r_u16(&r);
		if (link > 1 || cl > VNT_PROTO_MAX_CAPLEN)
			return -1;
		vnt_r_bytes(&r, cl);
	}
	if (r.bad)
		return -1;
	m->recs = (const uint8_t *)p + start;
	m->len = r.off - start;
	return vnt_r_done(&r);
}

void vnt_dec_event(const struct vnt_events_msg *m, size_t *off, struct vnt_wire_event *e)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, m->recs + *off, m->len - *off);
	e->ts_ns = (int64_t)vnt_r_u64(&r);
	e->fp = vnt_r_u64(&r);
	e->hop = vnt_r_u32(&r);
	e->len = vnt_r_u32(&r);
	e->ifindex = vnt_r_u32(&r);
	e->netns = vnt_r_u32(&r);
	e->cpu = vnt_r_u32(&r);
	e->pid = vnt_r_u32(&r);
	memcpy(e->saddr, vnt_r_bytes(&r, 16), 16);
	memcpy(e->daddr, vnt_r_bytes(&r, 16), 16);
	e->sport = vnt_r_u16(&r);
	e->dport = vnt_r_u16(&r);
	e->proto = vnt_r_u8(&r);
	e->family = vnt_r_u8(&r);
	vnt_r_u16(&r);
	e->link = 0;
	e->caplen = 0;
	e->bytes = NULL;
	if (m->packets) {
		e->link = vnt_r_u8(&r);
		vnt_r_u8(&r);
		e->caplen = vnt_r_u16(&r);
		e->bytes = vnt_r_bytes(&r, e->caplen);
	}
	*off += r.off;
}

void vnt_enc_u64(struct vnt_wbuf *w, uint64_t v) { vnt_w_u64(w, v); }

int vnt_dec_u64(const void *p, size_t n, uint64_t *v)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, p, n);
	*v = vnt_r_u64(&r);
	return vnt_r_done(&r);
}

int vnt_dec_empty(const void *p, size_t n)
{
	(void)p;
	return n ? -1 : 0;
}

int vnt_dec_str(const void *p, size_t n, char **s)
{
	struct vnt_rbuf r;
	vnt_r_init(&r, p, n);
	*s = vnt_r_str(&r);
	if (vnt_r_done(&r)) {
		free(*s);
		*s = NULL;
		return -1;
	}
	return 0;
}
