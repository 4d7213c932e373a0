/* `vnt report` computed by a database in SQL (report_sql_*.c). */
#ifndef VNT_REPORT_SQL_H
#define VNT_REPORT_SQL_H

#include <stddef.h>
#include "runtime/report/report.h"

struct vnt_ch;

/* With the run, hosts and hops of r loaded: the events' numbers (events,
 * packets, repeats, orphans, per-hop and per-host counts, segments with
 * their host pairs, the first top_flows flows and the number of flows)
 * computed by the server. 0, or -1 with a message in err. */
int vnt_report_sql_events(struct vnt_ch *c, struct vnt_report *r, size_t top_flows, char *err, size_t errlen);

/* The report of run run_id (0: the latest) of the ClickHouse store at url
 * (report_sql_clickhouse.c); the first top_flows flows are read. NULL with
 * a message in err. */
struct vnt_report *vnt_report_load_clickhouse(const char *url, int64_t run_id, size_t top_flows, char *err,
					      size_t errlen);

#endif
