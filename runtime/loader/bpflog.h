/* libbpf's messages (the verifier's log among them) are captured rather
 * than printed: on a load failure, their last lines are what explains it. */
#ifndef VNT_BPFLOG_H
#define VNT_BPFLOG_H
#include <stdbool.h>
#include <stddef.h>

/* Empty the buffer and route libbpf's messages to it; echo: also print them. */
void vnt_bpflog_start(bool echo);
/* The captured text, whole or its last max bytes. */
const char *vnt_bpflog_text(void);
const char *vnt_bpflog_tail(size_t max);

#endif
