/* Names of the plan's enumerations, shared by manifest, checker and runtime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/hopkind.h"
#include "compiler/plan.h"

static const char *const keyfields[KF__COUNT] = {
	"hop", "dev", "ifindex", "netns", "cpu", "pid", "comm", "mark",
	"len", "flow", "saddr", "daddr", "sport", "dport", "proto", "reason", "location",
};
/* Sizes in the map key; everything is 4-byte aligned so the C struct
 * the generator writes has exactly these offsets. */
static const uint32_t keysizes[KF__COUNT] = {
	4, 8, 4, 4, 4, 4, 16, 4,
	4, 40, 16, 16, 4, 4, 4, 4, 8,
};

bool vnt_plan_hop_btf_skb(const struct vnt_plan_hop *h)
{
	return h->kind->btf_typed && h->skb_arg >= 0;
}

bool vnt_plan_hop_has_packet(const struct vnt_plan_hop *h)
{
	return h->kind->always_packet || h->skb_arg >= 0 || h->skb_field_off >= 0;
}
uint64_t vnt_plan_agg_map_bytes(const struct vnt_plan_agg *a)
{
	uint64_t buckets = 1;
	while (buckets < a->max_entries)
		buckets <<= 1;
	return (48 + ((a->key_size + 7) & ~7u) + ((a->value_size + 7) & ~7u)) * (uint64_t)a->max_entries + 16 * buckets;
}

/* Preallocated, a new key takes an element set aside at creation and is
 * refused only when the map is full. Otherwise its element comes from
 * the kernel's slab caches as the key appears (which under a burst of
 * new keys kept up in every measurement: tests/integration/keys_burst.t
 * runs both kinds), and memory grows with the keys really seen: a
 * `hist(len) by flow` would take 6.4 MB up front. */
bool vnt_plan_agg_prealloc(const struct vnt_plan_agg *a)
{
	return vnt_plan_agg_map_bytes(a) <= VNT_AGG_PREALLOC_BYTES;
}

bool vnt_plan_hop_drop(const struct vnt_plan_hop *h)
{
	return h->reason_arg >= 0;
}

int vnt_plan_path_hops(const struct vnt_plan *p, const struct vnt_plan_trace *t)
{
	int n = t->nhops;
	while (n > 0 && vnt_plan_hop_drop(&p->hops[t->first_hop + n - 1]))
		n--;
	return n;
}

int vnt_plan_hop_mask(const struct vnt_plan *p, const char *const *names, int n, uint32_t *mask, char *err,
		      size_t errlen)
{
	*mask = 0;
	if (!n) {
		*mask = p->nhops >= 32 ? ~0u : (1u << p->nhops) - 1;
		return 0;
	}
	for (int k = 0; k < n; k++) {
		const char *want = names[k], *dot = strchr(want, '.');
		bool found = false;
		for (int i = 0; i < p->nhops; i++) {
			const char *tn = p->traces[p->hops[i].trace].name;
			bool hit = dot ? (strlen(tn) == (size_t)(dot - want) && !strncmp(tn, want, (size_t)(dot - want)) &&
					  !strcmp(p->hops[i].name, dot + 1))
				       : !strcmp(p->hops[i].name, want);
			if (hit) {
				*mask |= 1u << i;
				found = true;
			}
		}
		if (!found) {
			size_t m = (size_t)snprintf(err, errlen, "the package has no hop '%s' (its hops:", want);
			for (int i = 0; i < p->nhops && m < errlen; i++)
				m += (size_t)snprintf(err + m, errlen - m, " %s.%s", p->traces[p->hops[i].trace].name,
						      p->hops[i].name);
			if (m < errlen)
				snprintf(err + m, errlen - m, ")");
			return -1;
		}
	}
	return 0;
}

const char *vnt_keyfield_name(enum vnt_keyfield k) { return k < KF__COUNT ? keyfields[k] : "?"; }
uint32_t vnt_keyfield_size(enum vnt_keyfield k) { return k < KF__COUNT ? keysizes[k] : 0; }

static int find(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

int vnt_keyfield_parse(const char *s) { return find(keyfields, KF__COUNT, s); }

void vnt_plan_free(struct vnt_plan *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->ntraces; i++)
		free(p->traces[i].name);
	free(p->traces);
	for (int i = 0; i < p->nhops; i++) {
		struct vnt_plan_hop *h = &p->hops[i];
		free(h->name);
		free(h->def);
		free(h->target);
		free(h->dev);
		free(h->filter_dev);
		free(h->prog);
		free(h->srcloc);
	}
	for (int i = 0; i < p->naggs; i++) {
		free(p->aggs[i].title);
		free(p->aggs[i].value_text);
		free(p->aggs[i].map);
		free(p->aggs[i].filter);
	}
	for (int i = 0; i < p->ndevs; i++) {
		free(p->devs[i].name);
		free(p->devs[i].srcloc);
	}
	free(p->script);
	free(p);
}
