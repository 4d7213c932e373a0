/* What the compiling host's kernel says about attach points: which
 * argument of a BTF tracepoint or function is the sk_buff, and where a
 * classic tracepoint's record keeps it. */
#ifndef VNT_KERNEL_INFO_H
#define VNT_KERNEL_INFO_H

/* 0 with *arg set (-1: no sk_buff argument); -ENOENT if unknown. */
int vnt_kinfo_tp_skb_arg(const char *tp, int *arg);
int vnt_kinfo_func_skb_arg(const char *func, int *arg);
/* The last task_struct argument of a BTF tracepoint (-1 none). */
int vnt_kinfo_tp_task_arg(const char *tp, int *arg);
/* Drop reason and code-address arguments of a BTF tracepoint (-1 none). */
int vnt_kinfo_tp_drop_args(const char *tp, int *reason, int *location);
/* Classic tracepoint "cat:name": offset of its skbaddr field (-1 none);
 * -ENOENT if the kernel has no such tracepoint, -EACCES if tracefs may
 * not be read (root's). */
int vnt_kinfo_tracepoint_skb_off(const char *catname, int *off);
void vnt_kinfo_release(void);

#endif
