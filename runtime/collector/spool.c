/* The spool (spool.h): DIR/NNNNNN-TABLE.FORMAT per batch, and
 * DIR/replay.sh with one curl command per batch in the order they were
 * made. Files are written whole under a temporary name and renamed, so
 * that a half-written batch is never taken for one. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/collector/spool.h"

int vnt_spool_init(struct vnt_spool *sp, const char *dir)
{
	*sp = (struct vnt_spool){ 0 };
	sp->dir = strdup(dir && *dir ? dir : "vnt-spool");
	return sp->dir ? 0 : -1;
}

void vnt_spool_free(struct vnt_spool *sp)
{
	free(sp->dir);
	sp->dir = NULL;
}

static int mkdirs(const char *dir)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0700) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(tmp, 0700) && errno != EEXIST ? -1 : 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int put_file(const char *path, const void *body, size_t len)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, body, len) || fsync(fd);
	if (close(fd) || rc || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int vnt_spool_put(struct vnt_spool *sp, const char *table, const char *format, const void *body, size_t len,
		  uint64_t rows, uint64_t events, const char *cmd_head, const char *cmd_tail)
{
	char file[4096], script[4096];
	unsigned seq = ++sp->seq;
	snprintf(file, sizeof(file), "%s/%06u-%s.%s", sp->dir, seq, table, format);
	snprintf(script, sizeof(script), "%s/replay.sh", sp->dir);
	int rc = mkdirs(sp->dir);
	if (!rc)
		rc = put_file(file, body, len);
	if (!rc) {
		bool fresh = access(script, F_OK) != 0;
		FILE *f = fopen(script, "a");
		if (f) {
			if (fresh)
				fprintf(f, "#!/bin/sh\n# Load what vnt dispatch could not store, in order: sh %s\nset -e\n"
					   "cd \"$(dirname \"$0\")\"\n", script);
			const char *base = strrchr(file, '/') + 1;
			fprintf(f, "%s%s%s && echo '%s loaded'\n", cmd_head, base, cmd_tail, base);
			rc = fclose(f) ? -1 : 0;
			if (fresh)
				chmod(script, 0700);
		} else {
			rc = -1;
		}
	}
	if (rc) {
		sp->lost_rows += rows;
		sp->lost_events += events;
		return -1;
	}
	sp->batches++;
	sp->rows += rows;
	sp->events += events;
	return 0;
}
