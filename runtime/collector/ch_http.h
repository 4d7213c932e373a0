/* ClickHouse over its HTTP interface, through libcurl: the store's writer
 * (store_clickhouse.c) and the report's reader (report_sql_clickhouse.c)
 * share the URL parsing, the connection and the error messages.
 *
 *   clickhouse://HOST:PORT/DATABASE      (HTTP port, 8123 by default)
 *
 * Every request is one POST of SQL (or of an INSERT's header in the URL
 * and its rows, RowBinary or a Native block (ch_native.h), in the body);
 * the answer is TabSeparated text. An error says which server, what
 * failed and the server's own message. Values never go into SQL text:
 * rows are RowBinary or Native, queries hold only numbers, and the
 * database name must be an identifier. */
#ifndef VNT_CH_HTTP_H
#define VNT_CH_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define VNT_CH_SCHEME "clickhouse://"
/* The oldest server the SQL of the store and the report is written for
 * (Debian 12's); older ones lack functions both use. */
#define VNT_CH_MIN_MAJOR 18
#define VNT_CH_MIN_MINOR 16

struct vnt_ch;

/* Is db a ClickHouse URL (by its scheme)? */
bool vnt_ch_is_url(const char *db);

/* Parse the URL, connect, read `SELECT version()` and refuse a server
 * older than VNT_CH_MIN_*. Returns NULL with "URL: what" in err. The
 * database need not exist (vnt_ch_database() names it). */
struct vnt_ch *vnt_ch_open(const char *url, int timeout_s, char *err, size_t errlen);
void vnt_ch_close(struct vnt_ch *c);
const char *vnt_ch_database(const struct vnt_ch *c);
const char *vnt_ch_url(const struct vnt_ch *c);
const char *vnt_ch_version(const struct vnt_ch *c);

/* Every later request in one server session (session_id), so that
 * temporary tables live across them: the report's intermediate results. */
int vnt_ch_session(struct vnt_ch *c);

/* Run SQL; the answer (TSV, NUL-terminated) in *out (malloc'd, may be NULL
 * if not wanted). 0, or -1 with the reason in err. */
int vnt_ch_query(struct vnt_ch *c, const char *sql, char **out, size_t *outlen, char *err, size_t errlen);
/* INSERT: `insert_sql` ("INSERT INTO t FORMAT RowBinary") with body as the
 * rows. 0, or -1 with the reason in err. */
int vnt_ch_insert(struct vnt_ch *c, const char *insert_sql, const void *body, size_t len, char *err, size_t errlen);
/* The same with the body in n pieces (len bytes in all), sent as they are. */
int vnt_ch_insert_iov(struct vnt_ch *c, const char *insert_sql, const struct iovec *iov, int n, size_t len, char *err,
		      size_t errlen);
/* The same request as vnt_ch_insert as a shell command that loads a
 * spooled batch: head + FILE + tail is `curl ... --data-binary @'FILE' URL`. */
int vnt_ch_replay_command(struct vnt_ch *c, const char *insert_sql, char *head, size_t hlen, char *tail, size_t tlen);

/* RowBinary encoding into a growable buffer (little-endian fixed-width
 * integers, strings as a LEB128 length and the bytes). */
struct vnt_rb {
	unsigned char *p;
	size_t len, cap;
	bool oom;
};
void vnt_rb_u8(struct vnt_rb *b, uint8_t v);
void vnt_rb_u16(struct vnt_rb *b, uint16_t v);
void vnt_rb_u32(struct vnt_rb *b, uint32_t v);
void vnt_rb_u64(struct vnt_rb *b, uint64_t v);
void vnt_rb_f64(struct vnt_rb *b, double v);
void vnt_rb_str(struct vnt_rb *b, const char *s);
void vnt_rb_blob(struct vnt_rb *b, const void *p, size_t n);   /* a String of n bytes */
void vnt_rb_free(struct vnt_rb *b);
void vnt_rb_put_slow(struct vnt_rb *b, const void *v, size_t n);   /* n bytes as they are */

#endif
