#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "config.h"
#include "compiler/clang.h"
#include "lib/fileutil.h"

extern char **environ;

const char *vnt_cache_dir(void)
{
	static char dir[PATH_MAX];
	if (dir[0])
		return dir;
	const char *e = getenv("VNT_CACHE_DIR");
	if (e && *e)
		snprintf(dir, sizeof(dir), "%s", e);
	else if ((e = getenv("XDG_CACHE_HOME")) && *e)
		snprintf(dir, sizeof(dir), "%s/vnt", e);
	else if ((e = getenv("HOME")) && *e)
		snprintf(dir, sizeof(dir), "%s/.cache/vnt", e);
	else
		snprintf(dir, sizeof(dir), "/var/cache/vnt");
	return dir;
}

/* Hash what determines the object: our version, clang, the flags, the
 * generated C and every template header it may include. vmlinux.h is
 * large and changes only with the kernel: its size and mtime stand in. */
static int cache_key(const char *csrc, const char *tdir, char out[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md)
		return -ENOMEM;
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, PACKAGE_VERSION, strlen(PACKAGE_VERSION));
	EVP_DigestUpdate(md, VNT_CLANG, strlen(VNT_CLANG));
	EVP_DigestUpdate(md, csrc, strlen(csrc));
	DIR *d = opendir(tdir);
	if (d) {
		/* readdir order is unstable; collect and sort names. */
		char **names = NULL;
		size_t nn = 0;
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (l < 3 || strcmp(de->d_name + l - 2, ".h"))
				continue;
			char **nv = realloc(names, (nn + 1) * sizeof(*names));
			if (!nv)
				break;
			names = nv;
			names[nn++] = strdup(de->d_name);
		}
		closedir(d);
		qsort(names, nn, sizeof(*names), vnt_strcmp_ptr);
		for (size_t i = 0; i < nn; i++) {
			char path[PATH_MAX + 300];
			snprintf(path, sizeof(path), "%s/%s", tdir, names[i]);
			EVP_DigestUpdate(md, names[i], strlen(names[i]));
			if (!strcmp(names[i], "vmlinux.h")) {
				struct stat st;
				if (stat(path, &st) == 0) {
					long long v[2] = { (long long)st.st_size, (long long)st.st_mtime };
					EVP_DigestUpdate(md, v, sizeof(v));
				}
			} else {
				size_t len;
				char *txt = vnt_read_file(path, &len);
				if (txt)
					EVP_DigestUpdate(md, txt, len);
				free(txt);
			}
			free(names[i]);
		}
		free(names);
	}
	unsigned char h[32];
	unsigned hl = 0;
	EVP_DigestFinal_ex(md, h, &hl);
	EVP_MD_CTX_free(md);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
	return 0;
}

/* Run clang; its stderr goes to errpath so we can show it with context.
 * pch: the precompiled vnt_kernel.h to start from, or NULL. Makefile.am
 * builds it with the options here that change what a header means (-O2,
 * -target bpf, -D__TARGET_ARCH_x86: BPF_PCH_FLAGS); clang refuses a PCH
 * built otherwise, or older than the headers it was built from. */
static int run_clang(const char *tdir, const char *pch, const char *cpath, const char *opath,
		     const char *errpath, bool verbose)
{
	char inc[PATH_MAX + 40];
	snprintf(inc, sizeof(inc), "-I%s", tdir);
	const char *argv[] = { VNT_CLANG, "-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86",
			       "-Wall", "-Wno-unused-function", "-Wno-unused-variable",
			       "-Wno-address-of-packed-member", "-Wno-compare-distinct-pointer-types",
			       inc, "-c", cpath, "-o", opath, NULL, NULL, NULL };
	if (pch) {
		size_t n = sizeof(argv) / sizeof(argv[0]) - 3;
		argv[n] = "-include-pch";
		argv[n + 1] = pch;
	}
	if (verbose) {
		for (const char **a = argv; *a; a++)
			fprintf(stderr, "%s%s", a == argv ? "" : " ", *a);
		fputc('\n', stderr);
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;
	int rc = posix_spawn(&pid, VNT_CLANG, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		fprintf(stderr, "vnt: error: cannot run %s: %s\n"
			"      = hint: install clang (Debian package clang-14); only the compiling host needs it\n",
			VNT_CLANG, strerror(rc));
		return -rc;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EINVAL;
}

int vnt_clang_compile(const char *csrc, const char *name, const struct vnt_clang_opts *o,
		      void **obj, size_t *obj_len, bool *cached)
{
	static const struct vnt_clang_opts defaults;
	if (!o)
		o = &defaults;
	char tdir[PATH_MAX + 32], key[65], opath[PATH_MAX + 80];
	snprintf(tdir, sizeof(tdir), "%s/bpf-templates", vnt_datadir());
	int rc = cache_key(csrc, tdir, key);
	if (rc)
		return rc;
	const char *cdir = vnt_cache_dir();
	snprintf(opath, sizeof(opath), "%s/%s.o", cdir, key);
	*cached = false;
	if (!o->no_cache) {
		*obj = vnt_read_file(opath, obj_len);
		if (*obj) {
			*cached = true;
			return 0;
		}
	}
	if (vnt_mkdir_p(cdir, 0700)) {
		fprintf(stderr, "vnt: error: cannot create cache directory %s: %s\n", cdir, strerror(errno));
		return -errno;
	}
	char cpath[PATH_MAX + 80], tpath[PATH_MAX + 80], epath[PATH_MAX + 80];
	snprintf(cpath, sizeof(cpath), "%s/%s.%d.c", cdir, key, (int)getpid());
	snprintf(tpath, sizeof(tpath), "%s/%s.%d.o", cdir, key, (int)getpid());
	snprintf(epath, sizeof(epath), "%s/%s.%d.err", cdir, key, (int)getpid());
	if (vnt_write_file(cpath, csrc, strlen(csrc))) {
		fprintf(stderr, "vnt: error: cannot write %s: %s\n", cpath, strerror(errno));
		return -errno;
	}
	char pch[PATH_MAX + 48];
	snprintf(pch, sizeof(pch), "%s/vnt_kernel.pch", tdir);
	bool use_pch = access(pch, R_OK) == 0;
	rc = run_clang(tdir, use_pch ? pch : NULL, cpath, tpath, epath, o->verbose);
	if (rc && use_pch) {
		/* A stale or foreign PCH (the kernel's BTF was dumped again, clang
		 * changed): the same compile without it says what is really wrong. */
		if (o->verbose)
			fprintf(stderr, "vnt: clang refused %s or the program; compiling again without it\n", pch);
		rc = run_clang(tdir, NULL, cpath, tpath, epath, o->verbose);
	}
	size_t elen = 0;
	char *err = vnt_read_file(epath, &elen);
	if (rc) {
		fprintf(stderr, "vnt: error: clang failed to compile the generated eBPF C for %s\n", name);
		if (err && elen)
			fwrite(err, 1, elen, stderr);
		fprintf(stderr, "      = hint: this is a bug in vnt's code generator or templates; "
			"`vnt compile --emit-c` shows the C (kept at %s)\n", cpath);
		free(err);
		unlink(epath);
		unlink(tpath);
		return rc;
	}
	free(err);
	unlink(epath);
	unlink(cpath);
	/* DWARF is only clang's way to BTF: drop it, keep .BTF and .BTF.ext. */
	if (VNT_LLVM_STRIP[0]) {
		const char *sargv[] = { VNT_LLVM_STRIP, "-g", tpath, NULL };
		pid_t spid;
		int st;
		if (posix_spawn(&spid, VNT_LLVM_STRIP, NULL, NULL, (char *const *)sargv, environ) == 0)
			while (waitpid(spid, &st, 0) < 0 && errno == EINTR)
				;
	}
	if (rename(tpath, opath)) {
		rc = -errno;
		unlink(tpath);
		return rc;
	}
	*obj = vnt_read_file(opath, obj_len);
	return *obj ? 0 : -errno;
}
