/* ClickHouse over HTTP with libcurl (ch_http.h). One easy handle per
 * connection, reused (keep-alive); not shared between threads. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include "runtime/collector/ch_http.h"

struct vnt_ch {
	CURL *curl;
	char *url;              /* as given */
	char *base;             /* http://HOST:PORT/ */
	char db[128];
	char version[64];
	char session[64];       /* "" or "&session_id=..." */
	long timeout_s;
};

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static size_t on_data(char *data, size_t sz, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t add = sz * n;
	if (b->len + add + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + add + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return 0;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, add);
	b->len += add;
	b->p[b->len] = '\0';
	return add;
}

bool vnt_ch_is_url(const char *db)
{
	return db && !strncmp(db, VNT_CH_SCHEME, strlen(VNT_CH_SCHEME));
}

/* clickhouse://HOST:PORT/DATABASE: host, port and database checked here
 * so that a typo is an error naming the part, not a connection failure. */
static int parse_url(struct vnt_ch *c, const char *url, char *err, size_t errlen)
{
	const char *p = url + strlen(VNT_CH_SCHEME), *slash = strchr(p, '/');
	const char *hint = "write clickhouse://HOST:PORT/DATABASE, e.g. clickhouse://127.0.0.1:8123/vnt";
	if (!slash || slash == p) {
		snprintf(err, errlen, "%s: no host (%s)", url, hint);
		return -1;
	}
	const char *colon = NULL;
	if (*p == '[') { /* [IPv6]:PORT */
		const char *close = memchr(p, ']', (size_t)(slash - p));
		colon = close && close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = memchr(p, ':', (size_t)(slash - p));
	}
	if (!colon || colon == p || colon + 1 == slash) {
		snprintf(err, errlen, "%s: no port (%s)", url, hint);
		return -1;
	}
	char port[16];
	size_t plen = (size_t)(slash - colon - 1);
	if (plen >= sizeof(port) || strspn(colon + 1, "0123456789") < plen || atoi(colon + 1) < 1 ||
	    atoi(colon + 1) > 65535) {
		snprintf(err, errlen, "%s: bad port '%.*s' (%s)", url, (int)plen, colon + 1, hint);
		return -1;
	}
	const char *db = slash + 1;
	size_t dlen = strlen(db);
	if (dlen && db[dlen - 1] == '/')
		dlen--;
	if (!dlen || dlen >= sizeof(c->db)) {
		snprintf(err, errlen, "%s: no database name (%s)", url, hint);
		return -1;
	}
	for (size_t i = 0; i < dlen; i++)
		if (!isalnum((unsigned char)db[i]) && db[i] != '_') {
			snprintf(err, errlen, "%s: bad database name '%.*s' (letters, digits and '_')", url, (int)dlen, db);
			return -1;
		}
	if (isdigit((unsigned char)db[0])) {
		snprintf(err, errlen, "%s: bad database name '%.*s' (must not start with a digit)", url, (int)dlen, db);
		return -1;
	}
	memcpy(c->db, db, dlen);
	c->db[dlen] = '\0';
	size_t n = (size_t)(slash - p) + 16;
	c->base = malloc(n);
	if (!c->base) {
		snprintf(err, errlen, "%s: out of memory", url);
		return -1;
	}
	snprintf(c->base, n, "http://%.*s/", (int)(slash - p), p);
	return 0;
}

/* The first line of a server's error ("Code: 60, e.displayText() = ..."). */
static void server_message(const struct buf *b, char *out, size_t len)
{
	const char *t = b->p ? b->p : "";
	size_t n = strcspn(t, "\n");
	if (n > 400)
		n = 400;
	snprintf(out, len, "%.*s", (int)n, t);
}

/* A body in pieces, read by libcurl as it sends (no copy into one buffer). */
struct iov_src {
	const struct iovec *iov;
	int n, i;
	size_t off;
};

static size_t on_read(char *dst, size_t sz, size_t nmemb, void *arg)
{
	struct iov_src *r = arg;
	size_t room = sz * nmemb, put = 0;
	while (put < room && r->i < r->n) {
		const struct iovec *v = &r->iov[r->i];
		size_t k = v->iov_len - r->off;
		if (k > room - put)
			k = room - put;
		memcpy(dst + put, (const char *)v->iov_base + r->off, k);
		put += k;
		r->off += k;
		if (r->off == v->iov_len) {
			r->i++;
			r->off = 0;
		}
	}
	return put;
}

/* libcurl rewinds the body to send it again (a kept-alive connection the
 * server had closed): only to the start. */
static int on_seek(void *arg, curl_off_t off, int origin)
{
	struct iov_src *r = arg;
	if (off != 0 || origin != SEEK_SET)
		return CURL_SEEKFUNC_CANTSEEK;
	r->i = 0;
	r->off = 0;
	return CURL_SEEKFUNC_OK;
}

/* One POST: url_query (already escaped, may be NULL) + body, or the
 * pieces of src (len bytes in all) when src is not NULL. */
static int request_src(struct vnt_ch *c, const char *url_query, const void *body, size_t len, struct iov_src *src,
		       struct buf *resp, char *err, size_t errlen)
{
	size_t n = strlen(c->base) + (url_query ? strlen(url_query) : 0) + sizeof(c->session) + 64;
	char *u = malloc(n);
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(u, n, "%s?database=default%s%s%s", c->base, c->session, url_query ? "&" : "", url_query ? url_query : "");
	CURL *h = c->curl;
	curl_easy_setopt(h, CURLOPT_URL, u);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	if (src) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, src);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, src);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->timeout_s);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 0L); /* a report over 10 M rows takes its time */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->timeout_s > 0 ? c->timeout_s * 30 : 300L);
	/* No "Expect: 100-continue" round trip before every batch. */
	struct curl_slist *hdr = curl_slist_append(NULL, "Expect:");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	CURLcode rc = curl_easy_perform(h);
	curl_slist_free_all(hdr);
	free(u);
	if (resp->oom) {
		snprintf(err, errlen, "out of memory reading the answer");
		return -1;
	}
	if (rc != CURLE_OK) {
		const char *hint = rc == CURLE_COULDNT_CONNECT ? " (is clickhouse-server running and listening there? "
								  "the port is its HTTP port, 8123 by default)" :
				   rc == CURLE_OPERATION_TIMEDOUT ? " (the server did not answer in time)" : "";
		snprintf(err, errlen, "%s%s", curl_easy_strerror(rc), hint);
		return -1;
	}
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		char msg[512];
		server_message(resp, msg, sizeof(msg));
		snprintf(err, errlen, "the server answered HTTP %ld: %s", code, msg[0] ? msg : "(no message)");
		return -1;
	}
	return 0;
}

static int request(struct vnt_ch *c, const char *url_query, const void *body, size_t len, struct buf *resp,
		   char *err, size_t errlen)
{
	return request_src(c, url_query, body, len, NULL, resp, err, errlen);
}

int vnt_ch_query(struct vnt_ch *c, const char *sql, char **out, size_t *outlen, char *err, size_t errlen)
{
	struct buf b = { 0 };
	int rc = request(c, NULL, sql, strlen(sql), &b, err, errlen);
	if (rc || !out) {
		free(b.p);
		if (out)
			*out = NULL;
		return rc;
	}
	if (!b.p && !(b.p = calloc(1, 1))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*out = b.p;
	if (outlen)
		*outlen = b.len;
	return 0;
}

static int insert(struct vnt_ch *c, const char *insert_sql, const void *body, size_t len, struct iov_src *src,
		  char *err, size_t errlen)
{
	char *q = curl_easy_escape(c->curl, insert_sql, 0);
	if (!q) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t n = strlen(q) + 8;
	char *uq = malloc(n);
	if (!uq) {
		curl_free(q);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(uq, n, "query=%s", q);
	curl_free(q);
	struct buf b = { 0 };
	int rc = request_src(c, uq, body, len, src, &b, err, errlen);
	free(uq);
	free(b.p);
	return rc;
}

int vnt_ch_insert(struct vnt_ch *c, const char *insert_sql, const void *body, size_t len, char *err, size_t errlen)
{
	return insert(c, insert_sql, body, len, NULL, err, errlen);
}

int vnt_ch_insert_iov(struct vnt_ch *c, const char *insert_sql, const struct iovec *iov, int n, size_t len, char *err,
		      size_t errlen)
{
	struct iov_src src = { iov, n, 0, 0 };
	return insert(c, insert_sql, NULL, len, &src, err, errlen);
}

int vnt_ch_replay_command(struct vnt_ch *c, const char *insert_sql, char *head, size_t hlen, char *tail, size_t tlen)
{
	char *q = curl_easy_escape(c->curl, insert_sql, 0);
	if (!q)
		return -1;
	snprintf(head, hlen, "curl -sS --fail --data-binary @'");
	int n = snprintf(tail, tlen, "' '%s?query=%s'", c->base, q);
	curl_free(q);
	return n < (int)tlen ? 0 : -1;
}

struct vnt_ch *vnt_ch_open(const char *url, int timeout_s, char *err, size_t errlen)
{
	static int inited;
	if (!inited) { /* not thread-safe: the first open happens before any thread */
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = 1;
	}
	struct vnt_ch *c = calloc(1, sizeof(*c));
	if (!c || !(c->url = strdup(url)) || !(c->curl = curl_easy_init())) {
		snprintf(err, errlen, "%s: out of memory", url);
		vnt_ch_close(c);
		return NULL;
	}
	c->timeout_s = timeout_s > 0 ? timeout_s : 10;
	if (parse_url(c, url, err, errlen)) {
		vnt_ch_close(c);
		return NULL;
	}
	char *v = NULL, e2[768];
	if (vnt_ch_query(c, "SELECT version()", &v, NULL, e2, sizeof(e2))) {
		snprintf(err, errlen, "%s: cannot reach the ClickHouse server: %s", url, e2);
		vnt_ch_close(c);
		return NULL;
	}
	v[strcspn(v, "\r\n")] = '\0';
	snprintf(c->version, sizeof(c->version), "%s", v);
	free(v);
	int major = 0, minor = 0;
	if (sscanf(c->version, "%d.%d", &major, &minor) != 2) {
		snprintf(err, errlen, "%s: not a ClickHouse server? `SELECT version()` answered '%.60s'", url, c->version);
		vnt_ch_close(c);
		return NULL;
	}
	if (major < VNT_CH_MIN_MAJOR || (major == VNT_CH_MIN_MAJOR && minor < VNT_CH_MIN_MINOR)) {
		snprintf(err, errlen, "%s: ClickHouse %s is not supported (%d.%d or newer is: the store's SQL needs it)", url,
			 c->version, VNT_CH_MIN_MAJOR, VNT_CH_MIN_MINOR);
		vnt_ch_close(c);
		return NULL;
	}
	return c;
}

void vnt_ch_close(struct vnt_ch *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->url);
	free(c->base);
	free(c);
}

int vnt_ch_session(struct vnt_ch *c)
{
	unsigned long long r = 0;
	FILE *f = fopen("/dev/urandom", "rb");
	if (!f || fread(&r, sizeof(r), 1, f) != 1)
		r = (unsigned long long)(uintptr_t)c ^ (unsigned long long)time(NULL);
	if (f)
		fclose(f);
	snprintf(c->session, sizeof(c->session), "&session_id=vnt-%016llx", r);
	return 0;
}

const char *vnt_ch_database(const struct vnt_ch *c) { return c->db; }
const char *vnt_ch_url(const struct vnt_ch *c) { return c->url; }
const char *vnt_ch_version(const struct vnt_ch *c) { return c->version; }

/* ---- RowBinary ---- */

void vnt_rb_put_slow(struct vnt_rb *b, const void *v, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

static void rb_put(struct vnt_rb *b, const void *v, size_t n)
{
	vnt_rb_put_slow(b, v, n);
}

/* x86-64 and every target libbpf runs on here are little-endian, as
 * RowBinary is. */
void vnt_rb_u8(struct vnt_rb *b, uint8_t v) { rb_put(b, &v, 1); }
void vnt_rb_u16(struct vnt_rb *b, uint16_t v) { rb_put(b, &v, 2); }
void vnt_rb_u32(struct vnt_rb *b, uint32_t v) { rb_put(b, &v, 4); }
void vnt_rb_u64(struct vnt_rb *b, uint64_t v) { rb_put(b, &v, 8); }
void vnt_rb_f64(struct vnt_rb *b, double v) { rb_put(b, &v, 8); }

void vnt_rb_str(struct vnt_rb *b, const char *s)
{
	vnt_rb_blob(b, s, s ? strlen(s) : 0);
}

void vnt_rb_blob(struct vnt_rb *b, const void *s, size_t n)
{
	unsigned char leb[10];
	int k = 0;
	size_t v = n;
	do {
		leb[k] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			leb[k] |= 0x80;
		k++;
	} while (v);
	rb_put(b, leb, (size_t)k);
	if (n)
		rb_put(b, s, n);
}

void vnt_rb_free(struct vnt_rb *b)
{
	free(b->p);
	*b = (struct vnt_rb){ 0 };
}
