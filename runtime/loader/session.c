#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "lib/strbuf.h"
#include "runtime/loader/attach.h"
#include "runtime/loader/bpflog.h"
#include "runtime/loader/features.h"
#include "lib/netns.h"
#include "runtime/loader/resolve.h"
#include "runtime/loader/session.h"

struct vnt_session {
	struct bpf_object *obj;
	struct ring_buffer *rb;
	vnt_event_fn event_fn;
	void *event_ctx;
	uint64_t delivered;
	uint64_t budget, taken;   /* records this consume may take (0: no limit), and has */
	const struct vnt_plan *plan;
	uint32_t hop_mask;
	struct vnt_attachment att[VNT_MAX_HOPS];
	int att_hop[VNT_MAX_HOPS];   /* the first hop of each attachment's program */
	int natt;
};

struct bpf_object *vnt_session_object(struct vnt_session *s) { return s->obj; }
const struct vnt_plan *vnt_session_plan(struct vnt_session *s) { return s->plan; }

/* Write `size` bytes at variable `var` of the object's .rodata before load. */
static int rodata_set(struct bpf_object *obj, const char *var, const void *val, size_t size)
{
	struct bpf_map *m = NULL, *it;
	bpf_object__for_each_map(it, obj) {
		const char *n = bpf_map__name(it);
		size_t l = strlen(n);
		if (l >= 7 && !strcmp(n + l - 7, ".rodata"))
			m = it;
	}
	struct btf *btf = bpf_object__btf(obj);
	if (!m || !btf)
		return -ENOENT;
	size_t dsz;
	char *data = (char *)bpf_map__initial_value(m, &dsz);   /* writable until load */
	int sec = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (!data || sec < 0)
		return -ENOENT;
	const struct btf_type *t = btf__type_by_id(btf, (__u32)sec);
	const struct btf_var_secinfo *vs = btf_var_secinfos(t);
	for (int i = 0; i < btf_vlen(t); i++, vs++) {
		const struct btf_type *vt = btf__type_by_id(btf, vs->type);
		if (strcmp(btf__name_by_offset(btf, vt->name_off), var))
			continue;
		if (vs->offset + size > dsz || size > vs->size)
			return -E2BIG;
		memcpy(data + vs->offset, val, size);
		return 0;
	}
	return -ENOENT;
}

static int fill_rodata(struct bpf_object *obj, const struct vnt_plan *p, bool all_hops, char *err, size_t len)
{
	uint32_t ifx[VNT_MAX_DEVS] = { 0 }, ns[VNT_MAX_DEVS] = { 0 };
	for (int i = 0; i < p->ndevs; i++) {
		int rc = vnt_dev_resolve(p->devs[i].name, &ifx[i], &ns[i]);
		/* A host running some hops of a multi-host trace need not have
		 * the other hosts' devices: those stay unmatched (index 0). */
		if (rc && !all_hops) {
			ifx[i] = ns[i] = 0;
			continue;
		}
		if (rc) {   /* vnt_session_open_hops said why already; the device went meanwhile */
			snprintf(err, len, "cannot resolve device \"%s\": %s", p->devs[i].name, strerror(-rc));
			return rc;
		}
	}
	if (p->ndevs && (rodata_set(obj, "vnt_dev_ifindex", ifx, sizeof(uint32_t) * (size_t)p->ndevs) ||
			 rodata_set(obj, "vnt_dev_netns", ns, sizeof(uint32_t) * (size_t)p->ndevs))) {
		snprintf(err, len, "the object has no device table (package and manifest do not match)");
		return -EINVAL;
	}
	uint32_t hopns[VNT_MAX_HOPS] = { 0 };
	for (int i = 0; i < p->nhops; i++) {
		uint32_t ifindex;
		if (p->hops[i].dev)
			vnt_dev_resolve(p->hops[i].dev, &ifindex, &hopns[i]);
	}
	if (p->nhops)
		rodata_set(obj, "vnt_hop_netns", hopns, sizeof(uint32_t) * (size_t)p->nhops);
	return 0;
}

/* Show the verifier's last words, the lines that say why, and name the
 * hop (with its place in the script) whose program was refused. */
static void explain_load_failure(const struct vnt_plan *p, char *err, size_t len, int rc)
{
	const char *log = vnt_bpflog_text();
	const char *tail = vnt_bpflog_tail(1500);
	const struct vnt_plan_hop *h = NULL;
	const char *pr = strstr(log, "prog 'vnt_hop_");
	if (pr) {
		int id = atoi(pr + 14);
		if (id >= 0 && id < p->nhops)
			h = &p->hops[id];
	}
	/* clang's line info: "; <C source> @ <file>:<line>" before the failing insn */
	char cline[256] = "";
	for (const char *q = tail; (q = strstr(q, "\n;")); q++) {
		const char *e = strchr(q + 1, '\n');
		snprintf(cline, sizeof(cline), "%.*s", e ? (int)(e - q - 1) : 200, q + 1);
	}
	/* Hops on one BTF hook share a program (compiler/lower.c): the
	 * refusal may be about any of them, so name them all. */
	char shared[512] = "";
	size_t sl = 0;
	for (int i = 0; h && i < p->nhops && sl < sizeof(shared); i++) {
		const struct vnt_plan_hop *o = &p->hops[i];
		if (o != h && o->prog && h->prog && !strcmp(o->prog, h->prog)) {
			int w = snprintf(shared + sl, sizeof(shared) - sl, "%shop '%s' (%s)", sl ? ", " : "",
					 o->name, o->srcloc ? o->srcloc : "?");
			sl += w > 0 ? (size_t)w : 0;
		}
	}
	if (h)
		snprintf(err, len, "%s: hop '%s' (%s, %s %s): the kernel's verifier refused its program: %s\n"
			 "%s%s%slast generated line: %s\n--- libbpf / verifier log (end) ---\n%s",
			 h->srcloc ? h->srcloc : "?", h->name, h->def ? h->def : "", h->kind->name,
			 h->target ? h->target : "", strerror(-rc),
			 *shared ? "the program is shared with " : "", shared, *shared ? "; the cause may be in any of them\n" : "",
			 cline, tail);
	else
		snprintf(err, len, "the kernel refused to load the programs: %s\n--- libbpf / verifier log (end) ---\n%s",
			 strerror(-rc), tail);
}

/* Open the object into s->obj, fill in this host's read-only data and
 * load the programs of s->hop_mask. -EAGAIN: refused with direct packet
 * reads, worth a try without; other errors are explained in err. On any
 * error s->obj is closed. */
static int load_obj(struct vnt_session *s, const void *obj, size_t len, bool direct, char *err, size_t errlen)
{
	const struct vnt_plan *plan = s->plan;
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "vnt");
	s->obj = bpf_object__open_mem(obj, len, &oo);
	if (!s->obj) {
		snprintf(err, errlen, "not a valid BPF object: %s", strerror(errno));
		return -EINVAL;
	}
	/* Every program must exist and match its hop; hops of other hosts
	 * are not even loaded. */
	int rc = -EINVAL;
	for (int i = 0; i < plan->nhops; i++) {
		struct bpf_program *prog = bpf_object__find_program_by_name(s->obj, plan->hops[i].prog);
		if (!prog) {
			snprintf(err, errlen, "program %s of hop '%s' is missing from the object", plan->hops[i].prog,
				 plan->hops[i].name);
			goto fail;
		}
		bpf_program__set_autoload(prog, false);
	}
	/* A program shared by several hops (compiler/lower.c) loads if any
	 * of them is this host's; the others are switched off inside it. */
	uint32_t off[VNT_MAX_HOPS] = { 0 };
	for (int i = 0; i < plan->nhops; i++) {
		off[i] = !(s->hop_mask >> i & 1);
		if (!off[i])
			bpf_program__set_autoload(bpf_object__find_program_by_name(s->obj, plan->hops[i].prog), true);
	}
	if (plan->nhops)
		rodata_set(s->obj, "vnt_hop_off", off, sizeof(uint32_t) * (size_t)plan->nhops);
	bool all = true;
	for (int i = 0; i < plan->nhops; i++)
		all &= s->hop_mask >> i & 1;
	if (fill_rodata(s->obj, plan, all, err, errlen))
		goto fail;
	uint32_t d = direct && !getenv("VNT_PROBE_READS");
	/* Objects from before the switch have no such variable: probe reads. */
	bool switchable = rodata_set(s->obj, "vnt_direct_pkt", &d, sizeof(d)) == 0;
	rc = bpf_object__load(s->obj);
	if (rc && d && switchable) {
		rc = -EAGAIN;
		goto fail;
	}
	if (rc)
		explain_load_failure(plan, err, errlen, rc);
fail:
	if (rc) {
		bpf_object__close(s->obj);
		s->obj = NULL;
	}
	return rc;
}

/* The first of the problems vnt_plan_resolve finds, with the place in
 * the script that names it. */
struct first_problem {
	char *err;
	size_t len;
	bool done;
};

static void first_problem(void *ctx, const char *srcloc, const char *msg, const char *hint)
{
	struct first_problem *fp = ctx;
	if (fp->done)
		return;
	fp->done = true;
	char where[512];
	vnt_srcloc_shown(srcloc, where, sizeof(where));
	snprintf(fp->err, fp->len, "%s%s%s%s%s", where, *where ? ": " : "", msg, hint ? "\n      = hint: " : "",
		 hint ? hint : "");
}

struct vnt_session *vnt_session_open(const void *obj, size_t len, const struct vnt_plan *plan,
				     char *err, size_t errlen)
{
	return vnt_session_open_hops(obj, len, plan, ~0u, err, errlen);
}

struct vnt_session *vnt_session_open_hops(const void *obj, size_t len, const struct vnt_plan *plan,
					  uint32_t hop_mask, char *err, size_t errlen)
{
	vnt_bpflog_start(false);
	struct first_problem fp = { err, errlen, false };
	if (vnt_plan_resolve(plan, hop_mask, first_problem, &fp))
		return NULL;
	struct vnt_session *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->plan = plan;
	s->hop_mask = hop_mask;
	for (int i = 0; i < VNT_MAX_HOPS; i++)
		s->att[i].link_fd = -1;
	/* Direct packet reads first (bpf-templates/vnt_common.h, kernels
	 * that allow loads through untrusted pointers); where the verifier
	 * refuses the programs, once more with probe reads. */
	int rc = load_obj(s, obj, len, true, err, errlen);
	if (rc == -EAGAIN) {
		vnt_bpflog_start(false);
		rc = load_obj(s, obj, len, false, err, errlen);
	}
	if (rc)
		goto fail;
	return s;
fail:
	free(s);
	return NULL;
}

/* The first hop of this host that runs in hop i's program. */
static int first_of_prog(const struct vnt_session *s, int i)
{
	for (int j = 0; j < i; j++)
		if ((s->hop_mask >> j & 1) && !strcmp(s->plan->hops[j].prog, s->plan->hops[i].prog))
			return j;
	return i;
}

int vnt_session_attach(struct vnt_session *s, char *err, size_t errlen)
{
	for (int i = 0; i < s->plan->nhops; i++) {
		if (!(s->hop_mask >> i & 1))
			continue;
		const struct vnt_plan_hop *h = &s->plan->hops[i];
		if (first_of_prog(s, i) != i)
			continue;   /* attached with an earlier hop of its program */
		struct bpf_program *prog = bpf_object__find_program_by_name(s->obj, h->prog);
		int rc = vnt_attach_hop(prog, h, &s->att[s->natt], err, errlen);
		if (rc)
			return rc;   /* the caller closes the session: what did attach is detached */
		s->att_hop[s->natt++] = i;
	}
	return 0;
}

/* A budget stops libbpf's consume loop, which otherwise runs for as long
 * as producers keep the buffer non-empty: under a sustained flood the
 * caller would never get back to its clock, its socket or its signals.
 * libbpf has already advanced past the record when the callback returns,
 * so nothing is lost by stopping here. */
#define BUDGET_STOP (-EINTR)

static int on_record(void *ctx, void *data, size_t size)
{
	struct vnt_session *s = ctx;
	s->delivered++;
	int rc = s->event_fn ? s->event_fn(s->event_ctx, data, size) : 0;
	if (rc < 0)
		return rc;
	return s->budget && ++s->taken >= s->budget ? BUDGET_STOP : 0;
}

int vnt_session_events(struct vnt_session *s, vnt_event_fn fn, void *ctx)
{
	struct bpf_map *m = bpf_object__find_map_by_name(s->obj, "vnt_events");
	if (!m)
		return -ENOENT;
	s->event_fn = fn;
	s->event_ctx = ctx;
	s->rb = ring_buffer__new(bpf_map__fd(m), on_record, s, NULL);
	return s->rb ? 0 : -errno;
}

int vnt_session_events_fd(struct vnt_session *s)
{
	return s->rb ? ring_buffer__epoll_fd(s->rb) : -1;
}

/* ring_buffer__poll (wait) or __consume under a budget: the records
 * taken, or the callback's error. */
static int bounded(struct vnt_session *s, bool wait, int timeout_ms, unsigned max)
{
	s->budget = max;
	s->taken = 0;
	int rc = wait ? ring_buffer__poll(s->rb, timeout_ms) : ring_buffer__consume(s->rb);
	/* The programs wake readers only when much is waiting
	 * (bpf-templates/vnt_events.h): a poll that timed out takes what
	 * arrived meanwhile. */
	if (wait && rc == 0)
		rc = ring_buffer__consume(s->rb);
	bool hit = max && s->taken >= max;
	s->budget = 0;
	return rc < 0 && hit ? (int)s->taken : rc;
}

int vnt_session_consume(struct vnt_session *s, unsigned max)
{
	return s->rb ? bounded(s, false, 0, max) : 0;
}

int vnt_session_poll(struct vnt_session *s, int timeout_ms)
{
	if (s->rb)
		return bounded(s, true, timeout_ms, VNT_SESSION_POLL_BUDGET);
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
	return 0;
}

uint64_t vnt_session_events_delivered(struct vnt_session *s)
{
	return s->delivered;
}

void vnt_session_detach(struct vnt_session *s)
{
	for (int i = 0; s && i < s->natt; i++)
		vnt_detach(&s->att[i]);
}

void vnt_session_detach_trace(struct vnt_session *s, int trace)
{
	/* Programs are shared only by hops of traces that end together
	 * (compiler/lower.c, share_programs): detaching one of them here
	 * ends no other trace early. */
	for (int i = 0; s && i < s->natt; i++)
		if (s->plan->hops[s->att_hop[i]].trace == trace)
			vnt_detach(&s->att[i]);
}

void vnt_session_close(struct vnt_session *s)
{
	if (!s)
		return;
	vnt_session_detach(s);   /* first: then the drain below is finite */
	if (s->rb) {
		ring_buffer__consume(s->rb);   /* what is already in the buffer is delivered */
		ring_buffer__free(s->rb);
	}
	bpf_object__close(s->obj);
	free(s);
}
