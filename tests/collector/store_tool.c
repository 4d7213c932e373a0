/* Test driver of the collector's store (runtime/collector/store.h), for the tests
 * in tests/collector. Two modes:
 *
 * DB is an SQLite file or a clickhouse://HOST:PORT/DATABASE URL.
 *
 *   store_tool write DB < SCRIPT   apply a script of lines:
 *       run SCRIPT_NAME MANIFEST_FILE|- STARTED_NS
 *       host NAME OFFSET_NS UNCERTAINTY_NS
 *       ev HOST TS FP_HEX TRACE HOP SADDR|- DADDR|- SPORT DPORT PROTO
 *       flush                      (store the events so far: one add_events per host)
 *       snapshot HOST JSON
 *       status HOST STATUS EVENTS LOST
 *       clock HOST AGENT_NS OFFSET_NS UNCERTAINTY_NS   (a clock measurement)
 *       end ENDED_NS STATUS
 *   store_tool crash DB BATCH      write batches of BATCH events to a new run
 *       forever; batch k holds fingerprints k*BATCH .. k*BATCH+BATCH-1; after
 *       each batch is stored, print k on stdout. Stopped by a signal. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/collector/store.h"

#define MAXHOSTS 16

struct host {
	char name[64];
	int64_t id;
	struct vnt_store_event *ev;
	char (*str)[4][64];         /* trace, hop, saddr, daddr of each event */
	size_t n, cap;
};

static const struct vnt_store_ops *ops;
static struct vnt_store *st;
static int64_t run_id;
static struct host hosts[MAXHOSTS];
static int nhosts;

static int die(const char *what)
{
	fprintf(stderr, "store_tool: %s\n", what);
	return 1;
}

static struct host *host_named(const char *name)
{
	for (int i = 0; i < nhosts; i++)
		if (!strcmp(hosts[i].name, name))
			return &hosts[i];
	return NULL;
}

static int flush(void)
{
	for (int i = 0; i < nhosts; i++) {
		struct host *h = &hosts[i];
		for (size_t k = 0; k < h->n; k++) { /* the strings may have moved with realloc */
			h->ev[k].trace = h->str[k][0];
			h->ev[k].hop = h->str[k][1];
			h->ev[k].saddr = strcmp(h->str[k][2], "-") ? h->str[k][2] : NULL;
			h->ev[k].daddr = strcmp(h->str[k][3], "-") ? h->str[k][3] : NULL;
		}
		if (h->n && ops->add_events(st, run_id, h->id, h->ev, h->n))
			return -1;
		h->n = 0;
	}
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;
	while (m && (c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	if (m)
		fclose(m);
	return buf;
}

static int add_event(char *rest)
{
	char hn[64], tr[64], hop[64], sa[64], da[64];
	long long ts;
	unsigned long long fp;
	unsigned sport, dport, proto;
	if (sscanf(rest, "%63s %lld %llx %63s %63s %63s %63s %u %u %u", hn, &ts, &fp, tr, hop, sa, da, &sport, &dport,
		   &proto) != 10)
		return die("bad ev line");
	struct host *h = host_named(hn);
	if (!h)
		return die("ev: unknown host");
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		void *e = realloc(h->ev, cap * sizeof(*h->ev)), *s = e ? realloc(h->str, cap * sizeof(*h->str)) : NULL;
		if (e)
			h->ev = e;
		if (!s)
			return die("out of memory");
		h->str = s;
		h->cap = cap;
	}
	h->ev[h->n] = (struct vnt_store_event){ .ts_ns = ts, .fp = fp, .len = 100, .ifindex = 2, .netns = 1, .cpu = 0,
						.pid = 1, .sport = (uint16_t)sport, .dport = (uint16_t)dport,
						.proto = (uint8_t)proto };
	snprintf(h->str[h->n][0], 64, "%s", tr);
	snprintf(h->str[h->n][1], 64, "%s", hop);
	snprintf(h->str[h->n][2], 64, "%s", sa);
	snprintf(h->str[h->n][3], 64, "%s", da);
	h->n++;
	return 0;
}

static int line(char *l)
{
	char cmd[16], a[256], b[256];
	long long x, y;
	double d1, d2;
	int off = 0;
	l[strcspn(l, "\n")] = '\0';
	if (sscanf(l, "%15s %n", cmd, &off) != 1)
		return 0;
	char *rest = l + off;
	if (!strcmp(cmd, "run")) {
		if (sscanf(rest, "%255s %255s %lld", a, b, &x) != 3)
			return die("bad run line");
		char *manifest = strcmp(b, "-") ? slurp(b) : NULL;
		if (strcmp(b, "-") && !manifest)
			return die("cannot read the manifest");
		int rc = ops->begin_run(st, a, manifest, x, &run_id);
		free(manifest);
		return rc ? die("begin_run failed") : 0;
	}
	if (!strcmp(cmd, "host")) {
		if (nhosts == MAXHOSTS || sscanf(rest, "%63s %lf %lf", hosts[nhosts].name, &d1, &d2) != 3)
			return die("bad host line");
		if (ops->add_host(st, run_id, hosts[nhosts].name, d1, d2, &hosts[nhosts].id))
			return die("add_host failed");
		nhosts++;
		return 0;
	}
	if (!strcmp(cmd, "ev"))
		return add_event(rest);
	if (!strcmp(cmd, "flush"))
		return flush() ? die("add_events failed") : 0;
	if (!strcmp(cmd, "snapshot")) {
		if (sscanf(rest, "%255s %n", a, &off) != 1 || !host_named(a))
			return die("bad snapshot line");
		return ops->add_snapshot(st, run_id, host_named(a)->id, rest + off) ? die("add_snapshot failed") : 0;
	}
	if (!strcmp(cmd, "status")) {
		if (sscanf(rest, "%255s %255s %lld %lld", a, b, &x, &y) != 4 || !host_named(a))
			return die("bad status line");
		return ops->host_status(st, host_named(a)->id, b, (uint64_t)x, (uint64_t)y) ? die("host_status failed") : 0;
	}
	if (!strcmp(cmd, "end")) {
		if (sscanf(rest, "%lld %255s", &x, a) != 2)
			return die("bad end line");
		if (flush())
			return die("add_events failed");
		return ops->end_run(st, run_id, x, a) ? die("end_run failed") : 0;
	}
	if (!strcmp(cmd, "clock")) { /* clock HOST AGENT_NS OFFSET_NS UNC_NS */
		long long t, o, u;
		if (sscanf(rest, "%255s %lld %lld %lld", a, &t, &o, &u) != 4 || !host_named(a))
			return die("bad clock line");
		if (!ops->add_clock)
			return 0;
		return ops->add_clock(st, run_id, host_named(a)->id, t, o, u, 2 * u) ? die("add_clock failed") : 0;
	}
	return die("unknown line");
}

static int write_mode(void)
{
	char *l = NULL;
	size_t cap = 0;
	int rc = 0;
	while (!rc && getline(&l, &cap, stdin) > 0)
		rc = line(l);
	free(l);
	if (!rc && flush())
		rc = die("add_events failed");
	for (int i = 0; i < nhosts; i++) {
		free(hosts[i].ev);
		free(hosts[i].str);
	}
	return rc;
}

static int crash_mode(size_t batch)
{
	int64_t host;
	if (ops->begin_run(st, "crash.vnt", NULL, 1, &run_id) || ops->add_host(st, run_id, "h", 0, 0, &host))
		return die("cannot start the run");
	struct vnt_store_event *ev = calloc(batch, sizeof(*ev));
	if (!ev)
		return die("out of memory");
	printf("run %lld\n", (long long)run_id);
	fflush(stdout);
	for (uint64_t k = 0;; k++) {
		for (size_t i = 0; i < batch; i++)
			ev[i] = (struct vnt_store_event){ .ts_ns = (int64_t)k, .fp = k * batch + i, .trace = "t",
							  .hop = i % 2 ? "b" : "a", .saddr = "10.1.2.3", .daddr = "10.3.2.1",
							  .sport = 1, .dport = 2, .proto = 17 };
		if (ops->add_events(st, run_id, host, ev, batch)) {
			free(ev);
			return die("add_events failed");
		}
		printf("%llu\n", (unsigned long long)k);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "write") && strcmp(argv[1], "crash")) || (!strcmp(argv[1], "crash") && argc < 4)) {
		fprintf(stderr, "usage: store_tool write DB < SCRIPT | store_tool crash DB BATCH\n");
		return 2;
	}
	char err[512];
	ops = vnt_store_for(argv[2]); /* an SQLite file, or clickhouse://... */
	if (!ops || ops->open(argv[2], &st, err, sizeof(err))) {
		fprintf(stderr, "store_tool: %s\n", ops ? err : "no store engine");
		return 1;
	}
	int rc = !strcmp(argv[1], "write") ? write_mode() : crash_mode(strtoull(argv[3], NULL, 10));
	ops->close(st);
	return rc;
}
