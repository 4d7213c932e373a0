/* The hops of a run as a store engine keeps them: read from the run's
 * manifest (with their trace, kind, target and identity), and found by
 * (trace name, hop name) for each event; a name the manifest does not
 * have becomes a new hop (next id), as doc/store-schema.md says. */
#ifndef VNT_STORE_HOPS_H
#define VNT_STORE_HOPS_H

struct vnt_hop_row {
	char *trace_name, *name, *kind, *target, *identity; /* kind, target, identity NULL for a new name */
	int trace, id;
};

struct vnt_hoptab {
	struct vnt_hop_row *h;
	int n, cap, ntraces, next_id, last;
};

/* The manifest's hops (compiler/manifest.c's "hops" and "traces"); a NULL
 * or empty manifest has none. 0, or -1 with a message on stderr. */
int vnt_hoptab_from_manifest(struct vnt_hoptab *t, const char *manifest);
/* Append a row (the engine's own rows read back). 0, or -1 on OOM. */
int vnt_hoptab_add(struct vnt_hoptab *t, const char *trace, const char *name, int trace_idx, int id, const char *kind,
		   const char *target, const char *identity);
/* The index of (trace, name), adding a row if new (*added set). -1 on OOM. */
int vnt_hoptab_find(struct vnt_hoptab *t, const char *trace, const char *name, int *added);
void vnt_hoptab_clear(struct vnt_hoptab *t);

#endif
