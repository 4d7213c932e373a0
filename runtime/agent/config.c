/* Agent settings: built-in defaults, then the config file, then the
 * command line (tools/vnt-agent.c), each overriding the one before. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/agent/agent.h"

void vnt_agent_config_defaults(struct vnt_agent_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen = strdup(":" VNT_AGENT_PORT);
	c->timeout_s = 10;
	c->handshake_timeout_s = 10;
	c->max_traces = 8;
	c->max_programs = 32;
	c->max_map_bytes = 512ull << 20;
	c->max_cpu_ms = 0;
	c->metrics_keep_s = 60;
}

void vnt_agent_config_free(struct vnt_agent_config *c)
{
	free(c->listen);
	free(c->cert);
	free(c->key);
	free(c->ca);
	free(c->name);
	free(c->metrics);
	memset(c, 0, sizeof(*c));
}

/* "512M", "1G", "65536": bytes. */
static int parse_size(const char *v, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || end == v || *v == '-')
		return -1;
	uint64_t mul = 1;
	switch (toupper((unsigned char)*end)) {
	case 'K': mul = 1ull << 10; end++; break;
	case 'M': mul = 1ull << 20; end++; break;
	case 'G': mul = 1ull << 30; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end += *end == 'i' && end[1] == 'B' ? 2 : 1;
	if (*end || (mul > 1 && n > UINT64_MAX / mul))
		return -1;
	*out = n * mul;
	return 0;
}

static int parse_int(const char *v, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int set_str(char **dst, const char *v)
{
	char *s = strdup(v);
	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

int vnt_agent_config_set(struct vnt_agent_config *c, const char *key, const char *val, char *err, size_t errlen)
{
	long n;
	uint64_t u;
	static const struct { const char *key; size_t off; } strs[] = {
		{ "listen", offsetof(struct vnt_agent_config, listen) },
		{ "cert", offsetof(struct vnt_agent_config, cert) },
		{ "key", offsetof(struct vnt_agent_config, key) },
		{ "ca", offsetof(struct vnt_agent_config, ca) },
		{ "name", offsetof(struct vnt_agent_config, name) },
		{ "metrics", offsetof(struct vnt_agent_config, metrics) },
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(key, strs[i].key)) {
			if (set_str((char **)((char *)c + strs[i].off), val)) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			return 0;
		}
	static const struct { const char *key; size_t off; long min, max; const char *what; } ints[] = {
		{ "timeout", offsetof(struct vnt_agent_config, timeout_s), 1, 86400, "seconds (1..86400)" },
		{ "handshake_timeout", offsetof(struct vnt_agent_config, handshake_timeout_s), 1, 600, "seconds (1..600)" },
		{ "max_traces", offsetof(struct vnt_agent_config, max_traces), 1, 1024, "a count (1..1024)" },
		{ "max_programs", offsetof(struct vnt_agent_config, max_programs), 1, 1024, "a count (1..1024)" },
		{ "metrics_keep", offsetof(struct vnt_agent_config, metrics_keep_s), 0, 86400, "seconds (0..86400)" },
	};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (!strcmp(key, ints[i].key)) {
			if (parse_int(val, ints[i].min, ints[i].max, &n)) {
				snprintf(err, errlen, "%s takes %s, not '%s'", key, ints[i].what, val);
				return -1;
			}
			*(int *)((char *)c + ints[i].off) = (int)n;
			return 0;
		}
	if (!strcmp(key, "max_map_memory")) {
		if (parse_size(val, &u) || !u) {
			snprintf(err, errlen, "max_map_memory takes a size in bytes (suffix K, M or G), not '%s'", val);
			return -1;
		}
		c->max_map_bytes = u;
		return 0;
	}
	if (!strcmp(key, "max_cpu_ms")) {
		if (parse_size(val, &u)) {
			snprintf(err, errlen, "max_cpu_ms takes milliseconds (0: no limit), not '%s'", val);
			return -1;
		}
		c->max_cpu_ms = u;
		return 0;
	}
	snprintf(err, errlen, "unknown setting '%s' (see vnt-agent --help)", key);
	return -1;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int vnt_agent_config_load(struct vnt_agent_config *c, const char *path, bool must_exist, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	char line[4096], e2[512];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		if (vnt_agent_config_set(c, trim(s), trim(eq + 1), e2, sizeof(e2))) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, e2);
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

void vnt_agent_config_print(const struct vnt_agent_config *c)
{
	printf("listen = %s\ncert = %s\nkey = %s\nca = %s\nname = %s\ntimeout = %d\nhandshake_timeout = %d\n"
	       "max_traces = %d\nmax_programs = %d\nmax_map_memory = %llu\nmax_cpu_ms = %llu\nmetrics = %s\n"
	       "metrics_keep = %d\n",
	       c->listen, c->cert ? c->cert : "", c->key ? c->key : "", c->ca ? c->ca : "", c->name ? c->name : "",
	       c->timeout_s, c->handshake_timeout_s, c->max_traces, c->max_programs,
	       (unsigned long long)c->max_map_bytes, (unsigned long long)c->max_cpu_ms, c->metrics ? c->metrics : "",
	       c->metrics_keep_s);
}
