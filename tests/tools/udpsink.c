/* udpsink: count UDP datagrams, for the vNetTracer test suite.
 *
 * udpsink --port PORT [--bind ADDR] [--count N] [--idle-ms T] ...
 *
 * Binds ADDR:PORT and counts datagrams until one of:
 *   - N datagrams were received (--count),
 *   - no datagram arrived for T ms after the first one (--idle-ms, default 1000),
 *   - no first datagram arrived within --start-timeout-ms (default 30000),
 *   - SIGINT or SIGTERM.
 * Then prints the count (a bare integer) on stdout and exits 0.
 * The socket gets a large receive buffer so bursts are not dropped; drops
 * by the socket buffer (SO_RXQ_OVFL) are reported on stderr.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: udpsink --port PORT [options]\n"
		"Count received UDP datagrams and print the count.\n"
		"\n"
		"  -p, --port PORT            UDP port to bind (required)\n"
		"  -b, --bind ADDR            address to bind (default 0.0.0.0; '::' for IPv6)\n"
		"  -n, --count N              stop after N datagrams\n"
		"  -T, --idle-ms T            stop when idle for T ms after the first datagram (default 1000)\n"
		"  -S, --start-timeout-ms T   stop if no datagram arrives within T ms (default 30000)\n"
		"  -l, --size BYTES           count only datagrams of exactly this payload size\n"
		"  -R, --ready-file PATH      create PATH once the socket is bound (for scripts to wait on)\n"
		"  -B, --rcvbuf BYTES         receive buffer size (default 33554432)\n"
		"  -v, --verbose              report bytes, other-size datagrams and drops on stderr\n"
		"  -h, --help                 show this help\n"
		"\n"
		"SIGINT/SIGTERM stop counting and print the count.\n"
		"Output: one line on stdout, the number of datagrams counted.\n"
		"Exit status: 0 on success, 1 on a socket error, 2 on a usage error.\n");
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	if (!s || !*s || *s == '-')
		return false;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},
		{"bind", required_argument, NULL, 'b'},
		{"count", required_argument, NULL, 'n'},
		{"idle-ms", required_argument, NULL, 'T'},
		{"start-timeout-ms", required_argument, NULL, 'S'},
		{"size", required_argument, NULL, 'l'},
		{"ready-file", required_argument, NULL, 'R'},
		{"rcvbuf", required_argument, NULL, 'B'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *bind_addr = NULL, *ready = NULL;
	unsigned long port = 0, max_count = 0, idle_ms = 1000, start_ms = 30000, size = 0;
	unsigned long rcvbuf = 32ul << 20;
	bool have_port = false, have_count = false, have_size = false, verbose = false;
	int c;

	while ((c = getopt_long(argc, argv, "p:b:n:T:S:l:R:B:vh", opts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case 'p': ok = parse_ulong(optarg, 65535, &port); have_port = true; break;
		case 'b': bind_addr = optarg; break;
		case 'n': ok = parse_ulong(optarg, ULONG_MAX, &max_count); have_count = true; break;
		case 'T': ok = parse_ulong(optarg, INT_MAX, &idle_ms); break;
		case 'S': ok = parse_ulong(optarg, INT_MAX, &start_ms); break;
		case 'l': ok = parse_ulong(optarg, 65535, &size); have_size = true; break;
		case 'R': ready = optarg; break;
		case 'B': ok = parse_ulong(optarg, INT_MAX, &rcvbuf); break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (!ok) {
			fprintf(stderr, "udpsink: invalid value '%s' for -%c\n", optarg, c);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "udpsink: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!have_port) {
		fprintf(stderr, "udpsink: --port is required\n");
		usage(stderr);
		return 2;
	}

	struct addrinfo hints = {0}, *res = NULL;
	char pbuf[16];
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	snprintf(pbuf, sizeof pbuf, "%lu", port);
	int grc = getaddrinfo(bind_addr ? bind_addr : "0.0.0.0", pbuf, &hints, &res);
	if (grc) {
		fprintf(stderr, "udpsink: bad address '%s': %s\n", bind_addr, gai_strerror(grc));
		return 2;
	}
	int fd = socket(res->ai_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpsink: socket");
		return 1;
	}
	int one = 1, rb = (int)rcvbuf;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rb, sizeof rb) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof rb);
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
		fprintf(stderr, "udpsink: bind %s:%lu: %s\n", bind_addr ? bind_addr : "0.0.0.0", port,
			strerror(errno));
		return 1;
	}
	freeaddrinfo(res);

	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (ready) {
		int rfd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (rfd < 0) {
			fprintf(stderr, "udpsink: cannot create %s: %s\n", ready, strerror(errno));
			return 1;
		}
		close(rfd);
	}

	static unsigned char buf[65536];
	unsigned long count = 0, other = 0;
	unsigned long long bytes = 0;
	uint32_t drops = 0;
	int64_t deadline = now_ms() + (int64_t)start_ms;

	while (!stop && !(have_count && count >= max_count)) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			break;
		struct pollfd pfd = {fd, POLLIN, 0};
		int pr = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			perror("udpsink: poll");
			return 1;
		}
		if (pr == 0)
			continue; /* re-check the deadline */
		for (;;) {
			char cbuf[CMSG_SPACE(sizeof(uint32_t))];
			struct iovec iov = {buf, sizeof buf};
			struct msghdr mh = {0};
			mh.msg_iov = &iov;
			mh.msg_iovlen = 1;
			mh.msg_control = cbuf;
			mh.msg_controllen = sizeof cbuf;
			ssize_t r = recvmsg(fd, &mh, MSG_DONTWAIT);
			if (r < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
					break;
				perror("udpsink: recvmsg");
				return 1;
			}
			for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
				if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL)
					memcpy(&drops, CMSG_DATA(cm), sizeof drops);
			if (have_size && (unsigned long)r != size) {
				other++;
				continue;
			}
			count++;
			bytes += (unsigned long long)r;
			deadline = now_ms() + (int64_t)idle_ms;
			if (have_count && count >= max_count)
				break;
		}
	}
	if (drops)
		fprintf(stderr, "udpsink: warning: %u datagrams dropped by the socket receive buffer\n", drops);
	if (verbose)
		fprintf(stderr, "udpsink: counted %lu datagrams, %llu payload bytes, %lu of other sizes\n",
			count, bytes, other);
	printf("%lu\n", count);
	fflush(stdout);
	close(fd);
	return 0;
}
