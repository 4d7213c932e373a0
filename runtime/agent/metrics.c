/* The agent's metrics page (agent.h): what its traces count, for
 * Prometheus, at http://METRICS/metrics.
 *
 * Why files and a process of its own: the traces live in the connection
 * processes (server.c), which own their BPF maps, and the listener forks
 * one for each connection. An HTTP server is a thread (libmicrohttpd), and
 * a process that forks while another of its threads runs may hand its
 * child a lock held for ever (a malloc arena, stdio): so the server runs
 * in a process of its own, forked by the listener before any connection
 * and never forking again, and the listener stays single-threaded. Each
 * connection process renders its trace's snapshot, at every snapshot it
 * sends the dispatcher (the trace's `every`, or the dispatcher's interval,
 * 1 s by default), into DIR/PID.TRACE.prom (a temporary file renamed over
 * it: a reader sees the old page or the new, never half of one). The
 * server merges the files of the page on each request. A file whose
 * writer has ended is the trace's final snapshot: it stays on the page
 * metrics_keep seconds (default 60; longer than any scrape interval, so
 * a scrape does not miss the end), then is removed. The server's socket is
 * bound by the listener first (an address in use is its error, at start)
 * and closed there once the server has it: no connection process holds
 * it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "config.h"
#include "lib/fileutil.h"
#include "runtime/agent/agent.h"
#include "runtime/output/metrics_http.h"
#include "runtime/output/prometheus.h"

static char dir[4096];          /* "" when metrics are off */
static pid_t server = -1;
static int keep_s;
static char host[256];

/* The page (the server process's HTTP thread): every live trace's file,
 * and ended ones for keep_s seconds, merged. */
static char *page(void *ctx)
{
	(void)ctx;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char *texts[256];
	int n = 0;
	char buf[512];
	snprintf(buf, sizeof(buf),
		 "# HELP vnt_agent_info This vnt-agent (always 1).\n# TYPE vnt_agent_info gauge\n"
		 "vnt_agent_info{host=\"%s\",version=\"%s\"} 1\n", host, PACKAGE_VERSION);
	texts[n++] = strdup(buf);
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d)) && n < (int)(sizeof(texts) / sizeof(texts[0]))) {
		size_t l = strlen(e->d_name);
		long pid;
		int tr;
		char tail;
		if (l < 6 || strcmp(e->d_name + l - 5, ".prom") || sscanf(e->d_name, "%ld.%d.pro%c", &pid, &tr, &tail) != 3)
			continue;
		char path[4352];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct stat st;
		bool alive = kill((pid_t)pid, 0) == 0 || errno == EPERM;
		if (!alive && (stat(path, &st) || now - st.st_mtime > keep_s)) {
			unlink(path);
			continue;
		}
		size_t len;
		char *t = vnt_read_file(path, &len);
		if (t)
			texts[n++] = t;
	}
	closedir(d);
	char *out = vnt_prometheus_merge((const char *const *)texts, n);
	for (int i = 0; i < n; i++)
		free(texts[i]);
	return out;
}

static void remove_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4352];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int vnt_agent_metrics_start(const struct vnt_agent_config *cfg, char *err, size_t errlen)
{
	if (!cfg->metrics || !cfg->metrics[0])
		return 0;
	char e2[512];
	int fd = vnt_metrics_bind(cfg->metrics, e2, sizeof(e2));
	if (fd < 0) {
		snprintf(err, errlen, "%s", e2);
		return -1;
	}
	const char *base = getenv("RUNTIME_DIRECTORY");   /* systemd's RuntimeDirectory= */
	if (!base || !*base)
		base = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/vnt-agent-metrics.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "cannot make the metrics directory %s: %s", dir, strerror(errno));
		dir[0] = '\0';
		close(fd);
		return -1;
	}
	keep_s = cfg->metrics_keep_s;
	if (cfg->name)
		snprintf(host, sizeof(host), "%s", cfg->name);
	else
		gethostname(host, sizeof(host) - 1);
	for (char *p = host; *p; p++)
		if (*p == '"' || *p == '\\' || *p == '\n')
			*p = '_';
	fflush(NULL);
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot start the metrics server: fork: %s", strerror(errno));
		close(fd);
		remove_dir();
		dir[0] = '\0';
		return -1;
	}
	if (pid == 0) {
		/* The server: ends with the agent (SIGTERM from it, or its death). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		/* Not the protocol's (--stdio): stdin and stdout are the dispatcher's. */
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			close(null);
		}
		char e3[256];
		struct vnt_metrics_http *h = vnt_metrics_http_start(fd, page, NULL, e3, sizeof(e3));
		if (!h) {
			vnt_agent_log("metrics: %s", e3);
			_exit(1);
		}
		while (!vnt_agent_stop && getppid() == parent)
			sleep(1);
		vnt_metrics_http_stop(h);
		_exit(0);
	}
	close(fd);
	server = pid;
	vnt_agent_log("metrics on http://%s/metrics (pages in %s, final counts kept %d s)", cfg->metrics, dir, keep_s);
	return 0;
}

void vnt_agent_metrics_stop(void)
{
	if (server > 0) {
		kill(server, SIGTERM);
		for (int i = 0; i < 50 && waitpid(server, NULL, WNOHANG) == 0; i++)
			usleep(100000);
		if (waitpid(server, NULL, WNOHANG) == 0) {
			kill(server, SIGKILL);
			waitpid(server, NULL, 0);
		}
		server = -1;
	}
	if (dir[0])
		remove_dir();
	dir[0] = '\0';
}

void vnt_agent_metrics_publish(int trace, const struct vnt_snapshot *snap)
{
	if (!dir[0])
		return;
	char *text = vnt_prometheus_render(snap);
	if (!text)
		return;
	char path[4352], tmp[4400];
	snprintf(path, sizeof(path), "%s/%ld.%d.prom", dir, (long)getpid(), trace);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	bool ok = f && fputs(text, f) >= 0;
	if (f && fclose(f))
		ok = false;
	if (!ok || rename(tmp, path))
		unlink(tmp);
	free(text);
}
