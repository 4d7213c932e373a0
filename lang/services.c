/* Service names in port primitives (`tcp port http`), as tcpdump users
 * write them. tcpdump looks them up in /etc/services, which a minimal
 * host may lack; these are the IANA assignments of the common ones, the
 * same for TCP and UDP. */
#include <stdbool.h>
#include <string.h>
#include "lang/parse.h"

static const struct { const char *name; int port; } services[] = {
	{ "ftp-data", 20 }, { "ftp", 21 }, { "ssh", 22 }, { "telnet", 23 }, { "smtp", 25 }, { "domain", 53 },
	{ "dns", 53 }, { "bootps", 67 }, { "bootpc", 68 }, { "tftp", 69 }, { "http", 80 }, { "www", 80 },
	{ "kerberos", 88 }, { "pop3", 110 }, { "sunrpc", 111 }, { "ntp", 123 }, { "netbios-ns", 137 },
	{ "imap", 143 }, { "snmp", 161 }, { "snmp-trap", 162 }, { "bgp", 179 }, { "ldap", 389 }, { "https", 443 },
	{ "microsoft-ds", 445 }, { "syslog", 514 }, { "submission", 587 }, { "ldaps", 636 }, { "imaps", 993 },
	{ "pop3s", 995 }, { "openvpn", 1194 }, { "mysql", 3306 }, { "radius", 1812 }, { "nfs", 2049 },
	{ "vxlan", 4789 }, { "geneve", 6081 }, { "postgresql", 5432 }, { "redis", 6379 }, { "http-alt", 8080 },
	{ "memcache", 11211 },
};

int vnt_service_names(const char **out, int max)
{
	int n = 0;
	for (size_t i = 0; i < sizeof services / sizeof services[0] && n < max; i++)
		out[n++] = services[i].name;
	return n;
}

int vnt_service_port(const char *name)
{
	for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
		if (!strcmp(services[i].name, name))
			return services[i].port;
	return -1;
}

bool vnt_fexpr_to_service(struct vnt_fexpr *f)
{
	int port = f->kind == F_REF && f->maybe_port ? vnt_service_port(f->name) : -1;
	if (port < 0)
		return false;
	f->kind = F_PORT;
	f->port_lo = f->port_hi = (unsigned)port;
	f->proto = f->port_proto;
	f->dir = f->port_dir;
	return true;
}

void vnt_fexpr_services(struct vnt_fexpr *f)
{
	if (!f)
		return;
	vnt_fexpr_to_service(f);
	vnt_fexpr_services(f->l);
	vnt_fexpr_services(f->r);
}
