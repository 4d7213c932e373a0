/* The ClickHouse store's tables (doc/store-schema.md, "ClickHouse"):
 * created when missing, and a newer schema than this vnt's refused. Only
 * what 18.16 has: MergeTree with PARTITION BY / ORDER BY, plain types. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/collector/store_clickhouse.h"

/* %1$s is the database. Updates (a run's end, a host's final status) are
 * new rows with a higher `version`: readers take argMax(column, version). */
static const char *const ddl[] = {
	"CREATE DATABASE IF NOT EXISTS %1$s",
	"CREATE TABLE IF NOT EXISTS %1$s.vnt_schema (version UInt32, written_ns Int64) ENGINE = MergeTree() ORDER BY version",
	"CREATE TABLE IF NOT EXISTS %1$s.runs (id UInt64, claim UInt64, version UInt8, script String,"
	" manifest_json String, started_ns Int64, ended_ns Int64, status String, dispatcher String)"
	" ENGINE = MergeTree ORDER BY (id, claim, version)",
	"CREATE TABLE IF NOT EXISTS %1$s.hosts (run_id UInt64, id UInt32, version UInt8, name String,"
	" clock_offset_ns Float64, clock_uncertainty_ns Float64, status String, events UInt64, lost UInt64)"
	" ENGINE = MergeTree ORDER BY (run_id, id, version)",
	"CREATE TABLE IF NOT EXISTS %1$s.hops (run_id UInt64, trace UInt16, trace_name String, id UInt16,"
	" name String, kind String, target String, identity String) ENGINE = MergeTree ORDER BY (run_id, id)",
	/* One partition per run; sorted by fingerprint, the report's join key. */
	"CREATE TABLE IF NOT EXISTS %1$s.events (run_id UInt64, host_id UInt32, ts_ns Int64, fp UInt64,"
	" trace UInt16, hop UInt16, len UInt32, ifindex UInt32, netns UInt32, cpu UInt32, pid UInt32,"
	" family UInt8, saddr String, daddr String, sport UInt16, dport UInt16, proto UInt8,"
	" pkt_link UInt8, pkt String)"
	" ENGINE = MergeTree PARTITION BY run_id ORDER BY (run_id, fp, hop, ts_ns)",
	"CREATE TABLE IF NOT EXISTS %1$s.snapshots (run_id UInt64, host_id UInt32, n UInt64, seq Int64,"
	" type String, json String) ENGINE = MergeTree ORDER BY (run_id, host_id, n)",
	"CREATE TABLE IF NOT EXISTS %1$s.clock (run_id UInt64, host_id UInt32, agent_ns Int64, offset_ns Int64,"
	" uncertainty_ns Int64, rtt_ns Int64) ENGINE = MergeTree ORDER BY (run_id, host_id, agent_ns)",
	NULL,
};

/* Does the events table have the packet columns (schema 2)? 1, 0, -1. */
static int has_packet_columns(struct vnt_ch *c, char *err, size_t errlen)
{
	char sql[512], *out = NULL;
	snprintf(sql, sizeof(sql), "SELECT count() FROM system.columns WHERE database = '%s' AND table = 'events'"
		 " AND name = 'pkt'", vnt_ch_database(c));
	if (vnt_ch_query(c, sql, &out, NULL, err, errlen))
		return -1;
	int n = atoi(out);
	free(out);
	return n > 0;
}

/* A schema-1 store gets the packet columns (18.16 has no ADD COLUMN IF
 * NOT EXISTS: another writer may add them first, so look again when the
 * ALTER fails), then says it is schema 2. */
static int add_packet_columns(struct vnt_ch *c, char *err, size_t errlen)
{
	char sql[512], e2[768];
	const char *db = vnt_ch_database(c);
	int have = has_packet_columns(c, e2, sizeof(e2));
	if (have == 0) {
		snprintf(sql, sizeof(sql), "ALTER TABLE %s.events ADD COLUMN pkt_link UInt8, ADD COLUMN pkt String", db);
		if (vnt_ch_query(c, sql, NULL, NULL, e2, sizeof(e2)))
			have = has_packet_columns(c, e2, sizeof(e2)) == 1 ? 1 : -1;
		else
			have = 1;
	}
	if (have == 1) {
		snprintf(sql, sizeof(sql), "INSERT INTO %s.vnt_schema VALUES (2, toInt64(now()) * 1000000000)", db);
		if (!vnt_ch_query(c, sql, NULL, NULL, e2, sizeof(e2)))
			return 0;
	}
	snprintf(err, errlen, "%s: cannot upgrade the store to schema 2: %s", vnt_ch_url(c), e2);
	return -1;
}

int vnt_ch_schema(struct vnt_ch *c, bool create, char *err, size_t errlen)
{
	char sql[1024], e2[768];
	const char *db = vnt_ch_database(c);
	for (int i = 0; create && ddl[i]; i++) {
		snprintf(sql, sizeof(sql), ddl[i], db);
		if (vnt_ch_query(c, sql, NULL, NULL, e2, sizeof(e2))) {
			snprintf(err, errlen, "%s: cannot create the store's tables: %s", vnt_ch_url(c), e2);
			return -1;
		}
	}
	char *out = NULL;
	snprintf(sql, sizeof(sql), "SELECT max(version), count() FROM %s.vnt_schema", db);
	if (vnt_ch_query(c, sql, &out, NULL, e2, sizeof(e2))) {
		if (strstr(e2, "Code: 81") || strstr(e2, "Code: 60"))
			snprintf(err, errlen, "%s: not a vnt store (no database or no vnt_schema table in '%s')",
				 vnt_ch_url(c), db);
		else
			snprintf(err, errlen, "%s: cannot read the store: %s", vnt_ch_url(c), e2);
		return -1;
	}
	long long version = 0, rows = 0;
	sscanf(out, "%lld\t%lld", &version, &rows);
	free(out);
	if (version > VNT_CH_SCHEMA) {
		snprintf(err, errlen, "%s: store schema %lld is newer than this vnt understands (%d); upgrade vnt",
			 vnt_ch_url(c), version, VNT_CH_SCHEMA);
		return -1;
	}
	if (create && rows > 0 && version < 2 && add_packet_columns(c, err, errlen))
		return -1;
	if (rows == 0 && create) {
		snprintf(sql, sizeof(sql), "INSERT INTO %s.vnt_schema VALUES (%d, toInt64(now()) * 1000000000)", db,
			 VNT_CH_SCHEMA);
		if (vnt_ch_query(c, sql, NULL, NULL, e2, sizeof(e2))) {
			snprintf(err, errlen, "%s: cannot create the store: %s", vnt_ch_url(c), e2);
			return -1;
		}
	} else if (rows == 0) {
		snprintf(err, errlen, "%s: not a vnt store (database '%s' has no schema version)", vnt_ch_url(c), db);
		return -1;
	}
	return 0;
}
