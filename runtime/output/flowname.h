/* Flows and protocols named for people, the same in every output (the
 * `flow` key of vnt run, the flows of vnt report). */
#ifndef VNT_FLOWNAME_H
#define VNT_FLOWNAME_H

#include <stddef.h>

/* "tcp", "udp", "icmp", "icmp6", "sctp", or "proto 47". Returns buf. */
const char *vnt_proto_name(unsigned proto, char *buf, size_t n);

/* "10.0.0.1:5000 > 10.0.0.2:53 udp", "[fe80::1]:5000 > [fe80::2]:53 udp",
 * "10.0.0.1 > 10.0.0.2 icmp echo-request id 37" (for ICMP the ports are
 * the echo identifier and type << 8 | code: bpf-templates/vnt_abi.h),
 * "10.0.0.1 > 10.0.0.2 proto 47". Addresses as text; an IPv6 one is
 * bracketed where a port follows. */
void vnt_flow_name(char *buf, size_t n, const char *saddr, const char *daddr, unsigned sport, unsigned dport,
		   unsigned proto);

#endif
