/* vnt-agent: runs dispatched traces on this host (no compiler here).
 * Settings: built-in defaults < config file < command line. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "runtime/agent/agent.h"
#include "lib/netns.h"
#include "runtime/proto/tls.h"
#include "runtime/proto/clock.h"

static void help(FILE *f)
{
	fprintf(f, "usage: vnt-agent [OPTIONS]\n"
		"       vnt-agent --stdio [OPTIONS]\n\n"
		"Runs the hops of traces sent by `vnt dispatch`: verifies each control\n"
		"package (every checksum), refuses one that needs a kernel feature this\n"
		"host lacks or that exceeds the limits below, loads and attaches it with\n"
		"libbpf, streams aggregate snapshots and raw records back, and detaches\n"
		"everything when the trace ends, the dispatcher disconnects or is silent\n"
		"for --timeout seconds, or the agent is stopped (SIGTERM, SIGINT).\n\n"
		"The network listener speaks TLS 1.3 only and requires a client\n"
		"certificate signed by the configured CA; --stdio speaks the same protocol\n"
		"on standard input and output (`ssh HOST vnt-agent --stdio`: ssh then\n"
		"authenticates). Protocol: doc/protocol.md.\n\n"
		"  -c, --config FILE         settings file (default " VNT_AGENT_CONFIG ", if it exists)\n"
		"  -l, --listen ADDR:PORT    where to listen (default :" VNT_AGENT_PORT ", all addresses)\n"
		"      --cert FILE           this agent's certificate (PEM)\n"
		"      --key FILE            its private key (PEM)\n"
		"      --ca FILE             CA certificate that signs the dispatchers' certificates\n"
		"      --stdio               serve one dispatcher on stdin/stdout, no TLS\n"
		"  -n, --name NAME           host name reported to the dispatcher (default: hostname)\n"
		"  -t, --timeout SECS        silence after which a dispatcher is gone (default 10)\n"
		"      --max-traces N        traces at once (default 8)\n"
		"      --max-programs N      BPF programs per trace (default 32)\n"
		"      --max-map-memory SIZE BPF map memory per trace, e.g. 512M (default 512M)\n"
		"      --max-cpu-ms MS       BPF run time per trace in total, 0 = no limit (default 0)\n"
		"      --metrics HOST:PORT   serve the traces' aggregations to Prometheus at\n"
		"                            http://HOST:PORT/metrics (plain HTTP: bind it to a\n"
		"                            trusted address; default: not served)\n"
		"      --metrics-keep SECS   an ended trace's final counts stay there SECS\n"
		"                            seconds (default 60)\n"
		"      --print-config        print the settings in effect and exit\n"
		"      --test-clock-skew NS,PPM  FOR TESTS ONLY: report times as if this host's\n"
		"                            clock were NS ns ahead, drifting PPM parts per million\n"
		"                            (clock alignment tests); refused without\n"
		"      --enable-test-options\n"
		"  -h, --help                show this help\n"
		"      --version             show the version\n\n"
		"The config file holds `key = value` lines with the long option names (with\n"
		"'_' for '-': listen, cert, key, ca, name, timeout, handshake_timeout,\n"
		"max_traces, max_programs, max_map_memory, max_cpu_ms, metrics,\n"
		"metrics_keep); '#' starts a comment.\n"
		"See dist/agent.conf.sample and dist/vnt-agent.service.\n\n"
		"Exit status: 0 after a clean stop (or, with --stdio, after the dispatcher's\n"
		"BYE), 1 on errors, 2 on usage errors.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "listen", required_argument, NULL, 'l' },
		{ "cert", required_argument, NULL, 'C' }, { "key", required_argument, NULL, 'K' },
		{ "ca", required_argument, NULL, 'A' }, { "stdio", no_argument, NULL, 'S' },
		{ "name", required_argument, NULL, 'n' }, { "timeout", required_argument, NULL, 't' },
		{ "max-traces", required_argument, NULL, 'T' }, { "max-programs", required_argument, NULL, 'P' },
		{ "max-map-memory", required_argument, NULL, 'M' }, { "max-cpu-ms", required_argument, NULL, 'U' },
		{ "print-config", no_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { "test-clock-skew", required_argument, NULL, 'Z' },
		{ "enable-test-options", no_argument, NULL, 'z' }, { "metrics", required_argument, NULL, 'm' },
		{ "metrics-keep", required_argument, NULL, 'k' }, { 0 } };
	static const struct { int opt; const char *key; } keys[] = {
		{ 'l', "listen" }, { 'C', "cert" }, { 'K', "key" }, { 'A', "ca" }, { 'n', "name" }, { 't', "timeout" },
		{ 'T', "max_traces" }, { 'P', "max_programs" }, { 'M', "max_map_memory" }, { 'U', "max_cpu_ms" },
		{ 'm', "metrics" }, { 'k', "metrics_keep" } };
	const char *config = NULL;
	bool stdio_mode = false, print = false, test_options = false;
	const char *skew = NULL;
	int c;
	/* First pass: only where the config file is, so that the command
	 * line overrides the file whatever the order. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:l:n:t:h", opts, NULL)) != -1)
		if (c == 'c')
			config = optarg;
	struct vnt_agent_config cfg;
	char err[1024];
	vnt_agent_config_defaults(&cfg);
	if (vnt_agent_config_load(&cfg, config ? config : VNT_AGENT_CONFIG, config != NULL, err, sizeof(err))) {
		fprintf(stderr, "vnt-agent: error: %s\n", err);
		vnt_agent_config_free(&cfg);
		return 2;
	}
	optind = 1;
	opterr = 1;
	int rc = 0;
	while ((c = getopt_long(argc, argv, "c:l:n:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': break;
		case 'S': stdio_mode = true; break;
		case 'p': print = true; break;
		case 'Z': skew = optarg; break;
		case 'z': test_options = true; break;
		case 'h': help(stdout); goto out;
		case 'V': printf("vnt-agent %s\n", PACKAGE_VERSION); goto out;
		default: {
			const char *key = NULL;
			for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				if (keys[i].opt == c)
					key = keys[i].key;
			if (!key) {
				help(stderr);
				rc = 2;
				goto out;
			}
			if (vnt_agent_config_set(&cfg, key, optarg, err, sizeof(err))) {
				fprintf(stderr, "vnt-agent: error: %s\n", err);
				rc = 2;
				goto out;
			}
		}
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vnt-agent: error: unexpected argument '%s'\n", argv[optind]);
		rc = 2;
		goto out;
	}
	if (skew) {
		long long off;
		double ppm;
		char tail;
		if (!test_options) {
			fprintf(stderr, "vnt-agent: error: --test-clock-skew is for tests only (it falsifies every time "
				"this agent reports): give --enable-test-options as well to mean it\n");
			rc = 2;
			goto out;
		}
		if (sscanf(skew, "%lld,%lf%c", &off, &ppm, &tail) != 2 || ppm < -1e5 || ppm > 1e5) {
			fprintf(stderr, "vnt-agent: error: --test-clock-skew takes NS,PPM (e.g. 50000000,200), not '%s'\n", skew);
			rc = 2;
			goto out;
		}
		vnt_clock_test_skew(off, ppm);
		fprintf(stderr, "vnt-agent: warning: test option: this agent's times are skewed by %lld ns + %g ppm\n", off, ppm);
	}
	if (print) {
		vnt_agent_config_print(&cfg);
		goto out;
	}
	vnt_agent_signals();
	if (!stdio_mode && (!cfg.cert || !cfg.key || !cfg.ca)) {
		fprintf(stderr, "vnt-agent: error: the TLS listener needs cert, key and ca (--cert, --key, --ca "
			"or the config file); use --stdio behind ssh instead\n");
		rc = 2;
		goto out;
	}
	/* The metrics server's process first: forked before anything else is
	 * open, and before any thread exists (runtime/agent/metrics.c). */
	if (vnt_agent_metrics_start(&cfg, err, sizeof(err))) {
		fprintf(stderr, "vnt-agent: error: %s\n", err);
		rc = 1;
		goto out;
	}
	if (stdio_mode) {
		/* The protocol owns stdout: nothing else may write there. A
		 * pipe there (ssh, a dispatcher's spawn) gets room for 1 MB of
		 * raw records; anything else refuses, which is fine. */
		fcntl(1, F_SETPIPE_SZ, 1 << 20);
		struct vnt_conn *conn = vnt_conn_plain(dup(0), dup(1));
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			close(devnull);
		}
		if (!conn) {
			vnt_agent_metrics_stop();
			rc = 1;
			goto out;
		}
		rc = vnt_agent_serve(&cfg, conn, "stdio", false);
		vnt_conn_close(conn);
	} else {
		rc = vnt_agent_listen(&cfg);
	}
	vnt_agent_metrics_stop();
	vnt_netns_cache_free();
out:
	vnt_agent_config_free(&cfg);
	return rc;
}
