#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bpf-templates/vnt_abi.h"
#include "lib/netns.h"
#include "runtime/output/events_pcap.h"

/* An interface: by name and link type; for ring records also by what
 * the name was made from, so that names are looked up once. */
struct vnt_pcap_iface {
	char *name;
	int link, id;
	uint32_t hop, ifindex, netns;
	int from_ring;
};

static int iface_add(struct vnt_pcap_out *o, const char *name, int link)
{
	if (o->nifs == o->capifs) {
		int cap = o->capifs ? o->capifs * 2 : 16;
		struct vnt_pcap_iface *n = realloc(o->ifs, sizeof(*n) * (size_t)cap);
		if (!n)
			return -1;
		o->ifs = n;
		o->capifs = cap;
	}
	char *nm = strdup(name);
	if (!nm)
		return -1;
	int id = vnt_pcapng_interface(o->w, name, link == VNT_PCAP_ETHER ? VNT_LINKTYPE_ETHERNET : VNT_LINKTYPE_RAW,
				      o->snaplen);
	if (id < 0) {
		free(nm);
		return -1;
	}
	o->ifs[o->nifs++] = (struct vnt_pcap_iface){ .name = nm, .link = link, .id = id };
	return o->nifs - 1;
}

/* The original length as the link type counts it: a hop's len is the
 * frame's, Ethernet header included (tcpdump's), but bytes taken from the
 * network header are an IP packet, whose own header says how long it is. */
static uint32_t wire_len(const struct vnt_pcap_packet *p)
{
	const unsigned char *d = p->data;
	if (p->link != VNT_PCAP_RAW)
		return p->len;
	if (p->caplen >= 4 && d[0] >> 4 == 4)
		return (uint32_t)d[2] << 8 | d[3];
	if (p->caplen >= 6 && d[0] >> 4 == 6)
		return 40 + ((uint32_t)d[4] << 8 | d[5]);
	return p->len;
}

static int emit(struct vnt_pcap_out *o, int ifid, const struct vnt_pcap_packet *p)
{
	char hop[320], trace[320], fp[40], host[300];
	snprintf(hop, sizeof(hop), "hop=%s", p->hop ? p->hop : "?");
	snprintf(trace, sizeof(trace), "trace=%s", p->trace ? p->trace : "?");
	snprintf(fp, sizeof(fp), "fp=%016llx", (unsigned long long)p->fp);
	snprintf(host, sizeof(host), "host=%s", p->host ? p->host : "?");
	const char *comments[] = { hop, fp, host, trace, NULL };
	uint32_t cap = p->caplen < o->snaplen ? p->caplen : o->snaplen;
	if (vnt_pcapng_packet(o->w, ifid, p->ts_ns, p->data, cap, wire_len(p), comments)) {
		o->failed = 1;
		return -1;
	}
	o->written++;
	return 0;
}

static void if_name(char *buf, size_t len, const char *hop, const char *dev)
{
	if (!dev || !*dev)
		snprintf(buf, len, "%s", hop ? hop : "?");
	else
		snprintf(buf, len, "%s@%s%s", hop ? hop : "?", strchr(dev, '/') ? "" : "host/", dev);
}

int vnt_pcap_out_packet(struct vnt_pcap_out *o, const struct vnt_pcap_packet *p)
{
	if (o->failed)
		return -1;
	char name[640];
	if_name(name, sizeof(name), p->hop, p->dev);
	int k = -1;
	for (int i = 0; i < o->nifs && k < 0; i++)
		if (!o->ifs[i].from_ring && o->ifs[i].link == p->link && !strcmp(o->ifs[i].name, name))
			k = i;
	if (k < 0 && (k = iface_add(o, name, p->link)) < 0) {
		o->failed = 1;
		return -1;
	}
	return emit(o, o->ifs[k].id, p);
}

int vnt_pcap_write(void *ctx, void *data, size_t size)
{
	struct vnt_pcap_out *o = ctx;
	struct vnt_event r;
	struct vnt_event_bytes b = { 0 };
	if (o->failed)
		return 0;
	if (size < sizeof(r)) {
		o->malformed++;
		return 0;
	}
	memcpy(&r, data, sizeof(r));
	const unsigned char *bytes = (const unsigned char *)data + sizeof(r) + sizeof(b);
	if (size >= sizeof(r) + sizeof(b)) {
		memcpy(&b, (const unsigned char *)data + sizeof(r), sizeof(b));
		if (b.caplen > size - sizeof(r) - sizeof(b)) {
			o->malformed++;
			return 0;
		}
	}
	const struct vnt_plan *pl = o->plan;
	if (r.hop >= (uint32_t)pl->nhops) {
		o->malformed++;
		return 0;
	}
	int k = -1;
	for (int i = 0; i < o->nifs && k < 0; i++) {
		const struct vnt_pcap_iface *f = &o->ifs[i];
		if (f->from_ring && f->hop == r.hop && f->ifindex == r.ifindex && f->netns == r.netns && f->link == b.link)
			k = i;
	}
	if (k < 0) {
		char dev[300] = "", name[640];
		if (r.ifindex)
			vnt_dev_name(r.ifindex, r.netns, dev, sizeof(dev));
		if_name(name, sizeof(name), pl->hops[r.hop].name, dev);
		if ((k = iface_add(o, name, b.link)) < 0) {
			o->failed = 1;
			return 0;
		}
		struct vnt_pcap_iface *f = &o->ifs[k];
		f->from_ring = 1;
		f->hop = r.hop;
		f->ifindex = r.ifindex;
		f->netns = r.netns;
	}
	struct vnt_pcap_packet p = {
		.hop = pl->hops[r.hop].name, .trace = pl->traces[pl->hops[r.hop].trace].name, .host = o->host,
		.ts_ns = (int64_t)r.ts + o->mono2real, .fp = r.fp, .len = r.len, .link = b.link,
		.data = bytes, .caplen = b.caplen,
	};
	emit(o, o->ifs[k].id, &p);
	return 0;
}

void vnt_pcap_out_free(struct vnt_pcap_out *o)
{
	for (int i = 0; i < o->nifs; i++)
		free(o->ifs[i].name);
	free(o->ifs);
	o->ifs = NULL;
	o->nifs = o->capifs = 0;
}
