/* AST allocation and release. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/ast.h"

void *vnt_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p) {
		fprintf(stderr, "vnt: out of memory\n");
		abort();
	}
	return p;
}

void *vnt_xrealloc(void *p, size_t sz)
{
	void *n = realloc(p, sz ? sz : 1);
	if (!n) {
		fprintf(stderr, "vnt: out of memory\n");
		abort();
	}
	return n;
}

char *vnt_xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d) {
		fprintf(stderr, "vnt: out of memory\n");
		abort();
	}
	return d;
}

struct vnt_fexpr *vnt_fexpr_new(enum vnt_fkind k, struct vnt_loc loc)
{
	struct vnt_fexpr *f = vnt_xcalloc(1, sizeof(*f));
	f->kind = k;
	f->loc = loc;
	return f;
}

struct vnt_aexpr *vnt_aexpr_new(enum vnt_aop op, struct vnt_loc loc)
{
	struct vnt_aexpr *a = vnt_xcalloc(1, sizeof(*a));
	a->op = op;
	a->loc = loc;
	return a;
}

void vnt_aexpr_free(struct vnt_aexpr *a)
{
	if (!a)
		return;
	vnt_aexpr_free(a->l);
	vnt_aexpr_free(a->r);
	free(a->param);
	free(a);
}

void vnt_fexpr_free(struct vnt_fexpr *f)
{
	if (!f)
		return;
	vnt_fexpr_free(f->l);
	vnt_fexpr_free(f->r);
	vnt_aexpr_free(f->al);
	vnt_aexpr_free(f->ar);
	free(f->module);
	free(f->name);
	free(f->str);
	free(f->param);
	free(f->svc);
	free(f);
}

void vnt_args_free(struct vnt_arg *a)
{
	while (a) {
		struct vnt_arg *n = a->next;
		free(a->str);
		free(a);
		a = n;
	}
}

void vnt_keys_free(struct vnt_key *k)
{
	while (k) {
		struct vnt_key *n = k->next;
		free(k->name);
		free(k);
		k = n;
	}
}

void vnt_value_free(struct vnt_value *v)
{
	if (!v)
		return;
	free(v->a);
	free(v->b);
	free(v);
}

void vnt_hops_free(struct vnt_hop *h)
{
	for (struct vnt_hop *nh; h; h = nh) {
		nh = h->next;
		free(h->name);
		free(h->module);
		free(h->callee);
		vnt_args_free(h->args);
		free(h);
	}
}

void vnt_aggs_free(struct vnt_agg *a)
{
	for (struct vnt_agg *na; a; a = na) {
		na = a->next;
		free(a->fname);
		for (int i = 0; i < a->nargs && i < VNT_MAX_AGG_ARGS; i++)
			vnt_value_free(a->args[i]);
		vnt_keys_free(a->keys);
		vnt_keys_free(a->at);
		vnt_fexpr_free(a->where);
		free(a);
	}
}

void vnt_trace_free(struct vnt_trace *t)
{
	while (t) {
		struct vnt_trace *nt = t->next;
		vnt_fexpr_free(t->where);
		vnt_hops_free(t->hops);
		vnt_aggs_free(t->aggs);
		free(t->name);
		free(t);
		t = nt;
	}
}

void vnt_module_free(struct vnt_module *m)
{
	if (!m)
		return;
	for (struct vnt_import *i = m->imports, *n; i; i = n) {
		n = i->next;
		free(i->path);
		free(i->alias);
		free(i);
	}
	for (struct vnt_filterdef *f = m->filters, *n; f; f = n) {
		n = f->next;
		free(f->name);
		free(f->doc);
		vnt_fexpr_free(f->expr);
		free(f);
	}
	for (struct vnt_hopdef *h = m->hopdefs, *n; h; h = n) {
		n = h->next;
		free(h->name);
		free(h->doc);
		for (int i = 0; i < h->nparams; i++)
			free(h->params[i]);
		free(h->params);
		free(h->attach.form);
		vnt_args_free(h->attach.args);
		vnt_fexpr_free(h->where);
		free(h);
	}
	vnt_trace_free(m->traces);
	free(m->name);
	free(m->doc);
	free(m);
}
