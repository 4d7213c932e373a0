#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lib/listen.h"

int vnt_listen_split(const char *spec, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon = strrchr(spec, ':');
	host[0] = '\0';
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= hostlen)
			return 1;
		memcpy(host, spec + 1, (size_t)(close - spec - 1));
		host[close - spec - 1] = '\0';
		snprintf(port, portlen, "%s", close + 2);
	} else if (colon) {
		if ((size_t)(colon - spec) >= hostlen)
			return 2;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		snprintf(port, portlen, "%s", colon + 1);
	} else {
		snprintf(port, portlen, "%s", spec);
	}
	return 0;
}

int vnt_listen_tcp(const char *host, const char *port, int backlog, int *gai_err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res;
	*gai_err = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (*gai_err)
		return -1;
	/* Without a host, prefer the IPv6 wildcard, which takes IPv4 too. */
	struct addrinfo *ai = res;
	for (struct addrinfo *a = res; !host[0] && a; a = a->ai_next)
		if (a->ai_family == AF_INET6)
			ai = a;
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol), one = 1, zero = 0;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	}
	if (fd >= 0 && (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, backlog))) {
		int e = errno;
		close(fd);
		errno = e;
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}
