/* A run's hop table for a store engine (store_hops.h). The same rules for
 * every engine: the manifest's order, identity "task" for a hop
 * whose fingerprint is a task's (task_arg >= 0), "drop" for a drop hop
 * (reason_arg >= 0), else "packet". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "runtime/collector/store_hops.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int vnt_hoptab_add(struct vnt_hoptab *t, const char *trace, const char *name, int trace_idx, int id, const char *kind,
		   const char *target, const char *identity)
{
	if (t->n == t->cap) {
		int cap = t->cap ? 2 * t->cap : 32;
		struct vnt_hop_row *h = realloc(t->h, (size_t)cap * sizeof(*h));
		if (!h)
			return -1;
		t->h = h;
		t->cap = cap;
	}
	struct vnt_hop_row r = { .trace_name = strdup(trace ? trace : ""), .name = strdup(name ? name : ""),
				 .kind = dup_or_null(kind), .target = dup_or_null(target),
				 .identity = dup_or_null(identity), .trace = trace_idx, .id = id };
	if (!r.trace_name || !r.name || (kind && !r.kind) || (target && !r.target) || (identity && !r.identity)) {
		free(r.trace_name);
		free(r.name);
		free(r.kind);
		free(r.target);
		free(r.identity);
		return -1;
	}
	t->h[t->n++] = r;
	if (trace_idx >= t->ntraces)
		t->ntraces = trace_idx + 1;
	if (id >= t->next_id)
		t->next_id = id + 1;
	return 0;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
		       json_object_get_string(v) : NULL;
}

static int jint(json_object *o, const char *k, int dflt)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_int) ? json_object_get_int(v) :
											    dflt;
}

int vnt_hoptab_from_manifest(struct vnt_hoptab *t, const char *manifest)
{
	vnt_hoptab_clear(t);
	if (!manifest || !*manifest)
		return 0;
	json_object *root = json_tokener_parse(manifest);
	if (!root || !json_object_is_type(root, json_type_object)) {
		fprintf(stderr, "vnt: store: the run's manifest is not a JSON object\n");
		json_object_put(root);
		return -1;
	}
	json_object *traces = NULL, *hops = NULL;
	json_object_object_get_ex(root, "traces", &traces);
	json_object_object_get_ex(root, "hops", &hops);
	size_t ntr = json_object_is_type(traces, json_type_array) ? json_object_array_length(traces) : 0;
	size_t n = json_object_is_type(hops, json_type_array) ? json_object_array_length(hops) : 0;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		json_object *h = json_object_array_get_idx(hops, i);
		int trace = jint(h, "trace", 0), id = jint(h, "id", (int)i);
		const char *tname = trace >= 0 && (size_t)trace < ntr ?
					    jstr(json_object_array_get_idx(traces, (size_t)trace), "name") : NULL;
		const char *identity = jint(h, "task_arg", -1) >= 0 ? "task" : jint(h, "reason_arg", -1) >= 0 ? "drop" : "packet";
		rc = vnt_hoptab_add(t, tname, jstr(h, "name"), trace, id, jstr(h, "kind"), jstr(h, "target"), identity);
	}
	json_object_put(root);
	if (rc)
		fprintf(stderr, "vnt: store: out of memory\n");
	return rc;
}

int vnt_hoptab_find(struct vnt_hoptab *t, const char *trace, const char *name, int *added)
{
	const char *tr = trace ? trace : "", *n = name ? name : "";
	*added = 0;
	if (t->last < t->n && !strcmp(t->h[t->last].name, n) && !strcmp(t->h[t->last].trace_name, tr))
		return t->last;
	int trace_idx = -1;
	for (int i = 0; i < t->n; i++) {
		if (strcmp(t->h[i].trace_name, tr))
			continue;
		trace_idx = t->h[i].trace;
		if (!strcmp(t->h[i].name, n))
			return t->last = i;
	}
	if (vnt_hoptab_add(t, tr, n, trace_idx >= 0 ? trace_idx : t->ntraces, t->next_id, NULL, NULL, NULL))
		return -1;
	*added = 1;
	return t->last = t->n - 1;
}

void vnt_hoptab_clear(struct vnt_hoptab *t)
{
	for (int i = 0; i < t->n; i++) {
		free(t->h[i].trace_name);
		free(t->h[i].name);
		free(t->h[i].kind);
		free(t->h[i].target);
		free(t->h[i].identity);
	}
	free(t->h);
	*t = (struct vnt_hoptab){ 0 };
}
