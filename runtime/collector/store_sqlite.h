/* The SQLite store's file: its identity, its schema and how it is opened.
 * Shared by the writer (runtime/collector/store_sqlite.c) and the report's reader
 * (runtime/report/load_sqlite.c). The schema is documented in doc/store-schema.md. */
#ifndef VNT_STORE_SQLITE_H
#define VNT_STORE_SQLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

/* PRAGMA application_id of a vnt store ("VNTS") and its schema version
 * (PRAGMA user_version). A reader refuses a newer version. */
#define VNT_SQLITE_APP_ID 0x564e5453
#define VNT_SQLITE_SCHEMA 3 /* 2: the clock table; 3: events.pkt, events.pkt_link */

/* Open a store. Writable: create the file and the schema if needed, set
 * WAL mode and the writer's pragmas. Read-only: the file must exist. Either
 * way a file that is not a vnt store, or is from a newer vnt, is refused
 * with a message in err. Returns 0 and *db, or -1 (nothing left open). */
int vnt_sqlite_open(const char *path, bool writable, sqlite3 **db, char *err, size_t errlen);

#endif
