/* Connections for the wire protocol: mutual-TLS over TCP, or plain
 * descriptors (see tls.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "runtime/proto/clock.h"
#include "runtime/proto/tls.h"

/* One recv call reads at most this much, so a fast peer cannot starve
 * the caller's other work; vnt_conn_pending says there may be more. */
#define RECV_BUDGET (1u << 20)

struct vnt_conn {
	int rfd, wfd;
	SSL *ssl;               /* NULL: plain descriptors */
	bool more;              /* the last recv stopped on its budget */
	char peer[256];
};

/* The OpenSSL error queue as one sentence (emptied). */
static void ssl_err(char *err, size_t errlen, const char *what)
{
	char buf[256];
	unsigned long e;
	size_t n = (size_t)snprintf(err, errlen, "%s", what);
	bool first = true;
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		/* "error:0A000086:SSL routines::certificate verify failed" -> the reason */
		const char *r = strrchr(buf, ':');
		if (n < errlen)
			n += (size_t)snprintf(err + n, errlen - n, "%s%s", first ? ": " : "; ", r ? r + 1 : buf);
		first = false;
	}
}

static SSL_CTX *ctx_new(const SSL_METHOD *m, const char *cert, const char *key, const char *ca, bool need_cert,
			char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(m);
	if (!ctx) {
		ssl_err(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	/* TLS 1.3 only: no downgrade, no renegotiation, forward secrecy. */
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
	if (need_cert && (!cert || !key)) {
		snprintf(err, errlen, "a certificate and its key are required (--cert, --key)");
		goto fail;
	}
	if (cert && SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		char what[512];
		snprintf(what, sizeof(what), "cannot use certificate %s", cert);
		ssl_err(err, errlen, what);
		goto fail;
	}
	if (key && SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		char what[512];
		snprintf(what, sizeof(what), "cannot use private key %s", key);
		ssl_err(err, errlen, what);
		goto fail;
	}
	if (cert && key && SSL_CTX_check_private_key(ctx) != 1) {
		ssl_err(err, errlen, "the private key does not match the certificate");
		goto fail;
	}
	if (!ca) {
		snprintf(err, errlen, "a CA certificate to verify the peer is required (--ca)");
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		char what[512];
		snprintf(what, sizeof(what), "cannot load CA certificate %s", ca);
		ssl_err(err, errlen, what);
		goto fail;
	}
	/* Only that CA: not the system's trust store. A peer without a
	 * certificate fails the handshake. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *vnt_tls_server_ctx(const char *cert, const char *key, const char *ca, char *err, size_t errlen)
{
	SSL_CTX *ctx = ctx_new(TLS_server_method(), cert, key, ca, true, err, errlen);
	if (ctx) {
		/* The CA's name tells a client which certificate to present. */
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca);
		if (names)
			SSL_CTX_set_client_CA_list(ctx, names);
		/* No session tickets: every connection authenticates in full. */
		SSL_CTX_set_num_tickets(ctx, 0);
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	}
	return ctx;
}

SSL_CTX *vnt_tls_client_ctx(const char *cert, const char *key, const char *ca, char *err, size_t errlen)
{
	/* A client without a certificate is allowed here so that it can be
	 * shown to be refused by the agent. */
	return ctx_new(TLS_client_method(), cert, key, ca, false, err, errlen);
}

void vnt_tls_ctx_free(SSL_CTX *ctx) { SSL_CTX_free(ctx); }

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int remaining_ms(int64_t deadline)
{
	int64_t left = (deadline - vnt_monotonic_ns()) / 1000000;
	return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* Wait for what OpenSSL asked for; 0 ready, -1 timed out. */
static int ssl_wait(struct vnt_conn *c, int want, int64_t deadline)
{
	struct pollfd p = { want == SSL_ERROR_WANT_WRITE ? c->wfd : c->rfd,
			    want == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, 0 };
	for (;;) {
		int ms = remaining_ms(deadline);
		int rc = poll(&p, 1, ms);
		if (rc > 0)
			return 0;
		if (rc == 0 || (rc < 0 && errno != EINTR))
			return -1;
	}
}

static void peer_subject(struct vnt_conn *c)
{
	X509 *x = SSL_get1_peer_certificate(c->ssl);
	if (x) {
		X509_NAME_oneline(X509_get_subject_name(x), c->peer, sizeof(c->peer));
		X509_free(x);
	}
}

/* Close a socket whose peer may still be sending (a refused handshake)
 * without a reset: a reset can destroy the TLS alert we just sent before
 * the peer has read it, leaving it with "connection reset" instead of
 * the reason. Send FIN, discard what arrives for a moment, then close. */
static void linger_close(int fd)
{
	char buf[4096];
	shutdown(fd, SHUT_WR);
	int64_t deadline = vnt_monotonic_ns() + 1000000000LL;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, remaining_ms(deadline)) <= 0 || read(fd, buf, sizeof(buf)) <= 0)
			break;
	}
}

static struct vnt_conn *handshake(SSL_CTX *ctx, int fd, bool server, const char *peer_name, int timeout_ms,
				  char *err, size_t errlen)
{
	struct vnt_conn *c = calloc(1, sizeof(*c));
	if (!c || set_nonblock(fd)) {
		snprintf(err, errlen, "%s", c ? strerror(errno) : "out of memory");
		free(c);
		close(fd);
		return NULL;
	}
	c->rfd = c->wfd = fd;
	ERR_clear_error();
	c->ssl = SSL_new(ctx);
	if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
		ssl_err(err, errlen, "cannot start TLS");
		goto fail;
	}
	if (!server && peer_name) {
		unsigned char ip[16];
		bool is_ip = inet_pton(AF_INET, peer_name, ip) == 1 || inet_pton(AF_INET6, peer_name, ip) == 1;
		X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
		if (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, peer_name) != 1
			  : (SSL_set_tlsext_host_name(c->ssl, peer_name) != 1 || SSL_set1_host(c->ssl, peer_name) != 1)) {
			ssl_err(err, errlen, "cannot set the expected peer name");
			goto fail;
		}
	}
	int64_t deadline = vnt_monotonic_ns() + (int64_t)timeout_ms * 1000000;
	for (;;) {
		int rc = server ? SSL_accept(c->ssl) : SSL_connect(c->ssl);
		if (rc == 1)
			break;
		int e = SSL_get_error(c->ssl, rc);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (ssl_wait(c, e, deadline)) {
				snprintf(err, errlen, "TLS handshake timed out after %d ms", timeout_ms);
				goto fail;
			}
			continue;
		}
		long vr = SSL_get_verify_result(c->ssl);
		if (vr != X509_V_OK) {
			char what[512];
			snprintf(what, sizeof(what), "TLS handshake failed: the peer's certificate is not accepted (%s)",
				 X509_verify_cert_error_string(vr));
			ERR_clear_error();
			snprintf(err, errlen, "%s", what);
		} else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
			snprintf(err, errlen, "TLS handshake failed: %s", errno ? strerror(errno) : "the peer closed the connection");
		} else {
			ssl_err(err, errlen, "TLS handshake failed");
		}
		goto fail;
	}
	peer_subject(c);
	return c;
fail:
	if (server)
		linger_close(fd);
	vnt_conn_close(c);
	return NULL;
}

struct vnt_conn *vnt_tls_accept(SSL_CTX *ctx, int fd, int timeout_ms, char *err, size_t errlen)
{
	return handshake(ctx, fd, true, NULL, timeout_ms, err, errlen);
}

struct vnt_conn *vnt_tls_connect(SSL_CTX *ctx, int fd, const char *peer_name, int timeout_ms, char *err,
				 size_t errlen)
{
	return handshake(ctx, fd, false, peer_name, timeout_ms, err, errlen);
}

const char *vnt_conn_peer(const struct vnt_conn *c) { return c->peer; }

struct vnt_conn *vnt_conn_plain(int rfd, int wfd)
{
	struct vnt_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->rfd = rfd;
	c->wfd = wfd;
	set_nonblock(rfd);
	set_nonblock(wfd);
	return c;
}

int vnt_conn_fd(const struct vnt_conn *c) { return c->rfd; }

bool vnt_conn_pending(const struct vnt_conn *c)
{
	return c->more || (c->ssl && SSL_pending(c->ssl) > 0);
}

ssize_t vnt_conn_recv(struct vnt_conn *c, struct vnt_frame_rx *rx, char *err, size_t errlen)
{
	size_t total = 0;
	c->more = false;
	while (total < RECV_BUDGET) {
		uint8_t *d = vnt_rx_space(rx, 16384);
		if (!d) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		size_t got = 0;
		if (c->ssl) {
			ERR_clear_error();
			int rc = SSL_read_ex(c->ssl, d, 16384, &got);
			if (rc != 1) {
				int e = SSL_get_error(c->ssl, rc);
				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					return (ssize_t)total;
				if (e == SSL_ERROR_ZERO_RETURN ||
				    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0))
					snprintf(err, errlen, "the peer closed the connection");
				else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
					snprintf(err, errlen, "connection lost: %s", strerror(errno));
				else
					ssl_err(err, errlen, "TLS error");
				return -1;
			}
		} else {
			ssize_t n = read(c->rfd, d, 16384);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return (ssize_t)total;
			if (n <= 0) {
				snprintf(err, errlen, "%s", n == 0 ? "the peer closed the connection" : strerror(errno));
				return -1;
			}
			got = (size_t)n;
		}
		vnt_rx_commit(rx, got);
		total += got;
	}
	c->more = true;
	return (ssize_t)total;
}

int vnt_conn_send(struct vnt_conn *c, const void *p, size_t n, int timeout_ms, char *err, size_t errlen)
{
	const uint8_t *b = p;
	int64_t deadline = vnt_monotonic_ns() + (int64_t)timeout_ms * 1000000;
	while (n) {
		size_t put = 0;
		int want;
		if (c->ssl) {
			ERR_clear_error();
			int rc = SSL_write_ex(c->ssl, b, n, &put);
			if (rc == 1) {
				b += put;
				n -= put;
				continue;
			}
			want = SSL_get_error(c->ssl, rc);
			if (want != SSL_ERROR_WANT_READ && want != SSL_ERROR_WANT_WRITE) {
				if (want == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
					snprintf(err, errlen, "connection lost: %s", errno ? strerror(errno) : "closed");
				else
					ssl_err(err, errlen, "TLS error");
				return -1;
			}
		} else {
			ssize_t w = write(c->wfd, b, n);
			if (w > 0) {
				b += w;
				n -= (size_t)w;
				continue;
			}
			if (w < 0 && errno != EAGAIN && errno != EINTR) {
				snprintf(err, errlen, "connection lost: %s", strerror(errno));
				return -1;
			}
			want = SSL_ERROR_WANT_WRITE;
		}
		if (ssl_wait(c, want, deadline)) {
			snprintf(err, errlen, "the peer has not read for %d ms", timeout_ms);
			return -1;
		}
	}
	return 0;
}

int vnt_conn_send_msg(struct vnt_conn *c, int type, const struct vnt_wbuf *payload, int timeout_ms, char *err,
		      size_t errlen)
{
	struct vnt_wbuf f;
	vnt_w_init(&f);
	vnt_w_frame(&f, type, payload ? payload->p : NULL, payload ? payload->len : 0);
	if (f.oom || (payload && payload->oom)) {
		vnt_w_free(&f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = vnt_conn_send(c, f.p, f.len, timeout_ms, err, errlen);
	vnt_w_free(&f);
	return rc;
}

int vnt_conn_wait_frame(struct vnt_conn *c, struct vnt_frame_rx *rx, struct vnt_frame *f, int timeout_ms,
			char *err, size_t errlen)
{
	int64_t deadline = vnt_monotonic_ns() + (int64_t)timeout_ms * 1000000;
	for (;;) {
		int rc = vnt_rx_next(rx, f, err, errlen);
		if (rc)
			return rc;
		if (!vnt_conn_pending(c)) {
			struct pollfd p = { c->rfd, POLLIN, 0 };
			int ms = remaining_ms(deadline);
			rc = poll(&p, 1, ms);
			if (rc < 0 && errno == EINTR)
				return 0;   /* the caller checks its stop flag */
			if (rc == 0) {
				snprintf(err, errlen, "no answer within %d ms", timeout_ms);
				return 0;
			}
		}
		if (vnt_conn_recv(c, rx, err, errlen) < 0)
			return -1;
	}
}

void vnt_conn_linger(struct vnt_conn *c, int timeout_ms)
{
	int64_t deadline = vnt_monotonic_ns() + (int64_t)timeout_ms * 1000000;
	uint8_t buf[16384];
	for (;;) {
		if (c->ssl) {
			size_t got;
			ERR_clear_error();
			if (SSL_read_ex(c->ssl, buf, sizeof(buf), &got) == 1)
				continue;
			if (SSL_get_error(c->ssl, 0) != SSL_ERROR_WANT_READ)
				break;   /* close_notify, EOF or an error: the peer is done */
		} else {
			ssize_t n = read(c->rfd, buf, sizeof(buf));
			if (n > 0)
				continue;
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				break;
		}
		int ms = remaining_ms(deadline);
		struct pollfd p = { c->rfd, POLLIN, 0 };
		if (ms <= 0 || poll(&p, 1, ms) <= 0)
			break;
	}
	ERR_clear_error();
}

void vnt_conn_close(struct vnt_conn *c)
{
	if (!c)
		return;
	if (c->ssl) {
		SSL_shutdown(c->ssl);   /* non-blocking: sends close_notify if it can */
		SSL_free(c->ssl);
	}
	if (c->rfd >= 0)
		close(c->rfd);
	if (c->wfd >= 0 && c->wfd != c->rfd)
		close(c->wfd);
	free(c);
}
