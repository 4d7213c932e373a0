/* Network namespaces by name: an `ip netns` name, or "pid:PID" (or
 * "pid:PID(COMM)") for the namespace of a process, the way a container's
 * namespace is known when it has no `ip netns` name; device names
 * resolved inside them, and the reverse: (ifindex, namespace inode) back
 * to a name, by what is known about the namespace (its `ip netns` name,
 * else "pid:PID(COMM)" of the lowest PID in it). */
#ifndef VNT_NETNS_H
#define VNT_NETNS_H
#include <stddef.h>
#include <stdint.h>

/* An fd of namespace `ns` ("NAME", "pid:PID", "pid:PID(COMM)"), or
 * -errno: -ESRCH for a process that does not exist (or has another
 * COMM), -EINVAL for a malformed "pid:" form. */
int vnt_netns_open(const char *ns);
/* Why namespace `ns` could not be opened (errno e), for a message. */
const char *vnt_netns_strerror(const char *ns, int e);
/* Run inside namespace `ns` (NULL or "": the current one). Returns the
 * fd to pass to vnt_netns_leave, or -errno. */
int vnt_netns_enter(const char *ns);
void vnt_netns_leave(int saved);

/* "[ns/]dev" -> ifindex and namespace inode; "ns/" -> inode only.
 * 0 or -errno. */
int vnt_dev_resolve(const char *spec, uint32_t *ifindex, uint32_t *netns_ino);
/* Split "[ns/]dev"; returns pointer to dev part, ns copied into nsbuf. */
const char *vnt_dev_split(const char *spec, char *nsbuf, unsigned nslen);
/* Render (ifindex, netns inode) as "dev", "ns/dev" or "pid:PID(COMM)/dev". */
void vnt_dev_name(uint32_t ifindex, uint32_t netns_ino, char *buf, unsigned len);
/* A namespace inode as "NAME", "pid:PID(COMM)", "host" (the caller's own),
 * "nsINO" (nothing known) or "-" (0: no device). */
void vnt_netns_label(uint32_t netns_ino, char *buf, unsigned len);
/* /proc/PID/comm into buf. 0 or -errno. */
int vnt_pid_comm(long pid, char *buf, size_t len);
void vnt_netns_cache_free(void);

#endif
