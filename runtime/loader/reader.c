/* Reading a trace's maps into a snapshot: per-CPU values merged, keys
 * rendered for people (device names, flows, hop names). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpf-templates/vnt_abi.h"
#include "lang/ast.h"
#include "lib/netns.h"
#include "runtime/output/flowname.h"
#include "runtime/loader/session.h"

static int map_fd(struct vnt_session *s, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(vnt_session_object(s), name);
	return m ? bpf_map__fd(m) : -1;
}

/* Sum of a per-CPU u64 array slot. */
static uint64_t percpu_u64(int fd, uint32_t idx, int ncpu, uint64_t *buf)
{
	uint64_t sum = 0;
	if (fd < 0 || bpf_map_lookup_elem(fd, &idx, buf))
		return 0;
	for (int c = 0; c < ncpu; c++)
		sum += buf[c];
	return sum;
}

static void addr_str(const uint32_t a[4], int family, char *out, size_t n)
{
	if (family == 6)
		inet_ntop(AF_INET6, a, out, (socklen_t)n);
	else
		inet_ntop(AF_INET, a, out, (socklen_t)n);
}

/* Drop reasons by name, from the kernel's BTF (enum skb_drop_reason). */
static const char *drop_reason_name(uint32_t v, char *buf, size_t n)
{
	static struct btf *btf;
	static int tried;
	if (!tried) {
		tried = 1;
		btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(btf))
			btf = NULL;
	}
	int id = btf ? btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM) : -1;
	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, (uint32_t)id);
		const struct btf_enum *e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++, e++)
			if ((uint32_t)e->val == v) {
				const char *name = btf__name_by_offset(btf, e->name_off);
				if (!strncmp(name, "SKB_DROP_REASON_", 16))
					name += 16;
				snprintf(buf, n, "%s", name);
				return buf;
			}
	}
	snprintf(buf, n, "reason%u", v);
	return buf;
}

/* A kernel code address as function+offset, from /proc/kallsyms. */
static const char *ksym_name(uint64_t addr, char *buf, size_t n)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	uint64_t best = 0;
	char bestname[128] = "", line[512];
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char type, name[128];
		if (sscanf(line, "%llx %c %127s", &a, &type, name) != 3 || (type != 't' && type != 'T'))
			continue;
		if (a <= addr && a > best) {
			best = a;
			snprintf(bestname, sizeof(bestname), "%s", name);
		}
	}
	if (f)
		fclose(f);
	if (best && bestname[0])
		snprintf(buf, n, "%s+0x%llx", bestname, (unsigned long long)(addr - best));
	else
		snprintf(buf, n, "0x%llx", (unsigned long long)addr);
	return buf;
}

static char *render_key(const struct vnt_plan *p, const struct vnt_plan_key *k, const uint8_t *key)
{
	char buf[256], a[64], b[64], pb[16];
	const uint8_t *f = key + k->off;
	uint32_t u;
	memcpy(&u, f, sizeof(u));
	switch (k->field) {
	case KF_HOP:
		snprintf(buf, sizeof(buf), "%s", u < (uint32_t)p->nhops ? p->hops[u].name : "?");
		break;
	case KF_DEV: {
		uint32_t ns;
		memcpy(&ns, f + 4, sizeof(ns));
		vnt_dev_name(u, ns, buf, sizeof(buf));
		break;
	}
	case KF_NETNS:
		vnt_netns_label(u, buf, sizeof(buf));
		break;
	case KF_COMM:
		snprintf(buf, sizeof(buf), "%.16s", (const char *)f);
		break;
	case KF_FLOW: {
		struct vnt_flow fl;
		memcpy(&fl, f, sizeof(fl));
		if (!fl.family) {
			snprintf(buf, sizeof(buf), "(not IP)");
			break;
		}
		addr_str(fl.saddr, fl.family, a, sizeof(a));
		addr_str(fl.daddr, fl.family, b, sizeof(b));
		vnt_flow_name(buf, sizeof(buf), a, b, fl.sport, fl.dport, fl.proto);
		break;
	}
	case KF_SADDR: case KF_DADDR: {
		uint32_t ad[4];
		memcpy(ad, f, 16);
		/* Without the family, an address with only the first word set is IPv4. */
		addr_str(ad, ad[1] || ad[2] || ad[3] ? 6 : 4, buf, sizeof(buf));
		break;
	}
	case KF_PROTO:
		snprintf(buf, sizeof(buf), "%s", vnt_proto_name(u, pb, sizeof(pb)));
		break;
	case KF_REASON:
		drop_reason_name(u, buf, sizeof(buf));
		break;
	case KF_LOCATION: {
		uint32_t hi;
		memcpy(&hi, f + 4, sizeof(hi));
		ksym_name((uint64_t)hi << 32 | u, buf, sizeof(buf));
		break;
	}
	default:
		snprintf(buf, sizeof(buf), "%u", u);
		break;
	}
	return vnt_xstrdup(buf);
}

static int64_t row_value(const struct vnt_snap_aggr *g, const struct vnt_snap_row *r)
{
	switch (g->scalar) {
	case SC_SUM: return (int64_t)r->sum;
	case SC_MIN: return r->min;
	case SC_MAX: return r->max;
	case SC_AVG: return r->count ? (int64_t)(r->sum / r->count) : 0;
	default: return (int64_t)r->count;
	}
}

static const struct vnt_snap_aggr *sort_agg;
static int row_cmp(const void *x, const void *y)
{
	const struct vnt_snap_row *a = x, *b = y;
	if (sort_agg->path_order && a->order != b->order)
		return a->order < b->order ? -1 : 1;
	if (sort_agg->shape == AS_SCALAR) {
		int64_t va = row_value(sort_agg, a), vb = row_value(sort_agg, b);
		if (va != vb)
			return va < vb ? 1 : -1;
	}
	for (int i = 0; i < sort_agg->nkeys; i++) {
		int c = strcmp(a->keys[i], b->keys[i]);
		if (c)
			return c;
	}
	return 0;
}

/* Add ncpu values, `stride` bytes apart, to the row: by the value's
 * layout in the kernel (compiler/aggshape.h). */
static void merge_value(const struct vnt_plan_agg *pa, struct vnt_snap_row *row, const uint8_t *vals, int ncpu,
			size_t stride)
{
	if (pa->kind->value != AV_SCALAR) {
		if (!row->slots)
			row->slots = vnt_xcalloc((size_t)pa->nslots, sizeof(uint64_t));
		for (int c = 0; c < ncpu; c++) {
			const uint64_t *s = (const uint64_t *)(vals + stride * (size_t)c);
			for (int i = 0; i < pa->nslots; i++) {
				row->slots[i] += s[i];
				row->count += s[i];
			}
			if (pa->kind->value == AV_LOGLIN) {   /* struct vnt_pval: then the sum and the maximum */
				row->sum += s[pa->nslots];
				if ((int64_t)s[pa->nslots + 1] > row->max)
					row->max = (int64_t)s[pa->nslots + 1];
			}
		}
		return;
	}
	for (int c = 0; c < ncpu; c++) {
		struct vnt_sval v;
		memcpy(&v, vals + stride * (size_t)c, sizeof(v));
		if (!v.count)
			continue;
		if (!row->count || v.min < row->min)
			row->min = v.min;
		if (!row->count || v.max > row->max)
			row->max = v.max;
		row->count += v.count;
		row->sum += v.sum;
	}
}

/* Percentiles of the merged log-linear slots; the slots are then let go
 * (the outputs show the quantiles). */
static void quantiles(struct vnt_snap_row *r)
{
	static const double q[4] = { 0.50, 0.90, 0.99, 0.999 };
	for (int i = 0; i < 4 && r->count; i++)
		r->q[i] = (double)vnt_ll_percentile(r->slots, r->count, q[i], (uint64_t)r->max);
	r->mean = r->count ? (double)r->sum / (double)r->count : 0;
	free(r->slots);
	r->slots = NULL;
}

/* Rows by their raw key, to add the front cache's entries to the rows of
 * the hash map's (open addressing; idx holds row + 1, 0 is empty). */
struct rows_by_key {
	size_t ksz;
	uint8_t *keys;          /* row i's raw key at i * ksz */
	int *idx;
	size_t cap, rows_cap;   /* idx slots; rows the keys and g->rows have room for */
};

static size_t key_hash(const uint8_t *k, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;      /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 0x100000001b3ULL;
	return (size_t)h;
}

static int rows_find(const struct rows_by_key *rk, const uint8_t *key)
{
	if (!rk->cap)
		return -1;
	for (size_t i = key_hash(key, rk->ksz) & (rk->cap - 1);; i = (i + 1) & (rk->cap - 1)) {
		int r = rk->idx[i] - 1;
		if (r < 0 || !memcmp(rk->keys + (size_t)r * rk->ksz, key, rk->ksz))
			return r;
	}
}

static void rows_index(struct rows_by_key *rk, int row)
{
	size_t i = key_hash(rk->keys + (size_t)row * rk->ksz, rk->ksz) & (rk->cap - 1);
	while (rk->idx[i])
		i = (i + 1) & (rk->cap - 1);
	rk->idx[i] = row + 1;
}

/* A new, empty row for this raw key, its key columns rendered. */
static struct vnt_snap_row *new_row(const struct vnt_plan *p, const struct vnt_plan_agg *pa, struct vnt_snap_aggr *g,
				    struct rows_by_key *rk, const uint8_t *key)
{
	if ((size_t)g->nrows == rk->rows_cap) {
		rk->rows_cap = rk->rows_cap ? rk->rows_cap * 2 : 16;
		g->rows = vnt_xrealloc(g->rows, sizeof(*g->rows) * rk->rows_cap);
		rk->keys = vnt_xrealloc(rk->keys, rk->ksz * rk->rows_cap);
	}
	if ((size_t)(g->nrows + 1) * 2 > rk->cap) {
		free(rk->idx);
		rk->cap = rk->cap ? rk->cap * 2 : 64;
		rk->idx = vnt_xcalloc(rk->cap, sizeof(int));
		for (int i = 0; i < g->nrows; i++)
			rows_index(rk, i);
	}
	int n = g->nrows++;
	memcpy(rk->keys + (size_t)n * rk->ksz, key, rk->ksz);
	rows_index(rk, n);
	struct vnt_snap_row *r = &g->rows[n];
	memset(r, 0, sizeof(*r));
	r->keys = vnt_xcalloc((size_t)pa->nkeys, sizeof(char *));
	for (int i = 0; i < pa->nkeys; i++)
		r->keys[i] = render_key(p, &pa->keys[i], key);
	if (pa->nkeys && pa->keys[0].field == KF_HOP) {
		uint32_t hop;
		memcpy(&hop, key + pa->keys[0].off, sizeof(hop));
		r->order = hop;   /* hop ids follow the script, and the path */
	}
	return r;
}

/* The keyed aggregation's front cache (compiler/codegen.c,
 * emit_agg_cache): per CPU, slots of {used, key, value}. A key may be in
 * several CPUs' caches and in the hash map: its row adds them all up.
 * Objects from before the cache have no such map. */
static void read_agg_cache(struct vnt_session *s, const struct vnt_plan_agg *pa, struct vnt_snap_aggr *g, int ncpu,
			   struct rows_by_key *rk)
{
	char name[32];
	snprintf(name, sizeof(name), "vnt_aggc_%d", pa->id);
	struct bpf_map *m = bpf_object__find_map_by_name(vnt_session_object(s), name);
	size_t voff = VNT_AGGC_VALUE_OFF(pa->key_size), esz = voff + pa->value_size;
	if (!m || bpf_map__value_size(m) != esz)
		return;
	int fd = bpf_map__fd(m);
	size_t stride = (esz + 7) & ~(size_t)7;
	uint8_t *buf = vnt_xcalloc((size_t)ncpu, stride);
	for (uint32_t slot = 0; slot < bpf_map__max_entries(m); slot++) {
		if (bpf_map_lookup_elem(fd, &slot, buf))
			continue;
		for (int c = 0; c < ncpu; c++) {
			const uint8_t *e = buf + stride * (size_t)c;
			uint32_t used;
			memcpy(&used, e, sizeof(used));
			if (!used)
				continue;
			int r = rows_find(rk, e + 4);
			struct vnt_snap_row *row = r >= 0 ? &g->rows[r] : new_row(vnt_session_plan(s), pa, g, rk, e + 4);
			merge_value(pa, row, e + voff, 1, stride);
		}
	}
	free(buf);
}

static void read_agg(struct vnt_session *s, const struct vnt_plan_agg *pa, struct vnt_snap_aggr *g, int ncpu)
{
	const struct vnt_plan *p = vnt_session_plan(s);
	g->title = pa->title;
	g->kind = pa->kind->sig.name;
	g->shape = pa->kind->shape;
	g->scalar = pa->scalar;
	g->top = pa->top;
	g->value = pa->value_text;
	g->unit = pa->src == VS_LATENCY ? "ns" : pa->src == VS_LEN ? "bytes" : "";
	g->nkeys = pa->nkeys;
	g->key_names = vnt_xcalloc((size_t)(pa->nkeys ? pa->nkeys : 1), sizeof(char *));
	for (int i = 0; i < pa->nkeys; i++)
		g->key_names[i] = vnt_keyfield_name(pa->keys[i].field);
	g->nslots = pa->nslots;
	g->path_order = pa->nkeys && pa->keys[0].field == KF_HOP && !pa->top;   /* top ranks, whatever the keys */
	g->lmin = pa->lmin;
	g->lmax = pa->lmax;
	g->lstep = pa->lstep;
	struct bpf_map *m = bpf_object__find_map_by_name(vnt_session_object(s), pa->map);
	int fd = m ? bpf_map__fd(m) : -1;
	if (fd < 0)
		return;
	/* Keyed maps are shared by all CPUs (one value per key); packages
	 * built before that had per-CPU ones. */
	int nval = bpf_map__type(m) == BPF_MAP_TYPE_HASH ? 1 : ncpu;
	size_t stride = (pa->value_size + 7) & ~7u;
	uint8_t *vals = vnt_xcalloc((size_t)ncpu, stride);
	uint8_t *key = vnt_xcalloc(1, pa->key_size), *next = vnt_xcalloc(1, pa->key_size);
	if (!pa->nkeys) {
		uint32_t z = 0;
		if (!bpf_map_lookup_elem(fd, &z, vals)) {
			struct vnt_snap_row r = { 0 };
			merge_value(pa, &r, vals, ncpu, stride);
			if (r.count) {
				g->rows = vnt_xcalloc(1, sizeof(*g->rows));
				r.keys = vnt_xcalloc(1, sizeof(char *));
				g->rows[g->nrows++] = r;
			} else {
				free(r.slots);
			}
		}
	} else {
		struct rows_by_key rk = { .ksz = pa->key_size };
		const void *prev = NULL;
		while (bpf_map_get_next_key(fd, prev, next) == 0) {
			memcpy(key, next, pa->key_size);
			prev = key;
			if (bpf_map_lookup_elem(fd, key, vals))
				continue;   /* deleted meanwhile */
			merge_value(pa, new_row(p, pa, g, &rk, key), vals, nval, stride);
		}
		read_agg_cache(s, pa, g, ncpu, &rk);
		free(rk.keys);
		free(rk.idx);
	}
	free(vals);
	free(key);
	free(next);
	if (g->shape == AS_QUANTILES)
		for (int i = 0; i < g->nrows; i++)
			quantiles(&g->rows[i]);
	sort_agg = g;
	if (g->nrows > 1)
		qsort(g->rows, (size_t)g->nrows, sizeof(*g->rows), row_cmp);
	g->keys_total = (uint64_t)g->nrows;
	/* top(N): the N largest rows (sorted above, largest first). */
	for (; g->top && (uint32_t)g->nrows > g->top; g->nrows--) {
		struct vnt_snap_row *r = &g->rows[g->nrows - 1];
		for (int k = 0; k < g->nkeys; k++)
			free(r->keys[k]);
		free(r->keys);
		free(r->slots);
	}
}

static int drop_cmp(const void *x, const void *y)
{
	const struct vnt_snap_drop *a = x, *b = y;
	return a->count != b->count ? (a->count < b->count ? 1 : -1) : strcmp(a->reason, b->reason);
}

/* Drops charged to the segments of trace t (bpf-templates/vnt_breakdown.h,
 * vnt_bd_drops): per segment, by reason and location. */
static void read_drops(struct vnt_session *s, const struct vnt_plan_trace *t, struct vnt_snapshot *snap)
{
	int fd = map_fd(s, "vnt_bd_drops");
	struct vnt_bd_drop_key key, next;
	const void *prev = NULL;
	while (fd >= 0 && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		uint64_t n;
		if (bpf_map_lookup_elem(fd, &key, &n) || !n)
			continue;
		if ((int)key.seg < t->first_hop || (int)key.seg >= t->first_hop + t->nhops)
			continue;   /* another trace's */
		const char *from = vnt_session_plan(s)->hops[key.seg].name;
		for (int i = 0; i < snap->nseg; i++) {
			struct vnt_snap_segment *g = &snap->seg[i];
			if (strcmp(g->from, from))
				continue;
			g->drops = vnt_xrealloc(g->drops, sizeof(*g->drops) * (size_t)(g->ndrops + 1));
			char rb[64], lb[160];
			struct vnt_snap_drop *dr = &g->drops[g->ndrops++];
			dr->reason = vnt_xstrdup(drop_reason_name(key.reason, rb, sizeof(rb)));
			dr->location = vnt_xstrdup(key.location ? ksym_name(key.location, lb, sizeof(lb)) : "");
			dr->count = n;
			break;
		}
	}
	for (int i = 0; i < snap->nseg; i++)
		if (snap->seg[i].ndrops > 1)
			qsort(snap->seg[i].drops, (size_t)snap->seg[i].ndrops, sizeof(struct vnt_snap_drop), drop_cmp);
}

static void read_breakdown(struct vnt_session *s, const struct vnt_plan_trace *t, struct vnt_snapshot *snap,
			   int ncpu, uint64_t *buf)
{
	const struct vnt_plan *p = vnt_session_plan(s);
	int seen = map_fd(s, "vnt_bd_seen"), hist = map_fd(s, "vnt_bd_hist"), sum = map_fd(s, "vnt_bd_sum");
	snap->seg = vnt_xcalloc((size_t)t->nhops, sizeof(*snap->seg));
	uint64_t *b = vnt_xcalloc(VNT_LL_SLOTS, sizeof(uint64_t));
	int npath = vnt_plan_path_hops(p, t);   /* the drop hops after them are no segments */
	for (int i = 0; i + 1 < npath; i++) {
		int h = t->first_hop + i;
		/* A packet and a task cannot be matched: no segment between them. */
		if ((p->hops[h].task_arg >= 0) != (p->hops[h + 1].task_arg >= 0))
			continue;
		struct vnt_snap_segment *g = &snap->seg[snap->nseg++];
		g->from = p->hops[h].name;
		g->to = p->hops[h + 1].name;
		g->entered = percpu_u64(seen, (uint32_t)h, ncpu, buf);
		g->reached = percpu_u64(seen, (uint32_t)h + 1, ncpu, buf);
		memset(b, 0, VNT_LL_SLOTS * sizeof(uint64_t));
		for (int k = 0; k < VNT_LL_SLOTS; k++) {
			b[k] = percpu_u64(hist, (uint32_t)(h * VNT_LL_SLOTS + k), ncpu, buf);
			g->count += b[k];
		}
		uint64_t total = percpu_u64(sum, (uint32_t)VNT_BD_SUM(h), ncpu, buf);
		uint32_t mk = (uint32_t)VNT_BD_MAX(h);
		if (sum >= 0 && !bpf_map_lookup_elem(sum, &mk, buf))
			for (int c = 0; c < ncpu; c++)
				if (buf[c] > g->max)
					g->max = buf[c];
		if (g->count) {
			g->mean = (double)total / (double)g->count;
			g->p50 = vnt_ll_percentile(b, g->count, 0.50, g->max);
			g->p90 = vnt_ll_percentile(b, g->count, 0.90, g->max);
			g->p99 = vnt_ll_percentile(b, g->count, 0.99, g->max);
			g->p999 = vnt_ll_percentile(b, g->count, 0.999, g->max);
		}
	}
	free(b);
	read_drops(s, t, snap);
	snap->drops_unplaced = percpu_u64(map_fd(s, "vnt_bd_drops_full"), 0, ncpu, buf);
}

int vnt_session_snapshot(struct vnt_session *s, int trace, struct vnt_snapshot *snap)
{
	const struct vnt_plan *p = vnt_session_plan(s);
	if (trace < 0 || trace >= p->ntraces)
		return -EINVAL;
	const struct vnt_plan_trace *t = &p->traces[trace];
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return -EINVAL;
	memset(snap, 0, sizeof(*snap));
	snap->trace = t->name;
	snap->script = p->script;
	snap->sample_n = t->sample_n ? t->sample_n : 1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snap->timestamp = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	uint64_t *buf = vnt_xcalloc((size_t)ncpu, sizeof(uint64_t));
	int hits = map_fd(s, "vnt_hop_hits"), lat = map_fd(s, "vnt_lat_stats");
	int refused = map_fd(s, "vnt_agg_refused"), full = refused < 0 ? map_fd(s, "vnt_map_full") : -1;
	snap->nhops = t->nhops;
	snap->hop_names = vnt_xcalloc((size_t)(t->nhops ? t->nhops : 1), sizeof(char *));
	snap->hop_hits = vnt_xcalloc((size_t)(t->nhops ? t->nhops : 1), sizeof(uint64_t));
	for (int i = 0; i < t->nhops; i++) {
		int id = t->first_hop + i;
		snap->hop_names[i] = p->hops[id].name;
		snap->hop_hits[i] = percpu_u64(hits, (uint32_t)id, ncpu, buf);
		snap->hop_events_total += snap->hop_hits[i];
	}
	snap->lat = vnt_xcalloc((size_t)(p->nlat ? p->nlat : 1), sizeof(*snap->lat));
	for (int i = 0; i < p->nlat; i++) {
		const struct vnt_plan_lat *l = &p->lat[i];
		if (p->hops[l->from].trace != trace)
			continue;
		struct vnt_snap_latency *sl = &snap->lat[snap->nlat++];
		sl->from = p->hops[l->from].name;
		sl->to = p->hops[l->to].name;
		sl->started = percpu_u64(lat, (uint32_t)i * 4 + VNT_LAT_STARTED, ncpu, buf);
		sl->matched = percpu_u64(lat, (uint32_t)i * 4 + VNT_LAT_MATCHED, ncpu, buf);
		sl->unmatched = percpu_u64(lat, (uint32_t)i * 4 + VNT_LAT_UNMATCHED, ncpu, buf);
		sl->displaced = percpu_u64(lat, (uint32_t)i * 4 + VNT_LAT_DISPLACED, ncpu, buf);
	}
	snap->aggs = vnt_xcalloc((size_t)(p->naggs ? p->naggs : 1), sizeof(*snap->aggs));
	for (int i = 0; i < p->naggs; i++) {
		if (p->aggs[i].trace != trace)
			continue;
		struct vnt_snap_aggr *g = &snap->aggs[snap->naggs++];
		read_agg(s, &p->aggs[i], g, ncpu);
		uint32_t id = (uint32_t)p->aggs[i].id;
		if (refused >= 0) {
			g->map_full = percpu_u64(refused, id * 4 + VNT_REFUSED_FULL, ncpu, buf);
			g->no_memory = percpu_u64(refused, id * 4 + VNT_REFUSED_NOMEM, ncpu, buf);
			g->refused = percpu_u64(refused, id * 4 + VNT_REFUSED_OTHER, ncpu, buf);
		} else {
			g->map_full = percpu_u64(full, id, ncpu, buf);   /* older packages: every refusal */
		}
	}
	if (t->breakdown)
		read_breakdown(s, t, snap, ncpu, buf);
	if (t->events) {
		snap->lost_events = percpu_u64(map_fd(s, "vnt_events_lost"), 0, ncpu, buf);
		snap->events = vnt_session_events_delivered(s);
	}
	free(buf);
	return 0;
}
