/* udpgen: send exactly N UDP datagrams, for the vNetTracer test suite.
 *
 * udpgen --dst ADDR --dport PORT --count N [options]
 *
 * Prints the number of datagrams sent (a bare integer) on stdout and exits 0
 * when all N were sent; exits 1 (after printing how many were sent) when a
 * send failed for good.  Local drops that Linux normally hides from UDP
 * senders (ENOBUFS from a full device queue) are detected with IP_RECVERR and
 * the datagram is sent again, so "sent N" means N datagrams left the socket
 * layer.  Asynchronous ICMP errors caused by earlier datagrams (port
 * unreachable, ...) are drained and ignored: they do not make udpgen fail.
 *
 * Payload: the first 4 bytes carry the datagram's sequence number (0..N-1,
 * big endian) when the payload is at least 4 bytes; the rest is filled with
 * the --fill byte (default 0x5a).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAYLOAD 65507
#define ENOBUFS_RETRIES 100000

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: udpgen --dst ADDR --dport PORT --count N [options]\n"
		"Send exactly N UDP datagrams and print how many were sent.\n"
		"\n"
		"Required:\n"
		"  -d, --dst ADDR         destination IPv4/IPv6 address (numeric)\n"
		"  -p, --dport PORT       destination UDP port\n"
		"  -n, --count N          number of datagrams to send (0 allowed)\n"
		"Optional:\n"
		"  -s, --src ADDR         source address to bind (default: chosen by routing)\n"
		"  -P, --sport PORT       source port to bind (default: ephemeral)\n"
		"  -l, --size BYTES       UDP payload size, 0..%d (default 64)\n"
		"  -r, --rate PPS         send at PPS datagrams per second (default: as fast as possible)\n"
		"  -i, --interval-us US   wait US microseconds between datagrams (alternative to --rate)\n"
		"  -I, --dev IFNAME       bind the socket to a device (SO_BINDTODEVICE)\n"
		"  -S, --dport-span N     datagram i goes to port PORT + i %% N (default 1: all to PORT)\n"
		"  -t, --tos N            IP TOS / IPv6 traffic class byte\n"
		"  -m, --mark N           socket mark (SO_MARK)\n"
		"  -f, --fill BYTE        payload fill byte (default 0x5a)\n"
		"  -v, --verbose          print a summary (retries, ignored ICMP errors) on stderr\n"
		"  -h, --help             show this help\n"
		"\n"
		"Output: one line on stdout, the number of datagrams sent.\n"
		"Exit status: 0 if all N were sent, 1 on a send error, 2 on a usage error.\n",
		MAX_PAYLOAD);
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

static bool resolve(const char *addr, unsigned long port, int family,
		    struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = {0}, *res = NULL;
	char pbuf[16];
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(pbuf, sizeof pbuf, "%lu", port);
	int rc = getaddrinfo(addr, pbuf, &hints, &res);
	if (rc) {
		fprintf(stderr, "udpgen: bad address '%s': %s\n", addr, gai_strerror(rc));
		return false;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return true;
}

/* Drain the socket error queue; returns how many entries were read. */
static int drain_errqueue(int fd)
{
	int n = 0;
	for (;;) {
		char cbuf[512], dbuf[64];
		struct iovec iov = {dbuf, sizeof dbuf};
		struct msghdr mh = {0};
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof cbuf;
		if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
		n++;
	}
	return n;
}

static void ts_add_ns(struct timespec *t, uint64_t ns)
{
	t->tv_sec += (time_t)(ns / 1000000000ull);
	t->tv_nsec += (long)(ns % 1000000000ull);
	if (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dst", required_argument, NULL, 'd'},
		{"dport", required_argument, NULL, 'p'},
		{"count", required_argument, NULL, 'n'},
		{"src", required_argument, NULL, 's'},
		{"sport", required_argument, NULL, 'P'},
		{"size", required_argument, NULL, 'l'},
		{"rate", required_argument, NULL, 'r'},
		{"interval-us", required_argument, NULL, 'i'},
		{"dev", required_argument, NULL, 'I'},
		{"dport-span", required_argument, NULL, 'S'},
		{"tos", required_argument, NULL, 't'},
		{"mark", required_argument, NULL, 'm'},
		{"fill", required_argument, NULL, 'f'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dst = NULL, *src = NULL, *dev = NULL;
	unsigned long dport = 0, sport = 0, count = 0, size = 64, rate = 0, interval_us = 0;
	unsigned long tos = 0, mark = 0, fill = 0x5a, span = 1;
	bool have_dport = false, have_count = false, have_tos = false, have_mark = false;
	bool have_rate = false, have_interval = false, verbose = false;
	int c;

	while ((c = getopt_long(argc, argv, "d:p:n:s:P:l:r:i:I:S:t:m:f:vh", opts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case 'd': dst = optarg; break;
		case 's': src = optarg; break;
		case 'I': dev = optarg; break;
		case 'p': ok = parse_ulong(optarg, 65535, &dport) && dport > 0; have_dport = true; break;
		case 'P': ok = parse_ulong(optarg, 65535, &sport); break;
		case 'n': ok = parse_ulong(optarg, ULONG_MAX, &count); have_count = true; break;
		case 'l': ok = parse_ulong(optarg, MAX_PAYLOAD, &size); break;
		case 'r': ok = parse_ulong(optarg, 1000000000ul, &rate) && rate > 0; have_rate = true; break;
		case 'i': ok = parse_ulong(optarg, 60000000ul, &interval_us); have_interval = true; break;
		case 'S': ok = parse_ulong(optarg, 65535, &span) && span > 0; break;
		case 't': ok = parse_ulong(optarg, 255, &tos); have_tos = true; break;
		case 'm': ok = parse_ulong(optarg, UINT32_MAX, &mark); have_mark = true; break;
		case 'f': ok = parse_ulong(optarg, 255, &fill); break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (!ok) {
			fprintf(stderr, "udpgen: invalid value '%s' for -%c\n", optarg, c);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "udpgen: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!dst || !have_dport || !have_count) {
		fprintf(stderr, "udpgen: --dst, --dport and --count are required\n");
		usage(stderr);
		return 2;
	}
	if (dport + span - 1 > 65535) {
		fprintf(stderr, "udpgen: --dport %lu + --dport-span %lu goes past port 65535\n", dport, span);
		return 2;
	}
	if (have_rate && have_interval) {
		fprintf(stderr, "udpgen: give either --rate or --interval-us, not both\n");
		return 2;
	}

	struct sockaddr_storage dss, sss;
	socklen_t dlen, slen;
	if (!resolve(dst, dport, AF_UNSPEC, &dss, &dlen))
		return 2;
	int family = dss.ss_family;
	if (src && !resolve(src, sport, family, &sss, &slen))
		return 2;

	int fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpgen: socket");
		return 1;
	}
	int one = 1;
	int lvl = family == AF_INET6 ? SOL_IPV6 : SOL_IP;
	if (setsockopt(fd, lvl, family == AF_INET6 ? IPV6_RECVERR : IP_RECVERR, &one, sizeof one) < 0) {
		perror("udpgen: setsockopt(RECVERR)");
		return 1;
	}
	if (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev)) < 0) {
		fprintf(stderr, "udpgen: SO_BINDTODEVICE %s: %s\n", dev, strerror(errno));
		return 1;
	}
	if (have_tos) {
		int v = (int)tos;
		if (setsockopt(fd, lvl, family == AF_INET6 ? IPV6_TCLASS : IP_TOS, &v, sizeof v) < 0) {
			perror("udpgen: setsockopt(TOS)");
			return 1;
		}
	}
	if (have_mark) {
		unsigned int v = (unsigned int)mark;
		if (setsockopt(fd, SOL_SOCKET, SO_MARK, &v, sizeof v) < 0) {
			perror("udpgen: setsockopt(SO_MARK)");
			return 1;
		}
	}
	if (src || sport) {
		if (!src) {
			memset(&sss, 0, sizeof sss);
			sss.ss_family = (sa_family_t)family;
			if (family == AF_INET) {
				((struct sockaddr_in *)&sss)->sin_port = htons((uint16_t)sport);
				slen = sizeof(struct sockaddr_in);
			} else {
				((struct sockaddr_in6 *)&sss)->sin6_port = htons((uint16_t)sport);
				slen = sizeof(struct sockaddr_in6);
			}
		}
		if (bind(fd, (struct sockaddr *)&sss, slen) < 0) {
			fprintf(stderr, "udpgen: bind %s:%lu: %s\n", src ? src : "*", sport, strerror(errno));
			return 1;
		}
	}

	unsigned char *buf = malloc(size ? size : 1);
	if (!buf) {
		perror("udpgen: malloc");
		return 1;
	}
	memset(buf, (int)fill, size);

	uint64_t gap_ns = 0;
	if (have_rate)
		gap_ns = 1000000000ull / rate;
	else if (have_interval)
		gap_ns = (uint64_t)interval_us * 1000ull;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);

	unsigned long sent = 0, enobufs = 0, icmp = 0;
	int rc = 0;
	while (sent < count) {
		if (gap_ns && sent > 0) {
			ts_add_ns(&next, gap_ns);
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
				;
		}
		if (size >= 4) {
			uint32_t seq = htonl((uint32_t)sent);
			memcpy(buf, &seq, 4);
		}
		if (span > 1) {
			uint16_t p = htons((uint16_t)(dport + sent % span));
			if (family == AF_INET)
				((struct sockaddr_in *)&dss)->sin_port = p;
			else
				((struct sockaddr_in6 *)&dss)->sin6_port = p;
		}
		unsigned long retries = 0;
		for (;;) {
			ssize_t w = sendto(fd, buf, size, 0, (struct sockaddr *)&dss, dlen);
			if (w == (ssize_t)size)
				break;
			int e = errno;
			if (w >= 0) {
				fprintf(stderr, "udpgen: short send (%zd of %lu bytes)\n", w, size);
				rc = 1;
				goto out;
			}
			if (e == EINTR)
				continue;
			if ((e == ENOBUFS || e == EAGAIN) && ++retries < ENOBUFS_RETRIES) {
				/* Dropped locally (full queue): back off and send again. */
				enobufs++;
				struct timespec d = {0, 20000};
				nanosleep(&d, NULL);
				continue;
			}
			/* A pending asynchronous ICMP error from an earlier datagram
			 * makes the next send fail without sending; drain and retry. */
			int q = drain_errqueue(fd);
			if (q > 0 && ++retries < ENOBUFS_RETRIES) {
				icmp += (unsigned long)q;
				continue;
			}
			fprintf(stderr, "udpgen: sendto datagram %lu of %lu: %s\n", sent + 1, count, strerror(e));
			rc = 1;
			goto out;
		}
		sent++;
	}
	icmp += (unsigned long)drain_errqueue(fd);
out:
	if (verbose)
		fprintf(stderr, "udpgen: sent %lu, ENOBUFS retries %lu, ICMP errors ignored %lu\n",
			sent, enobufs, icmp);
	printf("%lu\n", sent);
	fflush(stdout);
	free(buf);
	close(fd);
	return rc;
}
