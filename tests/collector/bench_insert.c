/* Insert rate of the SQLite store: writes N synthetic events (four hops,
 * two hosts, random fingerprints) in add_events batches of B and prints
 * the rate. Not a pass/fail test: the number is for issue 5.
 *
 *   bench_insert DB [N [B]]       (N default 2000000, B default 4096) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
#include "runtime/collector/store.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_insert DB [N [BATCH]]\n");
		return 2;
	}
	size_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000000, b = argc > 3 ? strtoull(argv[3], NULL, 10) : 4096;
	if (!n || !b)
		return 2;
	static const char *hops[] = { "tx", "sw_in", "sw_out", "rx" };
	struct vnt_store_event *ev = calloc(n, sizeof(*ev));
	if (!ev)
		return 1;
	uint64_t x = 88172645463325252ull, fp = 0;
	for (size_t i = 0; i < n; i++) {
		if (i % 4 == 0)
			fp = rnd(&x);
		ev[i] = (struct vnt_store_event){ .ts_ns = 1700000000000000000 + (int64_t)i * 250, .fp = fp,
						  .trace = "path", .hop = hops[i % 4], .len = 100 + (uint32_t)(i % 1400),
						  .ifindex = 3, .netns = 4026531840u, .cpu = (uint32_t)(i % 2),
						  .pid = 1234, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
						  .sport = (uint16_t)(40000 + i % 64), .dport = 5001, .proto = 17 };
	}
	const struct vnt_store_ops *ops = vnt_store_engine("sqlite");
	struct vnt_store *s;
	char err[512];
	int64_t run, h[2];
	if (ops->open(argv[1], &s, err, sizeof(err))) {
		fprintf(stderr, "bench_insert: %s\n", err);
		return 1;
	}
	if (ops->begin_run(s, "bench.vnt", NULL, 1, &run) || ops->add_host(s, run, "a", 0, 0, &h[0]) ||
	    ops->add_host(s, run, "b", 1000, 10, &h[1])) {
		ops->close(s);
		return 1;
	}
	double t0 = now(), c0 = cpu();
	for (size_t i = 0; i < n; i += b) {
		size_t k = n - i < b ? n - i : b;
		if (ops->add_events(s, run, h[(i / b) % 2], ev + i, k)) {
			ops->close(s);
			return 1;
		}
	}
	double t1 = now();
	int rc = ops->end_run(s, run, 2, "done");
	ops->close(s);
	double t2 = now(), c2 = cpu();
	printf("inserted %zu events in batches of %zu: %.3f s, %.0f rows/s; with end_run and close %.3f s,"
	       " %.0f rows/s; CPU time %.3f s, %.0f rows per CPU second\n",
	       n, b, t1 - t0, (double)n / (t1 - t0), t2 - t0, (double)n / (t2 - t0), c2 - c0, (double)n / (c2 - c0));
	free(ev);
	return rc ? 1 : 0;
}
