/* Where vnt's data (bpf-templates/, stdlib/) is: lib/datadir.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/datadir.h"

const char *vnt_datadir(void)
{
	static char dir[PATH_MAX];
	if (dir[0])
		return dir;
	const char *env = getenv("VNT_DATADIR");
	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
		return dir;
	}
	/* Running from the build tree: the binary sits at the top. */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char probe[PATH_MAX + 64];
			snprintf(probe, sizeof(probe), "%s/bpf-templates/vnt_common.h", exe);
			if (access(probe, R_OK) == 0) {
				snprintf(dir, sizeof(dir), "%s", exe);
				return dir;
			}
		}
	}
	snprintf(dir, sizeof(dir), "%s", VNT_PKGDATADIR);
	return dir;
}
