/* A host's clock offset at a given time of its own clock, from the
 * measurements a dispatcher made during the run (the store's clock table):
 * interpolated linearly between the two measurements around the time, the
 * first's before the first and the last's after the last. Integer
 * arithmetic that SQL computes the same way (report_sql_pairs.c), so both
 * engines put a record at the same nanosecond. */
#ifndef VNT_CLOCK_ALIGN_H
#define VNT_CLOCK_ALIGN_H

#include <stdint.h>

/* agent[] ascending (n >= 1), offset[] the offsets measured at them. */
int64_t vnt_clock_offset_at(const int64_t *agent, const int64_t *offset, int n, int64_t ts);

#endif
