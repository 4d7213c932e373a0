/* The collector's store: where a dispatcher writes what its agents send,
 * and what `vnt report` reads. One ops table per engine (SQLite is the
 * default); another engine is one new file plus one table entry. */
#ifndef VNT_STORE_H
#define VNT_STORE_H

#include <stddef.h>
#include <stdint.h>

struct vnt_store;

/* A raw per-hop record as it arrives from an agent, with its timestamp
 * already on the agent's realtime clock (ns since the epoch); the store
 * keeps the agent's clock offset separately, so alignment is a query. */
struct vnt_store_event {
	int64_t ts_ns;
	uint64_t fp;            /* packet fingerprint (or task identity) */
	const char *trace;
	const char *hop;
	uint32_t len, ifindex, netns, cpu, pid;
	const char *saddr, *daddr;   /* NULL when not IP */
	uint16_t sport, dport;
	uint8_t proto;
	/* The packet's first bytes, from a package with a snap length */
	uint8_t has_pkt;        /* 0: none (NULL in the store) */
	uint8_t link;           /* VNT_PCAP_RAW (from the network header) or VNT_PCAP_ETHER */
	uint16_t caplen;
	const void *pkt;
};

struct vnt_store_ops {
	const char *engine;     /* "sqlite", "clickhouse" */
	/* Open or create; a store reopened after a crash must be consistent. */
	int (*open)(const char *path, struct vnt_store **out, char *err, size_t errlen);
	/* A run: one dispatch of one package to some hosts. */
	int (*begin_run)(struct vnt_store *s, const char *script, const char *manifest_json,
			 int64_t started_ns, int64_t *run_id);
	/* A host of a run and its clock: agent time + offset_ns = collector time,
	 * within +/- uncertainty_ns. */
	int (*add_host)(struct vnt_store *s, int64_t run_id, const char *host, double offset_ns,
			double uncertainty_ns, int64_t *host_id);
	int (*add_events)(struct vnt_store *s, int64_t run_id, int64_t host_id,
			  const struct vnt_store_event *ev, size_t n);
	/* One aggregate snapshot document (the JSON of doc/json-output.md). */
	int (*add_snapshot)(struct vnt_store *s, int64_t run_id, int64_t host_id, const char *json);
	/* A clock measurement of a host during the run (NULL in an engine
	 * that keeps none): at agent_ns on the agent's clock, agent time +
	 * offset_ns = collector time within +/- uncertainty_ns (rtt_ns: the
	 * exchange's round trip). */
	int (*add_clock)(struct vnt_store *s, int64_t run_id, int64_t host_id, int64_t agent_ns, int64_t offset_ns,
			 int64_t uncertainty_ns, int64_t rtt_ns);
	/* Per-host status at the end: events received, lost, errors. */
	int (*host_status)(struct vnt_store *s, int64_t host_id, const char *status, uint64_t events,
			   uint64_t lost);
	/* 0; 1 when some of the run is not in the store but kept elsewhere
	 * (a spool: the engine has said where); -1 when some was lost. */
	int (*end_run)(struct vnt_store *s, int64_t run_id, int64_t ended_ns, const char *status);
	void (*close)(struct vnt_store *s);
};

/* The engine for a name ("sqlite", "clickhouse"), or NULL. */
const struct vnt_store_ops *vnt_store_engine(const char *name);
/* The engine of a --db argument: "clickhouse://..." is ClickHouse, anything
 * else an SQLite file. */
const struct vnt_store_ops *vnt_store_for(const char *db);

#endif
