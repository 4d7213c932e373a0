/* The raw attach forms that hop points are built on: one entry each. */
#include <string.h>
#include "program.h"
#include "compiler/plan.h"

const struct vnt_form vnt_forms[] = {
	{ "tp_btf", HK_TP_BTF, 1, 2, -1, "tp_btf(\"tracepoint\" [, skb_arg])",
	  "BTF-typed tracepoint; arguments are read directly (fastest)" },
	{ "tracepoint", HK_TRACEPOINT, 1, 1, -1, "tracepoint(\"category:name\")",
	  "classic tracepoint; the sk_buff comes from the record's skbaddr field" },
	{ "raw_tp", HK_RAW_TP, 1, 2, -1, "raw_tp(\"tracepoint\" [, skb_arg])",
	  "raw tracepoint; arguments read with probe reads" },
	{ "tc_ingress", HK_TC_INGRESS, 1, 1, 0, "tc_ingress(\"[netns/]dev\")",
	  "tc clsact ingress hook of a device" },
	{ "tc_egress", HK_TC_EGRESS, 1, 1, 0, "tc_egress(\"[netns/]dev\")",
	  "tc clsact egress hook of a device" },
	{ "xdp", HK_XDP, 1, 1, 0, "xdp(\"[netns/]dev\")",
	  "XDP hook of a device (generic mode where native is unavailable)" },
	{ "kprobe", HK_KPROBE, 1, 2, -1, "kprobe(\"function\" [, skb_arg])",
	  "kprobe on a kernel function; needs CONFIG_KPROBES" },
	{ "fentry", HK_FENTRY, 1, 2, -1, "fentry(\"function\" [, skb_arg])",
	  "fentry on a kernel function; needs BPF trampolines" },
	{ "uprobe", HK_UPROBE, 2, 2, -1, "uprobe(\"/path/to/binary\", \"symbol\")",
	  "uprobe on a user-space function (no packet)" },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

const struct vnt_form *vnt_form_find(const char *name)
{
	for (const struct vnt_form *f = vnt_forms; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}
