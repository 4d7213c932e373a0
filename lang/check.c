/* Semantic checks: bind names (filters, hop points, modules, hops of a
 * trace), check arities and types, and refuse what the kernel's verifier
 * would refuse later, with the source location of the cause. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/parse.h"
#include "lang/program.h"
#include "lang/suggest.h"

struct ck {
	struct vnt_program *p;
	const struct vnt_lang_spec *spec;
	struct vnt_diag *d;
	const struct vnt_filterdef *stack[64];   /* filters being resolved */
	int depth;
};

static void check_fexpr(struct ck *c, const struct vnt_module *m, struct vnt_fexpr *f,
			char **params, int nparams, bool in_hopdef);

static bool is_param(const char *name, char **params, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(params[i], name))
			return true;
	return false;
}

/* ---- "did you mean": the names a misspelling may have meant ---- */

#define NAMES 128

static int filter_names(const struct vnt_module *m, const char **v)
{
	int n = 0;
	for (const struct vnt_filterdef *f = m->filters; f && n < NAMES; f = f->next)
		v[n++] = f->name;
	return n;
}

static int hopdef_names(const struct vnt_module *m, const char **v)
{
	int n = 0;
	for (const struct vnt_hopdef *h = m->hopdefs; h && n < NAMES; h = h->next)
		v[n++] = h->name;
	return n;
}

static int import_names(const struct vnt_module *m, const char **v)
{
	int n = 0;
	for (const struct vnt_import *im = m->imports; im && n < NAMES; im = im->next)
		v[n++] = im->alias;
	return n;
}

static int trace_hop_names(const struct vnt_trace *t, const char **v)
{
	int n = 0;
	for (const struct vnt_hop *h = t->hops; h && n < NAMES; h = h->next)
		v[n++] = h->name;
	return n;
}

/* "did you mean 'x'?" + sep, or "" */
static const char *mean_sep(const char *word, const char *const *names, int n, char *buf, size_t len, const char *sep)
{
	char s[256];
	if (!vnt_suggest(word, names, n, s, sizeof(s)))
		return "";
	snprintf(buf, len, "did you mean %s?%s", s, sep);
	return buf;
}

#define mean(w, v, n, b, l) mean_sep((w), (v), (n), (b), (l), " ")

/* An import whose module could not be loaded was reported where it is
 * imported: the names that use it are not reported again. */
static bool import_failed(const struct vnt_module *m, const char *alias)
{
	for (const struct vnt_import *im = m->imports; im; im = im->next)
		if (im->alias && !strcmp(im->alias, alias))
			return im->mod == NULL;
	return false;
}

static void unknown_module(struct ck *c, const struct vnt_module *m, const char *name, const struct vnt_loc *loc)
{
	if (import_failed(m, name))
		return;
	const char *v[NAMES];
	char dym[300], hint[512];
	int n = import_names(m, v);
	snprintf(hint, sizeof(hint), "%sadd `import \"%s\"` at the top of the script", mean(name, v, n, dym, sizeof(dym)),
		 name);
	vnt_error(c->d, loc, hint, "unknown module '%s'", name);
}

static void resolve_ref(struct ck *c, const struct vnt_module *m, struct vnt_fexpr *f)
{
	const struct vnt_module *scope = m;
	if (f->module) {
		scope = vnt_module_import(m, f->module);
		if (!scope) {
			unknown_module(c, m, f->module, &f->loc);
			return;
		}
	}
	const struct vnt_filterdef *fd = vnt_module_filter(scope, f->name);
	if (!fd && vnt_fexpr_to_service(f)) {
		vnt_service_check(c->d, f);
		return;   /* a service of the port primitive before it (parser.y, maybe_service) */
	}
	if (!fd && scope->broken)
		return;   /* its definition may be what did not parse */
	if (!fd) {
		const char *v[NAMES];
		char hint[768], dym[300];
		int n = filter_names(scope, v);
		const char *dm = mean_sep(f->name, v, n, dym, sizeof(dym), "");
		if (*dm)
			snprintf(hint, sizeof(hint), "%s", dm);
		else
			snprintf(hint, sizeof(hint), "filters are defined with `filter %s = ...`%s", f->name,
				 f->module ? " in that module" : "");
		vnt_error(c->d, &f->loc, hint, "unknown filter '%s%s%s'",
			  f->module ? f->module : "", f->module ? "." : "", f->name);
		return;
	}
	for (int i = 0; i < c->depth; i++)
		if (c->stack[i] == fd) {
			vnt_error(c->d, &f->loc, "a filter cannot refer to itself, directly or through others",
				  "filter '%s' is defined in terms of itself", fd->name);
			return;
		}
	f->target = fd->expr;
	if (c->depth < 64) {
		/* Checking the target here finds cycles through other filters. */
		c->stack[c->depth++] = fd;
		check_fexpr(c, scope, fd->expr, NULL, 0, false);
		c->depth--;
	}
}

static void check_aexpr(struct ck *c, const struct vnt_aexpr *a)
{
	if (!a)
		return;
	if (a->op == A_BINOP && (a->binop == '/' || a->binop == '%') && a->r && a->r->op == A_NUM && a->r->num == 0)
		vnt_error(c->d, &a->loc, NULL, "division by zero");
	if (a->op == A_LOAD && (a->proto == P_ARP || a->proto == P_VXLAN || a->proto == P_NONE))
		vnt_error(c->d, &a->loc, "loads are relative to ip, ip6, tcp, udp, icmp, icmp6 or sctp",
			  "packet loads are not available for this protocol");
	check_aexpr(c, a->l);
	check_aexpr(c, a->r);
}

static void check_fexpr(struct ck *c, const struct vnt_module *m, struct vnt_fexpr *f,
			char **params, int nparams, bool in_hopdef)
{
	if (!f)
		return;
	switch (f->kind) {
	case F_AND: case F_OR:
		check_fexpr(c, m, f->l, params, nparams, in_hopdef);
		check_fexpr(c, m, f->r, params, nparams, in_hopdef);
		break;
	case F_NOT: case F_INNER: case F_OUTER:
		check_fexpr(c, m, f->l, params, nparams, in_hopdef);
		break;
	case F_REF:
		if (!f->module && in_hopdef && is_param(f->name, params, nparams)) {
			vnt_error(c->d, &f->loc, "a parameter is a value; use it in a predicate such as `dev NAME`",
				  "parameter '%s' used as a filter", f->name);
			break;
		}
		if (c->depth < 64)
			resolve_ref(c, m, f);
		break;
	case F_CTX:
		if (f->param && !is_param(f->param, params, nparams))
			vnt_error(c->d, &f->loc, in_hopdef ? "declare it in the hop's parameter list"
				  : "write the device name as a string, e.g. dev \"eth0\"",
				  "unknown parameter '%s'", f->param);
		break;
	case F_HOST: case F_NET:
		if ((f->proto == P_IP || f->proto == P_ARP) && f->addr.family == 6)
			vnt_error(c->d, &f->loc, "use `ip6` with IPv6 addresses", "IPv4 qualifier with an IPv6 address");
		if (f->proto == P_IP6 && f->addr.family == 4)
			vnt_error(c->d, &f->loc, "use `ip` with IPv4 addresses", "IPv6 qualifier with an IPv4 address");
		break;
	case F_PORT: case F_PORTRANGE:
		if (f->proto == P_ICMP || f->proto == P_ICMP6)
			vnt_error(c->d, &f->loc, "ports belong to tcp, udp and sctp", "ICMP has no ports");
		vnt_service_check(c->d, f);
		break;
	case F_CMP:
		check_aexpr(c, f->al);
		check_aexpr(c, f->ar);
		break;
	default:
		break;
	}
}

static void check_module_defs(struct ck *c, struct vnt_module *m)
{
	for (struct vnt_filterdef *f = m->filters; f; f = f->next) {
		for (struct vnt_filterdef *o = m->filters; o != f; o = o->next)
			if (!strcmp(o->name, f->name))
				vnt_error(c->d, &f->loc, NULL, "filter '%s' is already defined at line %d", f->name, o->loc.line);
		c->depth = 0;
		c->stack[c->depth++] = f;
		check_fexpr(c, m, f->expr, NULL, 0, false);
		c->depth = 0;
	}
	for (struct vnt_hopdef *h = m->hopdefs; h; h = h->next) {
		for (struct vnt_hopdef *o = m->hopdefs; o != h; o = o->next)
			if (!strcmp(o->name, h->name))
				vnt_error(c->d, &h->loc, NULL, "hop point '%s' is already defined at line %d", h->name, o->loc.line);
		for (int i = 0; i < h->nparams; i++)
			for (int j = 0; j < i; j++)
				if (!strcmp(h->params[i], h->params[j]))
					vnt_error(c->d, &h->loc, NULL, "parameter '%s' appears twice", h->params[i]);
		const struct vnt_form *form = vnt_spec_form(c->spec, h->attach.form);
		if (!form) {
			char hint[1024], dym[300], list[300];
			const char *v[NAMES];
			int n = 0;
			for (int i = 0; i < c->spec->nforms && n < NAMES; i++)
				v[n++] = c->spec->forms[i]->name;
			vnt_name_list(v, n, list, sizeof(list));
			snprintf(hint, sizeof(hint), "%sthe attach forms are %s", mean(h->attach.form, v, n, dym, sizeof(dym)), list);
			vnt_error(c->d, &h->attach.loc, hint, "unknown attach form '%s'", h->attach.form);
		} else {
			int n = 0;
			for (struct vnt_arg *a = h->attach.args; a; a = a->next, n++)
				if (a->kind == L_IDENT && !is_param(a->str, h->params, h->nparams))
					vnt_error(c->d, &a->loc, "declare it in the hop's parameter list", "unknown parameter '%s'", a->str);
			if (n < form->min_args || n > form->max_args)
				vnt_error(c->d, &h->attach.loc, form->usage, "%s() takes %d%s argument%s, %d given", form->name,
					  form->min_args, form->max_args > form->min_args ? " or more" : "",
					  form->min_args == 1 && form->max_args == 1 ? "" : "s", n);
		}
		c->depth = 0;
		check_fexpr(c, m, h->where, h->params, h->nparams, true);
	}
}

static struct vnt_hop *trace_hop(struct vnt_trace *t, const char *name)
{
	for (struct vnt_hop *h = t->hops; h; h = h->next)
		if (!strcmp(h->name, name))
			return h;
	return NULL;
}

/* Resolve a latency endpoint; name hops of other traces explicitly. */
static struct vnt_hop *lat_hop(struct ck *c, struct vnt_module *m, struct vnt_trace *t,
			       const char *name, const struct vnt_loc *loc)
{
	struct vnt_hop *h = trace_hop(t, name);
	if (h)
		return h;
	for (struct vnt_trace *o = m->traces; o; o = o->next)
		if (o != t && trace_hop(o, name)) {
			vnt_error(c->d, loc, "latency is measured between two hops of the same trace",
				  "hop '%s' belongs to trace '%s', not to '%s'", name, o->name, t->name);
			return NULL;
		}
	if (t->broken)
		return NULL;   /* its hop may be the statement that did not parse */
	const char *v[NAMES];
	char hint[512], dym[300];
	int n = trace_hop_names(t, v);
	snprintf(hint, sizeof(hint), "%sdeclare it in this trace with `hop NAME = ...`", mean(name, v, n, dym, sizeof(dym)));
	vnt_error(c->d, loc, hint, "unknown hop '%s'", name);
	return NULL;
}

static const char *const known_fields[] = { "len", "cpu", "pid", NULL };

static void check_breakdown(struct ck *c, struct vnt_trace *t, struct vnt_agg *a)
{
	a->breakdown = true;
	if (a->nargs || a->keys || a->at || a->where)
		vnt_error(c->d, &a->loc, "breakdown() covers every hop of the trace, in order; the trace's `where` picks its packets",
			  "breakdown() takes no arguments, keys, `at` or `if`");
	if (t->breakdown)
		vnt_error(c->d, &a->loc, NULL, "a trace has one breakdown()");
	int n = 0;
	for (struct vnt_hop *h = t->hops; h; h = h->next)
		n++;
	if (n < 2)
		vnt_error(c->d, &a->loc, "list the path's hops in order", "breakdown() needs at least two hops");
	if (n > VNT_BD_MAXHOPS)
		vnt_error(c->d, &a->loc, "split the path into several traces",
			  "breakdown() covers at most %d hops", VNT_BD_MAXHOPS);
	t->breakdown = a;
}

static void check_agg(struct ck *c, struct vnt_module *m, struct vnt_trace *t, struct vnt_agg *a)
{
	if (!strcmp(a->fname, "breakdown")) {
		check_breakdown(c, t, a);
		return;
	}
	int fn = -1;
	for (int i = 0; i < c->spec->naggs && fn < 0; i++)
		if (!strcmp(c->spec->aggs[i]->name, a->fname))
			fn = i;
	if (fn < 0) {
		const char *v[NAMES];
		char hint[1024], dym[300], list[600];
		int n = 0;
		for (int i = 0; i < c->spec->naggs && n < NAMES - 1; i++)
			v[n++] = c->spec->aggs[i]->name;
		v[n++] = "breakdown";
		vnt_name_list(v, n, list, sizeof(list));
		snprintf(hint, sizeof(hint), "%saggregations are %s", mean(a->fname, v, n, dym, sizeof(dym)), list);
		vnt_error(c->d, &a->loc, hint, "unknown aggregation '%s'", a->fname);
		return;
	}
	a->fn = fn;
	const struct vnt_agg_sig *sig = c->spec->aggs[fn];
	c->depth = 0;
	check_fexpr(c, m, a->where, NULL, 0, false);
	/* The arguments by the signature: 'v' a value, 'n' a number, '?' the
	 * rest optional (lang/program.h). */
	int need = 0, most = 0;
	for (const char *p = sig->args; *p; p++) {
		if (*p == '?')
			continue;
		most++;
		if (!strchr(sig->args, '?') || p < strchr(sig->args, '?'))
			need++;
	}
	if (a->nargs < need || a->nargs > most) {
		char takes[64];
		if (need == most)
			snprintf(takes, sizeof(takes), "%d argument%s", need, need == 1 ? "" : "s");
		else
			snprintf(takes, sizeof(takes), "%d or %d arguments", need, most);
		vnt_error(c->d, &a->loc, sig->usage, "%s() takes %s, %d given", a->fname, takes, a->nargs);
		return;
	}
	struct vnt_value *v = NULL;
	a->nnum = 0;
	int i = 0;
	for (const char *p = sig->args; *p && i < a->nargs; p++) {
		if (*p == '?')
			continue;
		struct vnt_value *arg = a->args[i++];
		if (*p == 'n') {
			if (arg->kind != V_NUM) {
				vnt_error(c->d, &arg->loc, sig->usage, "argument %d of %s() must be a number", i, a->fname);
				return;
			}
			a->num[a->nnum++] = arg->negative ? -(int64_t)arg->num : (int64_t)arg->num;
		} else {
			if (arg->negative) {
				vnt_error(c->d, &arg->loc, "values are len, cpu, pid, latency(HOP, HOP) or a number >= 0",
					  "argument %d of %s() is a value, which cannot be negative", i, a->fname);
				return;
			}
			v = arg;
		}
	}
	a->val = v;
	if (v && v->kind == V_FIELD) {
		bool ok = false;
		for (int i = 0; known_fields[i]; i++)
			ok |= !strcmp(known_fields[i], v->a);
		if (!ok) {
			static const char *const vals[] = { "len", "cpu", "pid", "latency" };
			char hint[512], dym[300];
			snprintf(hint, sizeof(hint), "%svalues are len, cpu, pid, a number, or latency(HOP, HOP)",
				 mean(v->a, vals, 4, dym, sizeof(dym)));
			vnt_error(c->d, &v->loc, hint, "unknown value '%s'", v->a);
		}
	}
	if (v && v->kind == V_LATENCY) {
		struct vnt_hop *ha = lat_hop(c, m, t, v->a, &v->a_loc);
		struct vnt_hop *hb = lat_hop(c, m, t, v->b, &v->b_loc);
		if (ha && hb) {
			if (ha == hb)
				vnt_error(c->d, &v->loc, "name two different hops", "latency from a hop to itself is always 0");
			else if (ha->loc.line > hb->loc.line || (ha->loc.line == hb->loc.line && ha->loc.col > hb->loc.col))
				vnt_error(c->d, &v->loc, "hops are listed in path order; swap the arguments",
					  "hop '%s' comes after '%s' in the path", v->a, v->b);
			v->ha = ha;
			v->hb = hb;
		}
	}
	int nk = 0;
	for (struct vnt_key *k = a->keys; k; k = k->next, nk++) {
		bool known = false;
		for (int i = 0; i < c->spec->nkeys && !known; i++)
			known = !strcmp(c->spec->keys[i], k->name);
		if (!known) {
			char hint[1024], dym[300], list[512];
			vnt_name_list(c->spec->keys, c->spec->nkeys, list, sizeof(list));
			snprintf(hint, sizeof(hint), "%sthe keys are %s", mean(k->name, c->spec->keys, c->spec->nkeys, dym, sizeof(dym)),
				 list);
			vnt_error(c->d, &k->loc, hint, "unknown key '%s'", k->name);
		}
		for (struct vnt_key *o = a->keys; o != k; o = o->next)
			if (!strcmp(o->name, k->name))
				vnt_error(c->d, &k->loc, NULL, "key '%s' appears twice", k->name);
	}
	if (nk > VNT_MAX_KEYS)
		vnt_error(c->d, &a->loc, "group by fewer keys", "at most %d keys per aggregation", VNT_MAX_KEYS);
	for (struct vnt_key *k = a->at; k; k = k->next)
		if (!trace_hop(t, k->name)) {
			const char *v[NAMES];
			char hint[512], dym[300];
			int n = trace_hop_names(t, v);
			snprintf(hint, sizeof(hint), "%s`at` names hops of this trace", mean(k->name, v, n, dym, sizeof(dym)));
			vnt_error(c->d, &k->loc, hint, "unknown hop '%s'", k->name);
		}
	if (v && v->kind == V_LATENCY && a->at)
		vnt_error(c->d, &a->at->loc, "a latency is recorded at its second hop, always: leave `at` out",
			  "`at` cannot be used with latency()");
	if (sig->check)
		sig->check(a, c->d);
}

static void check_hop(struct ck *c, struct vnt_module *m, struct vnt_hop *h)
{
	if (h->module) {
		struct vnt_module *im = vnt_module_import(m, h->module);
		if (!im) {
			unknown_module(c, m, h->module, &h->callee_loc);
			return;
		}
		h->def = vnt_module_hopdef(im, h->callee);
		if (!h->def) {
			const char *v[NAMES];
			char hint[1024], dym[300], list[600];
			int n = hopdef_names(im, v);
			vnt_name_list(v, n, list, sizeof(list));
			snprintf(hint, sizeof(hint), "%s%s's hop points are %s (`vnt lib %s` describes them)",
				 mean(h->callee, v, n, dym, sizeof(dym)), h->module, list, h->module);
			vnt_error(c->d, &h->callee_loc, hint, "module '%s' has no hop point '%s'", h->module, h->callee);
			return;
		}
	} else {
		h->def = vnt_module_hopdef(m, h->callee);
	}
	int n = 0;
	for (struct vnt_arg *a = h->args; a; a = a->next, n++)
		if (a->kind == L_IDENT)
			vnt_error(c->d, &a->loc, "write the value as a string or a number", "unknown name '%s'", a->str);
	if (h->def) {
		if (n != h->def->nparams) {
			char usage[256] = "";
			size_t ul = 0;
			ul += (size_t)snprintf(usage + ul, sizeof(usage) - ul, "%s(", h->def->name);
			for (int i = 0; i < h->def->nparams && ul < sizeof(usage); i++)
				ul += (size_t)snprintf(usage + ul, sizeof(usage) - ul, "%s%s", i ? ", " : "", h->def->params[i]);
			if (ul < sizeof(usage))
				snprintf(usage + ul, sizeof(usage) - ul, ")");
			vnt_error(c->d, &h->callee_loc, usage, "hop point '%s' takes %d argument%s, %d given",
				  h->def->name, h->def->nparams, h->def->nparams == 1 ? "" : "s", n);
		}
		return;
	}
	const struct vnt_form *form = vnt_spec_form(c->spec, h->callee);
	if (!form) {
		const char *v[NAMES];
		char hint[768], dym[300];
		int n = hopdef_names(m, v);
		for (int i = 0; i < c->spec->nforms && n < NAMES; i++)
			v[n++] = c->spec->forms[i]->name;
		snprintf(hint, sizeof(hint), "%shop points come from a module (net.dev_xmit) or an attach form (tp_btf, tc_ingress, ...)",
			 mean(h->callee, v, n, dym, sizeof(dym)));
		vnt_error(c->d, &h->callee_loc, hint, "unknown hop point '%s'", h->callee);
		return;
	}
	if (n < form->min_args || n > form->max_args)
		vnt_error(c->d, &h->callee_loc, form->usage, "%s() takes %d argument%s, %d given", form->name,
			  form->min_args, form->min_args == 1 ? "" : "s", n);
}

static void check_trace(struct ck *c, struct vnt_module *m, struct vnt_trace *t, int *nhops, int *naggs)
{
	for (struct vnt_trace *o = m->traces; o != t; o = o->next)
		if (!strcmp(o->name, t->name))
			vnt_error(c->d, &t->loc, NULL, "trace '%s' is already defined at line %d", t->name, o->loc.line);
	c->depth = 0;
	check_fexpr(c, m, t->where, NULL, 0, false);
	if (!t->hops && !t->broken)
		vnt_error(c->d, &t->loc, "add at least one `hop NAME = module.point(...)`", "trace '%s' has no hops", t->name);
	for (struct vnt_hop *h = t->hops; h; h = h->next) {
		for (struct vnt_hop *o = t->hops; o != h; o = o->next)
			if (!strcmp(o->name, h->name))
				vnt_error(c->d, &h->loc, NULL, "hop '%s' is already defined at line %d", h->name, o->loc.line);
		h->id = (*nhops)++;
		if (*nhops == VNT_MAX_HOPS + 1)
			vnt_error(c->d, &h->loc, "split the path into several traces",
				  "too many hops: a script has at most %d", VNT_MAX_HOPS);
		check_hop(c, m, h);
	}
	for (struct vnt_agg *a = t->aggs; a; a = a->next) {
		if (++*naggs == VNT_MAX_AGGS + 1)
			vnt_error(c->d, &a->loc, NULL, "too many aggregations: a script has at most %d", VNT_MAX_AGGS);
		check_agg(c, m, t, a);
	}
	if (t->every_ns && t->every_ns < 10000000ULL)
		vnt_error(c->d, &t->every_loc, "print at most every 10ms", "interval too short");
}

const struct vnt_form *vnt_spec_form(const struct vnt_lang_spec *s, const char *name)
{
	for (int i = 0; i < s->nforms; i++)
		if (!strcmp(s->forms[i]->name, name))
			return s->forms[i];
	return NULL;
}

int vnt_check(struct vnt_program *p, const struct vnt_lang_spec *spec, struct vnt_diag *d)
{
	struct ck c = { .p = p, .spec = spec, .d = d };
	int before = d->errors;
	for (struct vnt_module *m = p->modules; m; m = m->next_loaded)
		check_module_defs(&c, m);
	int nhops = 0, naggs = 0;
	for (struct vnt_trace *t = p->main->traces; t; t = t->next)
		check_trace(&c, p->main, t, &nhops, &naggs);
	return d->errors - before;
}
