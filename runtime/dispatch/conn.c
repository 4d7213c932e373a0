/* Reaching an agent: a TCP connection with mutual TLS, or a command
 * (`ssh HOST vnt-agent --stdio`, `ip netns exec NS vnt-agent --stdio`)
 * whose standard input and output carry the protocol. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "runtime/dispatch/dispatch.h"
#include "runtime/proto/tls.h"

/* Non-blocking connect bounded by timeout_ms, over every address the
 * name resolves to. */
static int tcp_connect(const char *host, const char *port, int timeout_ms, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	snprintf(err, errlen, "no address");
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) && errno != EINPROGRESS) {
			snprintf(err, errlen, "%s", strerror(errno));
			close(fd);
			fd = -1;
			continue;
		}
		struct pollfd p = { fd, POLLOUT, 0 };
		int e = 0;
		socklen_t el = sizeof(e);
		rc = poll(&p, 1, timeout_ms);
		if (rc <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) || e) {
			snprintf(err, errlen, "%s", rc == 0 ? "timed out" : strerror(e ? e : errno));
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

struct vnt_conn *dispatch_connect_tls(SSL_CTX *ctx, const struct vnt_dispatch_host *h, int timeout_ms, char *err,
				      size_t errlen)
{
	char e2[512];
	int fd = tcp_connect(h->host, h->port, timeout_ms, e2, sizeof(e2));
	if (fd < 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", h->addr, e2);
		return NULL;
	}
	/* The agent's certificate must name the host as the hosts file does. */
	struct vnt_conn *c = vnt_tls_connect(ctx, fd, h->name, timeout_ms, e2, sizeof(e2));
	if (!c)
		snprintf(err, errlen, "%s: %s", h->addr, e2);
	return c;
}

struct vnt_conn *dispatch_connect_retry(SSL_CTX *ctx, const struct vnt_dispatch_host *h, int timeout_ms, int retry_s,
					char *err, size_t errlen)
{
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int tries = 1;; tries++) {
		struct vnt_conn *c = dispatch_connect_tls(ctx, h, timeout_ms, err, errlen);
		if (c || retry_s <= 0 || !strstr(err, "Connection refused"))
			return c;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double waited = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
		if (waited >= retry_s) {
			size_t n = strlen(err);
			snprintf(err + n, errlen > n ? errlen - n : 0, " (tried %d times in %d s: is vnt-agent running and listening there?)",
				 tries, retry_s);
			return NULL;
		}
		struct timespec ts = { 0, 200000000 };
		nanosleep(&ts, NULL);
	}
}

struct vnt_conn *dispatch_spawn(const struct vnt_dispatch_host *h, pid_t *pid, char *err, size_t errlen)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return NULL;
	}
	if (pipe2(out, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		return NULL;
	}
	/* 1 MB pipes (the default is 64 KB): a flood of raw records moves in
	 * fewer, larger reads and writes. Not an error where refused. */
	fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
	fcntl(in[0], F_SETPIPE_SZ, 1 << 20);
	*pid = fork();
	if (*pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		/* Its own process group: a Ctrl-C on the terminal reaches the
		 * dispatcher, which stops the agent in order. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", h->cmd, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (*pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(in[1]);
		close(out[0]);
		return NULL;
	}
	struct vnt_conn *c = vnt_conn_plain(out[0], in[1]);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		close(in[1]);
		close(out[0]);
		kill(*pid, SIGKILL);
		dispatch_reap(*pid, 0);
	}
	return c;
}

void dispatch_reap(pid_t pid, int timeout_ms)
{
	if (pid <= 0)
		return;
	for (int waited = 0; waited <= timeout_ms; waited += 50) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGTERM);
	struct timespec ts = { 0, 200000000 };
	nanosleep(&ts, NULL);
	if (waitpid(pid, NULL, WNOHANG) != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}
