/* A small certificate authority for agents and dispatchers (`vnt certs`):
 * what tests/hosts/lib.sh made with the openssl command, with OpenSSL's
 * library. Keys are EC P-256; certificates carry what runtime/proto/tls.c
 * checks: a CA with basicConstraints CA:TRUE and keyCertSign, leaves with
 * the host's DNS name or IP addresses in subjectAltName and both TLS
 * purposes (serverAuth for an agent, clientAuth for a dispatcher).
 *
 * Every file is written to a temporary name and renamed into place at the
 * end, without replacing anything: a failure leaves nothing behind. */
#ifndef VNT_PKI_H
#define VNT_PKI_H

#include <stdbool.h>
#include <stddef.h>

#define VNT_PKI_CA_DAYS 3650
#define VNT_PKI_LEAF_DAYS 825

/* Create DIR (which must not exist) holding ca.crt and ca.key (mode 0600,
 * the directory 0700). 0, or -1 with a sentence in err. */
int vnt_pki_init(const char *dir, int days, char *err, size_t errlen);

/* Issue DIR/NAME.crt and DIR/NAME.key, signed by DIR's CA. NAME is a DNS
 * name or an IP address; ips are more IP addresses for subjectAltName.
 * Refuses to replace an existing NAME.crt or NAME.key. */
int vnt_pki_issue(const char *dir, const char *name, const char *const *ips, int nips, int days, char *err,
		  size_t errlen);

/* RFC 1123 host name: labels of letters, digits and '-' (not at either
 * end), 1-63 characters each, 253 in all. */
bool vnt_pki_dns_name_ok(const char *name);
/* An IPv4 or IPv6 address in text form. */
bool vnt_pki_ip_ok(const char *addr);

#endif
