/* vnt certs init DIR | vnt certs issue DIR NAME [--ip ADDR]...: the CA
 * and certificates that vnt-agent and vnt dispatch authenticate each
 * other with (runtime/proto/pki.c does the work). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/proto/pki.h"
#include "tools/cmds.h"

#define MAX_IPS 16

static const char usage[] = "usage: vnt certs init DIR [--days N]\n"
			    "       vnt certs issue DIR NAME [--ip ADDR]... [--days N]\n";

/* Usage errors: the synopsis and where the rest is. */
static int usage_error(void)
{
	fprintf(stderr, "%s(vnt certs --help explains them)\n", usage);
	return 2;
}

static void help(FILE *f)
{
	fprintf(f, "%s\n"
		"Certificates for vnt-agent and vnt dispatch, which authenticate each other\n"
		"with TLS 1.3: both present a certificate signed by the same CA.\n\n"
		"  init DIR     create the directory DIR (it must not exist) with a new CA:\n"
		"               DIR/ca.crt (give it to every agent and dispatcher) and\n"
		"               DIR/ca.key (mode 0600: keep it in DIR)\n"
		"  issue DIR NAME\n"
		"               DIR/NAME.crt and DIR/NAME.key, signed by DIR's CA, for an agent\n"
		"               or a dispatcher. For an agent, NAME is the host's name as the\n"
		"               dispatcher's hosts file writes it (a DNS name or an IP\n"
		"               address): the dispatcher checks it. Existing files are never\n"
		"               replaced.\n\n"
		"  --ip ADDR    also name the IP address ADDR (repeatable)\n"
		"  --days N     validity (default %d for a CA, %d for a certificate)\n"
		"  -h, --help   show this help\n\n"
		"Keys are EC P-256. Every file is written under a temporary name and renamed\n"
		"at the end: after a failure nothing is left behind.\n\n"
		"Example: a CA, two agents and the dispatcher:\n"
		"  vnt certs init pki\n"
		"  vnt certs issue pki host1 --ip 10.0.0.1\n"
		"  vnt certs issue pki host2\n"
		"  vnt certs issue pki dispatcher\n"
		"Exit status: 0 done, 1 failed (nothing written), 2 usage error.\n",
		usage, VNT_PKI_CA_DAYS, VNT_PKI_LEAF_DAYS);
}

int cmd_certs(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { "ip", required_argument, NULL, 'i' },
					      { "days", required_argument, NULL, 'd' }, { 0 } };
	const char *ips[MAX_IPS];
	int nips = 0, days = 0, c;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': help(stdout); return 0;
		case 'i':
			if (nips == MAX_IPS) {
				fprintf(stderr, "vnt: error: certs: at most %d --ip addresses\n", MAX_IPS);
				return 2;
			}
			ips[nips++] = optarg;
			break;
		case 'd': {
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > 36500) {
				fprintf(stderr, "vnt: error: certs: --days takes a number of days (1..36500), not '%s'\n",
					optarg);
				return 2;
			}
			days = (int)v;
			break;
		}
		default: return usage_error();
		}
	}
	int nargs = argc - optind;
	const char *verb = nargs ? argv[optind] : "";
	char err[1024];
	if (!strcmp(verb, "init") && nargs == 2) {
		const char *dir = argv[optind + 1];
		if (nips) {
			fprintf(stderr, "vnt: error: certs init: --ip is for `vnt certs issue`\n");
			return 2;
		}
		if (vnt_pki_init(dir, days ? days : VNT_PKI_CA_DAYS, err, sizeof(err))) {
			fprintf(stderr, "vnt: error: certs init: %s\n", err);
			return 1;
		}
		printf("%s/ca.crt  the CA's certificate (valid %d days): every agent and dispatcher gets a copy\n"
		       "%s/ca.key  the CA's private key (mode 0600): it stays here\n"
		       "next: vnt certs issue %s NAME, for each agent's host and for the dispatcher\n",
		       dir, days ? days : VNT_PKI_CA_DAYS, dir, dir);
		return 0;
	}
	if (!strcmp(verb, "issue") && nargs == 3) {
		const char *dir = argv[optind + 1], *name = argv[optind + 2];
		if (vnt_pki_issue(dir, name, ips, nips, days ? days : VNT_PKI_LEAF_DAYS, err, sizeof(err))) {
			fprintf(stderr, "vnt: error: certs issue: %s\n", err);
			return 1;
		}
		printf("%s/%s.crt  certificate for %s", dir, name, name);
		for (int i = 0; i < nips; i++)
			printf("%s%s", i ? ", " : " and ", ips[i]);
		printf(" (valid %d days, signed by %s/ca.crt)\n%s/%s.key  its private key (mode 0600)\n",
		       days ? days : VNT_PKI_LEAF_DAYS, dir, dir, name);
		return 0;
	}
	if (!strcmp(verb, "init") || !strcmp(verb, "issue"))
		fprintf(stderr, "vnt: error: certs %s takes %s\n", verb, verb[1] == 'n' ? "DIR" : "DIR NAME");
	else if (nargs)
		fprintf(stderr, "vnt: error: certs: unknown action '%s' (init or issue)\n", verb);
	return usage_error();
}
