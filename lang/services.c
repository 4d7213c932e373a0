/* Service names in port primitives (`tcp port http`), as tcpdump users
 * write them. tcpdump looks them up in /etc/services, which a minimal
 * host may lack; these are the common ones. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "lang/parse.h"

#define T VNT_SVC_TCP
#define U VNT_SVC_UDP
/* As Debian's /etc/services (netbase) defines them, which is what tcpdump
 * reads: a name defined for one protocol is that protocol's port only.
 * dns, vxlan, geneve and memcache are vnt's own (IANA's assignments). */
static const struct { const char *name; int port; unsigned protos; } services[] = {
	{ "ftp-data", 20, T }, { "ftp", 21, T }, { "ssh", 22, T }, { "telnet", 23, T }, { "smtp", 25, T },
	{ "domain", 53, T | U }, { "dns", 53, T | U }, { "bootps", 67, U }, { "bootpc", 68, U }, { "tftp", 69, U },
	{ "http", 80, T }, { "www", 80, T }, { "kerberos", 88, T | U }, { "pop3", 110, T }, { "sunrpc", 111, T | U },
	{ "ntp", 123, U }, { "netbios-ns", 137, U }, { "imap", 143, T }, { "snmp", 161, T | U },
	{ "snmp-trap", 162, T | U }, { "bgp", 179, T }, { "ldap", 389, T | U }, { "https", 443, T | U },
	{ "microsoft-ds", 445, T }, { "syslog", 514, T | U }, { "submission", 587, T }, { "ldaps", 636, T | U },
	{ "imaps", 993, T }, { "pop3s", 995, T }, { "openvpn", 1194, T | U }, { "mysql", 3306, T },
	{ "radius", 1812, T | U }, { "nfs", 2049, T | U }, { "vxlan", 4789, U }, { "geneve", 6081, U },
	{ "postgresql", 5432, T }, { "redis", 6379, T }, { "http-alt", 8080, T }, { "memcache", 11211, T | U },
};
#undef T
#undef U

int vnt_service_names(const char **out, int max)
{
	int n = 0;
	for (size_t i = 0; i < sizeof services / sizeof services[0] && n < max; i++)
		out[n++] = services[i].name;
	return n;
}

int vnt_service_port(const char *name, unsigned *protos)
{
	for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
		if (!strcmp(services[i].name, name)) {
			if (protos)
				*protos = services[i].protos;
			return services[i].port;
		}
	return -1;
}

void vnt_service_check(struct vnt_diag *d, const struct vnt_fexpr *f)
{
	if (!f)
		return;
	if (f->kind == F_PORT && f->svc_protos && (f->proto == P_TCP || f->proto == P_UDP)) {
		unsigned want = f->proto == P_TCP ? VNT_SVC_TCP : VNT_SVC_UDP;
		if (!(f->svc_protos & want)) {
			const char *is = f->svc_protos & VNT_SVC_TCP ? "tcp" : "udp";
			char hint[200];
			snprintf(hint, sizeof(hint), "write `%s port %s`, or the port number (%u) to match it over %s",
				 is, f->svc, f->port_lo, f->proto == P_TCP ? "tcp" : "udp");
			vnt_error(d, &f->loc, hint, "port '%s' is %s only (/etc/services), not %s", f->svc, is,
				  f->proto == P_TCP ? "tcp" : "udp");
		}
	}
	vnt_service_check(d, f->l);
	vnt_service_check(d, f->r);
}

bool vnt_fexpr_to_service(struct vnt_fexpr *f)
{
	unsigned protos = 0;
	int port = f->kind == F_REF && f->maybe_port ? vnt_service_port(f->name, &protos) : -1;
	if (port < 0)
		return false;
	f->kind = F_PORT;
	f->svc = f->name;
	f->name = NULL;
	f->svc_protos = protos;
	f->port_lo = f->port_hi = (unsigned)port;
	f->proto = f->port_proto;
	f->dir = f->port_dir;
	return true;
}

static void to_services(struct vnt_fexpr *f)
{
	if (!f)
		return;
	vnt_fexpr_to_service(f);
	to_services(f->l);
	to_services(f->r);
}

void vnt_fexpr_services(struct vnt_fexpr *f, struct vnt_diag *d)
{
	to_services(f);
	vnt_service_check(d, f);
}
