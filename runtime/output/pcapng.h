/* A pcapng file writer (the IETF draft "PCAP Now Generic" layout: one
 * Section Header Block, Interface Description Blocks, Enhanced Packet
 * Blocks with comments), nanosecond timestamps.
 *
 * Written here rather than with libpcap: Debian 12's libpcap (1.10) reads
 * pcapng but writes only classic pcap, which has neither interface names
 * nor per-packet comments. The blocks are a few fixed layouts.
 *
 * The file is written under a temporary name in the destination's
 * directory and renamed into place by vnt_pcapng_close(keep = true):
 * nothing half-written is ever left under the name asked for. */
#ifndef VNT_PCAPNG_H
#define VNT_PCAPNG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNT_LINKTYPE_ETHERNET 1
#define VNT_LINKTYPE_RAW 101    /* raw IPv4 or IPv6, told apart by the version */

struct vnt_pcapng;

/* Create the temporary file and write the section header. NULL with a
 * message (naming path) if it cannot be written. */
struct vnt_pcapng *vnt_pcapng_open(const char *path, const char *appl, char *err, size_t errlen);
/* A new interface; its id (0, 1, ...), or -1 on a write error. */
int vnt_pcapng_interface(struct vnt_pcapng *w, const char *name, uint16_t linktype, uint32_t snaplen);
/* One packet: caplen bytes of a wirelen-byte frame at ts_ns (ns since
 * the epoch) on interface ifid, with comments (NULL-terminated, may be
 * NULL). 0, or -1 on a write error. */
int vnt_pcapng_packet(struct vnt_pcapng *w, int ifid, int64_t ts_ns, const void *data, uint32_t caplen,
		      uint32_t wirelen, const char *const *comments);
/* Finish: keep renames the file into place (0, or -1 with a message);
 * otherwise the temporary file is removed. Frees w either way. */
int vnt_pcapng_close(struct vnt_pcapng *w, bool keep, char *err, size_t errlen);

#endif
