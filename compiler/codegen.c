/* C emission: the plan plus the filters become one eBPF C file that
 * includes bpf-templates/vnt_common.h and instantiates one hop template
 * per hop. Only the script-specific parts are printed here: constants,
 * key structs, maps, the filter expressions and each hop's body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "compiler/codegen.h"
#include "compiler/filter_gen.h"
#include "compiler/hopkind.h"
#include "lib/strbuf.h"

struct cg {
	struct vnt_plan *pl;
	struct vnt_diag *d;
	struct strbuf out;
	bool need_netns, need_mark, need_flow;
	bool packet_filter;     /* some hop filters on packet bytes (VXLAN inner ones too) */
	bool arbitrary_loads;   /* a filter reads proto[off] bytes: copy everything at once */
	/* parameter bindings of the hop whose filter is being emitted */
	const struct vnt_hop *hop;
};

/* ---- filters ---- */

/* The device table's slot for name, added on first use with where the
 * script names it (loc, may be NULL), for the running host's errors. */
static int dev_slot(struct cg *c, const char *name, const struct vnt_loc *loc)
{
	for (int i = 0; i < c->pl->ndevs; i++)
		if (!strcmp(c->pl->devs[i].name, name))
			return i;
	if (c->pl->ndevs == VNT_MAX_DEVS)
		return -1;
	struct vnt_plan_dev *d = &c->pl->devs[c->pl->ndevs];
	d->name = vnt_xstrdup(name);
	if (loc && loc->src) {
		char where[512];
		/* "-END": the column after it, when it is on one line */
		int n = snprintf(where, sizeof(where), "%s:%d:%d", loc->src->path, loc->line, loc->col);
		if (loc->end_line == loc->line && loc->end_col > loc->col && n > 0 && (size_t)n < sizeof(where))
			snprintf(where + n, sizeof(where) - (size_t)n, "-%d", loc->end_col);
		d->srcloc = vnt_xstrdup(where);
	}
	return c->pl->ndevs++;
}

/* Where the value of parameter `name` of the hop being emitted is
 * written: the call's argument, in the user's script. */
static const struct vnt_loc *param_loc(const struct cg *c, const char *name)
{
	const struct vnt_hop *h = c->hop;
	if (!h || !h->def)
		return NULL;
	for (int i = 0; i < h->def->nparams; i++) {
		if (strcmp(h->def->params[i], name))
			continue;
		const struct vnt_arg *a = h->args;
		for (int k = 0; a && k < i; k++)
			a = a->next;
		return a ? &a->loc : NULL;
	}
	return NULL;
}

static const char *param_value(struct vnt_filter_env *env, const char *name, uint64_t *num)
{
	struct cg *c = env->priv;
	const struct vnt_hop *h = c->hop;
	if (!h || !h->def)
		return NULL;
	for (int i = 0; i < h->def->nparams; i++) {
		if (strcmp(h->def->params[i], name))
			continue;
		const struct vnt_arg *a = h->args;
		for (int k = 0; a && k < i; k++)
			a = a->next;
		if (!a)
			return NULL;
		if (num)
			*num = a->num;
		return a->kind == L_STR ? a->str : "";
	}
	return NULL;
}

static int emit_ctx(struct vnt_filter_env *env, const struct vnt_fexpr *f, struct strbuf *out)
{
	struct cg *c = env->priv;
	const char *s = f->str;
	uint64_t num = f->num;
	if (f->param) {
		s = param_value(env, f->param, &num);
		if (!s) {
			vnt_error(c->d, &f->loc, NULL, "parameter '%s' has no value here", f->param);
			return -1;
		}
		if (!*s)
			s = NULL;
	}
	switch (f->ctx) {
	case C_DEV: {
		if (!s) {
			vnt_error(c->d, &f->loc, "a device is named by a string such as \"eth0\" or \"ns1/veth0\"",
				  "device name expected");
			return -1;
		}
		if (!strcmp(s, "*")) {
			sb_puts(out, "1");
			return 0;
		}
		const struct vnt_loc *at = f->param ? param_loc(c, f->param) : &f->loc;
		int k = dev_slot(c, s, at ? at : &f->loc);
		if (k < 0) {
			vnt_error(c->d, &f->loc, NULL, "too many device names: at most %d", VNT_MAX_DEVS);
			return -1;
		}
		c->need_netns = true;
		sb_printf(out, "(ev->ifindex == vnt_dev_ifindex[%d] && ev->netns == vnt_dev_netns[%d])", k, k);
		return 0;
	}
	case C_NETNS:
		c->need_netns = true;
		if (s) {
			char name[300];
			snprintf(name, sizeof(name), "%s/", s);   /* a namespace without a device */
			int k = dev_slot(c, name, &f->loc);
			if (k < 0)
				return -1;
			sb_printf(out, "(ev->netns == vnt_dev_netns[%d])", k);
		} else {
			sb_printf(out, "(ev->netns == %lluU)", (unsigned long long)num);
		}
		return 0;
	case C_IFINDEX:
		sb_printf(out, "(ev->ifindex == %lluU)", (unsigned long long)num);
		return 0;
	case C_CPU:
		sb_printf(out, "(bpf_get_smp_processor_id() == %lluU)", (unsigned long long)num);
		return 0;
	case C_PID:
		if (s) {
			vnt_error(c->d, &f->loc, "pass the process ID as a number, e.g. 1234", "pid \"%s\" is not a number", s);
			return -1;
		}
		sb_printf(out, "(vnt_ev_pid(ev) == %lluU)", (unsigned long long)num);
		return 0;
	case C_MARK:
		c->need_mark = true;
		sb_printf(out, "(ev->mark == %lluU)", (unsigned long long)num);
		return 0;
	case C_COMM: {
		if (s && !strcmp(s, "*")) {
			sb_puts(out, "1");
			return 0;
		}
		/* "NAME*": every command name that starts with NAME (QEMU's
		 * vCPU threads are "CPU 0/TCG", "CPU 1/KVM", ...). */
		size_t n = strlen(s ? s : "");
		bool prefix = n > 1 && s[n - 1] == '*';
		sb_puts(out, prefix ? "vnt_comm_prefix(ev, \"" : "vnt_comm_eq(ev, \"");
		for (size_t i = 0; i < n - prefix; i++)
			sb_printf(out, "\\x%02x", (unsigned char)s[i]);
		sb_printf(out, "\", %zu)", n - prefix);
		return 0;
	}
	}
	return -1;
}

static bool aexpr_loads(const struct vnt_aexpr *a)
{
	return a && (a->op == A_LOAD || aexpr_loads(a->l) || aexpr_loads(a->r));
}

static bool has_loads(const struct vnt_fexpr *f)
{
	if (!f)
		return false;
	if (f->kind == F_REF)
		return has_loads(f->target);
	return aexpr_loads(f->al) || aexpr_loads(f->ar) || has_loads(f->l) || has_loads(f->r);
}

/* Split f into its top-level conjuncts, looking through named filters. */
static void conjuncts(const struct vnt_fexpr *f, const struct vnt_fexpr **v, int *n, int max)
{
	if (!f)
		return;
	if (f->kind == F_AND) {
		conjuncts(f->l, v, n, max);
		conjuncts(f->r, v, n, max);
	} else if (f->kind == F_REF && f->target) {
		conjuncts(f->target, v, n, max);
	} else if (*n < max) {
		v[(*n)++] = f;
	}
}

/* Build an AND of the given conjuncts out of temporary nodes. */
static struct vnt_fexpr *and_of(const struct vnt_fexpr **v, int n, struct vnt_fexpr **tmp, int *ntmp)
{
	if (!n)
		return NULL;
	struct vnt_fexpr *acc = (struct vnt_fexpr *)v[0];
	for (int i = 1; i < n; i++) {
		struct vnt_fexpr *a = vnt_fexpr_new(F_AND, v[i]->loc);
		a->l = acc;
		a->r = (struct vnt_fexpr *)v[i];
		tmp[(*ntmp)++] = a;
		acc = a;
	}
	return acc;
}

static int emit_filter_fn(struct cg *c, const char *name, const struct vnt_fexpr *f)
{
	struct vnt_filter_env env = { .diag = c->d, .emit_ctx = emit_ctx, .param_value = param_value, .priv = c };
	if (!f) {
		sb_printf(&c->out, "static __always_inline int %s(struct vnt_pkt *p, const struct vnt_ev *ev)\n{\n\treturn 1;\n}\n\n", name);
		return 0;
	}
	return vnt_filter_gen(&c->out, name, f, &env);
}

/* vnt_quick_ID, for BTF-typed skb hops: the device test alone, before the
 * event is even set up, when the hop's context filter has a conjunct
 * naming one device. A busy tracepoint fires for every device's packets;
 * those of other devices are turned away with two loads instead of the
 * whole event setup (the full test, netns included, stays in vnt_pre_ID). */
static void emit_quick(struct cg *c, const struct vnt_hop *h, const struct vnt_fexpr *const *ctx, int nc)
{
	if (!vnt_plan_hop_btf_skb(&c->pl->hops[h->id]))   /* only their program calls it */
		return;
	struct vnt_filter_env env = { .priv = c };
	int k = -1;
	for (int i = 0; i < nc && k < 0; i++) {
		const struct vnt_fexpr *f = ctx[i];
		if (f->kind != F_CTX || f->ctx != C_DEV)
			continue;
		const char *s = f->param ? param_value(&env, f->param, NULL) : f->str;
		if (s && *s && strcmp(s, "*"))
			k = dev_slot(c, s, f->param ? param_loc(c, f->param) : &f->loc);
	}
	sb_printf(&c->out, "static __always_inline int vnt_quick_%d(struct sk_buff *skb)\n{\n", h->id);
	if (k < 0)
		sb_puts(&c->out, "\t(void)skb;\n\treturn 1;\n}\n\n");
	else
		sb_printf(&c->out, "\tstruct net_device *d = skb->dev;\n"
			  "\treturn d && d->ifindex == vnt_dev_ifindex[%d];\n}\n\n", k);
}

/* Hop filter = the hop point's own `where` and its trace's `where`; the
 * context-only conjuncts become vnt_pre_ID (run before the packet is
 * copied), the rest vnt_pf_ID, which by default also accepts a VXLAN
 * packet whose inner packet matches. */
static int emit_hop_filters(struct cg *c, const struct vnt_hop *h, const struct vnt_trace *t)
{
	/* Conjuncts of the hop point's own `where` [0] and of the trace's [1]:
	 * each side gets the default layer rule on its own, so a hop point
	 * that says outer(...) does not take the inner match from the trace. */
	const struct vnt_fexpr *all[2][64], *ctx[128], *pkt[2][64];
	int n[2] = { 0, 0 }, nc = 0, np[2] = { 0, 0 };
	if (h->def)
		conjuncts(h->def->where, all[0], &n[0], 64);
	conjuncts(t->where, all[1], &n[1], 64);
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < n[s]; i++) {
			if (vnt_filter_needs_packet(all[s][i]))
				pkt[s][np[s]++] = all[s][i];
			else
				ctx[nc++] = all[s][i];
		}
	struct vnt_fexpr *tmp[256];
	int ntmp = 0, rc = 0;
	c->hop = h;
	/* The device the hop's filter names, for people (vnt inspect). */
	struct vnt_plan_hop *ph = &c->pl->hops[h->id];
	for (int i = 0; i < nc && !ph->filter_dev; i++) {
		const struct vnt_fexpr *f = ctx[i];
		struct vnt_filter_env env = { .priv = c };
		const char *s = f->kind == F_CTX && f->ctx == C_DEV ? (f->param ? param_value(&env, f->param, NULL) : f->str) : NULL;
		if (s && *s && strcmp(s, "*"))
			ph->filter_dev = vnt_xstrdup(s);
	}
	char name[48];
	emit_quick(c, h, ctx, nc);
	snprintf(name, sizeof(name), "vnt_pre_%d", h->id);
	rc |= emit_filter_fn(c, name, and_of(ctx, nc, tmp, &ntmp));
	struct vnt_filter_env env = { .diag = c->d, .emit_ctx = emit_ctx, .param_value = param_value, .priv = c };
	static const char *const side[2] = { "h", "t" };
	for (int s = 0; s < 2; s++) {
		snprintf(name, sizeof(name), "vnt_pf%s_%d", side[s], h->id);
		struct vnt_fexpr *pf = and_of(pkt[s], np[s], tmp, &ntmp);
		c->arbitrary_loads |= has_loads(pf);
		rc |= vnt_filter_gen_top(&c->out, name, pf, &env);
		if (pf)
			c->packet_filter = true;
	}
	sb_printf(&c->out, "static __always_inline int vnt_pf_%d(struct vnt_pkt *p, const struct vnt_ev *ev)\n{\n"
		  "\treturn vnt_pfh_%d(p, ev) && vnt_pft_%d(p, ev);\n}\n\n", h->id, h->id, h->id);
	for (int i = 0; i < ntmp; i++) {
		tmp[i]->l = tmp[i]->r = NULL;
		vnt_fexpr_free(tmp[i]);
	}
	c->hop = NULL;
	return rc ? -1 : 0;
}

/* ---- aggregations ---- */

static const char *key_decl(enum vnt_keyfield f)
{
	switch (f) {
	case KF_DEV: return "__u32 dev[2];";
	case KF_LOCATION: return "__u32 location[2];";
	case KF_COMM: return "char comm[16];";
	case KF_FLOW: return "struct vnt_flow flow;";
	case KF_SADDR: return "__u32 saddr[4];";
	case KF_DADDR: return "__u32 daddr[4];";
	default: return NULL;
	}
}

static void emit_key_fill(struct cg *c, const struct vnt_plan_key *k)
{
	struct strbuf *o = &c->out;
	const char *n = vnt_keyfield_name(k->field);
	switch (k->field) {
	case KF_HOP: sb_puts(o, "\tk.hop = ev->hop;\n"); break;
	case KF_DEV: c->need_netns = true; sb_puts(o, "\tk.dev[0] = ev->ifindex;\n\tk.dev[1] = ev->netns;\n"); break;
	case KF_IFINDEX: sb_puts(o, "\tk.ifindex = ev->ifindex;\n"); break;
	case KF_NETNS: c->need_netns = true; sb_puts(o, "\tk.netns = ev->netns;\n"); break;
	case KF_CPU: sb_puts(o, "\tk.cpu = bpf_get_smp_processor_id();\n"); break;
	case KF_PID: sb_puts(o, "\tk.pid = vnt_ev_pid(ev);\n"); break;
	case KF_COMM: sb_puts(o, "\tvnt_ev_comm(ev, k.comm);\n"); break;
	case KF_MARK: c->need_mark = true; sb_puts(o, "\tk.mark = ev->mark;\n"); break;
	case KF_LEN: sb_puts(o, "\tk.len = ev->len;\n"); break;
	case KF_FLOW: sb_puts(o, "\tif (vnt_flow_get(ev) > 0)\n\t\tk.flow = ev->flow;\n"); break;
	case KF_SADDR: case KF_DADDR:
		sb_printf(o, "\tif (vnt_flow_get(ev) > 0)\n\t\t__builtin_memcpy(k.%s, ev->flow.%s, 16);\n", n, n);
		break;
	case KF_SPORT: case KF_DPORT:
		sb_printf(o, "\tif (vnt_flow_get(ev) > 0)\n\t\tk.%s = ev->flow.%s;\n", n, n);
		break;
	case KF_PROTO: sb_puts(o, "\tif (vnt_flow_get(ev) > 0)\n\t\tk.proto = ev->flow.proto;\n"); break;
	case KF_REASON: sb_puts(o, "\tk.reason = ev->reason;\n"); break;
	case KF_LOCATION: sb_puts(o, "\tk.location[0] = (__u32)ev->location;\n\tk.location[1] = (__u32)(ev->location >> 32);\n"); break;
	default: break;
	}
	if (k->field == KF_FLOW || k->field == KF_SADDR || k->field == KF_DADDR || k->field == KF_SPORT ||
	    k->field == KF_DPORT || k->field == KF_PROTO)
		c->need_flow = true;
}

/* A keyed aggregation's front cache: a per-CPU array of a few keys with
 * their values, direct-mapped by a hash of the key, in front of the hash
 * map. The JIT inlines the array lookup; a hash map lookup hashes the
 * key with jhash and walks a bucket (measured: count by device 127 ->
 * 100 ns per event). Keys that find their slot taken by another go to
 * the hash map; the reader (runtime/loader/reader.c) adds both up. Layout, which
 * the reader relies on: used (u32) at 0, the key at 4, the value at the
 * next multiple of 8. */
/* About 32 KB per CPU: a few slots for histograms (4 for percentiles'
 * 7.8 KB values), more for scalars. */
static uint32_t vnt_aggc_slots(const struct vnt_plan_agg *a)
{
	uint32_t ent = VNT_AGGC_VALUE_OFF(a->key_size) + a->value_size, n = 4;
	while (n < 256 && n * 2 * ent <= 32768)
		n *= 2;
	return n;
}

static int vnt_log2u(uint32_t v)
{
	int r = 0;
	while (v > 1) {
		v >>= 1;
		r++;
	}
	return r;
}

static void emit_agg_cache(struct cg *c, const struct vnt_plan_agg *a, const char *vtype)
{
	struct strbuf *o = &c->out;
	sb_printf(o, "struct vnt_aggc_ent_%d {\n\t__u32 used;\n\tstruct vnt_key_%d k;\n", a->id, a->id);
	if (vtype)
		sb_printf(o, "\t%s v;\n};\n", vtype);
	else
		sb_printf(o, "\tstruct vnt_hval_%d v;\n};\n", a->id);
	sb_printf(o, "struct {\n\t__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);\n\t__uint(max_entries, %u);\n"
		  "\t__type(key, __u32);\n\t__type(value, struct vnt_aggc_ent_%d);\n} vnt_aggc_%d SEC(\".maps\");\n\n",
		  vnt_aggc_slots(a), a->id, a->id);
}

/* The update of val by v: the kind's (compiler/aggs/), plain where only
 * this CPU writes (the front cache, a per-CPU array), atomic in the shared
 * keyed map. */
static void emit_value_add(struct strbuf *o, const struct vnt_plan_agg *a, bool shared)
{
	a->kind->emit(o, a, shared);
}

static void emit_agg(struct cg *c, const struct vnt_plan_agg *a)
{
	struct strbuf *o = &c->out;
	sb_printf(o, "/* %s */\n", a->title);
	if (a->nkeys) {
		sb_printf(o, "struct vnt_key_%d {\n", a->id);
		for (int i = 0; i < a->nkeys; i++) {
			const char *decl = key_decl(a->keys[i].field);
			if (decl)
				sb_printf(o, "\t%s\n", decl);
			else
				sb_printf(o, "\t__u32 %s;\n", vnt_keyfield_name(a->keys[i].field));
		}
		sb_puts(o, "};\n");
	}
	/* The value: a struct vnt_sval or vnt_pval of vnt_common.h, or this
	 * aggregation's own array of slots. */
	enum vnt_agg_value vk = a->kind->value;
	const char *vtype = vk == AV_SCALAR ? "struct vnt_sval" : vk == AV_LOGLIN ? "struct vnt_pval" : NULL;
	if (!vtype)
		sb_printf(o, "struct vnt_hval_%d { __u64 slots[%d]; };\n", a->id, a->nslots);
	/* Keyed: one hash table for all CPUs, its size from the script
	 * (lower.c, agg_entries), preallocated when that is cheap
	 * (vnt_common.h, vnt_lookup_or_init, says why); the hot keys stay in
	 * the per-CPU front cache. */
	sb_printf(o, "struct {\n\t__uint(type, %s);\n\t__uint(max_entries, %u);\n",
		  a->nkeys ? "BPF_MAP_TYPE_HASH" : "BPF_MAP_TYPE_PERCPU_ARRAY", a->max_entries);
	if (a->nkeys && !vnt_plan_agg_prealloc(a))
		sb_puts(o, "\t__uint(map_flags, BPF_F_NO_PREALLOC);\n");
	if (a->nkeys)
		sb_printf(o, "\t__type(key, struct vnt_key_%d);\n", a->id);
	else
		sb_puts(o, "\t__type(key, __u32);\n");
	if (vtype)
		sb_printf(o, "\t__type(value, %s);\n", vtype);
	else
		sb_printf(o, "\t__type(value, struct vnt_hval_%d);\n", a->id);
	sb_printf(o, "} %s SEC(\".maps\");\n\n", a->map);
	if (a->nkeys)
		emit_agg_cache(c, a, vtype);
	/* The layout the plan (and so the reader) expects, checked by clang. */
	char vt[48];
	if (vtype)
		snprintf(vt, sizeof(vt), "%s", vtype);
	else
		snprintf(vt, sizeof(vt), "struct vnt_hval_%d", a->id);
	sb_printf(o, "_Static_assert(sizeof(%s) == %u", vt, a->value_size);
	if (a->nkeys)
		sb_printf(o, " && sizeof(struct vnt_key_%d) == %u &&\n\t       __builtin_offsetof(struct vnt_aggc_ent_%d, v) == VNT_AGGC_VALUE_OFF(%u)",
			  a->id, a->key_size, a->id, a->key_size);
	sb_printf(o, ", \"the layout of aggregation %d (vnt_abi.h)\");\n\n", a->id);

	bool scalar = vk == AV_SCALAR;
	sb_printf(o, "static __always_inline void vnt_update_%d(struct vnt_ev *ev, __s64 v)\n{\n", a->id);
	if (a->nkeys) {
		sb_printf(o, "\tstruct vnt_key_%d k;\n\t__builtin_memset(&k, 0, sizeof(k));\n", a->id);
		for (int i = 0; i < a->nkeys; i++)
			emit_key_fill(c, &a->keys[i]);
		sb_printf(o, "\tvoid *val = vnt_aggc_find(&vnt_aggc_%d, (const __u32 *)&k, sizeof(k) / 4, %d,\n"
			  "\t\t\t\t  __builtin_offsetof(struct vnt_aggc_ent_%d, v));\n",
			  a->id, 32 - vnt_log2u(vnt_aggc_slots(a)), a->id);
		sb_puts(o, "\tif (val) {\n\t\t");
		emit_value_add(o, a, false);
		sb_puts(o, "\t\treturn;\n\t}\n");
		if (scalar)
			sb_puts(o, "\tstruct vnt_sval init = VNT_SVAL_INIT;\n");
		sb_printf(o, "\tval = vnt_lookup_or_init(&%s, &k, %d, %s);\n\t", a->map, a->id,
			  scalar ? "&init" : "vnt_zero_value()");
		emit_value_add(o, a, true);
	} else {
		sb_printf(o, "\t__u32 k = 0;\n\tvoid *val = bpf_map_lookup_elem(&%s, &k);\n\t", a->map);
		emit_value_add(o, a, false);
	}
	sb_puts(o, "}\n\n");
}

static const char *value_expr(const struct vnt_plan_agg *a, char *buf, size_t n)
{
	switch (a->src) {
	case VS_NONE: return "1";
	case VS_LEN: return "(__s64)ev->len";
	case VS_CPU: return "(__s64)bpf_get_smp_processor_id()";
	case VS_PID: return "(__s64)vnt_ev_pid(ev)";
	case VS_CONST: snprintf(buf, n, "(__s64)%lluLL", (unsigned long long)a->constant); return buf;
	case VS_LATENCY:
		snprintf(buf, n, "lat_%d_%d", a->lat_from, a->lat_to);
		return buf;
	}
	return "0";
}

/* ---- hops ---- */

static void emit_hop_body(struct cg *c, const struct vnt_plan_hop *h)
{
	struct strbuf *o = &c->out;
	const struct vnt_plan_trace *t = &c->pl->traces[h->trace];
	bool has_pkt = vnt_plan_hop_has_packet(h);
	sb_printf(o, "/* hop %s = %s (%s %s) */\n", h->name, h->def, h->kind->name, h->target);
	sb_printf(o, "static __always_inline int vnt_body_%d(struct vnt_ev *ev)\n{\n", h->id);
	if (has_pkt)
		sb_printf(o, "\tif (!vnt_pf_%d(ev->p, ev))\n\t\treturn 0;\n", h->id);
	if (t->sample_n > 1) {
		/* Sample by packet identity so a packet kept at one hop is kept at all. */
		c->need_flow = true;
		sb_printf(o, "\tif (vnt_flow_get(ev) > 0 ? (__u32)((ev->fp * 0x9E3779B97F4A7C15ULL) >> 32) %% %uU\n"
			  "\t    : bpf_get_prandom_u32() %% %uU)\n\t\treturn 0;\n", t->sample_n, t->sample_n);
	}
	/* The clock only for packets the hop keeps (a helper call, ~35 ns
	 * here): the rest of the host's traffic does not pay for it. */
	sb_puts(o, "\tev->ts = vnt_now();\n");
	sb_printf(o, "\tvnt_inc(&vnt_hop_hits, %d);\n", h->id);
	bool ts = false;
	for (int i = 0; i < c->pl->nlat; i++)
		ts |= c->pl->lat[i].from == h->id || c->pl->lat[i].to == h->id;
	if (ts)
		c->need_flow = true;
	for (int i = 0; i < c->pl->nlat; i++) {
		const struct vnt_plan_lat *l = &c->pl->lat[i];
		if (l->from == h->id)
			sb_printf(o, "\tvnt_lat_begin(ev, %d);\n", i);
	}
	for (int i = 0; i < c->pl->nlat; i++) {
		const struct vnt_plan_lat *l = &c->pl->lat[i];
		if (l->to == h->id)
			sb_printf(o, "\t__s64 lat_%d_%d = vnt_lat_end(ev, %d);\n", l->from, l->to, i);
	}
	if (t->breakdown) {
		c->need_flow = true;
		int local = h->id - t->first_hop, npk = 0, npath = vnt_plan_path_hops(c->pl, t);
		for (int i = 0; i < npath; i++)
			npk += c->pl->hops[t->first_hop + i].task_arg < 0;
		if (local >= npath) {
			/* A drop hop: charged to the segment the packet died in. */
			sb_printf(o, "\tvnt_bd_drop(ev, %d, %d, %d);\n", h->trace, t->first_hop, npk);
		} else if (h->task_arg < 0) {
			sb_printf(o, "\tvnt_bd_hop(ev, %d, %d, %d, %d);\n", h->trace, t->first_hop, local, npk);
		} else {
			/* Scheduler hops: consecutive ones pair up by task identity. */
			bool prev_task = local > 0 && c->pl->hops[h->id - 1].task_arg >= 0;
			bool next_task = local + 1 < npath && c->pl->hops[h->id + 1].task_arg >= 0;
			if (prev_task)
				sb_printf(o, "\tif (lat_%d_%d >= 0) {\n\t\tvnt_bd_record(%d, lat_%d_%d);\n"
					  "\t\tvnt_inc(&vnt_bd_seen, %d);\n\t}\n", h->id - 1, h->id, h->id - 1, h->id - 1, h->id, h->id);
			if (next_task)
				sb_printf(o, "\tvnt_inc(&vnt_bd_seen, %d);\n", h->id);
		}
	}
	if (t->events) {
		c->need_flow = c->need_netns = true;
		sb_puts(o, "\tvnt_emit(ev);\n");
	}
	for (int i = 0; i < c->pl->naggs; i++) {
		const struct vnt_plan_agg *a = &c->pl->aggs[i];
		if (!(a->hop_mask & (1u << h->id)))
			continue;
		char buf[64], cond[96] = "";
		const char *v = value_expr(a, buf, sizeof(buf));
		if (a->src == VS_LATENCY)
			snprintf(cond, sizeof(cond), "%s >= 0", v);
		if (a->filter)
			snprintf(cond + strlen(cond), sizeof(cond) - strlen(cond), "%svnt_af_%d(ev->p, ev)", *cond ? " && " : "",
				 a->id);
		if (*cond)
			sb_printf(o, "\tif (%s)\n\t\tvnt_update_%d(ev, %s);\n", cond, a->id, v);
		else
			sb_printf(o, "\tvnt_update_%d(ev, %s);\n", a->id, v);
	}
	sb_puts(o, "\treturn 0;\n}\n\n");
}

/* The program of BTF skb hops (compiler/lower.c, share_programs), after
 * the last of its n hops' functions: it calls each hop of this host
 * (vnt_hop_off, set by the loader, is frozen: the verifier skips the
 * others' code). */
static int emit_shared_prog(struct cg *c, const struct vnt_plan_hop *last, int n, const char *sec, const char *arg)
{
	const struct vnt_plan *pl = c->pl;
	struct strbuf calls, names;
	sb_init(&calls);
	sb_init(&names);
	for (int i = 0; i < pl->nhops; i++) {
		if (strcmp(pl->hops[i].prog, last->prog))
			continue;
		sb_printf(&names, "%s%s", names.len ? ", " : "", pl->hops[i].name);
		sb_puts(&calls, "\tif (");
		if (n > 1)
			sb_printf(&calls, "!vnt_hop_off[%d] && ", i);
		sb_printf(&calls, "vnt_quick_%d(skb))\t/* else another device's packet */\n", i);
		sb_printf(&calls, "\t\tvnt_hopfn_%d(skb, ctx);\n", i);
	}
	const char *kv[] = { "SEC", sec, "ARG", arg, "PROG", last->prog, "NAMES", names.s, "CALLS", calls.s, NULL };
	char *text = vnt_template("hop_btf_prog.tpl", kv);
	sb_free(&calls);
	sb_free(&names);
	if (!text)
		return -1;
	sb_puts(&c->out, text);
	sb_puts(&c->out, "\n");
	free(text);
	return 0;
}

static int emit_hop_prog(struct cg *c, const struct vnt_plan_hop *h)
{
	char id[16], off[16];
	snprintf(id, sizeof(id), "%d", h->id);
	snprintf(off, sizeof(off), "%d", h->skb_field_off);
	struct vnt_hop_program hp = { .tpl = NULL };
	h->kind->program(h, &hp);   /* the kind's section and template (compiler/hops/) */
	const char *tpl = hp.tpl, *sec = hp.sec, *arg = hp.arg;
	/* Extra tracepoint arguments some keys need (kfree_skb's reason). */
	sb_printf(&c->out, "#define VNT_HOP_ARGS_%d(ev, ctx) do {", h->id);
	if (h->reason_arg >= 0)
		sb_printf(&c->out, " (ev)->reason = (__u32)(ctx)[%d];", h->reason_arg);
	if (h->location_arg >= 0)
		sb_printf(&c->out, " (ev)->location = (ctx)[%d];", h->location_arg);
	sb_puts(&c->out, " } while (0)\n");
	int members = 0, later = 0;
	for (int i = 0; i < c->pl->nhops; i++) {
		members += !strcmp(c->pl->hops[i].prog, h->prog);
		later += i > h->id && !strcmp(c->pl->hops[i].prog, h->prog);
	}
	/* Shared programs call their hops: each with its own stack frame. */
	const char *inl = members > 1 ? "__noinline" : "__always_inline";
	const char *kv[] = { "ID", id, "SEC", sec, "ARG", arg, "OFF", off, "NAME", h->name, "INLINE", inl, NULL };
	char *text = vnt_template(tpl, kv);
	if (!text)
		return -1;
	sb_puts(&c->out, text);
	sb_puts(&c->out, "\n");
	free(text);
	if (vnt_plan_hop_btf_skb(h) && !later)
		return emit_shared_prog(c, h, members, sec, arg);
	return 0;
}

static uint32_t max_value_size(const struct vnt_plan *pl)
{
	uint32_t m = 32;
	for (int i = 0; i < pl->naggs; i++)
		if (pl->aggs[i].value_size > m)
			m = pl->aggs[i].value_size;
	return m;
}

int vnt_codegen(struct vnt_program *prog, const struct vnt_codegen_opts *o, struct vnt_diag *d, char **csrc,
		struct vnt_plan **plan)
{
	struct vnt_plan *pl = vnt_lower(prog, d);
	if (!pl)
		return -1;
	bool any_events = false;
	for (int i = 0; i < pl->ntraces; i++)
		any_events |= pl->traces[i].events;
	/* Packet bytes only matter in raw records. */
	pl->snaplen = o && any_events && o->snaplen > 0 ? (uint32_t)o->snaplen : 0;
	if (pl->snaplen > VNT_PCAP_SNAP_MAX)
		pl->snaplen = VNT_PCAP_SNAP_MAX;
	struct cg c = { .pl = pl, .d = d };
	sb_init(&c.out);
	int rc = 0;
	/* The body goes first into its own buffer: what it needs decides the
	 * #defines that come before vnt_common.h. */
	for (struct vnt_trace *t = prog->main->traces; t; t = t->next)
		for (struct vnt_hop *h = t->hops; h; h = h->next)
			if (h->id < pl->nhops)
				rc |= emit_hop_filters(&c, h, t);
	/* Aggregation filters (`count() if FILTER`), in the order lower.c
	 * numbered the aggregations. */
	int ai = 0;
	for (struct vnt_trace *t = prog->main->traces; t; t = t->next)
		for (struct vnt_agg *a = t->aggs; a && ai < pl->naggs; a = a->next) {
			if (a->breakdown)
				continue;
			if (a->where) {
				struct vnt_filter_env env = { .diag = d, .emit_ctx = emit_ctx, .param_value = param_value, .priv = &c };
				char name[32];
				snprintf(name, sizeof(name), "vnt_af_%d", ai);
				c.arbitrary_loads |= has_loads(a->where);
				c.packet_filter |= vnt_filter_needs_packet(a->where);
				rc |= vnt_filter_gen_top(&c.out, name, a->where, &env);
			}
			ai++;
		}
	for (int i = 0; i < pl->naggs; i++)
		emit_agg(&c, &pl->aggs[i]);
	for (int i = 0; i < pl->nhops; i++)
		emit_hop_body(&c, &pl->hops[i]);
	for (int i = 0; i < pl->nhops && !rc; i++)
		rc |= emit_hop_prog(&c, &pl->hops[i]);
	if (rc || d->errors) {
		sb_free(&c.out);
		vnt_plan_free(pl);
		return -1;
	}
	struct strbuf head;
	sb_init(&head);
	sb_printf(&head, "/* Generated by vnt %s from %s. Do not edit: edit the script.\n"
		  " * Traces:", PACKAGE_VERSION, pl->script);
	for (int i = 0; i < pl->ntraces; i++)
		sb_printf(&head, " %s", pl->traces[i].name);
	sb_puts(&head, " */\n");
	/* A VXLAN inner packet needs the outer headers copied too; the first
	 * 64 bytes decide most packets (see vnt_headers_go_further), unless
	 * the script loads arbitrary packet bytes. */
	int snap = c.packet_filter || c.need_flow ? 192 : 128;
	int snap_first = c.arbitrary_loads ? snap : 64;
	/* Raw records with packet bytes (vnt_events.h) copy them from the
	 * scratch copy: it must hold that many at once. Only such packages
	 * pay for the longer copy. */
	int pcap_copy = (int)(pl->snaplen + 7) & ~7;
	if (snap < pcap_copy)
		snap = pcap_copy;
	if (snap_first < pcap_copy)
		snap_first = pcap_copy;
	bool need_ts = pl->nlat > 0;
	for (int i = 0; i < pl->ntraces; i++)
		need_ts |= pl->traces[i].breakdown || pl->traces[i].events;
	sb_printf(&head,
		  "#define VNT_NHOPS %d\n#define VNT_NLAT %d\n#define VNT_NAGGS %d\n#define VNT_NDEVS %d\n"
		  "#define VNT_ZERO_SIZE %u\n#define VNT_LRU_ENTRIES %u\n#define VNT_LAT_SLOTS %u\n#define VNT_SNAP %d\n"
		  "#define VNT_NEED_NETNS %d\n#define VNT_NEED_MARK %d\n#define VNT_NEED_TS %d\n#define VNT_SNAP_FIRST %d\n",
		  pl->nhops, pl->nlat ? pl->nlat : 1, pl->naggs ? pl->naggs : 1, pl->ndevs ? pl->ndevs : 1,
		  max_value_size(pl), pl->lru_entries, pl->nlat ? pl->lru_entries : 1u, snap, c.need_netns, c.need_mark, need_ts, snap_first);
	if (pl->snaplen)
		sb_printf(&head, "#define VNT_PCAP_SNAP %u\n", pl->snaplen);
	sb_puts(&head, "\n#include \"vnt_common.h\"\n#include \"vnt_latency.h\"\n");
	bool bd = false, ev = false;
	for (int i = 0; i < pl->ntraces; i++) {
		bd |= pl->traces[i].breakdown;
		ev |= pl->traces[i].events;
	}
	if (bd)
		sb_puts(&head, "#include \"vnt_breakdown.h\"\n");
	if (ev)
		sb_puts(&head, "#include \"vnt_events.h\"\n");
	sb_puts(&head, "\n");
	sb_printf(&head, "/* Devices named in filters; the loader fills in their indexes. */\n"
		  "const volatile __u32 vnt_dev_ifindex[VNT_NDEVS] = {};\n"
		  "const volatile __u32 vnt_dev_netns[VNT_NDEVS] = {};\n\n");
	sb_puts(&head, c.out.s);
	sb_free(&c.out);
	*csrc = sb_steal(&head);
	*plan = pl;
	return 0;
}
