/* The dispatcher <-> agent wire protocol (doc/protocol.md).
 *
 * A byte stream (TLS, or an ssh pipe) carries frames:
 *
 *   "VNTW"  u8 version  u8 type  u16 flags (0)  u32 payload length  payload
 *
 * all integers little-endian. Payloads are built from u8/u16/u32/u64,
 * strings (u32 length + bytes, no NUL inside) and byte blobs (u32 length
 * + bytes). Nothing in this file trusts a length: the frame reader
 * refuses a header before buffering its payload (bad magic, unknown
 * version, flags, or a length past VNT_PROTO_MAX_FRAME), and every
 * decoder checks each field against what is left of the payload and
 * refuses trailing bytes. Pure code, no I/O: the transport is tls.c. */
#ifndef VNT_PROTO_H
#define VNT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNT_PROTO_VERSION 1
#define VNT_PROTO_HDR 12
#define VNT_PROTO_MAX_FRAME (32u << 20)   /* a package is the largest payload */
#define VNT_PROTO_MAX_STR (4u << 20)      /* manifests and snapshots */
#define VNT_PROTO_MAX_LIST 256            /* hop names, features, traces */
#define VNT_PROTO_EVENT_SIZE 80
#define VNT_PROTO_MAX_BATCH 4096          /* event records per EVENTS frame */

enum vnt_msg {
	VNT_MSG_HELLO = 1,      /* d->a: versions spoken, dispatcher name */
	VNT_MSG_HELLO_OK,       /* a->d: version, host, kernel, agent version, features */
	VNT_MSG_TIME,           /* d->a t1; a->d t1, t2 (received), t3 (sent) */
	VNT_MSG_LOAD,           /* d->a: package, hop names of this host, options */
	VNT_MSG_LOAD_OK,        /* a->d: script, manifest, traces, hops (which are this host's) */
	VNT_MSG_ERROR,          /* either way: code and a sentence; the request failed */
	VNT_MSG_START,          /* d->a: attach */
	VNT_MSG_STARTED,        /* a->d: hops attached */
	VNT_MSG_STOP,           /* d->a: final snapshots, then detach */
	VNT_MSG_STOPPED,        /* a->d: events sent, lost; the trace is detached */
	VNT_MSG_SNAPSHOT,       /* a->d: trace index, JSON document */
	VNT_MSG_EVENTS,         /* a->d: batched raw records */
	VNT_MSG_PING,           /* either way: heartbeat */
	VNT_MSG_PONG,
	VNT_MSG_BYE,            /* either way: closing, with a reason */
	VNT_MSG_EVENTS_PKT,     /* a->d: batched raw records, each with the packet's first bytes */
	VNT_MSG__MAX
};

enum vnt_err_code {
	VNT_ERR_PROTOCOL = 1,   /* malformed frame, unexpected message */
	VNT_ERR_PACKAGE,        /* package refused: checksum, format, truncated */
	VNT_ERR_FEATURE,        /* the kernel lacks a feature the package needs */
	VNT_ERR_LIMIT,          /* a configured limit: traces, programs, map memory, CPU */
	VNT_ERR_LOAD,           /* the kernel refused to load */
	VNT_ERR_ATTACH,         /* attaching a hop failed */
	VNT_ERR_INTERNAL,
};

const char *vnt_msg_name(int type);

/* ---- building payloads ---- */
struct vnt_wbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;               /* a failed allocation: the frame is not sent */
};
void vnt_w_init(struct vnt_wbuf *w);
void vnt_w_free(struct vnt_wbuf *w);
void vnt_w_u8(struct vnt_wbuf *w, uint8_t v);
void vnt_w_u16(struct vnt_wbuf *w, uint16_t v);
void vnt_w_u32(struct vnt_wbuf *w, uint32_t v);
void vnt_w_u64(struct vnt_wbuf *w, uint64_t v);
void vnt_w_bytes(struct vnt_wbuf *w, const void *p, size_t n);   /* raw, no length */
void vnt_w_blob(struct vnt_wbuf *w, const void *p, size_t n);    /* u32 length + bytes */
void vnt_w_str(struct vnt_wbuf *w, const char *s);               /* NULL as "" */
/* A frame's header for a payload of len bytes. */
void vnt_frame_head(uint8_t h[VNT_PROTO_HDR], int type, uint32_t len);
/* A whole frame: header + payload. */
void vnt_w_frame(struct vnt_wbuf *w, int type, const void *payload, size_t len);

/* ---- reading payloads ---- */
struct vnt_rbuf {
	const uint8_t *p;
	size_t len, off;
	bool bad;               /* sticky: a field ran past the end or was malformed */
};
void vnt_r_init(struct vnt_rbuf *r, const void *p, size_t len);
uint8_t vnt_r_u8(struct vnt_rbuf *r);
uint16_t vnt_r_u16(struct vnt_rbuf *r);
uint32_t vnt_r_u32(struct vnt_rbuf *r);
uint64_t vnt_r_u64(struct vnt_rbuf *r);
const void *vnt_r_bytes(struct vnt_rbuf *r, size_t n);
const void *vnt_r_blob(struct vnt_rbuf *r, size_t *n);
char *vnt_r_str(struct vnt_rbuf *r);    /* malloc'd; NULL (and bad) if malformed */
/* 0 if every field decoded and nothing is left over, else -1. */
int vnt_r_done(const struct vnt_rbuf *r);

/* ---- framing a byte stream ---- */
struct vnt_frame_rx {
	uint8_t *buf;
	size_t len, cap;
	size_t off;             /* where the unread bytes start */
	size_t consumed;        /* bytes of the last frame returned (from off), dropped on the next call */
};
struct vnt_frame {
	int type;
	const uint8_t *payload; /* valid until the next vnt_rx_* call */
	size_t len;
};
void vnt_rx_init(struct vnt_frame_rx *rx);
void vnt_rx_free(struct vnt_frame_rx *rx);
/* Room for at least `want` more bytes; returns where to write them or NULL. */
uint8_t *vnt_rx_space(struct vnt_frame_rx *rx, size_t want);
void vnt_rx_commit(struct vnt_frame_rx *rx, size_t n);
int vnt_rx_feed(struct vnt_frame_rx *rx, const void *p, size_t n);
/* 1 and a frame, 0 if more bytes are needed, -1 with a sentence in err
 * when the stream is not (or no longer) this protocol. */
int vnt_rx_next(struct vnt_frame_rx *rx, struct vnt_frame *f, char *err, size_t errlen);

/* ---- messages ---- */
struct vnt_hello {
	uint16_t vmin, vmax;
	char *name;
};
struct vnt_hello_ok {
	uint16_t version;
	char *host, *kernel, *agent;
	int nfeatures;
	char **features;
};
struct vnt_time { int64_t t1, t2, t3; };

#define VNT_LOAD_EVENTS 1u      /* stream the raw records of traces with `events` */
#define VNT_LOAD_TRACE_FOR 2u   /* end each trace at its own `for` (no --duration given) */
#define VNT_LOAD_PACKETS 4u     /* send packet bytes (EVENTS_PKT) when the package has a snap length */
struct vnt_load {
	uint32_t interval_ms;   /* snapshot interval for traces without `every`; 0: 1000 */
	uint32_t flags;
	int nhops;              /* hop names this host runs; 0: all */
	char **hops;
	const void *pkg;        /* points into the frame */
	size_t pkg_len;
};
struct vnt_load_ok {
	char *script, *manifest;
	int ntraces;
	char **traces;
	int nhops;
	char **hop_names;
	uint16_t *hop_trace;    /* trace index of each hop */
	uint8_t *hop_mine;      /* 1: this host runs it */
};
struct vnt_error { uint16_t code; char *text; };
struct vnt_stopped { uint64_t events, lost; };
struct vnt_snapshot_msg { uint16_t trace; char *json; };

/* One raw record on the wire: the agent's struct vnt_event with its
 * timestamp moved to the agent's realtime clock. */
struct vnt_wire_event {
	int64_t ts_ns;          /* CLOCK_REALTIME of the agent */
	uint64_t fp;
	uint32_t hop, len, ifindex, netns, cpu, pid;
	uint8_t saddr[16], daddr[16];   /* network order; IPv4 in the first 4 bytes */
	uint16_t sport, dport;
	uint8_t proto, family;  /* family 4, 6, or 0 (not IP) */
	/* EVENTS_PKT only: the packet's first bytes (vnt_abi.h, struct vnt_event_bytes) */
	uint8_t link;           /* VNT_PCAP_RAW or VNT_PCAP_ETHER */
	uint16_t caplen;        /* at most VNT_PROTO_MAX_CAPLEN */
	const uint8_t *bytes;   /* caplen bytes (in the frame, when decoded) */
};
#define VNT_PROTO_MAX_CAPLEN 248  /* VNT_PCAP_SNAP_MAX */
struct vnt_events_msg {
	uint64_t lost;          /* records the kernel could not queue, so far */
	uint32_t n;
	bool packets;           /* EVENTS_PKT: records of variable length */
	const uint8_t *recs;    /* the n records, in the frame */
	size_t len;             /* their bytes */
};

void vnt_enc_hello(struct vnt_wbuf *w, const struct vnt_hello *m);
void vnt_enc_hello_ok(struct vnt_wbuf *w, const struct vnt_hello_ok *m);
void vnt_enc_time(struct vnt_wbuf *w, const struct vnt_time *m);
void vnt_enc_load(struct vnt_wbuf *w, const struct vnt_load *m);
void vnt_enc_load_ok(struct vnt_wbuf *w, const struct vnt_load_ok *m);
void vnt_enc_error(struct vnt_wbuf *w, uint16_t code, const char *text);
void vnt_enc_stopped(struct vnt_wbuf *w, const struct vnt_stopped *m);
void vnt_enc_snapshot(struct vnt_wbuf *w, uint16_t trace, const char *json);
void vnt_enc_event(struct vnt_wbuf *w, const struct vnt_wire_event *e);   /* one record */
void vnt_enc_event_pkt(struct vnt_wbuf *w, const struct vnt_wire_event *e); /* one EVENTS_PKT record */
void vnt_enc_u64(struct vnt_wbuf *w, uint64_t v);                         /* PING, PONG, STARTED */

/* Decoders: 0, or -1 (and nothing to free) if the payload is malformed. */
int vnt_dec_hello(const void *p, size_t n, struct vnt_hello *m);
int vnt_dec_hello_ok(const void *p, size_t n, struct vnt_hello_ok *m);
int vnt_dec_time(const void *p, size_t n, struct vnt_time *m);
int vnt_dec_load(const void *p, size_t n, struct vnt_load *m);
int vnt_dec_load_ok(const void *p, size_t n, struct vnt_load_ok *m);
int vnt_dec_error(const void *p, size_t n, struct vnt_error *m);
int vnt_dec_stopped(const void *p, size_t n, struct vnt_stopped *m);
int vnt_dec_snapshot(const void *p, size_t n, struct vnt_snapshot_msg *m);
/* EVENTS (packets = false) or EVENTS_PKT (true); every record is checked. */
int vnt_dec_events(const void *p, size_t n, bool packets, struct vnt_events_msg *m);
/* The next record of m at *off (start at 0), which is advanced. */
void vnt_dec_event(const struct vnt_events_msg *m, size_t *off, struct vnt_wire_event *e);
int vnt_dec_u64(const void *p, size_t n, uint64_t *v);
int vnt_dec_empty(const void *p, size_t n);
int vnt_dec_str(const void *p, size_t n, char **s);     /* BYE */

void vnt_hello_free(struct vnt_hello *m);
void vnt_hello_ok_free(struct vnt_hello_ok *m);
void vnt_load_free(struct vnt_load *m);
void vnt_load_ok_free(struct vnt_load_ok *m);
void vnt_error_free(struct vnt_error *m);
void vnt_snapshot_msg_free(struct vnt_snapshot_msg *m);

#endif
