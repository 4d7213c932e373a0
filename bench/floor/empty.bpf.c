/* The floor: an empty program on each hook the workloads use, in both
 * forms (BTF tracepoint, as vnt's hops; classic tracepoint, as bpftrace's
 * probes). Its kernel-accounted ns/event is what any tracer pays on that
 * hook before doing any work (program dispatch plus the accounting itself).
 * No includes: built by bench/run with `clang -O2 -target bpf -c`. */
#define SEC(name) __attribute__((section(name), used))

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/net_dev_start_xmit") int floor_btf_xmit(void *ctx) { return 0; }
SEC("tp_btf/netif_receive_skb") int floor_btf_recv(void *ctx) { return 0; }
SEC("tracepoint/net/net_dev_start_xmit") int floor_tp_xmit(void *ctx) { return 0; }
SEC("tracepoint/net/netif_receive_skb") int floor_tp_recv(void *ctx) { return 0; }
