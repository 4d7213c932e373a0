/* The ClickHouse engine of the collector's store (runtime/store.h):
 * shared by its writer (store_clickhouse.c) and the report's reader. */
#ifndef VNT_STORE_CLICKHOUSE_H
#define VNT_STORE_CLICKHOUSE_H

#include <stdbool.h>
#include <stddef.h>
#include "runtime/collector/ch_http.h"

/* The store's schema version (table vnt_schema). A reader or writer
 * refuses a newer one. */
#define VNT_CH_SCHEMA 2   /* 2: events.pkt_link, events.pkt */

/* Create the database and tables if create and they are missing; check
 * the schema version either way. 0, or -1 with a message. */
int vnt_ch_schema(struct vnt_ch *c, bool create, char *err, size_t errlen);

#endif
