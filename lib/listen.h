/* A TCP listening socket from an address as users write it:
 * "ADDR:PORT", "[ADDR6]:PORT", ":PORT" or "PORT". Shared by the agent's
 * listener and the metrics endpoints, which word their errors apart. */
#ifndef VNT_LISTEN_H
#define VNT_LISTEN_H

#include <stddef.h>

/* Splits spec into host ("" for every address) and port. 0, or
 * 1: "[" without "]:" (or a host too long inside the brackets),
 * 2: a host too long before the colon. */
int vnt_listen_split(const char *spec, char *host, size_t hostlen, char *port, size_t portlen);

/* Binds and listens (SO_REUSEADDR, close-on-exec; with no host the IPv6
 * wildcard, taking IPv4 too). The fd, or -1: *gai_err set when the name
 * did not resolve (gai_strerror), else 0 and errno says why. */
int vnt_listen_tcp(const char *host, const char *port, int backlog, int *gai_err);

#endif
