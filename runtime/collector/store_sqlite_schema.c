/* The SQLite store's file: open it, recognise it as a vnt store, create its
 * schema, set the pragmas. See doc/store-schema.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "runtime/collector/store_sqlite.h"

/* Schema 3: the packet's first bytes (vnt compile --snaplen), NULL without. */
#define PKT_SQL "ALTER TABLE events ADD COLUMN pkt_link INTEGER; ALTER TABLE events ADD COLUMN pkt BLOB;"

/* Schema 2: clock measurements during a run (runtime/dispatch/clock_track.c). */
#define CLOCK_SQL \
	"CREATE TABLE IF NOT EXISTS clock(run_id INTEGER NOT NULL, host_id INTEGER NOT NULL, agent_ns INTEGER NOT NULL," \
	" offset_ns INTEGER NOT NULL, uncertainty_ns INTEGER NOT NULL, rtt_ns INTEGER);" \
	"CREATE INDEX IF NOT EXISTS clock_host ON clock(host_id, agent_ns);"

static const char schema_sql[] =
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, script TEXT, manifest_json TEXT,"
	" started_ns INTEGER NOT NULL, ended_ns INTEGER, status TEXT, first_event INTEGER, last_event INTEGER);"
	"CREATE TABLE hosts(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),"
	" name TEXT NOT NULL, clock_offset_ns REAL NOT NULL, clock_uncertainty_ns REAL NOT NULL,"
	" status TEXT, events INTEGER, lost INTEGER);"
	"CREATE INDEX hosts_run ON hosts(run_id);"
	"CREATE TABLE hops(run_id INTEGER NOT NULL REFERENCES runs(id), trace INTEGER NOT NULL,"
	" trace_name TEXT, id INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT, target TEXT, identity TEXT,"
	" PRIMARY KEY(run_id, id)) WITHOUT ROWID;"
	"CREATE TABLE events(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, host_id INTEGER NOT NULL, ts_ns INTEGER NOT NULL,"
	" fp INTEGER NOT NULL, trace INTEGER NOT NULL, hop INTEGER NOT NULL, len INTEGER, ifindex INTEGER,"
	" netns INTEGER, cpu INTEGER, pid INTEGER, saddr TEXT, daddr TEXT, sport INTEGER, dport INTEGER,"
	" proto INTEGER, pkt_link INTEGER, pkt BLOB);"
	"CREATE TABLE snapshots(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),"
	" host_id INTEGER NOT NULL, seq INTEGER, type TEXT, json TEXT NOT NULL);"
	"CREATE INDEX snapshots_run ON snapshots(run_id, host_id, seq);"
	CLOCK_SQL;

static int fail(sqlite3 *db, char *err, size_t errlen, const char *path, const char *what)
{
	snprintf(err, errlen, "%s: %s%s%s", path, what, db ? ": " : "", db ? sqlite3_errmsg(db) : "");
	return -1;
}

static int pragma_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* What the file is: 1 a vnt store, 0 an empty database, -1 refused. */
static int identify(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int64_t app = 0, ver = 0, ntables = 0;
	if (pragma_int(db, "PRAGMA application_id", &app)) {
		if (sqlite3_errcode(db) == SQLITE_NOTADB)
			snprintf(err, errlen, "%s: not a vnt store (not an SQLite database)", path);
		else
			fail(db, err, errlen, path, "cannot read the store");
		return -1;
	}
	if (pragma_int(db, "PRAGMA user_version", &ver) ||
	    pragma_int(db, "SELECT count(*) FROM sqlite_master", &ntables))
		return fail(db, err, errlen, path, "cannot read the store");
	if (app == 0 && ntables == 0)
		return 0;
	if (app != VNT_SQLITE_APP_ID) {
		snprintf(err, errlen, "%s: not a vnt store (an SQLite database of another application)", path);
		return -1;
	}
	if (ver > VNT_SQLITE_SCHEMA) {
		snprintf(err, errlen, "%s: store schema %lld is newer than this vnt understands (%d); upgrade vnt",
			 path, (long long)ver, VNT_SQLITE_SCHEMA);
		return -1;
	}
	return 1;
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int create_schema(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	/* Page size first: it is fixed once the first table exists (and WAL is on). */
	if (exec(db, "PRAGMA page_size=8192") || exec(db, "BEGIN IMMEDIATE"))
		return fail(db, err, errlen, path, "cannot create the store");
	int what = identify(db, path, err, errlen); /* another writer may have won */
	if (what < 0) {
		exec(db, "ROLLBACK");
		return -1;
	}
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA application_id=%d;PRAGMA user_version=%d", VNT_SQLITE_APP_ID,
		 VNT_SQLITE_SCHEMA);
	if (what == 0 && (exec(db, schema_sql) || exec(db, sql))) {
		fail(db, err, errlen, path, "cannot create the store");
		exec(db, "ROLLBACK");
		return -1;
	}
	if (exec(db, "COMMIT")) {
		fail(db, err, errlen, path, "cannot create the store");
		exec(db, "ROLLBACK");
		return -1;
	}
	return 0;
}

/* synchronous=NORMAL: in WAL mode a commit survives a crash of the process
 * (and of the machine, but for the last transactions). VNT_STORE_SYNC=off
 * is faster and still survives a killed process; =full syncs every commit. */
static const char *sync_pragma(void)
{
	const char *s = getenv("VNT_STORE_SYNC");
	if (s && !strcmp(s, "off"))
		return "PRAGMA synchronous=OFF";
	if (s && !strcmp(s, "full"))
		return "PRAGMA synchronous=FULL";
	return "PRAGMA synchronous=NORMAL";
}

static int writer_setup(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK)
		return fail(db, err, errlen, path, "cannot set WAL mode");
	int rc = sqlite3_step(st);
	const unsigned char *mode = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	bool wal = mode && !strcmp((const char *)mode, "wal");
	sqlite3_finalize(st);
	if (!wal)
		return fail(db, err, errlen, path, "cannot set WAL mode");
	/* A schema-1 store gets the clock table, a schema-2 store the packet
	 * columns (a reader of the older schema would not know of them, so
	 * the version says they are there). */
	int64_t ver = 0;
	if (pragma_int(db, "PRAGMA user_version", &ver) ||
	    (ver < 2 && (exec(db, CLOCK_SQL) || exec(db, "PRAGMA user_version=2"))))
		return fail(db, err, errlen, path, "cannot upgrade the store to schema 2");
	/* Read again under the write lock: another writer may have won. */
	if (ver < 3 && (exec(db, "BEGIN IMMEDIATE") || pragma_int(db, "PRAGMA user_version", &ver) ||
			(ver < 3 && (exec(db, PKT_SQL) || exec(db, "PRAGMA user_version=3"))) || exec(db, "COMMIT"))) {
		fail(db, err, errlen, path, "cannot upgrade the store to schema 3");
		exec(db, "ROLLBACK");
		return -1;
	}
	if (exec(db, sync_pragma()) || exec(db, "PRAGMA cache_size=-8192") ||
	    exec(db, "PRAGMA temp_store=MEMORY") || exec(db, "PRAGMA wal_autocheckpoint=4096"))
		return fail(db, err, errlen, path, "cannot set the store's pragmas");
	return 0;
}

int vnt_sqlite_open(const char *path, bool writable, sqlite3 **out, char *err, size_t errlen)
{
	*out = NULL;
	struct stat sb;
	if (!writable && stat(path, &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!writable && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a vnt store (not a regular file)", path);
		return -1;
	}
	if (!writable && sb.st_size == 0) {
		snprintf(err, errlen, "%s: not a vnt store (empty file)", path);
		return -1;
	}
	sqlite3 *db = NULL;
	/* A reader opens read-write (never creating) though it writes nothing:
	 * so that the last connection to close can remove the WAL files. SQLite
	 * opens a file it may not write read-only. */
	int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (db)
			fail(db, err, errlen, path, "cannot open");
		else
			snprintf(err, errlen, "%s: cannot open: out of memory", path);
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 10000);
	int what = identify(db, path, err, errlen);
	if (what < 0 || (what == 0 && !writable)) {
		if (what == 0)
			snprintf(err, errlen, "%s: not a vnt store (an empty SQLite database)", path);
		sqlite3_close(db);
		return -1;
	}
	if (writable && ((what == 0 && create_schema(db, path, err, errlen)) || writer_setup(db, path, err, errlen))) {
		sqlite3_close(db);
		return -1;
	}
	*out = db;
	return 0;
}
