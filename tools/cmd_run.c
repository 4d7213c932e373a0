/* vnt run FILE: compile (or take from the cache), load, attach, print
 * live results, and detach everything on exit, Ctrl-C or error. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "lib/fileutil.h"
#include "lib/netns.h"
#include "runtime/output/events_jsonl.h"
#include "runtime/output/events_pcap.h"
#include "runtime/proto/clock.h"
#include "runtime/output/format.h"
#include "runtime/output/metrics_http.h"
#include "runtime/output/prometheus.h"
#include "runtime/loader/package.h"
#include "runtime/loader/session.h"
#include "tools/build.h"
#include "tools/cmds.h"

#define VNT_PCAP_DEFAULT_SNAP 128

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static void help(FILE *f)
{
	fprintf(f, "usage: vnt run [OPTIONS] FILE|PKG.vntpkg\n\n"
		"Compile a .vnt script (clang runs only when the object is not cached), load\n"
		"and attach it on this host, and print its aggregations: every interval the\n"
		"script asks for (`every`), and once at the end. Each trace stops at its own\n"
		"`for` (one without `for` with the longest), all at --duration or Ctrl-C;\n"
		"everything attached is detached.\n\n"
		"  -d, --duration SECS   stop every trace after SECS seconds (overrides `for`)\n"
		"  -f, --format FMT      how aggregations are printed:\n");
	vnt_named_help(VNT_NAMED(vnt_output_formats), f, "                          ");
	fprintf(f,
		"  -e, --events FILE     where a script's `events` records go, as JSON lines\n"
		"                        (default: vnt-events.jsonl)\n"
		"  --pcap FILE           also write the raw events as pcapng packets (for\n"
		"                        Wireshark, tshark): an interface per hop and device\n"
		"                        (\"hop@netns/dev\"), each packet's first bytes, its hop,\n"
		"                        fingerprint and host as comments; needs `events`\n"
		"  --snaplen N           bytes of each packet kept for --pcap (1-%d, default\n"
		"                        %d; from the network header at sk_buff hops, from\n"
		"                        the Ethernet header at tc and XDP hops)\n"
		"  --metrics ADDR        serve the aggregations to Prometheus at\n"
		"                        http://ADDR/metrics (HOST:PORT, [ADDR6]:PORT or :PORT),\n"
		"                        refreshed every second; each trace's final counts\n"
		"                        stay there until vnt exits (doc/prometheus.md)\n"
		"  --metrics-linger SECS keep serving the final counts SECS seconds after the\n"
		"                        last trace ended (default 0), so a scrape sees them\n"
		"  -I DIR                add DIR to the module search path\n"
		"  --no-cache            run clang even if the object is cached\n"
		"  -q, --quiet           no status lines on standard error\n"
		"  -v                    print the clang command line and timings\n"
		"  -h, --help            show this help\n\n"
		"Counts are cumulative since the trace was attached. Exit status: 0 on\n"
		"success, 1 on errors (compile, load, attach, writing the pcap), 2 on\n"
		"usage errors.\n", VNT_PCAP_SNAP_MAX, VNT_PCAP_DEFAULT_SNAP);
}

/* Records go to the JSON lines and, with --pcap, to the pcapng file. */
struct run_sinks {
	struct vnt_events_out *jsonl;
	struct vnt_pcap_out *pcap;
};

static int to_sinks(void *ctx, void *data, size_t size)
{
	struct run_sinks *k = ctx;
	vnt_events_write(k->jsonl, data, size);
	if (k->pcap)
		vnt_pcap_write(k->pcap, data, size);
	return 0;
}

/* --metrics: each trace's page, rendered by the main loop and read by
 * the HTTP server's thread (the session is the main loop's alone). */
struct run_metrics {
	pthread_mutex_t mu;
	int n;
	char *text[VNT_MAX_HOPS];
};

static char *metrics_page(void *ctx)
{
	struct run_metrics *m = ctx;
	pthread_mutex_lock(&m->mu);
	char *page = vnt_prometheus_merge((const char *const *)m->text, m->n);
	pthread_mutex_unlock(&m->mu);
	return page;
}

static void metrics_publish(struct run_metrics *m, int t, const struct vnt_snapshot *snap)
{
	char *text = vnt_prometheus_render(snap);
	if (!text)
		return;   /* out of memory: the last page stays */
	pthread_mutex_lock(&m->mu);
	free(m->text[t]);
	m->text[t] = text;
	pthread_mutex_unlock(&m->mu);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A trace's snapshot: printed (fmt), published (--metrics), or both. */
static void print_trace(struct vnt_session *s, int t, const struct vnt_output_format *fmt, bool final, uint64_t seq,
			double elapsed, uint64_t *lost_events, struct run_metrics *m)
{
	struct vnt_snapshot snap;
	if (vnt_session_snapshot(s, t, &snap))
		return;
	*lost_events = snap.lost_events;
	snap.final = final;
	snap.seq = seq;
	snap.elapsed_s = elapsed;
	if (fmt) {
		fmt->snapshot(stdout, &snap);
		fflush(stdout);
	}
	if (m)
		metrics_publish(m, t, &snap);
	vnt_snapshot_free(&snap);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' }, { "duration", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' }, { "no-cache", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' }, { "events", required_argument, NULL, 'e' },
		{ "pcap", required_argument, NULL, 'P' }, { "snaplen", required_argument, NULL, 'S' },
		{ "metrics", required_argument, NULL, 'M' }, { "metrics-linger", required_argument, NULL, 'L' }, { 0 } };
	const char *events_path = "vnt-events.jsonl", *pcap_path = NULL, *metrics_addr = NULL;
	double linger = 0;
	int metrics_fd = -1;
	struct run_metrics metrics = { .n = 0 };
	struct vnt_metrics_http *http = NULL;
	int snaplen = 0;
	struct vnt_pcap_out po = { 0 };
	struct run_sinks sinks = { .jsonl = NULL };
	char host[256] = "";
	struct vnt_events_out eo = { 0 };
	FILE *events_f = NULL;
	struct vnt_build_opts bo = { .resolve = true };
	char *incs[32];
	double duration = -1;
	const struct vnt_output_format *fmt = vnt_output_formats[0];
	bool quiet = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hd:f:I:qve:", opts, NULL)) != -1) {
		switch (c) {
		case 'e': events_path = optarg; break;
		case 'P': pcap_path = optarg; break;
		case 'M': metrics_addr = optarg; break;
		case 'L': {
			char *end;
			linger = strtod(optarg, &end);
			if (*end || !*optarg || linger < 0 || linger > 86400) {
				fprintf(stderr, "vnt: error: --metrics-linger takes seconds from 0 to 86400, not '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'S':
			if (vnt_parse_snaplen(optarg, &snaplen))
				return 2;
			break;
		case 'h': help(stdout); return 0;
		case 'd': {
			char *end;
			duration = strtod(optarg, &end);
			if (*end || duration <= 0) {
				fprintf(stderr, "vnt: error: --duration takes a positive number of seconds, not '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'f':
			if (!(fmt = vnt_named_find(VNT_NAMED(vnt_output_formats), optarg))) {
				char names[256];
				vnt_named_list(VNT_NAMED(vnt_output_formats), names, sizeof(names));
				fprintf(stderr, "vnt: error: unknown format '%s'\n  = hint: the formats are %s\n", optarg, names);
				return 2;
			}
			break;
		case 'I': if (bo.nincdirs < 32) incs[bo.nincdirs++] = optarg; break;
		case 'N': bo.no_cache = true; break;
		case 'q': quiet = true; break;
		case 'v': bo.verbose = true; break;
		default: help(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		help(stderr);
		return 2;
	}
	if (snaplen && !pcap_path) {
		fprintf(stderr, "vnt: error: --snaplen is the length of packets kept for --pcap; give --pcap FILE too\n");
		return 2;
	}
	if (pcap_path && !snaplen)
		snaplen = VNT_PCAP_DEFAULT_SNAP;
	if (linger && !metrics_addr) {
		fprintf(stderr, "vnt: error: --metrics-linger is how long --metrics keeps serving; give --metrics ADDR too\n");
		return 2;
	}
	char merr[512];
	/* The address first: one in use or malformed ends the run before
	 * anything is compiled or attached. */
	if (metrics_addr && (metrics_fd = vnt_metrics_bind(metrics_addr, merr, sizeof(merr))) < 0) {
		fprintf(stderr, "vnt: error: --metrics: %s\n", merr);
		return 1;
	}
	bo.snaplen = pcap_path ? snaplen : 0;
	bo.incdirs = incs;
	struct vnt_build b = { 0 };
	struct vnt_package *pkg = NULL;
	const char *file = argv[optind];
	size_t fl = strlen(file);
	const void *obj;
	size_t obj_len;
	const struct vnt_plan *p;
	const char *origin;
	if (fl > 7 && !strcmp(file + fl - 7, ".vntpkg")) {
		/* A package: no compiler involved, as on an agent's host. */
		char perr[512];
		size_t len;
		char *buf = vnt_read_file(file, &len);
		if (!buf) {
			fprintf(stderr, "vnt: error: cannot read %s: %s\n", file, strerror(errno));
			if (metrics_fd >= 0)
				close(metrics_fd);
			return 1;
		}
		int prc = vnt_package_parse(buf, len, &pkg, perr, sizeof(perr));
		free(buf);
		if (prc) {
			fprintf(stderr, "vnt: error: %s: %s\n", file, perr);
			if (metrics_fd >= 0)
				close(metrics_fd);
			return 1;
		}
		obj = pkg->obj;
		obj_len = pkg->obj_len;
		p = pkg->plan;
		origin = "package";
		if (pcap_path && !p->snaplen) {
			fprintf(stderr, "vnt: error: %s carries no packet bytes for --pcap\n"
				"  = hint: compile it with `vnt compile --snaplen N -o %s SCRIPT` (the script needs `events`)\n",
				file, file);
			vnt_package_free(pkg);
			if (metrics_fd >= 0)
				close(metrics_fd);
			return 1;
		}
	} else {
		if (vnt_build_script(file, &bo, true, &b)) {
			if (metrics_fd >= 0)
				close(metrics_fd);
			return 1;
		}
		obj = b.obj;
		obj_len = b.obj_len;
		p = b.plan;
		origin = b.cached ? "cached object" : "compiled";
	}
	char err[4096];
	int rc = 1;
	struct vnt_session *s = NULL;
	pthread_mutex_init(&metrics.mu, NULL);
	metrics.n = p->ntraces;
	/* Started after the build (clang is spawned, never forked) and before
	 * loading; nothing forks from here on (metrics_http.h). */
	if (metrics_fd >= 0) {
		http = vnt_metrics_http_start(metrics_fd, metrics_page, &metrics, err, sizeof(err));
		metrics_fd = -1;
		if (!http) {
			fprintf(stderr, "vnt: error: --metrics %s: %s\n", metrics_addr, err);
			goto out;
		}
	}
	uint64_t lost_events = 0;   /* ring-buffer records the kernel could not queue */
	/* The capture file before anything is attached: a path that cannot
	 * be written fails here, with nothing left behind. */
	if (pcap_path) {
		gethostname(host, sizeof(host) - 1);
		po.w = vnt_pcapng_open(pcap_path, "vnt " PACKAGE_VERSION, err, sizeof(err));
		if (!po.w) {
			fprintf(stderr, "vnt: error: %s\n", err);
			goto out;
		}
		po.plan = p;
		po.snaplen = p->snaplen;
		po.host = host;
		po.mono2real = vnt_mono_to_real_offset();
		sinks.pcap = &po;
	}
	/* The events file too: one that cannot be written fails before
	 * anything is attached. */
	eo.plan = p;
	bool want_events = false;
	for (int t = 0; t < p->ntraces; t++)
		want_events |= p->traces[t].events;
	if (want_events) {
		events_f = !strcmp(events_path, "-") ? stdout : fopen(events_path, "w");
		if (!events_f) {
			fprintf(stderr, "vnt: error: cannot write events to %s: %s\n", events_path, strerror(errno));
			goto out;
		}
		eo.f = events_f;
		sinks.jsonl = &eo;
	}
	/* Signals first: a Ctrl-C during load must still detach. */
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	s = vnt_session_open(obj, obj_len, p, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "vnt: error: %s\n", err);
		goto out;
	}
	if (vnt_session_attach(s, err, sizeof(err))) {
		fprintf(stderr, "vnt: error: %s\n", err);
		goto out;
	}
	if (want_events) {
		if (vnt_session_events(s, to_sinks, &sinks)) {
			fprintf(stderr, "vnt: error: the object has no event ring buffer\n");
			goto out;
		}
	}
	/* Each trace ends at its own `for`: --duration ends them all; a trace
	 * without `for` ends with the longest one, or at Ctrl-C if none has. */
	double longest = -1, end[VNT_MAX_HOPS] = { 0 };
	bool done[VNT_MAX_HOPS] = { false }, same = true;
	for (int t = 0; t < p->ntraces; t++)
		if (p->traces[t].for_ns && p->traces[t].for_ns / 1e9 > longest)
			longest = p->traces[t].for_ns / 1e9;
	for (int t = 0; t < p->ntraces; t++) {
		end[t] = duration > 0 ? duration : p->traces[t].for_ns ? p->traces[t].for_ns / 1e9 : longest;
		same &= end[t] == end[0];
	}
	if (!quiet) {
		char how_long[512] = "";
		size_t k = 0;
		if (same && end[0] > 0)
			snprintf(how_long, sizeof(how_long), " for %.1fs", end[0]);
		for (int t = 0; !same && t < p->ntraces && k < sizeof(how_long); t++) {
			int w = end[t] > 0 ? snprintf(how_long + k, sizeof(how_long) - k, "%s%s for %.1fs", t ? ", " : " (",
						      p->traces[t].name, end[t])
					   : snprintf(how_long + k, sizeof(how_long) - k, "%s%s until Ctrl-C", t ? ", " : " (",
						      p->traces[t].name);
			k += w > 0 ? (size_t)w : 0;
		}
		if (!same && k < sizeof(how_long))
			snprintf(how_long + k, sizeof(how_long) - k, ")");
		fprintf(stderr, "vnt: %d hop%s attached (%s); tracing%s... Ctrl-C to stop\n", p->nhops,
			p->nhops == 1 ? "" : "s", origin, how_long);
		if (http)
			fprintf(stderr, "vnt: metrics at http://%s/metrics\n", metrics_addr);
	}
	double start = mono();
	double next[VNT_MAX_HOPS];
	uint64_t seq[VNT_MAX_HOPS] = { 0 };
	int left = p->ntraces;
	for (int t = 0; t < p->ntraces; t++)
		next[t] = p->traces[t].every_ns ? start + p->traces[t].every_ns / 1e9 : -1;
	/* --metrics: every trace's counts from the start, then every second. */
	double next_metrics = http ? start : -1;
	while (left) {
		double now = mono();
		for (int t = 0; t < p->ntraces; t++) {
			if (done[t] || !(stop || (end[t] > 0 && now - start >= end[t])))
				continue;
			/* Detached first: the final counts and the drained
			 * records describe the same packets. */
			vnt_session_detach_trace(s, t);
			if (want_events)
				vnt_session_consume(s, 0);
			print_trace(s, t, fmt, true, seq[t] + 1, stop ? now - start : end[t], &lost_events,
				    http ? &metrics : NULL);
			done[t] = true;
			left--;
		}
		if (!left)
			break;
		double wake = now + 3600;
		if (next_metrics >= 0) {
			if (now >= next_metrics) {
				for (int t = 0; t < p->ntraces; t++)
					if (!done[t])
						print_trace(s, t, NULL, false, seq[t], now - start, &lost_events, &metrics);
				next_metrics += 1.0;
			}
			wake = next_metrics;
		}
		for (int t = 0; t < p->ntraces; t++) {
			if (done[t])
				continue;
			if (end[t] > 0 && start + end[t] < wake)
				wake = start + end[t];
			if (next[t] < 0)
				continue;
			if (now >= next[t]) {
				print_trace(s, t, fmt, false, ++seq[t], now - start, &lost_events, http ? &metrics : NULL);
				next[t] += p->traces[t].every_ns / 1e9;
			}
			if (next[t] < wake)
				wake = next[t];
		}
		double dt = wake - mono();
		if (dt > 0.1)
			dt = 0.1;   /* check the stop flag often */
		if (dt > 0)
			vnt_session_poll(s, (int)(dt * 1000) + 1);
	}
	rc = 0;
	/* Everything is detached; the final counts stay served a while. */
	for (double until = mono() + linger; http && !stop && mono() < until;)
		usleep(100000);
out:
	vnt_metrics_http_stop(http);
	for (int t = 0; t < metrics.n; t++)
		free(metrics.text[t]);
	pthread_mutex_destroy(&metrics.mu);
	vnt_session_close(s);
	if (po.w) {
		/* Kept only when the run succeeded and every packet was written. */
		bool keep = !rc && !po.failed;
		if (!rc && po.failed)
			fprintf(stderr, "vnt: error: cannot write %s: writing a packet failed\n", pcap_path);
		if (vnt_pcapng_close(po.w, keep, err, sizeof(err))) {
			fprintf(stderr, "vnt: error: %s\n", err);
			keep = false;
		}
		if (!keep)
			rc = 1;
		else if (!quiet)
			fprintf(stderr, "vnt: %llu packets written to %s\n", po.written, pcap_path);
		if (keep && lost_events)
			fprintf(stderr, "vnt: warning: %llu records lost (ring buffer full): they are not in %s\n",
				(unsigned long long)lost_events, pcap_path);
		vnt_pcap_out_free(&po);
	}
	if (events_f && events_f != stdout) {
		fclose(events_f);
		if (!quiet)
			fprintf(stderr, "vnt: %llu events written to %s\n", eo.written, events_path);
	}
	vnt_netns_cache_free();
	vnt_build_free(&b);
	vnt_package_free(pkg);
	return rc;
}
