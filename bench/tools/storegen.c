/* storegen DB N_PACKETS: a synthetic run through the store API (SQLite file
 * or clickhouse:// URL) for the report benchmark (bench/clickhouse.sh): two
 * hosts, a four-hop path (tx, sw on host a; nic, app on host b), every
 * packet at every hop, 1% lost before nic, 64 flows; 4 records per packet.
 * Prints "stored N records in S s". Deterministic. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/collector/store.h"

#define BATCH 65536

static const char manifest[] =
	"{\"traces\":[{\"name\":\"path\",\"first_hop\":0,\"nhops\":4}],\"hops\":["
	"{\"id\":0,\"trace\":0,\"name\":\"tx\",\"kind\":\"tp_btf\",\"target\":\"net_dev_start_xmit\",\"task_arg\":-1},"
	"{\"id\":1,\"trace\":0,\"name\":\"sw\",\"kind\":\"tp_btf\",\"target\":\"net_dev_start_xmit\",\"task_arg\":-1},"
	"{\"id\":2,\"trace\":0,\"name\":\"nic\",\"kind\":\"tp_btf\",\"target\":\"netif_receive_skb\",\"task_arg\":-1},"
	"{\"id\":3,\"trace\":0,\"name\":\"app\",\"kind\":\"tp_btf\",\"target\":\"netif_receive_skb\",\"task_arg\":-1}]}";

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: storegen DB N_PACKETS\n");
		return 2;
	}
	long long npk = atoll(argv[2]);
	const struct vnt_store_ops *ops = vnt_store_for(argv[1]);
	struct vnt_store *st;
	char err[1024];
	if (ops->open(argv[1], &st, err, sizeof(err))) {
		fprintf(stderr, "storegen: %s\n", err);
		return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int64_t run, host[2];
	const int64_t base = 1800000000000000000LL;
	if (ops->begin_run(st, "bench.vnt", manifest, base, &run) || ops->add_host(st, run, "a", 0, 1000, &host[0]) ||
	    ops->add_host(st, run, "b", 250000, 2000, &host[1])) {
		fprintf(stderr, "storegen: cannot begin the run\n");
		return 1;
	}
	struct vnt_store_event *ev[2] = { calloc(BATCH, sizeof(struct vnt_store_event)),
					  calloc(BATCH, sizeof(struct vnt_store_event)) };
	size_t n[2] = { 0, 0 };
	char addr[64][16];
	for (int i = 0; i < 64; i++)
		snprintf(addr[i], sizeof(addr[i]), "10.0.%d.%d", i / 8, i % 8 + 1);
	static const char *const hop[4] = { "tx", "sw", "nic", "app" };
	uint64_t s = 88172645463325252ull, records = 0;
	for (long long k = 0; k < npk; k++) {
		uint64_t fp = rnd(&s);
		int flow = (int)(rnd(&s) % 64), last = rnd(&s) % 100 == 0 ? 2 : 4;
		int64_t t = base + k * 1000;
		for (int h = 0; h < last; h++) {
			int which = h < 2 ? 0 : 1;
			t += 1000 + (int64_t)(rnd(&s) % (h == 2 ? 50000 : 3000));
			ev[which][n[which]++] = (struct vnt_store_event){
				.ts_ns = t - (which ? 250000 : 0), .fp = fp, .trace = "path", .hop = hop[h], .len = 100,
				.saddr = addr[flow], .daddr = "10.9.0.1", .sport = (uint16_t)(1000 + flow), .dport = 5000,
				.proto = 17 };
			records++;
			if (n[which] == BATCH) {
				if (ops->add_events(st, run, host[which], ev[which], n[which]))
					return 1;
				n[which] = 0;
			}
		}
	}
	for (int w = 0; w < 2; w++)
		if (n[w] && ops->add_events(st, run, host[w], ev[w], n[w]))
			return 1;
	int rc = ops->end_run(st, run, base + npk * 1000 + 1000000000, "ok");
	ops->close(st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("stored %llu records in %.2f s\n", (unsigned long long)records,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(ev[0]);
	free(ev[1]);
	return rc ? 1 : 0;
}
