/* Prints hand-built snapshots through the text or JSON output, for
 * tests/unit/output.t to check. Usage: output SCENARIO text|json, where
 * SCENARIO is one of:
 *   scalars  interval snapshot: count/sum/min/max/avg with keys (one
 *            needing JSON escaping), hops, latency, lost events, map full
 *   hists    final snapshot: hist, keyed ns hist, lhist with under- and
 *            overflow, ns lhist, an empty aggregation
 *   pow2     one hist with every log2 slot set, to check all bounds
 * The values here are repeated in output.t; change both together. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/output/snapshot.h"
#include "runtime/output/snapshot_json.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *hop_dev[] = { "hop", "dev" };
static const char *dev[] = { "dev" };
static const char *hop[] = { "hop" };
static const char *flow[] = { "flow" };

/* A key needing escaping: quotes, backslash, a tab, a slash, UTF-8. */
static char *k_tx_a[] = { "tx", "veth-a" };
static char *k_rx_weird[] = { "rx", "we\"ird\\dev\t/x \xc3\xa9" };
static char *k_veth_a[] = { "veth-a" };
static char *k_eth0[] = { "eth0" };
static char *k_eth1[] = { "eth1" };
static char *k_tx[] = { "tx" };
static char *k_rx[] = { "rx" };

static void scalars(struct vnt_snapshot *s)
{
	static struct vnt_snap_row count_rows[] = {
		{ .keys = k_tx_a, .count = 12 },
		{ .keys = k_rx_weird, .count = 7 },
	};
	static struct vnt_snap_row sum_rows[] = { { .keys = k_veth_a, .count = 3, .sum = 4500 } };
	static struct vnt_snap_row avg_ns_rows[] = { { .count = 4, .sum = 10002 } };
	static struct vnt_snap_row avg_rows[] = { { .count = 3, .sum = 10 } };
	static struct vnt_snap_row min_rows[] = {
		{ .keys = k_eth0, .count = 2, .sum = 4, .min = -5, .max = 9 },
		{ .keys = k_eth1, .count = 0 },
	};
	static struct vnt_snap_row max_rows[] = { { .count = 1, .sum = 1500000, .min = 1500000, .max = 1500000 } };
	static struct vnt_snap_aggr aggs[] = {
		{ .title = "count() by hop, dev", .kind = "count", .shape = AS_SCALAR, .scalar = SC_COUNT, .unit = "", .nkeys = 2,
		  .key_names = hop_dev, .nrows = N(count_rows), .rows = count_rows },
		{ .title = "sum(len) by dev", .kind = "sum", .shape = AS_SCALAR, .scalar = SC_SUM, .value = "len", .unit = "bytes",
		  .nkeys = 1, .key_names = dev, .nrows = N(sum_rows), .rows = sum_rows },
		{ .title = "avg(latency(tx, rx))", .kind = "avg", .shape = AS_SCALAR, .scalar = SC_AVG, .value = "latency(tx, rx)",
		  .unit = "ns", .nrows = N(avg_ns_rows), .rows = avg_ns_rows },
		{ .title = "avg(len)", .kind = "avg", .shape = AS_SCALAR, .scalar = SC_AVG, .value = "len", .unit = "bytes",
		  .nrows = N(avg_rows), .rows = avg_rows },
		{ .title = "min(len) by dev", .kind = "min", .shape = AS_SCALAR, .scalar = SC_MIN, .value = "len", .unit = "bytes",
		  .nkeys = 1, .key_names = dev, .nrows = N(min_rows), .rows = min_rows },
		{ .title = "max(latency(tx, rx)) \"quoted\"", .kind = "max", .shape = AS_SCALAR, .scalar = SC_MAX, .value = "latency(tx, rx)",
		  .unit = "ns", .nrows = N(max_rows), .rows = max_rows, .map_full = 2, .no_memory = 1, .refused = 3 },
	};
	static const char *hop_names[] = { "tx", "rx" };
	static uint64_t hop_hits[] = { 100, 90 };
	static struct vnt_snap_latency lat[] = {
		{ .from = "tx", .to = "rx", .started = 100, .matched = 85, .unmatched = 5 },
	};
	*s = (struct vnt_snapshot){
		.trace = "demo", .script = "examples/demo.vnt", .final = false, .seq = 3,
		.elapsed_s = 5.25, .timestamp = 1700000000.125, .sample_n = 10,
		.naggs = N(aggs), .aggs = aggs, .nlat = N(lat), .lat = lat, .lost_events = 4,
		.hop_events_total = 190, .nhops = N(hop_names), .hop_names = hop_names,
		.hop_hits = hop_hits,
	};
}

static void hists(struct vnt_snapshot *s)
{
	/* log2: slot 0 is value 0, slot k is [2^(k-1), 2^k). */
	static uint64_t len_slots[65] = { [0] = 1, [1] = 2, [11] = 12, [12] = 6 };
	static uint64_t tx_slots[65] = { [10] = 3, [11] = 1 };
	static uint64_t rx_slots[65] = { [63] = 2, [64] = 1 };
	/* lmin 0, lmax 1000, lstep 100: 10 linear slots plus 2. */
	static uint64_t lh_slots[12] = { [0] = 2, [1] = 5, [5] = 1, [11] = 3 };
	static uint64_t lns_slots[6] = { [2] = 4 };
	static struct vnt_snap_row len_rows[] = { { .count = 21, .slots = len_slots } };
	static struct vnt_snap_row lat_rows[] = {
		{ .keys = k_rx, .count = 3, .slots = rx_slots },
		{ .keys = k_tx, .count = 4, .slots = tx_slots },
	};
	static struct vnt_snap_row lh_rows[] = { { .count = 11, .slots = lh_slots } };
	static struct vnt_snap_row lns_rows[] = { { .count = 4, .slots = lns_slots } };
	static struct vnt_snap_aggr aggs[] = {
		{ .title = "hist(len)", .kind = "hist", .shape = AS_LOG2, .value = "len", .unit = "bytes",
		  .nslots = 65, .nrows = 1, .rows = len_rows },
		{ .title = "hist(latency(tx, rx)) by hop", .kind = "hist", .shape = AS_LOG2, .value = "latency(tx, rx)",
		  .unit = "ns", .nkeys = 1, .key_names = hop, .nslots = 65, .nrows = 2, .rows = lat_rows },
		{ .title = "lhist(len, 0, 1000, 100)", .kind = "lhist", .shape = AS_LINEAR, .value = "len", .unit = "bytes",
		  .nslots = 12, .lmin = 0, .lmax = 1000, .lstep = 100, .nrows = 1, .rows = lh_rows },
		{ .title = "count() by flow", .kind = "count", .shape = AS_SCALAR, .scalar = SC_COUNT, .unit = "", .nkeys = 1,
		  .key_names = flow },
		{ .title = "lhist(latency(tx, rx), 0, 2000000, 500000)", .kind = "lhist", .shape = AS_LINEAR,
		  .value = "latency(tx, rx)", .unit = "ns", .nslots = 6, .lmin = 0, .lmax = 2000000,
		  .lstep = 500000, .nrows = 1, .rows = lns_rows },
	};
	*s = (struct vnt_snapshot){
		.trace = "demo", .script = "examples/demo.vnt", .final = true, .seq = 4,
		.elapsed_s = 10.5, .timestamp = 1700000005.5, .sample_n = 1,
		.naggs = N(aggs), .aggs = aggs,
	};
}

static void pow2(struct vnt_snapshot *s)
{
	static uint64_t slots[65];
	static struct vnt_snap_row rows[] = { { .count = 0, .slots = slots } };
	static struct vnt_snap_aggr aggs[] = {
		{ .title = "hist(len)", .kind = "hist", .shape = AS_LOG2, .value = "len", .unit = "",
		  .nslots = 65, .nrows = 1, .rows = rows },
	};
	for (int k = 0; k < 65; k++) {
		slots[k] = (uint64_t)k + 1;
		rows[0].count += slots[k];
	}
	*s = (struct vnt_snapshot){
		.trace = "p", .script = "p.vnt", .seq = 1, .elapsed_s = 1, .timestamp = 2,
		.sample_n = 1, .naggs = N(aggs), .aggs = aggs,
	};
}

/* The snapshot written as JSON, read back (runtime/output/snapshot_json.c), and
 * written again as JSON or text: what vnt report does with the agents'. */
static int reread(struct vnt_snapshot *s, int json)
{
	char *text = NULL, err[256];
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return 1;
	vnt_output_json(m, s);
	fclose(m);
	struct vnt_snapshot_doc d;
	if (vnt_snapshot_from_json(text, &d, err, sizeof(err))) {
		fprintf(stderr, "read back: %s\n", err);
		free(text);
		return 1;
	}
	if (json)
		vnt_output_json(stdout, &d.snap);
	else
		vnt_output_text(stdout, &d.snap);
	vnt_snapshot_doc_free(&d);
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	struct vnt_snapshot s;
	if (argc != 3)
		goto usage;
	if (strcmp(argv[1], "scalars") == 0)
		scalars(&s);
	else if (strcmp(argv[1], "hists") == 0)
		hists(&s);
	else if (strcmp(argv[1], "pow2") == 0)
		pow2(&s);
	else
		goto usage;
	if (strcmp(argv[2], "text") == 0)
		vnt_output_text(stdout, &s);
	else if (strcmp(argv[2], "json") == 0)
		vnt_output_json(stdout, &s);
	else if (strcmp(argv[2], "rejson") == 0 || strcmp(argv[2], "retext") == 0)
		return reread(&s, argv[2][2] == 'j');
	else
		goto usage;
	return 0;
usage:
	fprintf(stderr, "usage: output scalars|hists|pow2 text|json|rejson|retext\n");
	return 2;
}
