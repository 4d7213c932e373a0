/* The layouts of an aggregation's value and the shapes it is shown in:
 * what the compiler plans, the manifest records and the reader and the
 * outputs read (runtime/output/snapshot.h), without the compiler's kinds. */
#ifndef VNT_AGGSHAPE_H
#define VNT_AGGSHAPE_H

/* What the kernel keeps per key; the reader merges CPUs and the front
 * cache by it (runtime/loader/reader.c). */
enum vnt_agg_value {
	AV_SCALAR,      /* struct vnt_sval: count, sum, min, max */
	AV_SLOTS,       /* nslots counters */
	AV_LOGLIN,      /* VNT_LL_SLOTS log-linear counters, then the sum and the maximum (struct vnt_pval) */
};

/* How it is shown; every output format renders each shape
 * (the formats in runtime/output/). */
enum vnt_agg_shape {
	AS_SCALAR,      /* one number per row: the plan's scalar */
	AS_LOG2,        /* buckets [2^(k-1), 2^k) */
	AS_LINEAR,      /* buckets [lmin + (k-1) step, lmin + k step), under- and overflow */
	AS_QUANTILES,   /* p50, p90, p99, p99.9, mean and maximum */
};

/* Which number a scalar row shows. */
enum vnt_agg_scalar { SC_COUNT, SC_SUM, SC_MIN, SC_MAX, SC_AVG };

/* Names of the shapes and scalars: the manifest's and the JSON output's
 * "shape", "scalar" and "value_of"; "?" for an unknown one. */
const char *vnt_agg_shape_name(enum vnt_agg_shape s);
const char *vnt_agg_scalar_name(enum vnt_agg_scalar s);

#endif
