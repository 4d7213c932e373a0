/* vnt report DB: the per-hop latency breakdown of a run of the collector's
 * store, across its hosts, as text, JSON or a self-contained HTML page. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "runtime/output/events_pcap.h"
#include "runtime/report/format.h"
#include "runtime/report/report.h"
#include "runtime/collector/ch_http.h"
#include "runtime/report/report_sql.h"
#include "tools/cmds.h"

static void help(FILE *f)
{
	fprintf(f, "usage: vnt report [OPTIONS] DB\n\n"
		"Analyse a run of a collector store (the SQLite file `vnt dispatch` writes, or\n"
		"clickhouse://HOST:PORT/DATABASE, where the server computes it in SQL):\n"
		"packets are joined by fingerprint across all hosts of the run, each host's\n"
		"timestamps put on the collector's clock, and every pair of consecutive hops\n"
		"(in the manifest's order) gets its exact latency percentiles and its loss,\n"
		"overall, per pair of hosts and per flow; then each host's clock and events.\n\n"
		"  --run N              the run to report (default: the latest)\n"
		"  -f, --format FORMAT  one of:\n");
	vnt_named_help(VNT_NAMED(vnt_report_formats), f, "                         ");
	fprintf(f,
		"  -o, --output FILE    write to FILE instead of standard output\n"
		"  --pcap FILE          instead of the report, write the run's packets to FILE\n"
		"                       as pcapng (for Wireshark, tshark): every raw event that\n"
		"                       carries packet bytes (`vnt compile --snaplen N`), on the\n"
		"                       collector's clock, an interface per hop and device\n"
		"                       (\"hop@netns/dev\"), hop, fingerprint and host as comments\n"
		"  --flows N            flows shown, most packets first (default 10)\n"
		"  -h, --help           show this help\n");
}


/* Write to a temporary file beside out and rename it: no half report. */
static int write_file(const char *out, const struct vnt_report_format *format, const struct vnt_report *r, const struct vnt_report_opts *o)
{
	size_t n = strlen(out) + 32;
	char *tmp = malloc(n);
	if (!tmp) {
		fprintf(stderr, "vnt: error: out of memory\n");
		return 1;
	}
	snprintf(tmp, n, "%s.tmp.%ld", out, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "vnt: error: cannot write %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return 1;
	}
	int rc = format->write(f, r, o);
	if (fclose(f) || rc || rename(tmp, out)) {
		fprintf(stderr, "vnt: error: cannot write %s: %s\n", out, strerror(errno));
		unlink(tmp);
		free(tmp);
		return 1;
	}
	free(tmp);
	return 0;
}

/* --pcap: the file first (a path that cannot be written fails before the
 * store is read), kept only if every packet was written. */
static int write_pcap(const char *db, long long run, const char *path)
{
	char err[1024];
	struct vnt_pcap_out o = { 0 };
	o.w = vnt_pcapng_open(path, "vnt " PACKAGE_VERSION " report", err, sizeof(err));
	if (!o.w) {
		fprintf(stderr, "vnt: error: %s\n", err);
		return 1;
	}
	struct vnt_report *r = vnt_ch_is_url(db) ? vnt_report_load_clickhouse(db, run, 10, err, sizeof(err))
						 : vnt_report_load(db, run, err, sizeof(err));
	int rc = !r || vnt_report_pcap(r, &o, err, sizeof(err)) ? 1 : 0;
	if (rc)
		fprintf(stderr, "vnt: error: %s\n", err);
	if (vnt_pcapng_close(o.w, !rc, err, sizeof(err))) {
		fprintf(stderr, "vnt: error: %s\n", err);
		rc = 1;
	}
	if (!rc) {
		fprintf(stderr, "vnt: %llu packets of run %lld written to %s\n", o.written, (long long)r->run_id, path);
		/* What the kernels could not queue is in no store and no capture. */
		long long lost = 0;
		for (int i = 0; i < r->nhosts; i++)
			lost += r->hosts[i].lost > 0 ? r->hosts[i].lost : 0;
		if (lost)
			fprintf(stderr, "vnt: warning: the hosts lost %lld records (ring buffer full): they are not in %s\n",
				lost, path);
	}
	vnt_pcap_out_free(&o);
	vnt_report_free(r);
	return rc;
}

static int parse_count(const char *s, long long min, long long *v)
{
	char *end;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno || end == s || *end || *v < min ? -1 : 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' },
					      { "run", required_argument, NULL, 'r' },
					      { "format", required_argument, NULL, 'f' },
					      { "output", required_argument, NULL, 'o' },
					      { "flows", required_argument, NULL, 'F' },
					      { "pcap", required_argument, NULL, 'P' },
					      { 0 } };
	const char *format = vnt_report_formats[0]->id.name, *out = NULL, *pcap = NULL;
	long long run = 0, nflows = 10;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hf:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': help(stdout); return 0;
		case 'r':
			if (parse_count(optarg, 1, &run)) {
				fprintf(stderr, "vnt: error: --run wants a run number (1 or more), not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'F':
			if (parse_count(optarg, 0, &nflows)) {
				fprintf(stderr, "vnt: error: --flows wants a number, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'f': format = optarg; break;
		case 'o': out = optarg; break;
		case 'P': pcap = optarg; break;
		default: help(stderr); return 2;
		}
	}
	const struct vnt_report_format *fmt = vnt_named_find(VNT_NAMED(vnt_report_formats), format);
	if (!fmt) {
		char names[256];
		vnt_named_list(VNT_NAMED(vnt_report_formats), names, sizeof(names));
		fprintf(stderr, "vnt: error: unknown format '%s'\n  = hint: the formats are %s\n", format, names);
		return 2;
	}
	if (optind != argc - 1) {
		help(stderr);
		return 2;
	}
	char err[1024];
	if (pcap)
		return write_pcap(argv[optind], run, pcap);
	/* A ClickHouse store computes the report itself (report_sql_*.c). */
	struct vnt_report *r = vnt_ch_is_url(argv[optind]) ?
				       vnt_report_load_clickhouse(argv[optind], run, (size_t)nflows, err, sizeof(err)) :
				       vnt_report_load(argv[optind], run, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "vnt: error: %s\n", err);
		return 1;
	}
	struct vnt_report_opts o = { .top_flows = (size_t)nflows };
	int rc;
	if (out)
		rc = write_file(out, fmt, r, &o);
	else
		rc = fmt->write(stdout, r, &o) || fflush(stdout) ? 1 : 0;
	vnt_report_free(r);
	return rc;
}
