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
#include "lib/netns.h"

#define NETNS_RUN_DIR "/var/run/netns"

int vnt_pid_comm(long pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* "pid:PID" or "pid:PID(COMM)": a process's network namespace, the way
 * container users know one that has no `ip netns` name (docker, podman,
 * unshare). With COMM, the process must still be called that: a PID is
 * reused once its process ends. 1 and *pid set, 0 not this form, -errno. */
static int pid_form(const char *ns, long *pid)
{
	if (strncmp(ns, "pid:", 4))
		return 0;
	char *end;
	errno = 0;
	*pid = strtol(ns + 4, &end, 10);
	if (errno || end == ns + 4 || *pid <= 0 || (*end && *end != '('))
		return -EINVAL;
	if (*end == '(') {
		const char *want = end + 1, *close = strchr(want, ')');
		if (!close || close[1])
			return -EINVAL;
		char comm[64];
		if (vnt_pid_comm(*pid, comm, sizeof(comm)))
			return -ESRCH;
		if (strlen(comm) != (size_t)(close - want) || strncmp(comm, want, (size_t)(close - want)))
			return -ESRCH;
	}
	return 1;
}

int vnt_netns_open(const char *ns)
{
	char path[512];
	long pid;
	int form = pid_form(ns, &pid);
	if (form < 0)
		return form;
	if (form)
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
	else
		snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, ns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return form && errno == ENOENT ? -ESRCH : -errno;
	return fd;
}

const char *vnt_netns_strerror(const char *ns, int e)
{
	static char buf[256];
	long pid;
	if (ns && !strncmp(ns, "pid:", 4)) {
		if (e == EINVAL)
			return "not a process's namespace: write pid:PID or pid:PID(COMM)";
		char comm[64];
		if (e == ESRCH && strchr(ns, '(') && (pid = strtol(ns + 4, NULL, 10)) > 0 &&
		    !vnt_pid_comm(pid, comm, sizeof(comm)))
			snprintf(buf, sizeof(buf), "process %ld is '%s', not '%.*s' (a PID is reused when its process ends)",
				 pid, comm, (int)strcspn(strchr(ns, '(') + 1, ")"), strchr(ns, '(') + 1);
		else if (e == ESRCH)
			snprintf(buf, sizeof(buf), "no process %s", ns + 4);
		else
			snprintf(buf, sizeof(buf), "%s", strerror(e));
		return buf;
	}
	if (e == ENOENT)
		return "no such namespace (`ip netns list` lists the names; \"pid:PID/DEV\" is a device in a process's "
		       "namespace)";
	return strerror(e);
}

int vnt_netns_enter(const char *ns)
{
	int saved = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return -errno;
	if (!ns || !*ns)
		return saved;
	int fd = vnt_netns_open(ns);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		int e = fd < 0 ? -fd : errno;
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

/* The lowest PID whose network namespace is ino (a container's first
 * process, usually), and its name: "pid:PID(COMM)". 0 or -1 (none). */
static int process_in(uint32_t ino, char *name, size_t len)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	long best = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || (best && pid >= best))
			continue;
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
		if (!stat(path, &st) && (uint32_t)st.st_ino == ino)
			best = pid;
	}
	closedir(d);
	char comm[64];
	if (!best || vnt_pid_comm(best, comm, sizeof(comm)))
		return -1;
	snprintf(name, len, "pid:%ld(%s)", best, comm);
	return 0;
}

/* What is known about namespace ino: its `ip netns` name, else a process
 * in it; NULL if neither (cached, with the misses). */
static const char *ns_label(uint32_t ino)
{
	if (!nss_loaded)
		load_namespaces();
	for (int i = 0; i < nns; i++)
		if (nss[i].ino == ino)
			return nss[i].name[0] ? nss[i].name : NULL;
	struct nsent *n = realloc(nss, sizeof(*nss) * (size_t)(nns + 1));
	if (!n)
		return NULL;
	nss = n;
	nss[nns].ino = ino;
	if (process_in(ino, nss[nns].name, sizeof(nss[nns].name)))
		nss[nns].name[0] = '\0';
	const char *found = nss[nns].name[0] ? nss[nns].name : NULL;
	nns++;
	return found;
}

void vnt_netns_label(uint32_t ino, char *buf, unsigned len)
{
	const char *l = ino && ino != self_ns_ino() ? ns_label(ino) : NULL;
	if (l)
		snprintf(buf, len, "%s", l);
	else if (!ino || ino == self_ns_ino())
		snprintf(buf, len, "%s", ino ? "host" : "-");
	else
		snprintf(buf, len, "ns%u", ino);
}

void vnt_dev_name(uint32_t ifindex, uint32_t ino, char *buf, unsigned len)
{
	for (int i = 0; i < ndevs; i++)
		if (devs[i].ifindex == ifindex && devs[i].ino == ino) {
			snprintf(buf, len, "%s", devs[i].name);
			return;
		}
	const char *nsname = ino != self_ns_ino() ? ns_label(ino) : NULL;
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
