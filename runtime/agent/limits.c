#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "runtime/agent/limits.h"

static int silent(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l; (void)f; (void)ap;
	return 0;
}

int agent_map_bytes(const void *obj, size_t len, uint64_t *bytes, char *err, size_t errlen)
{
	/* Opening parses the ELF only: no map or program reaches the kernel. */
	libbpf_print_fn_t prev = libbpf_set_print(silent);
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "vnt_size");
	struct bpf_object *o = bpf_object__open_mem(obj, len, &oo);
	libbpf_set_print(prev);
	if (!o) {
		snprintf(err, errlen, "not a valid BPF object: %s", strerror(errno));
		return -1;
	}
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu < 1)
		ncpu = 1;
	uint64_t total = 0;
	struct bpf_map *m;
	bpf_object__for_each_map(m, o) {
		uint64_t n = bpf_map__max_entries(m), one;
		switch (bpf_map__type(m)) {
		case BPF_MAP_TYPE_RINGBUF:
		case BPF_MAP_TYPE_USER_RINGBUF:
			one = n;
			break;
		case BPF_MAP_TYPE_PERCPU_ARRAY:
		case BPF_MAP_TYPE_PERCPU_HASH:
		case BPF_MAP_TYPE_LRU_PERCPU_HASH:
			one = ((uint64_t)bpf_map__key_size(m) + bpf_map__value_size(m)) * n * (uint64_t)ncpu;
			break;
		case BPF_MAP_TYPE_HASH:
			/* Preallocated (the keyed aggregations): every element
			 * exists from the start, each with the kernel's 48-byte
			 * header, plus a 16-byte bucket per slot and a spare
			 * element per CPU (kernel/bpf/hashtab.c). */
			one = (48 + (((uint64_t)bpf_map__key_size(m) + 7) & ~7ull) +
			       (((uint64_t)bpf_map__value_size(m) + 7) & ~7ull)) * (n + (uint64_t)ncpu) + 16 * n;
			break;
		default:
			one = ((uint64_t)bpf_map__key_size(m) + bpf_map__value_size(m)) * n;
			break;
		}
		total += one;
	}
	bpf_object__close(o);
	*bytes = total;
	return 0;
}

uint64_t agent_prog_run_ns(struct bpf_object *obj)
{
	uint64_t total = 0;
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		int fd = bpf_program__fd(p);
		if (fd < 0)
			continue;   /* another host's hop: not loaded here */
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			total += info.run_time_ns;
	}
	return total;
}

int agent_stats_enable(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	return fd < 0 ? -errno : fd;
}
