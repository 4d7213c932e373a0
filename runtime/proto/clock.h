/* Clocks: the kernel stamps events with CLOCK_MONOTONIC, hosts compare
 * CLOCK_REALTIME. The agent moves its records to its realtime clock;
 * the dispatcher estimates each agent's realtime offset NTP-style and the
 * store keeps it, so aligning hosts is a query, not a rewrite. */
#ifndef VNT_CLOCK_H
#define VNT_CLOCK_H

#include <stdint.h>

int64_t vnt_realtime_ns(void);
int64_t vnt_monotonic_ns(void);

/* realtime - monotonic, read as the tightest of a few back-to-back
 * samples; add it to a monotonic timestamp to get realtime. */
int64_t vnt_mono_to_real_offset(void);

/* One NTP-style exchange: t1 sent and t4 received on the collector's
 * clock, t2 received and t3 sent on the agent's. */
struct vnt_time_sample { int64_t t1, t2, t3, t4; };

/* Of n samples, the one with the smallest round trip (least queueing) gives
 * offset_ns (agent time + offset_ns = collector time) and uncertainty_ns
 * (half that round trip: the true offset lies within +/- it). -1 if no
 * sample is usable (n == 0 or every round trip negative). */
int vnt_clock_estimate(const struct vnt_time_sample *s, int n, double *offset_ns, double *uncertainty_ns);

/* For tests only (vnt-agent --test-clock-skew, refused without
 * --enable-test-options): the agent's clock made to differ from the host's
 * by offset_ns plus ppm parts per million of the time since this call, so
 * that a test knows the true offset at every moment. vnt_agent_time()
 * is a realtime timestamp as the agent reports it (itself when no skew). */
void vnt_clock_test_skew(int64_t offset_ns, double ppm);
int64_t vnt_agent_time(int64_t realtime_ns);

#endif
