/* What a trace costs the host, measured for the agent's limits. */
#ifndef VNT_AGENT_LIMITS_H
#define VNT_AGENT_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct bpf_object;

/* Memory the object's maps will take once created, from the object file
 * alone (before anything is loaded): (key + value) x max_entries per map,
 * times the CPUs for per-CPU maps, and max_entries bytes for ring
 * buffers (their size). 0, or -1 with a sentence in err. */
int agent_map_bytes(const void *obj, size_t len, uint64_t *bytes, char *err, size_t errlen);

/* Total run time of the object's loaded programs (ns), as the kernel
 * counts it while BPF statistics are enabled (agent_stats_enable). */
uint64_t agent_prog_run_ns(struct bpf_object *obj);

/* Turn BPF run-time statistics on for as long as the returned descriptor
 * is open (BPF_ENABLE_STATS: nothing to restore when the agent dies).
 * -errno if the kernel refuses. */
int agent_stats_enable(void);

#endif
