/* Does this kernel have what a hop needs? Checked before loading so the
 * user hears which feature is missing and what to use instead, rather
 * than a bare errno from the verifier or the attach call. */
#ifndef VNT_FEATURES_H
#define VNT_FEATURES_H
#include <stddef.h>
#include "compiler/plan.h"

/* 0 if supported; else -1 with a sentence in why (feature and alternative). */
int vnt_feature_check(const struct vnt_plan_hop *h, char *why, size_t len);

#endif
