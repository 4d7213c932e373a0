#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "compiler/kernel_info.h"
#include "lib/fileutil.h"

static struct btf *vmlinux;

static struct btf *kbtf(void)
{
	if (!vmlinux) {
		vmlinux = btf__load_vmlinux_btf();
		if (libbpf_get_error(vmlinux))
			vmlinux = NULL;
	}
	return vmlinux;
}

void vnt_kinfo_release(void)
{
	btf__free(vmlinux);
	vmlinux = NULL;
}

static const struct btf_type *skip_mods(const struct btf *b, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(b, id);
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(b, t->type);
	return t;
}

static int is_ptr_to(const struct btf *b, __u32 id, const char *sname)
{
	const struct btf_type *t = skip_mods(b, id);
	if (!t || !btf_is_ptr(t))
		return 0;
	t = skip_mods(b, t->type);
	return t && btf_is_struct(t) && !strcmp(btf__name_by_offset(b, t->name_off), sname);
}

/* The prototype of BTF tracepoint tp: typedef btf_trace_<tp> -> pointer
 * -> FUNC_PROTO whose parameter 0 is the tracepoint's void *data. */
static const struct btf_type *tp_proto(const struct btf *b, const char *tp)
{
	char name[256];
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	int id = btf__find_by_name_kind(b, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return NULL;
	const struct btf_type *t = skip_mods(b, (__u32)id);
	t = t && btf_is_ptr(t) ? skip_mods(b, t->type) : NULL;
	return t && btf_is_func_proto(t) ? t : NULL;
}

/* first: index of the first real argument in the prototype's params. */
static int skb_param(const struct btf *b, const struct btf_type *proto, int first, int *arg)
{
	const struct btf_param *p = btf_params(proto);
	*arg = -1;
	for (int i = first; i < btf_vlen(proto); i++)
		if (is_ptr_to(b, p[i].type, "sk_buff")) {
			*arg = i - first;
			break;
		}
	return 0;
}

int vnt_kinfo_tp_skb_arg(const char *tp, int *arg)
{
	struct btf *b = kbtf();
	if (!b)
		return -ENOSYS;
	const struct btf_type *t = tp_proto(b, tp);
	if (!t)
		return -ENOENT;
	return skb_param(b, t, 1, arg);    /* param 0 is the tracepoint's void *data */
}

/* The task a tracepoint is about: the last task_struct argument
 * (sched_switch: the task switched in; sched_wakeup: the woken task). */
int vnt_kinfo_tp_task_arg(const char *tp, int *arg)
{
	struct btf *b = kbtf();
	if (!b)
		return -ENOSYS;
	const struct btf_type *t = tp_proto(b, tp);
	if (!t)
		return -ENOENT;
	const struct btf_param *p = btf_params(t);
	*arg = -1;
	for (int i = 1; i < btf_vlen(t); i++)
		if (is_ptr_to(b, p[i].type, "task_struct"))
			*arg = i - 1;
	return 0;
}

/* kfree_skb-like tracepoints: the drop reason (enum skb_drop_reason) and
 * the code address (the first void * argument). */
int vnt_kinfo_tp_drop_args(const char *tp, int *reason, int *location)
{
	struct btf *b = kbtf();
	*reason = *location = -1;
	if (!b)
		return -ENOSYS;
	const struct btf_type *t = tp_proto(b, tp);
	if (!t)
		return -ENOENT;
	const struct btf_param *p = btf_params(t);
	for (int i = 1; i < btf_vlen(t); i++) {
		const struct btf_type *pt = skip_mods(b, p[i].type);
		if (!pt)
			continue;
		if (btf_is_enum(pt) && !strcmp(btf__name_by_offset(b, pt->name_off), "skb_drop_reason") && *reason < 0)
			*reason = i - 1;
		if (btf_is_ptr(pt) && pt->type == 0 && *location < 0)
			*location = i - 1;
	}
	return 0;
}

int vnt_kinfo_func_skb_arg(const char *func, int *arg)
{
	struct btf *b = kbtf();
	if (!b)
		return -ENOSYS;
	int id = btf__find_by_name_kind(b, func, BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	const struct btf_type *t = btf__type_by_id(b, (__u32)id);
	t = t ? btf__type_by_id(b, t->type) : NULL;
	if (!t || !btf_is_func_proto(t))
		return -ENOENT;
	return skb_param(b, t, 0, arg);
}

int vnt_kinfo_tracepoint_skb_off(const char *catname, int *off)
{
	char cat[128], path[512];
	const char *colon = strchr(catname, ':');
	if (!colon || colon == catname || (size_t)(colon - catname) >= sizeof(cat))
		return -EINVAL;
	snprintf(cat, sizeof(cat), "%.*s", (int)(colon - catname), catname);
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char *fmt = NULL;
	int err = ENOENT;
	for (size_t i = 0; i < 2 && !fmt; i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s/format", roots[i], cat, colon + 1);
		fmt = vnt_read_file(path, NULL);
		if (!fmt && (errno == EACCES || errno == EPERM))
			err = EACCES;   /* there, but tracefs is root's */
	}
	if (!fmt)
		return -err;
	*off = -1;
	char *f = strstr(fmt, " skbaddr;");
	if (f) {
		char *o = strstr(f, "offset:");
		if (o)
			*off = atoi(o + 7);
	}
	free(fmt);
	return 0;
}
