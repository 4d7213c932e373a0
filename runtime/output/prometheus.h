/* A snapshot in the Prometheus text exposition format (version 0.0.4),
 * and the merge of several such texts into one page: what `vnt run
 * --metrics`, `vnt run -f prometheus` and the agent's metrics page serve.
 * The metric names and labels are listed in doc/prometheus.md. */
#ifndef VNT_PROMETHEUS_H
#define VNT_PROMETHEUS_H

#include <stdio.h>
#include "runtime/output/snapshot.h"

/* One snapshot's metrics: each family's # HELP and # TYPE lines, then
 * its samples. Every series is labelled trace="NAME". */
void vnt_output_prometheus(FILE *f, const struct vnt_snapshot *s);

/* The same, as a string the caller frees (NULL when out of memory). */
char *vnt_prometheus_render(const struct vnt_snapshot *s);

/* Several rendered texts (one per trace) as one page: the samples of a
 * family that several texts hold are put together under one # HELP and
 * # TYPE (the format requires each family once). A string the caller
 * frees; NULL when out of memory. */
char *vnt_prometheus_merge(const char *const *texts, int n);

#endif
