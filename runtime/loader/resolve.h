/* A plan's names resolved on this host before anything is loaded
 * (runtime/loader/resolve.c). */
#ifndef VNT_RESOLVE_H
#define VNT_RESOLVE_H
#include <stddef.h>
#include <stdint.h>
#include "compiler/plan.h"

/* 0 if "[netns/]dev" names a device here; else -errno, with what is wrong
 * in msg and where to look in hint. */
int vnt_dev_problem(const char *spec, char *msg, size_t n, char *hint, size_t hn);

/* srcloc: "file:line:col" where the script names the thing, or NULL;
 * hint may be NULL. */
typedef void (*vnt_resolve_report_fn)(void *ctx, const char *srcloc, const char *msg, const char *hint);
/* Every device and hop feature of the hops in hop_mask (the devices of
 * filters only when hop_mask holds every hop); each problem is reported.
 * Returns the number of problems. */
int vnt_plan_resolve(const struct vnt_plan *p, uint32_t hop_mask, vnt_resolve_report_fn report, void *ctx);

/* srcloc as people read it: "file:line:col" (without a "-end" column). */
const char *vnt_srcloc_shown(const char *srcloc, char *buf, size_t n);

#endif
