/* Network namespaces by name (`ip netns`), device names resolved inside
 * them, and the reverse: (ifindex, namespace inode) back to a name. */
#ifndef VNT_NETNS_H
#define VNT_NETNS_H
#include <stdint.h>

/* Run inside namespace `ns` (NULL or "": the current one). Returns the
 * fd to pass to vnt_netns_leave, or -errno. */
int vnt_netns_enter(const char *ns);
void vnt_netns_leave(int saved);

/* "[ns/]dev" -> ifindex and namespace inode; "ns/" -> inode only.
 * 0 or -errno. */
int vnt_dev_resolve(const char *spec, uint32_t *ifindex, uint32_t *netns_ino);
/* Split "[ns/]dev"; returns pointer to dev part, ns copied into nsbuf. */
const char *vnt_dev_split(const char *spec, char *nsbuf, unsigned nslen);
/* Render (ifindex, netns inode) as "dev" or "ns/dev" into buf. */
void vnt_dev_name(uint32_t ifindex, uint32_t netns_ino, char *buf, unsigned len);
void vnt_netns_cache_free(void);

#endif
