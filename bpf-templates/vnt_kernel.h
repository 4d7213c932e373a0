/* The kernel's types (vmlinux.h, dumped from this host's BTF) and libbpf's
 * BPF-side headers: what every generated program includes first, and the
 * bulk of what clang parses for it (~130k lines). `make` precompiles this
 * header into vnt_kernel.pch, which vnt hands to clang when it is there and
 * current (compiler/clang.c): the same object, ~0.15 s less per compile. */
#ifndef VNT_KERNEL_H
#define VNT_KERNEL_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#endif
