#include <time.h>
#include "runtime/proto/clock.h"

static int64_t now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t vnt_realtime_ns(void) { return now(CLOCK_REALTIME); }
int64_t vnt_monotonic_ns(void) { return now(CLOCK_MONOTONIC); }

int64_t vnt_mono_to_real_offset(void)
{
	/* A preemption between the two reads would skew one sample; the
	 * one bracketed most tightly by monotonic reads is the best. */
	int64_t best = 0, gap = INT64_MAX;
	for (int i = 0; i < 5; i++) {
		int64_t a = now(CLOCK_MONOTONIC), r = now(CLOCK_REALTIME), b = now(CLOCK_MONOTONIC);
		if (b - a < gap) {
			gap = b - a;
			best = r - (a + (b - a) / 2);
		}
	}
	return best;
}

int vnt_clock_estimate(const struct vnt_time_sample *s, int n, double *offset_ns, double *uncertainty_ns)
{
	int best = -1;
	double best_rtt = 0;
	for (int i = 0; i < n; i++) {
		/* Round trip minus the agent's own processing time. */
		double rtt = (double)(s[i].t4 - s[i].t1) - (double)(s[i].t3 - s[i].t2);
		if (rtt < 0)
			continue;
		if (best < 0 || rtt < best_rtt) {
			best = i;
			best_rtt = rtt;
		}
	}
	if (best < 0)
		return -1;
	const struct vnt_time_sample *b = &s[best];
	/* theta = agent - collector; the store wants collector - agent. */
	double theta = ((double)(b->t2 - b->t1) + (double)(b->t3 - b->t4)) / 2;
	*offset_ns = -theta;
	*uncertainty_ns = best_rtt / 2;
	return 0;
}

static int skewed;
static int64_t skew_off, skew_t0;
static double skew_ppm;

void vnt_clock_test_skew(int64_t offset_ns, double ppm)
{
	skew_off = offset_ns;
	skew_ppm = ppm;
	skew_t0 = vnt_realtime_ns();
	skewed = 1;
}

int64_t vnt_agent_time(int64_t t)
{
	if (!skewed)
		return t;
	return t + skew_off + (int64_t)((double)(t - skew_t0) * skew_ppm * 1e-6);
}
