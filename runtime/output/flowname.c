/* Flows and protocols named for people (flowname.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "runtime/output/flowname.h"

const char *vnt_proto_name(unsigned proto, char *buf, size_t n)
{
	const char *s = proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 1 ? "icmp" : proto == 58 ? "icmp6" :
			proto == 132 ? "sctp" : NULL;
	if (s)
		snprintf(buf, n, "%s", s);
	else
		snprintf(buf, n, "proto %u", proto);
	return buf;
}

/* An ICMP or ICMPv6 message: its type by name where people know it. */
static void icmp_name(char *buf, size_t n, unsigned proto, unsigned id, unsigned type, unsigned code)
{
	static const struct { unsigned proto, type; const char *name; bool echo; } t[] = {
		{ 1, 0, "echo-reply", true }, { 1, 8, "echo-request", true }, { 1, 3, "unreachable", false },
		{ 1, 11, "time-exceeded", false }, { 58, 128, "echo-request", true }, { 58, 129, "echo-reply", true },
		{ 58, 1, "unreachable", false }, { 58, 3, "time-exceeded", false },
		{ 58, 135, "neighbor-solicit", false }, { 58, 136, "neighbor-advert", false },
	};
	const char *p = proto == 1 ? "icmp" : "icmp6";
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].proto == proto && t[i].type == type) {
			if (t[i].echo)
				snprintf(buf, n, "%s %s id %u", p, t[i].name, id);
			else
				snprintf(buf, n, "%s %s code %u", p, t[i].name, code);
			return;
		}
	snprintf(buf, n, "%s type %u code %u", p, type, code);
}

void vnt_flow_name(char *buf, size_t n, const char *saddr, const char *daddr, unsigned sport, unsigned dport,
		   unsigned proto)
{
	char p[64];
	if (proto == 6 || proto == 17 || proto == 132) {
		bool v6 = strchr(saddr, ':') != NULL;
		snprintf(buf, n, v6 ? "[%s]:%u > [%s]:%u %s" : "%s:%u > %s:%u %s", saddr, sport, daddr, dport,
			 vnt_proto_name(proto, p, sizeof(p)));
	} else if (proto == 1 || proto == 58) {
		icmp_name(p, sizeof(p), proto, sport, dport >> 8, dport & 0xff);
		snprintf(buf, n, "%s > %s %s", saddr, daddr, p);
	} else {
		snprintf(buf, n, "%s > %s %s", saddr, daddr, vnt_proto_name(proto, p, sizeof(p)));
	}
}
