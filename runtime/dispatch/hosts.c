/* Which agents a dispatch reaches: a hosts file or a --host list. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/dispatch/dispatch.h"

static void host_free(struct vnt_dispatch_host *h)
{
	free(h->name);
	free(h->addr);
	free(h->host);
	free(h->port);
	free(h->cmd);
	for (int i = 0; i < h->nhops; i++)
		free(h->hops[i]);
	free(h->hops);
	memset(h, 0, sizeof(*h));
}

void vnt_dispatch_hosts_free(struct vnt_dispatch_hosts *hs)
{
	for (int i = 0; i < hs->n; i++)
		host_free(&hs->h[i]);
	free(hs->h);
	hs->h = NULL;
	hs->n = 0;
}

/* "HOST:PORT" or "[V6]:PORT" into host and port. */
static int split_addr(struct vnt_dispatch_host *h, const char *a, char *err, size_t errlen)
{
	const char *colon = strrchr(a, ':');
	const char *hs = a, *he = colon;
	if (a[0] == '[') {
		const char *close = strchr(a, ']');
		if (!close || close[1] != ':') {
			snprintf(err, errlen, "bad address '%s' (write [ADDR]:PORT)", a);
			return -1;
		}
		hs = a + 1;
		he = close;
		colon = close + 1;
	}
	if (!colon || colon == a || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
		snprintf(err, errlen, "bad address '%s' (write ADDR:PORT, or stdio:COMMAND)", a);
		return -1;
	}
	h->addr = strdup(a);
	h->host = strndup(hs, (size_t)(he - hs));
	h->port = strdup(colon + 1);
	if (!h->addr || !h->host || !h->port) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return 0;
	return 1;
}

static int add_host(struct vnt_dispatch_hosts *hs, struct vnt_dispatch_host *h, char *err, size_t errlen)
{
	for (int i = 0; i < hs->n; i++)
		if (!strcmp(hs->h[i].name, h->name)) {
			snprintf(err, errlen, "host '%s' is listed twice", h->name);
			return -1;
		}
	struct vnt_dispatch_host *nh = realloc(hs->h, sizeof(*nh) * (size_t)(hs->n + 1));
	if (!nh) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	hs->h = nh;
	hs->h[hs->n++] = *h;
	memset(h, 0, sizeof(*h));
	return 0;
}

/* "hops=a,b,c" */
static int parse_hops(struct vnt_dispatch_host *h, const char *list, char *err, size_t errlen)
{
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		return -1;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char **nv = realloc(h->hops, sizeof(char *) * (size_t)(h->nhops + 1));
		if (!nv || h->nhops >= VNT_PROTO_MAX_LIST) {
			if (nv)
				h->hops = nv;
			snprintf(err, errlen, "too many hops");
			free(copy);
			return -1;
		}
		h->hops = nv;
		h->hops[h->nhops] = strdup(t);
		if (!h->hops[h->nhops++]) {
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (!h->nhops) {
		snprintf(err, errlen, "hops= lists no hop");
		return -1;
	}
	return 0;
}

static int parse_line(char *s, struct vnt_dispatch_host *h, char *err, size_t errlen)
{
	char *save = NULL;
	char *name = strtok_r(s, " \t", &save);
	char *where = strtok_r(NULL, " \t", &save);
	if (!name || !where) {
		snprintf(err, errlen, "expected 'NAME ADDR:PORT [hops=a,b]' or 'NAME stdio:COMMAND...'");
		return -1;
	}
	if (!valid_name(name)) {
		snprintf(err, errlen, "bad host name '%s' (letters, digits, '-', '_', '.')", name);
		return -1;
	}
	h->name = strdup(name);
	if (!strncmp(where, "stdio:", 6)) {
		/* The rest of the line is the command (it may hold spaces). */
		const char *rest = where + 6;
		char *tail = strtok_r(NULL, "", &save);
		size_t n = strlen(rest) + (tail ? strlen(tail) + 1 : 0) + 1;
		h->cmd = malloc(n);
		if (!h->cmd)
			return -1;
		snprintf(h->cmd, n, "%s%s%s", rest, tail ? " " : "", tail ? tail : "");
		/* A trailing " hops=..." still selects hops. */
		char *hp = strstr(h->cmd, " hops=");
		if (hp && !strchr(hp + 6, ' ')) {
			*hp = '\0';
			if (parse_hops(h, hp + 6, err, errlen))
				return -1;
		}
		if (!*h->cmd) {
			snprintf(err, errlen, "stdio: needs a command, e.g. stdio:ssh HOST vnt-agent --stdio");
			return -1;
		}
		return 0;
	}
	if (split_addr(h, where, err, errlen))
		return -1;
	for (char *t; (t = strtok_r(NULL, " \t", &save));) {
		if (strncmp(t, "hops=", 5)) {
			snprintf(err, errlen, "unexpected '%s' (only hops=a,b may follow the address)", t);
			return -1;
		}
		if (parse_hops(h, t + 5, err, errlen))
			return -1;
	}
	return 0;
}

int vnt_dispatch_hosts_file(const char *path, struct vnt_dispatch_hosts *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read hosts file %s: %s", path, strerror(errno));
		return -1;
	}
	char line[4096], e2[512];
	int lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			continue;
		struct vnt_dispatch_host h = { 0 };
		if (parse_line(s, &h, e2, sizeof(e2)) || add_host(out, &h, e2, sizeof(e2))) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, e2);
			host_free(&h);
			fclose(f);
			vnt_dispatch_hosts_free(out);
			return -1;
		}
	}
	fclose(f);
	if (!out->n) {
		snprintf(err, errlen, "%s lists no host", path);
		return -1;
	}
	return 0;
}

int vnt_dispatch_hosts_list(const char *spec, struct vnt_dispatch_hosts *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	char *copy = strdup(spec), *save = NULL, e2[512];
	if (!copy)
		return -1;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		struct vnt_dispatch_host h = { 0 };
		char *eq = strchr(t, '=');
		if (!eq) {
			snprintf(e2, sizeof(e2), "'%s' is not NAME=ADDR:PORT", t);
			goto bad;
		}
		*eq = '\0';
		if (!valid_name(t)) {
			snprintf(e2, sizeof(e2), "bad host name '%s'", t);
			goto bad;
		}
		h.name = strdup(t);
		if (split_addr(&h, eq + 1, e2, sizeof(e2)) || add_host(out, &h, e2, sizeof(e2)))
			goto bad;
		continue;
bad:
		snprintf(err, errlen, "--host: %s", e2);
		host_free(&h);
		free(copy);
		vnt_dispatch_hosts_free(out);
		return -1;
	}
	free(copy);
	if (!out->n) {
		snprintf(err, errlen, "--host lists no host");
		return -1;
	}
	return 0;
}
