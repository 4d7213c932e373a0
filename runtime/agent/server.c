/* The agent's TCP listener: one process per connection.
 *
 * Why processes and not one event loop: a connection's trace is a libbpf
 * object whose loading keeps process-global state (libbpf's print
 * callback and the verifier log in session.c), a connection blocks for
 * seconds while the verifier runs, and a fault in one trace (or in the
 * TLS code facing an untrusted peer) must not take down the others. The
 * kernel ties every link to the file descriptors of the process that
 * made it, so a child that dies for any reason leaves nothing attached;
 * PR_SET_PDEATHSIG makes the children end (cleanly) when the listener
 * is killed. The listener only accepts, forks, counts and reaps. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "runtime/agent/agent.h"
#include "runtime/proto/tls.h"
#include "lib/listen.h"

/* Connections still in their handshake or being refused, beyond the
 * traces: room for them, but no more (a flood gets closed sockets). */
#define EXTRA_CONNS 8

volatile sig_atomic_t vnt_agent_stop;
static void on_stop(int sig) { (void)sig; vnt_agent_stop = 1; }

void vnt_agent_signals(void)
{
	/* No SA_RESTART: poll returns EINTR and the loops see the flag. */
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* "ADDR:PORT", "[ADDR6]:PORT", ":PORT" or "PORT". */
static int listen_on(const char *spec, char *err, size_t errlen)
{
	char host[256], port[32];
	int bad = vnt_listen_split(spec, host, sizeof(host), port, sizeof(port)), gai;
	if (bad) {
		snprintf(err, errlen, bad == 1 ? "bad listen address '%s' (write [ADDR]:PORT)" : "bad listen address '%s'", spec);
		return -1;
	}
	int fd = vnt_listen_tcp(host, port, 64, &gai);
	if (fd < 0)
		snprintf(err, errlen, "cannot listen on '%s': %s", spec, gai ? gai_strerror(gai) : strerror(errno));
	return fd;
}

static void addr_str(const struct sockaddr_storage *ss, char *out, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;
		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		port = ntohs(s->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;
		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		port = ntohs(s->sin6_port);
	}
	snprintf(out, n, "%s:%d", a, port);
}

static void child(const struct vnt_agent_config *cfg, SSL_CTX *ctx, int fd, const char *addr, bool busy,
		  pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)   /* the listener died before prctl */
		_exit(1);
	char err[512];
	struct vnt_conn *c = vnt_tls_accept(ctx, fd, cfg->handshake_timeout_s * 1000, err, sizeof(err));
	if (!c) {
		vnt_agent_log("refused %s: %s", addr, err);
		_exit(1);
	}
	char peer[512];
	snprintf(peer, sizeof(peer), "%s, %s", addr, vnt_conn_peer(c));
	int rc = vnt_agent_serve(cfg, c, peer, busy);
	vnt_conn_close(c);
	_exit(rc);
}

/* Collect the connection processes that ended and drop them from kids. */
static void reap(pid_t *kids, int *n)
{
	pid_t pid;
	int st;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (int i = 0; i < *n; i++)
			if (kids[i] == pid) {
				kids[i] = kids[--*n];
				break;
			}
}

int vnt_agent_listen(const struct vnt_agent_config *cfg)
{
	char err[1024];
	SSL_CTX *ctx = vnt_tls_server_ctx(cfg->cert, cfg->key, cfg->ca, err, sizeof(err));
	if (!ctx) {
		vnt_agent_log("TLS: %s", err);
		return 1;
	}
	int lfd = listen_on(cfg->listen, err, sizeof(err));
	if (lfd < 0) {
		vnt_agent_log("%s", err);
		vnt_tls_ctx_free(ctx);
		return 1;
	}
	int cap = cfg->max_traces + EXTRA_CONNS, n = 0;
	pid_t *kids = calloc((size_t)cap, sizeof(pid_t));
	if (!kids) {
		close(lfd);
		vnt_tls_ctx_free(ctx);
		return 1;
	}
	vnt_agent_log("listening on %s (TLS 1.3, client certificates signed by %s); up to %d traces", cfg->listen,
		      cfg->ca, cfg->max_traces);
	pid_t self = getpid();
	while (!vnt_agent_stop) {
		struct pollfd p = { lfd, POLLIN, 0 };
		int rc = poll(&p, 1, 500);
		reap(kids, &n);
		if (rc <= 0)
			continue;
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		char addr[128];
		addr_str(&ss, addr, sizeof(addr));
		if (n >= cap) {
			vnt_agent_log("refused %s: %d connections already", addr, n);
			close(fd);
			continue;
		}
		pid_t pid = fork();
		if (pid == 0) {
			close(lfd);
			child(cfg, ctx, fd, addr, n >= cfg->max_traces, self);
		}
		close(fd);
		if (pid < 0)
			vnt_agent_log("cannot serve %s: fork: %s", addr, strerror(errno));
		else
			kids[n++] = pid;
	}
	vnt_agent_log("stopping: ending %d connection%s", n, n == 1 ? "" : "s");
	close(lfd);
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	/* They detach and say BYE; past 15 s they are killed (the kernel
	 * still releases what they held). */
	for (int t = 0; t < 150 && n; t++) {
		reap(kids, &n);
		if (n)
			usleep(100000);
	}
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	while (n && waitpid(-1, NULL, 0) > 0)
		n--;
	free(kids);
	vnt_tls_ctx_free(ctx);
	vnt_agent_log("stopped");
	return 0;
}
