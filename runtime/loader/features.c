/* Does this kernel have what a hop needs? Its kind says (compiler/hops/). */
#include <stdio.h>
#include "compiler/hopkind.h"
#include "runtime/loader/features.h"

int vnt_feature_check(const struct vnt_plan_hop *h, char *why, size_t len)
{
	return h->kind->available ? h->kind->available(h, why, len) : 0;
}
