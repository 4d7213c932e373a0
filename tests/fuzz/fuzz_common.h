/* Shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * Diagnostics go to /dev/null; scripts that must come from a file (the
 * loader reads paths) are written to a private temporary directory, removed
 * at exit. VNT_DATADIR defaults to the repository top the targets were
 * built from (VNT_FUZZ_TOP, set by build.sh) so `import "net"` finds
 * stdlib/ and the code generator finds bpf-templates/.
 *
 * The script file sits three directories below the temporary directory,
 * which links to the repository's stdlib/, so the relative imports of the
 * seeds taken from tests/diag/ ("../../../stdlib/qdisc.vnt") resolve. */
#ifndef VNT_FUZZ_COMMON_H
#define VNT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/common_interface_defs.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lang/diag.h"

#ifndef VNT_FUZZ_TOP
#define VNT_FUZZ_TOP "."
#endif

static FILE *fz_null;
static char fz_dir[4096];
static char fz_path[4200];

static inline void fz_cleanup(void)
{
	char p[4300];
	if (!fz_dir[0])
		return;
	unlink(fz_path);
	static const char *const sub[] = { "/t/e/s", "/t/e", "/t" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", fz_dir, sub[i]);
		rmdir(p);
	}
	snprintf(p, sizeof(p), "%s/stdlib", fz_dir);
	unlink(p);
	rmdir(fz_dir);
}

static inline void fz_init(void)
{
	const char *dd = getenv("VNT_DATADIR");
	if (!dd || !*dd)
		setenv("VNT_DATADIR", VNT_FUZZ_TOP, 1);
	setenv("NO_COLOR", "1", 1);
	fz_null = fopen("/dev/null", "w");
	if (!fz_null) {
		perror("/dev/null");
		abort();
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(fz_dir, sizeof(fz_dir), "%s/vnt-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fz_dir)) {
		perror("mkdtemp");
		abort();
	}
	atexit(fz_cleanup);
	__sanitizer_set_death_callback(fz_cleanup);   /* crashes skip atexit */
	char p[4300], lib[4300];
	static const char *const sub[] = { "/t", "/t/e", "/t/e/s" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", fz_dir, sub[i]);
		if (mkdir(p, 0700)) {
			perror(p);
			abort();
		}
	}
	snprintf(p, sizeof(p), "%s/stdlib", fz_dir);
	snprintf(lib, sizeof(lib), "%s/stdlib", getenv("VNT_DATADIR"));
	if (symlink(lib, p)) {
		perror(p);
		abort();
	}
	snprintf(fz_path, sizeof(fz_path), "%s/t/e/s/fuzz.vnt", fz_dir);
}

static inline void fz_diag(struct vnt_diag *d)
{
	vnt_diag_init(d);
	d->out = fz_null;
	d->color = 0;
}

/* The input as a NUL-terminated string (an embedded NUL ends it, as it
 * would for every caller of vnt_source_from_string). */
static inline char *fz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Write the input to the script file; 0 on success. */
static inline int fz_write_script(const uint8_t *data, size_t size)
{
	FILE *f = fopen(fz_path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(data, 1, size, f);
	if (fclose(f) || w != size)
		return -1;
	return 0;
}

/* Imports of device or kernel files (import "/dev/zero", "/proc/self/fd/0")
 * read without end or block: that is the user's own doing on the command
 * line, not something a script file can do to a host it does not name, so
 * the loader's targets skip such inputs instead of reporting a hang. */
static inline int fz_names_special_file(const uint8_t *data, size_t size)
{
	static const char *const bad[] = { "dev/", "proc/", "sys/", "fd/" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (memmem(data, size, bad[i], strlen(bad[i])))
			return 1;
	return 0;
}

#endif
