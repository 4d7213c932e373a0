/* uprobe("/path/to/binary", "symbol"): a user-space function (a switch's
 * or a VMM's); no packet. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "compiler/hopkind.h"
#include "compiler/plan.h"
#include "lib/strbuf.h"

static int lower(struct vnt_hop_lowering *l)
{
	if (!l->a1 || l->a1->kind != L_STR) {
		vnt_error(l->d, l->loc, "uprobe(\"/path/to/binary\", \"symbol\")", "uprobe() needs a binary and a symbol");
		return -1;
	}
	struct strbuf b;
	sb_init(&b);
	sb_printf(&b, "%s:%s", l->a0->str, l->a1->str);
	l->ph->target = sb_steal(&b);
	return 0;
}

static void program(const struct vnt_plan_hop *h, struct vnt_hop_program *p)
{
	snprintf(p->sec, sizeof(p->sec), "uprobe");
	p->tpl = "hop_noskb.tpl";
	snprintf(p->arg, sizeof(p->arg), "%d", h->skb_arg);
}

/* The binary part of "binary:symbol". */
static void binary(const struct vnt_plan_hop *h, char *bin, size_t n)
{
	const char *colon = strrchr(h->target, ':');
	snprintf(bin, n, "%.*s", colon ? (int)(colon - h->target) : (int)strlen(h->target), h->target);
}

/* The binary; its symbol is found when attaching. */
static int available(const struct vnt_plan_hop *h, char *why, size_t len)
{
	char bin[512];
	binary(h, bin, sizeof(bin));
	if (!access(bin, R_OK))
		return 0;
	snprintf(why, len, "hop '%s': cannot read the uprobe's binary %s: %s", h->name, bin, strerror(errno));
	return -1;
}

static int attach(struct bpf_program *prog, const struct vnt_plan_hop *h, struct vnt_attachment *a, char *err,
		  size_t len)
{
	char bin[512];
	const char *colon = strrchr(h->target, ':');
	if (!colon) {
		snprintf(err, len, "hop '%s': uprobe target must be binary:symbol", h->name);
		return -EINVAL;
	}
	binary(h, bin, sizeof(bin));
	LIBBPF_OPTS(bpf_uprobe_opts, o, .func_name = colon + 1);
	a->link = bpf_program__attach_uprobe_opts(prog, -1, bin, 0, &o);
	if (!a->link) {
		int e = errno;
		if (e == ENOENT && access(bin, R_OK) == 0)   /* libbpf found no such symbol in it */
			snprintf(err, len, "hop '%s': cannot attach uprobe: %s has no symbol '%s' (`nm -D %s` lists "
				 "its dynamic symbols)", h->name, bin, colon + 1, bin);
		else
			snprintf(err, len, "hop '%s': cannot attach uprobe to %s in %s: %s", h->name, colon + 1, bin,
				 strerror(e));
		return -e;
	}
	return 0;
}

const struct vnt_hopkind vnt_hk_uprobe = {
	.name = "uprobe",
	.form = { "uprobe", 2, 2, -1, "uprobe(\"/path/to/binary\", \"symbol\")",
		  "uprobe on a user-space function (no packet)" },
	.feature = "uprobe",
	.lower = lower,
	.program = program,
	.available = available,
	.attach = attach,
};
