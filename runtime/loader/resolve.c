/* What a plan names on this host, checked before anything is loaded:
 * the devices of its filters and of its tc/XDP hops, in their network
 * namespaces, and the kernel features its hops need. `vnt check` and
 * `vnt run` report each problem at the place in the script that names
 * it; the loader (session.c) says the same for a package. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "runtime/loader/features.h"
#include "lib/netns.h"
#include "runtime/loader/resolve.h"

int vnt_dev_problem(const char *spec, char *msg, size_t n, char *hint, size_t hn)
{
	uint32_t ifindex, ino;
	int rc = vnt_dev_resolve(spec, &ifindex, &ino);
	if (!rc)
		return 0;
	char ns[256];
	const char *dev = vnt_dev_split(spec, ns, sizeof(ns));
	if (rc == -ENODEV && ns[0]) {
		snprintf(msg, n, "no device '%s' in network namespace '%s'", dev, ns);
		snprintf(hint, hn, "`ip -n %s link` lists the devices there", ns);
	} else if (rc == -ENODEV) {
		snprintf(msg, n, "no device '%s' on this host", dev);
		snprintf(hint, hn, "`ip link` lists this host's devices; write \"NETNS/DEV\" for a device in a network "
			 "namespace");
	} else if (!strncmp(ns, "pid:", 4) && (rc == -ESRCH || rc == -EINVAL)) {
		/* a process's namespace (netns.c): no such process, another one, a typo */
		snprintf(msg, n, "cannot resolve device \"%s\": network namespace '%s': %s", spec, ns,
			 vnt_netns_strerror(ns, -rc));
		snprintf(hint, hn, "a container's PID: `docker inspect -f '{{.State.Pid}}' NAME`, `podman inspect`, or `ps`");
	} else if (rc == -ENOENT) {
		snprintf(msg, n, "no network namespace '%s' on this host (for device \"%s\")", ns, spec);
		snprintf(hint, hn, "`ip netns list` lists the named namespaces; \"pid:PID/DEV\" is a device in the "
			 "namespace of process PID (a container's)");
	} else {
		snprintf(msg, n, "cannot resolve device \"%s\": network namespace '%s': %s", spec, ns, strerror(-rc));
		snprintf(hint, hn, "resolving devices in a namespace needs root (CAP_SYS_ADMIN)");
	}
	return rc;
}

int vnt_plan_resolve(const struct vnt_plan *p, uint32_t hop_mask, vnt_resolve_report_fn report, void *ctx)
{
	char msg[1024], hint[512];
	int problems = 0;
	/* A host that runs only some hops of a trace need not have the
	 * devices its filters name for the others (session.c, fill_rodata). */
	bool all = true;
	for (int i = 0; i < p->nhops; i++)
		all &= hop_mask >> i & 1;
	for (int i = 0; i < p->ndevs && all; i++)
		if (vnt_dev_problem(p->devs[i].name, msg, sizeof(msg), hint, sizeof(hint))) {
			report(ctx, p->devs[i].srcloc, msg, hint);
			problems++;
		}
	for (int i = 0; i < p->nhops; i++) {
		const struct vnt_plan_hop *h = &p->hops[i];
		if (!(hop_mask >> i & 1))
			continue;
		if (h->dev && vnt_dev_problem(h->dev, msg, sizeof(msg), hint, sizeof(hint))) {
			char m2[1100];
			snprintf(m2, sizeof(m2), "hop '%s': %s", h->name, msg);
			report(ctx, h->srcloc, m2, hint);
			problems++;
		}
		if (vnt_feature_check(h, msg, sizeof(msg))) {
			/* The sentence names the alternative; it is the hint. */
			char *alt = strstr(msg, "; use ");
			if (alt) {
				*alt = '\0';
				snprintf(hint, sizeof(hint), "%s", alt + 2);
			}
			report(ctx, h->srcloc, msg, alt ? hint : NULL);
			problems++;
		}
	}
	return problems;
}

const char *vnt_srcloc_shown(const char *srcloc, char *buf, size_t n)
{
	if (!srcloc)
		return "";
	snprintf(buf, n, "%s", srcloc);
	char *colon = strrchr(buf, ':'), *dash = colon ? strchr(colon, '-') : NULL;
	if (dash)
		*dash = '\0';   /* "file:line:col-end" is shown as "file:line:col" */
	return buf;
}
