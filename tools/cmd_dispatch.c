/* vnt dispatch PKG: run a control package on several hosts' agents and
 * collect their data into the store (runtime/dispatch/dispatch.c does the work). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/dispatch/dispatch.h"
#include "tools/cmds.h"

static void on_signal(int sig) { (void)sig; vnt_dispatch_stop = 1; }

static void help(FILE *f)
{
	fprintf(f, "usage: vnt dispatch PKG.vntpkg (--hosts FILE | --host NAME=ADDR:PORT,...) [OPTIONS]\n\n"
		"Send a control package (`vnt compile -o PKG.vntpkg SCRIPT`) to the vnt-agent\n"
		"of every host, estimate each agent's clock offset, load the package on all\n"
		"(each agent verifies it and checks its kernel), start the trace on all,\n"
		"store their snapshots and raw records, and stop them at the end: after\n"
		"--duration, the package's own `for`, or Ctrl-C. Prints one status line per\n"
		"host: hops attached, events, lost; or FAILED: and the error; or NOT STARTED:\n"
		"and why. An agent's refusal or failure is printed with the host's name and\n"
		"makes the exit status 1, as does a run that did not start on every host.\n\n"
		"  --hosts FILE          one host a line: `NAME ADDR:PORT [hops=a,b]` (TLS), or\n"
		"                        `NAME stdio:COMMAND...` (e.g. stdio:ssh NAME vnt-agent --stdio);\n"
		"                        hops= picks the hops that host runs (`trace.hop` names\n"
		"                        one trace's hop); with no hops= anywhere every host runs\n"
		"                        every hop; once a line has hops=, every line must and\n"
		"                        every hop must run somewhere (checked before any host\n"
		"                        is reached)\n"
		"  --host LIST           NAME=ADDR:PORT,... (every host runs all hops)\n"
		"  --db DB               the store: an SQLite file (default vnt.db), or\n"
		"                        clickhouse://HOST:PORT/DATABASE (HTTP port; tables made if\n"
		"                        missing; ?spool=DIR: where batches the server does not\n"
		"                        take are kept, default ./vnt-spool)\n"
		"  -d, --duration SECS   stop after SECS seconds\n"
		"  --cert FILE           this dispatcher's certificate (PEM), signed by the\n"
		"                        CA the agents trust\n"
		"  --key FILE            its private key\n"
		"  --ca FILE             CA that signed the agents' certificates; an agent's\n"
		"                        certificate must name the host (DNS or IP) as NAME\n"
		"  --interval MS         snapshot interval for traces without `every` (default 1000)\n"
		"  --timeout SECS        an agent silent this long has failed (default 10)\n"
		"  --connect-timeout SECS  an agent that refuses the connection (not listening\n"
		"                        yet: a host just booted) is tried again every 0.2 s for\n"
		"                        up to SECS seconds (default 0: not again)\n"
		"  --clock-every MS      measure each agent's clock offset every MS milliseconds\n"
		"                        while tracing (default 1000; 0: at the start only)\n"
		"  -q, --quiet           no progress lines on standard error\n"
		"  -h, --help            show this help\n\n"
		"The run, its hosts (with clock offset and uncertainty), raw records and\n"
		"snapshots are in the store: read them with `vnt report DB`.\n"
		"Exit status: 0 if every host ran the trace, 1 otherwise, 2 on usage errors.\n");
}

int cmd_dispatch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hosts", required_argument, NULL, 'H' }, { "host", required_argument, NULL, 'L' },
		{ "db", required_argument, NULL, 'D' }, { "duration", required_argument, NULL, 'd' },
		{ "cert", required_argument, NULL, 'C' }, { "key", required_argument, NULL, 'K' },
		{ "ca", required_argument, NULL, 'A' }, { "interval", required_argument, NULL, 'I' },
		{ "timeout", required_argument, NULL, 'T' }, { "quiet", no_argument, NULL, 'q' },
		{ "connect-timeout", required_argument, NULL, 'W' }, { "clock-every", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' }, { 0 } };
	struct vnt_dispatch_opts o = { .db = "vnt.db", .timeout_s = 10, .interval_ms = 1000, .time_samples = 8,
				       .clock_every_ms = 1000 };
	const char *hosts_file = NULL, *host_list = NULL;
	char *end;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hd:q", opts, NULL)) != -1) {
		switch (c) {
		case 'H': hosts_file = optarg; break;
		case 'L': host_list = optarg; break;
		case 'D': o.db = optarg; break;
		case 'd':
			o.duration = strtod(optarg, &end);
			if (*end || o.duration <= 0) {
				fprintf(stderr, "vnt: error: --duration takes a positive number of seconds, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'C': o.cert = optarg; break;
		case 'K': o.key = optarg; break;
		case 'A': o.ca = optarg; break;
		case 'I': {
			long v = strtol(optarg, &end, 10);
			if (*end || v < 10 || v > 3600000) {
				fprintf(stderr, "vnt: error: --interval takes milliseconds (10..3600000), not '%s'\n", optarg);
				return 2;
			}
			o.interval_ms = (uint32_t)v;
			break;
		}
		case 'T': {
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 3600) {
				fprintf(stderr, "vnt: error: --timeout takes seconds (1..3600), not '%s'\n", optarg);
				return 2;
			}
			o.timeout_s = (int)v;
			break;
		}
		case 'W': {
			long v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 3600) {
				fprintf(stderr, "vnt: error: --connect-timeout takes seconds (0..3600), not '%s'\n", optarg);
				return 2;
			}
			o.connect_timeout_s = (int)v;
			break;
		}
		case 'E': {
			long v = strtol(optarg, &end, 10);
			if (*end || (v != 0 && v < 100) || v > 3600000) {
				fprintf(stderr, "vnt: error: --clock-every takes milliseconds (0, or 100..3600000), not '%s'\n", optarg);
				return 2;
			}
			o.clock_every_ms = (int)v;
			break;
		}
		case 'q': o.quiet = true; break;
		case 'h': help(stdout); return 0;
		default: help(stderr); return 2;
		}
	}
	if (optind != argc - 1 || !hosts_file == !host_list) {
		if (optind == argc - 1)
			fprintf(stderr, "vnt: error: give the hosts with either --hosts FILE or --host LIST\n");
		help(stderr);
		return 2;
	}
	o.pkg_path = argv[optind];
	struct vnt_dispatch_hosts hs;
	char err[1024];
	if (hosts_file ? vnt_dispatch_hosts_file(hosts_file, &hs, err, sizeof(err))
		       : vnt_dispatch_hosts_list(host_list, &hs, err, sizeof(err))) {
		fprintf(stderr, "vnt: error: %s\n", err);
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int rc = vnt_dispatch_run(&o, &hs);
	vnt_dispatch_hosts_free(&hs);
	return rc;
}
