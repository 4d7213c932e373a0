#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime/netns.h"

#define NETNS_RUN_DIR "/var/run/netns"

int vnt_netns_enter(const char *ns)
{
	int saved = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return -errno;
	if (!ns || !*ns)
		return saved;
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, ns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		close(saved);
		return -e;
	}
	close(fd);
	return saved;
}

void vnt_netns_leave(int saved)
{
	if (saved < 0)
		return;
	if (setns(saved, CLONE_NEWNET))
		perror("vnt: cannot return to the original network namespace");
	close(saved);
}

const char *vnt_dev_split(const char *spec, char *nsbuf, unsigned nslen)
{
	const char *slash = strchr(spec, '/');
	if (!slash) {
		nsbuf[0] = '\0';
		return spec;
	}
	snprintf(nsbuf, nslen, "%.*s", (int)(slash - spec), spec);
	return slash + 1;
}

static uint32_t self_ns_ino(void)
{
	struct stat st;
	return stat("/proc/self/ns/net", &st) == 0 ? (uint32_t)st.st_ino : 0;
}

int vnt_dev_resolve(const char *spec, uint32_t *ifindex, uint32_t *netns_ino)
{
	char ns[256];
	const char *dev = vnt_dev_split(spec, ns, sizeof(ns));
	int saved = vnt_netns_enter(ns);
	if (saved < 0)
		return saved;
	int rc = 0;
	*netns_ino = self_ns_ino();
	*ifindex = 0;
	if (*dev) {
		*ifindex = if_nametoindex(dev);
		if (!*ifindex)
			rc = -ENODEV;
	}
	vnt_netns_leave(saved);
	return rc;
}

/* Small caches: namespace inode -> name, (ifindex, inode) -> device. */
struct nsent { uint32_t ino; char name[256]; };
struct devent { uint32_t ifindex, ino; char name[300]; };
static struct nsent *nss;
static int nns, nss_loaded;
static struct devent *devs;
static int ndevs;

static void load_namespaces(void)
{
	nss_loaded = 1;
	DIR *d = opendir(NETNS_RUN_DIR);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, de->d_name);
		if (stat(path, &st))
			continue;
		struct nsent *n = realloc(nss, sizeof(*nss) * (size_t)(nns + 1));
		if (!n)
			break;
		nss = n;
		nss[nns].ino = (uint32_t)st.st_ino;
		snprintf(nss[nns].name, sizeof(nss[nns].name), "%s", de->d_name);
		nns++;
	}
	closedir(d);
}

void vnt_dev_name(uint32_t ifindex, uint32_t ino, char *buf, unsigned len)
{
	for (int i = 0; i < ndevs; i++)
		if (devs[i].ifindex == ifindex && devs[i].ino == ino) {
			snprintf(buf, len, "%s", devs[i].name);
			return;
		}
	const char *nsname = NULL;
	if (ino != self_ns_ino()) {
		if (!nss_loaded)
			load_namespaces();
		for (int i = 0; i < nns; i++)
			if (nss[i].ino == ino)
				nsname = nss[i].name;
	}
	char ifname[IF_NAMESIZE] = "";
	int saved = ino == self_ns_ino() ? -1 : nsname ? vnt_netns_enter(nsname) : -2;
	if (saved != -2 && !if_indextoname(ifindex, ifname))
		ifname[0] = '\0';
	if (saved >= 0)
		vnt_netns_leave(saved);
	char name[300];
	if (!ifname[0])
		snprintf(name, sizeof(name), "if%u@ns%u", ifindex, ino);
	else if (nsname)
		snprintf(name, sizeof(name), "%s/%s", nsname, ifname);
	else
		snprintf(name, sizeof(name), "%s", ifname);
	struct devent *n = realloc(devs, sizeof(*devs) * (size_t)(ndevs + 1));
	if (n) {
		devs = n;
		devs[ndevs].ifindex = ifindex;
		devs[ndevs].ino = ino;
		snprintf(devs[ndevs].name, sizeof(devs[ndevs].name), "%s", name);
		ndevs++;
	}
	snprintf(buf, len, "%s", name);
}

void vnt_netns_cache_free(void)
{
	free(nss);
	free(devs);
	nss = NULL;
	devs = NULL;
	nns = ndevs = nss_loaded = 0;
}
