/* The language's limits: what one script may hold (doc/vnt-lang.7,
 * LIMITS). The plan and the templates are sized from them. */
#ifndef VNT_LIMITS_H
#define VNT_LIMITS_H

#define VNT_MAX_HOPS 32         /* per script */
#define VNT_MAX_AGGS 32         /* per script */
#define VNT_MAX_KEYS 8          /* per aggregation */
#define VNT_MAX_AGG_ARGS 4      /* arguments of an aggregation: lhist(v, min, max, step) */
#define VNT_BD_MAXHOPS 16       /* hops of a trace with breakdown() */

#endif
