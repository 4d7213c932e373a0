/* Names of the shapes and scalars (compiler/aggshape.h). */
#include <stddef.h>
#include "compiler/aggshape.h"

const char *vnt_agg_shape_name(enum vnt_agg_shape s)
{
	static const char *const n[] = { "scalar", "log2", "linear", "quantiles" };
	return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "?";
}

const char *vnt_agg_scalar_name(enum vnt_agg_scalar s)
{
	static const char *const n[] = { "count", "sum", "min", "max", "avg" };
	return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "?";
}
