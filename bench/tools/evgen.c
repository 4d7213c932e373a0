/* evgen: make system calls at a steady rate, for the raw-event benchmark.
 *
 *   evgen RATE SECONDS
 *
 * Calls getppid() RATE times per second (0: as fast as it can) for SECONDS
 * and prints how many calls it made. A trace with a hop on the sys_enter
 * tracepoint, filtered on this command's name, then offers records at a
 * known rate to the ring buffer, the agent, the dispatcher and the store.
 * The rate is kept in 1 ms slices: each slice makes the calls due since
 * the start, so a slow slice is caught up in the next. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: evgen RATE SECONDS\n");
		return 2;
	}
	double rate = atof(argv[1]), secs = atof(argv[2]);
	double t0 = now(), t;
	unsigned long long done = 0;
	while ((t = now()) - t0 < secs) {
		unsigned long long due = rate > 0 ? (unsigned long long)((t - t0) * rate) : done + 1000;
		while (done < due) {
			syscall(SYS_getppid);   /* not the libc wrapper: nothing cached */
			done++;
		}
		if (rate > 0) {
			struct timespec ns = { 0, 1000000 };
			nanosleep(&ns, NULL);
		}
	}
	printf("%llu %.6f\n", done, now() - t0);
	return 0;
}
