/* Transport for the wire protocol: a connection is either TLS over a TCP
 * socket (TLS 1.3 only, both sides present a certificate signed by the
 * configured CA) or a plain pair of file descriptors (stdin/stdout of
 * `vnt-agent --stdio` behind ssh, or the pipes to such a child). Both are
 * non-blocking underneath: readers poll vnt_conn_fd() and pull whatever
 * is there, so a silent or slow peer can never hang the other side. */
#ifndef VNT_TLS_H
#define VNT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "runtime/proto/proto.h"

typedef struct ssl_ctx_st SSL_CTX;
struct vnt_conn;

/* Contexts: server (agent) and client (dispatcher). Both load the own
 * certificate and key and trust only `ca` for the peer; a peer without
 * a certificate is refused. NULL with a sentence in err. */
SSL_CTX *vnt_tls_server_ctx(const char *cert, const char *key, const char *ca, char *err, size_t errlen);
SSL_CTX *vnt_tls_client_ctx(const char *cert, const char *key, const char *ca, char *err, size_t errlen);
void vnt_tls_ctx_free(SSL_CTX *ctx);

/* Handshakes on a connected socket (which the connection then owns, also
 * on failure). `peer_name`, for the client, is the name the agent's
 * certificate must carry (DNS name or IP address), or NULL. */
struct vnt_conn *vnt_tls_accept(SSL_CTX *ctx, int fd, int timeout_ms, char *err, size_t errlen);
struct vnt_conn *vnt_tls_connect(SSL_CTX *ctx, int fd, const char *peer_name, int timeout_ms, char *err,
				 size_t errlen);
/* Subject of the peer's certificate (for logs), or "". */
const char *vnt_conn_peer(const struct vnt_conn *c);

/* Plain descriptors (owned from now on; rfd == wfd is fine). */
struct vnt_conn *vnt_conn_plain(int rfd, int wfd);

int vnt_conn_fd(const struct vnt_conn *c);   /* to poll for POLLIN */
/* Bytes that are buffered inside the connection (TLS records already
 * read): poll will not report them; read again before polling. */
bool vnt_conn_pending(const struct vnt_conn *c);

/* Pull what is available into rx: >0 bytes read, 0 nothing available
 * now, -1 end of stream or error (sentence in err). */
ssize_t vnt_conn_recv(struct vnt_conn *c, struct vnt_frame_rx *rx, char *err, size_t errlen);
/* Write everything, waiting at most timeout_ms in total for the peer to
 * make room. 0, or -1 with a sentence in err. */
int vnt_conn_send(struct vnt_conn *c, const void *p, size_t n, int timeout_ms, char *err, size_t errlen);
/* Frame and send one message. */
int vnt_conn_send_msg(struct vnt_conn *c, int type, const struct vnt_wbuf *payload, int timeout_ms, char *err,
		      size_t errlen);
/* Wait up to timeout_ms for one whole frame (for request/response steps).
 * 1 frame, 0 timed out, -1 error or end of stream. */
int vnt_conn_wait_frame(struct vnt_conn *c, struct vnt_frame_rx *rx, struct vnt_frame *f, int timeout_ms,
			char *err, size_t errlen);
/* After our last message: read and discard until the peer closes or
 * timeout_ms pass. Closing a socket with unread data resets the
 * connection, and a reset can destroy that last message before the peer
 * reads it. */
void vnt_conn_linger(struct vnt_conn *c, int timeout_ms);
/* Close (TLS: a close_notify is attempted, never waited on). */
void vnt_conn_close(struct vnt_conn *c);

#endif
