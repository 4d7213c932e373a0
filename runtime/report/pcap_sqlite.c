/* vnt report --pcap over an SQLite store (pcap.h): the run's events whose
 * pkt column holds bytes (schema 3), in time order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/collector/store_sqlite.h"
#include "runtime/report/pcap.h"

/* The run's plan from its stored manifest (NULL if none or unreadable). */
static struct vnt_plan *run_plan(sqlite3 *db, int64_t run)
{
	sqlite3_stmt *st;
	struct vnt_plan *p = NULL;
	char err[256];
	if (sqlite3_prepare_v2(db, "SELECT manifest_json FROM runs WHERE id=?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		p = vnt_manifest_read((const char *)sqlite3_column_text(st, 0), err, sizeof(err));
	sqlite3_finalize(st);
	return p;
}

static int has_packet_columns(sqlite3 *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'pkt'", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	int have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return have;
}

int vnt_report_pcap_sqlite(const struct vnt_report *r, struct vnt_pcap_out *o, char *err, size_t errlen)
{
	sqlite3 *db;
	if (vnt_sqlite_open(r->db, false, &db, err, errlen))
		return -1;
	if (!has_packet_columns(db)) {
		snprintf(err, errlen, "%s: the store holds no packet bytes (its schema predates them)", r->db);
		sqlite3_close(db);
		return -1;
	}
	struct vnt_pcap_ctx c;
	vnt_pcap_ctx_init(&c, r, run_plan(db, r->run_id), o);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT host_id, hop, ts_ns, fp, len, ifindex, netns, pkt_link, pkt FROM events"
				   " WHERE run_id=? AND pkt IS NOT NULL ORDER BY ts_ns, id", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot read the events: %s", r->db, sqlite3_errmsg(db));
		vnt_pcap_ctx_end(&c, err, 0);
		sqlite3_close(db);
		return -1;
	}
	sqlite3_bind_int64(st, 1, r->run_id);
	int rc, failed = 0;
	while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct vnt_pcap_row row = {
			.host_id = sqlite3_column_int64(st, 0), .hop_id = sqlite3_column_int64(st, 1),
			.ts_ns = sqlite3_column_int64(st, 2), .fp = (uint64_t)sqlite3_column_int64(st, 3),
			.len = (uint32_t)sqlite3_column_int64(st, 4), .ifindex = (uint32_t)sqlite3_column_int64(st, 5),
			.netns = (uint32_t)sqlite3_column_int64(st, 6), .link = sqlite3_column_int(st, 7),
			.data = sqlite3_column_blob(st, 8), .caplen = (uint32_t)sqlite3_column_bytes(st, 8),
		};
		failed = vnt_pcap_ctx_row(&c, &row) != 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (!failed && rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: cannot read the events", r->db);
		vnt_pcap_ctx_end(&c, err, 0);
		return -1;
	}
	return vnt_pcap_ctx_end(&c, err, errlen);
}
