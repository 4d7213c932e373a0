/* Lowering: the checked AST becomes a plan of hops, latency pairs and
 * aggregations with their map layouts. Hop definitions from libraries
 * are expanded here: their parameters take the arguments of the call. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/codegen.h"
#include "compiler/filter_gen.h"
#include "compiler/hopkind.h"
#include "compiler/kernel_info.h"
#include "lang/format.h"
#include "lib/strbuf.h"

/* The argument i of a hop, after parameter substitution. */
static const struct vnt_arg *hop_arg(const struct vnt_hop *h, int i)
{
	const struct vnt_arg *a;
	if (!h->def) {
		for (a = h->args; a && i; a = a->next, i--)
			;
		return a;
	}
	for (a = h->def->attach.args; a && i; a = a->next, i--)
		;
	if (!a || a->kind != L_IDENT)
		return a;
	for (int p = 0; p < h->def->nparams; p++)
		if (!strcmp(h->def->params[p], a->str)) {
			const struct vnt_arg *ca = h->args;
			for (int k = 0; ca && k < p; k++)
				ca = ca->next;
			return ca;
		}
	return NULL;
}

static bool valid_c_ident_chars(const char *s)
{
	for (; *s; s++)
		if (!(*s == '_' || *s == '/' || *s == ':' || *s == '.' || *s == '-' ||
		      (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static int lower_hop(struct vnt_plan *pl, const struct vnt_hop *h, int trace, struct vnt_diag *d)
{
	struct vnt_plan_hop *ph = &pl->hops[pl->nhops];
	const char *formname = h->def ? h->def->attach.form : h->callee;
	const struct vnt_hopkind *kind = vnt_hopkind_by_form(formname);
	const struct vnt_loc *loc = &h->callee_loc;
	if (!kind)
		return -1;   /* the checker said so */
	const struct vnt_form *form = &kind->form;
	ph->id = pl->nhops;
	ph->trace = trace;
	ph->name = vnt_xstrdup(h->name);
	struct strbuf b;
	sb_init(&b);
	sb_printf(&b, "%s%s%s", h->module ? h->module : "", h->module ? "." : "", h->callee);
	ph->def = sb_steal(&b);
	ph->kind = kind;
	ph->skb_arg = -1;
	ph->skb_field_off = -1;
	ph->task_arg = -1;
	ph->reason_arg = ph->location_arg = -1;
	char prog[32];
	snprintf(prog, sizeof(prog), "vnt_hop_%d", ph->id);
	ph->prog = vnt_xstrdup(prog);
	char where[512];
	snprintf(where, sizeof(where), "%s:%d:%d", h->loc.src ? h->loc.src->path : "?", h->loc.line, h->loc.col);
	ph->srcloc = vnt_xstrdup(where);
	pl->nhops++;

	struct vnt_hop_lowering l = { .ph = ph, .a0 = hop_arg(h, 0), .a1 = hop_arg(h, 1), .skb_arg = -1, .loc = loc, .d = d };
	if (!l.a0 || l.a0->kind == L_NUM) {
		vnt_error(d, loc, form->usage, "%s() needs a string as its first argument", form->name);
		return -1;
	}
	if (!valid_c_ident_chars(l.a0->str) || !*l.a0->str) {
		vnt_error(d, &l.a0->loc, NULL, "invalid name \"%s\" for %s()", l.a0->str, form->name);
		return -1;
	}
	if (l.a1 && kind->skb_second) {
		if (l.a1->kind != L_NUM || l.a1->num > 11) {
			vnt_error(d, &l.a1->loc, form->usage, "the second argument is the index of the sk_buff argument (0-11)");
			return -1;
		}
		l.skb_arg = (int)l.a1->num;
	}
	return kind->lower(&l);
}

static int add_lat(struct vnt_plan *pl, int from, int to)
{
	for (int i = 0; i < pl->nlat; i++)
		if (pl->lat[i].from == from && pl->lat[i].to == to)
			return i;
	pl->lat[pl->nlat].from = from;
	pl->lat[pl->nlat].to = to;
	return pl->nlat++;
}

/* The text of loc in its source: as vnt fmt writes it (one line, no
 * comments, the same however it was laid out), else as written. */
static char *source_text(const struct vnt_loc *loc)
{
	char *canon = vnt_format_span(loc);
	if (canon)
		return canon;
	const char *t = loc->src ? loc->src->text : NULL;
	if (!t)
		return NULL;
	for (int l = 1; l < loc->line && *t; t++)
		if (*t == '\n')
			l++;
	const char *start = t + loc->col - 1, *end = t;
	for (int l = loc->line; l < loc->end_line && *end; end++)
		if (*end == '\n')
			l++;
	end += loc->end_col - 1;
	if (end <= start || (size_t)(start - loc->src->text) > loc->src->len)
		return NULL;
	struct strbuf b;
	sb_init(&b);
	for (const char *p = start; p < end && *p; p++)
		sb_putn(&b, *p == '\n' || *p == '\t' ? " " : p, 1);   /* one line */
	return sb_steal(&b);
}

static char *agg_title(const struct vnt_agg *a)
{
	struct strbuf b;
	sb_init(&b);
	sb_printf(&b, "%s(", a->fname);
	for (int i = 0; i < a->nargs && i < VNT_MAX_AGG_ARGS; i++) {
		const struct vnt_value *v = a->args[i];
		sb_puts(&b, i ? ", " : "");
		switch (v->kind) {
		case V_LEN: sb_puts(&b, "len"); break;
		case V_NUM: sb_printf(&b, "%s%llu", v->negative ? "-" : "", (unsigned long long)v->num); break;
		case V_FIELD: sb_puts(&b, v->a); break;
		case V_LATENCY: sb_printf(&b, "latency(%s, %s)", v->a, v->b); break;
		}
	}
	sb_puts(&b, ")");
	char *ftext = a->where ? source_text(&a->where->loc) : NULL;
	if (ftext)
		sb_printf(&b, " if %s", ftext);
	free(ftext);
	if (a->at) {
		sb_puts(&b, " at ");
		for (const struct vnt_key *k = a->at; k; k = k->next)
			sb_printf(&b, "%s%s", k->name, k->next ? ", " : "");
	}
	if (a->keys) {
		sb_puts(&b, " by ");
		for (const struct vnt_key *k = a->keys; k; k = k->next)
			sb_printf(&b, "%s%s", k->name, k->next ? ", " : "");
	}
	return sb_steal(&b);
}

/* Keys a keyed aggregation's map has room for. The map is preallocated
 * (codegen.c, emit_agg), so it is sized from what the keys can take:
 * the product of the bounded keys' value counts (`by hop` needs a slot
 * per hop, `by proto, hop` 256 per hop), and VNT_AGG_KEYS for a key
 * without a useful bound (flows, devices, processes). */
static uint32_t agg_entries(const struct vnt_plan_agg *pa)
{
	uint64_t n = 1;
	for (int i = 0; i < pa->nkeys && n <= VNT_AGG_KEYS; i++) {
		switch (pa->keys[i].field) {
		case KF_HOP: n *= (uint64_t)__builtin_popcount(pa->hop_mask); break;
		case KF_PROTO: n *= 256; break;
		case KF_SPORT: case KF_DPORT: n *= 65536; break;
		default: n = (uint64_t)VNT_AGG_KEYS + 1; break;
		}
	}
	return n > VNT_AGG_KEYS ? VNT_AGG_KEYS : n ? (uint32_t)n : 1;
}

/* The trace's drop hops (those whose tracepoint reports a drop reason),
 * as "a" or "a, b", for hints; "" if none. */
static void drop_hops(const struct vnt_plan *pl, const struct vnt_plan_trace *pt, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (int i = pt->first_hop; i < pt->first_hop + pt->nhops && k < n; i++)
		if (pl->hops[i].reason_arg >= 0) {
			int w = snprintf(buf + k, n - k, "%s%s", k ? ", " : "", pl->hops[i].name);
			k += w > 0 ? (size_t)w : 0;
		}
}

/* `by reason` / `by location`: known only where the kernel reports a
 * drop. Each misuse is reported where it is written, with the fix. */
static void check_drop_keys(struct vnt_plan *pl, const struct vnt_plan_agg *pa, const struct vnt_agg *a, int trace,
			    struct vnt_diag *d)
{
	const struct vnt_plan_trace *pt = &pl->traces[trace];
	const struct vnt_key *k = a->keys;
	for (int i = 0; i < pa->nkeys; i++, k = k->next) {
		enum vnt_keyfield f = pa->keys[i].field;
		if (f != KF_REASON && f != KF_LOCATION)
			continue;
		const char *key = vnt_keyfield_name(f);
		char drops[256], hint[512];
		drop_hops(pl, pt, drops, sizeof(drops));
		for (int h = 0; h < pl->nhops; h++) {
			if (!(pa->hop_mask >> h & 1) || pl->hops[h].reason_arg >= 0)
				continue;
			if (pa->src == VS_LATENCY) {
				snprintf(hint, sizeof(hint), "a dropped packet has no latency to a later hop; count drops by %s at the "
					 "drop hop instead: `count() at %s by %s`", key, *drops ? drops : "DROP", key);
				vnt_error(d, &k->loc, hint, "key '%s' is known only at drop hops, and %s is recorded at hop '%s', "
					  "which is not one", key, pa->value_text, pl->hops[h].name);
			} else if (a->at) {
				const struct vnt_key *at = a->at;
				while (at && strcmp(at->name, pl->hops[h].name))
					at = at->next;
				snprintf(hint, sizeof(hint), "list only drop hops after `at`%s%s", *drops ? "; this trace's: " : "",
					 drops);
				vnt_error(d, at ? &at->loc : &k->loc, hint, "hop '%s' is not a drop hop: key '%s' is unknown there",
					  pl->hops[h].name, key);
			} else {
				char call[128];
				snprintf(call, sizeof(call), "%s(%s)", pa->kind->sig.name, pa->value_text ? pa->value_text : "");
				if (*drops)
					snprintf(hint, sizeof(hint), "restrict the aggregation to the drop hop with `at`: `%s at %s by %s`",
						 call, drops, key);
				else
					snprintf(hint, sizeof(hint), "add a drop hop (e.g. `hop d = skb.drop(\"*\")`) and restrict the "
						 "aggregation to it: `%s at d by %s`", call, key);
				vnt_error(d, &k->loc, hint, "key '%s' is known only at drop hops, and this aggregation is also "
					  "updated at hop '%s'", key, pl->hops[h].name);
			}
			break;   /* one report per key */
		}
	}
}

static int lower_agg(struct vnt_plan *pl, const struct vnt_trace *t, const struct vnt_agg *a, int trace,
		     struct vnt_diag *d)
{
	struct vnt_plan_agg *pa = &pl->aggs[pl->naggs];
	pa->id = pl->naggs++;
	pa->trace = trace;
	pa->kind = vnt_aggkinds[a->fn];   /* the spec lists them in this order (compiler/spec.c) */
	pa->title = agg_title(a);
	pa->lat_from = pa->lat_to = -1;
	pa->src = VS_NONE;
	if (a->val) {
		const struct vnt_value *v = a->val;
		switch (v->kind) {
		case V_LEN: pa->src = VS_LEN; pa->value_text = vnt_xstrdup("len"); break;
		case V_NUM: {
			pa->src = VS_CONST;
			pa->constant = v->num;
			char nb[32];
			snprintf(nb, sizeof(nb), "%llu", (unsigned long long)v->num);
			pa->value_text = vnt_xstrdup(nb);
			break;
		}
		case V_FIELD:
			pa->src = !strcmp(v->a, "cpu") ? VS_CPU : !strcmp(v->a, "pid") ? VS_PID : VS_LEN;
			pa->value_text = vnt_xstrdup(v->a);
			break;
		case V_LATENCY: {
			pa->src = VS_LATENCY;
			pa->lat_from = v->ha->id;
			pa->lat_to = v->hb->id;
			add_lat(pl, pa->lat_from, pa->lat_to);
			struct strbuf b;
			sb_init(&b);
			sb_printf(&b, "latency(%s, %s)", v->a, v->b);
			pa->value_text = sb_steal(&b);
			break;
		}
		}
	}
	if (pa->src == VS_LATENCY) {
		pa->hop_mask = 1u << pa->lat_to;
	} else if (a->at) {
		for (const struct vnt_key *k = a->at; k; k = k->next)
			for (const struct vnt_hop *h = t->hops; h; h = h->next)
				if (!strcmp(h->name, k->name))
					pa->hop_mask |= 1u << h->id;
	} else {
		for (const struct vnt_hop *h = t->hops; h; h = h->next)
			pa->hop_mask |= 1u << h->id;
	}
	uint32_t off = 0;
	for (const struct vnt_key *k = a->keys; k && pa->nkeys < VNT_MAX_KEYS; k = k->next) {
		struct vnt_plan_key *pk = &pa->keys[pa->nkeys++];
		pk->field = (enum vnt_keyfield)vnt_keyfield_parse(k->name);
		pk->off = off;
		pk->size = vnt_keyfield_size(pk->field);
		off += pk->size;
	}
	pa->key_size = off ? off : 4;
	int rc = pa->kind->layout(pa, a, d);   /* the kind's value layout (compiler/aggs/) */
	char m[32];
	snprintf(m, sizeof(m), "vnt_agg_%d", pa->id);
	pa->map = vnt_xstrdup(m);
	pa->max_entries = pa->nkeys ? agg_entries(pa) : 1;
	if (a->where) {
		pa->filter = source_text(&a->where->loc);
		if (!pa->filter)
			pa->filter = vnt_xstrdup("(filter)");
	}
	return rc;
}

/* `if FILTER` that reads packet headers needs a packet at every hop
 * where the aggregation is updated. */
static void check_agg_filter(const struct vnt_plan *pl, const struct vnt_plan_agg *pa, const struct vnt_agg *a,
			     struct vnt_diag *d)
{
	if (!a->where || !vnt_filter_needs_packet(a->where))
		return;
	for (int h = 0; h < pl->nhops; h++) {
		const struct vnt_plan_hop *ph = &pl->hops[h];
		if ((pa->hop_mask >> h & 1) && !vnt_plan_hop_has_packet(ph)) {
			vnt_error(d, &a->where->loc, "restrict the aggregation to packet hops with `at`, or filter on context only "
				  "(dev, cpu, pid, comm, ...)", "this filter reads packet headers, but hop '%s' has no packet",
				  ph->name);
			return;
		}
	}
}

/* breakdown(): packet hops come first; consecutive scheduler hops pair
 * up by task identity, as a latency pair each. */
static void lower_breakdown(struct vnt_plan *pl, const struct vnt_trace *t, int trace, struct vnt_diag *d)
{
	const struct vnt_plan_trace *bt = &pl->traces[trace];
	int npath = vnt_plan_path_hops(pl, bt);
	const struct vnt_hop *ah = t->hops;
	for (int i = 0; i < npath && ah; i++, ah = ah->next)
		if (vnt_plan_hop_drop(&pl->hops[bt->first_hop + i])) {
			vnt_error(d, &ah->loc, "a drop hop is where packets leave the path: list drop hops after the path's hops",
				  "breakdown() of trace '%s': drop hop '%s' is in the middle of the path", bt->name, ah->name);
			return;
		}
	if (npath < 2) {
		vnt_error(d, &t->loc, "list the path's hops in order; drop hops (skb.drop) come after them",
			  "breakdown() of trace '%s' needs at least two hops besides its drop hops", bt->name);
		return;
	}
	ah = t->hops;
	for (int i = 1; i < npath && ah; i++, ah = ah->next) {
		const struct vnt_plan_hop *a = &pl->hops[bt->first_hop + i - 1], *b = &pl->hops[bt->first_hop + i];
		if (a->task_arg >= 0 && b->task_arg < 0)
			vnt_error(d, &ah->next->loc, "list the packet hops first, then the scheduler hops",
				  "breakdown() of trace '%s': packet hop '%s' comes after scheduler hop '%s'",
				  bt->name, b->name, a->name);
		if (a->task_arg >= 0 && b->task_arg >= 0 && pl->nlat < VNT_MAX_HOPS)
			add_lat(pl, a->id, b->id);
	}
}

/* Hops of one hook (kind, target, sk_buff argument) run in one program,
 * named after the first of them: a path across several devices puts
 * several hops on one busy tracepoint, and every program attached there
 * costs its own run for every packet of the host (~50 ns here, before it
 * does anything). */
static void share_programs(struct vnt_plan *pl)
{
	for (int i = 0; i < pl->nhops; i++) {
		struct vnt_plan_hop *h = &pl->hops[i];
		if (!vnt_plan_hop_btf_skb(h))
			continue;
		for (int j = 0; j < i; j++) {
			const struct vnt_plan_hop *f = &pl->hops[j];
			/* Not across traces that end at different times: a trace's
			 * programs are detached at its own `for` (vnt run, the agent). */
			if (vnt_plan_hop_btf_skb(f) && f->kind == h->kind && f->skb_arg == h->skb_arg &&
			    !strcmp(f->target, h->target) && pl->traces[f->trace].for_ns == pl->traces[h->trace].for_ns) {
				free(h->prog);
				h->prog = vnt_xstrdup(f->prog);
				break;
			}
		}
	}
}

struct vnt_plan *vnt_lower(struct vnt_program *prog, struct vnt_diag *d)
{
	struct vnt_plan *pl = vnt_xcalloc(1, sizeof(*pl));
	pl->script = vnt_xstrdup(prog->main->src->path);
	pl->lru_entries = 65536;
	int nt = 0;
	for (struct vnt_trace *t = prog->main->traces; t; t = t->next)
		nt++;
	pl->traces = vnt_xcalloc((size_t)(nt ? nt : 1), sizeof(*pl->traces));
	int errs = d->errors;
	for (struct vnt_trace *t = prog->main->traces; t; t = t->next) {
		struct vnt_plan_trace *pt = &pl->traces[pl->ntraces];
		pt->name = vnt_xstrdup(t->name);
		pt->every_ns = t->every_ns;
		pt->for_ns = t->for_ns;
		pt->sample_n = t->sample_n ? t->sample_n : 1;
		pt->first_hop = pl->nhops;
		for (struct vnt_hop *h = t->hops; h && pl->nhops < VNT_MAX_HOPS; h = h->next)
			lower_hop(pl, h, pl->ntraces, d);
		pt->nhops = pl->nhops - pt->first_hop;
		for (struct vnt_agg *a = t->aggs; a && pl->naggs < VNT_MAX_AGGS; a = a->next)
			if (!a->breakdown) {
				lower_agg(pl, t, a, pl->ntraces, d);
				check_drop_keys(pl, &pl->aggs[pl->naggs - 1], a, pl->ntraces, d);
				check_agg_filter(pl, &pl->aggs[pl->naggs - 1], a, d);
			}
		pt->breakdown = t->breakdown != NULL;
		pt->events = t->events;
		if (pt->breakdown && d->errors == errs)
			lower_breakdown(pl, t, pl->ntraces, d);
		pl->ntraces++;
	}
	if (d->errors != errs) {
		vnt_plan_free(pl);
		return NULL;
	}
	share_programs(pl);
	return pl;
}
