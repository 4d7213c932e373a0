/* Packet bytes as every hop sees them, and the loads filters make.
 *
 * Each hop copies the first bytes of its packet into a per-CPU scratch
 * `struct vnt_pkt` (from an sk_buff, a tc __sk_buff, an XDP frame, or a
 * pcap record under BPF_PROG_TEST_RUN). Filters and the flow parser read
 * only that copy, through bounds-checked loads: a load past `caplen` sets
 * `oob` and the whole filter fails, as a classic BPF filter does.
 *
 * CONTRACT (used by compiler/codegen.c and the hop templates):
 *   - data[0] is either the Ethernet header (l3off = 14, or 18/22 with
 *     802.1Q/802.1ad tags) or the network header (l3off = 0, ethertype
 *     taken from skb->protocol).
 *   - ethertype is in host byte order.
 *   - wirelen is the frame's full length as tcpdump's `len` sees it.
 *   - caplen <= VNT_SNAP_MAX.
 *
 * Every load masks its index with VNT_SNAP_MAX - 1, so the verifier sees
 * it in bounds whatever the offset; the caplen check is what keeps the
 * semantics. Offsets follow libpcap's: the network header is at l3off,
 * the IPv4 transport header at l3off + 4 * (ip[0] & 0xf) (unvalidated,
 * as libpcap does) and the IPv6 one at l3off + 40 (the fixed header's
 * next header only, as libpcap's `port` does).
 */
#ifndef VNT_PKT_H
#define VNT_PKT_H

#include <bpf/bpf_endian.h>
#include "vnt_abi.h"

#ifndef VNT_SNAP_MAX
#define VNT_SNAP_MAX 256        /* power of two: offsets are masked with it */
#endif

#define VNT_ETH_P_IP     0x0800
#define VNT_ETH_P_ARP    0x0806
#define VNT_ETH_P_RARP   0x8035
#define VNT_ETH_P_IPV6   0x86dd
#define VNT_VXLAN_PORT   4789
/* The I flag in the first byte of the VXLAN header: RFC 7348 makes it
 * what says the VNI is valid, and Linux drops VXLAN without it
 * (vxlan_rcv). UDP to port 4789 without it is not VXLAN here either. */
#define VNT_VXLAN_I      0x08

struct vnt_pkt {
	__u8 data[VNT_SNAP_MAX];
	__u32 caplen;           /* valid bytes in data */
	__u32 wirelen;          /* frame length on the wire */
	__u16 l3off;            /* offset of the (current) network header */
	__u16 ethertype;        /* of the (current) network header, host order */
	__u8 oob;               /* a load went out of bounds */
	__u8 link;              /* data[0] is: VNT_PCAP_RAW or VNT_PCAP_ETHER (vnt_abi.h) */
	__u8 pad[2];
	__u32 at;               /* scratch of vnt_raw() */
};

/* ---- raw loads: the caller has checked the bounds ---- */

/* One load of `size` bytes in network order. The masked index keeps the
 * access inside the map value for the verifier (a 4-byte load at index
 * VNT_SNAP_MAX - 1 ends in the fields after data[], harmlessly); loads
 * may be unaligned, which the verifier allows on the architectures the
 * kernel marks efficient at it (x86-64, arm64).
 * The offset goes through memory (p->at) on purpose: the verifier then
 * sees an unknown value masked into range, instead of tracing the
 * offset's exact range back through every header length it was computed
 * from, which makes it keep apart states it could merge and multiplies
 * the paths it walks (tenfold for long filters). */
static __always_inline __u32 vnt_raw(struct vnt_pkt *p, __u32 off, const __u32 size)
{
	*(volatile __u32 *)&p->at = off;
	const __u8 *d = p->data + (*(volatile __u32 *)&p->at & (VNT_SNAP_MAX - 1));
	if (size == 1)
		return *d;
	if (size == 2)
		return bpf_ntohs(*(const __u16 *)d);
	return bpf_ntohl(*(const __u32 *)d);
}

static __always_inline __u32 vnt_raw8(struct vnt_pkt *p, __u32 off) { return vnt_raw(p, off, 1); }
static __always_inline __u32 vnt_raw16(struct vnt_pkt *p, __u32 off) { return vnt_raw(p, off, 2); }
static __always_inline __u32 vnt_raw32(struct vnt_pkt *p, __u32 off) { return vnt_raw(p, off, 4); }

/* Are bytes [off, off + size) captured? Written so nothing overflows. */
static __always_inline int vnt_has(const struct vnt_pkt *p, __u32 off, __u32 size)
{
	return size <= p->caplen && off <= p->caplen - size;
}

/* ---- checked loads: out of bounds sets oob and yields 0 ---- */

/* base + off, where off may be any 32-bit value: like classic BPF's
 * indirect loads, the sum does not wrap around into the packet. */
static __always_inline __u32 vnt_ldx(struct vnt_pkt *p, __u32 base, __u32 off, const __u32 size)
{
	__u64 at = (__u64)base + off;
	if (at + size > p->caplen) {
		p->oob = 1;
		return 0;
	}
	return vnt_raw(p, (__u32)at, size);
}

static __always_inline __u32 vnt_ld8(struct vnt_pkt *p, __u32 off) { return vnt_ldx(p, 0, off, 1); }
static __always_inline __u32 vnt_ld16(struct vnt_pkt *p, __u32 off) { return vnt_ldx(p, 0, off, 2); }
static __always_inline __u32 vnt_ld32(struct vnt_pkt *p, __u32 off) { return vnt_ldx(p, 0, off, 4); }

/* Network header (libpcap's ip[], ip6[], arp[]). */
static __always_inline __u32 vnt_nl8(struct vnt_pkt *p, __u32 off) { return vnt_ldx(p, p->l3off, off, 1); }
static __always_inline __u32 vnt_nl16(struct vnt_pkt *p, __u32 off) { return vnt_ldx(p, p->l3off, off, 2); }
static __always_inline __u32 vnt_nl32(struct vnt_pkt *p, __u32 off) { return vnt_ldx(p, p->l3off, off, 4); }

/* The ethertype is part of the captured bytes: reading it from a frame
 * cut inside its link-layer header is an out-of-bounds load, as
 * libpcap's `ldh [12]` is on a 13-byte packet. */
static __always_inline __u32 vnt_et(struct vnt_pkt *p)
{
	if (p->l3off > p->caplen) {
		p->oob = 1;
		return 0;
	}
	return p->ethertype;
}

/* IPv4 transport header: libpcap loads X = 4 * (ip[0] & 0xf) and then
 * [X + off]; off + X wraps in 32 bits as the BPF accumulator does. */
static __always_inline __u32 vnt_ip4_hlen(struct vnt_pkt *p)
{
	return (vnt_nl8(p, 0) & 0xf) << 2;
}

static __always_inline __u32 vnt_tp4(struct vnt_pkt *p, __u32 off, __u32 size)
{
	__u32 hl = vnt_ip4_hlen(p);
	return vnt_ldx(p, p->l3off, off + hl, size);
}

static __always_inline __u32 vnt_tp4_8(struct vnt_pkt *p, __u32 off) { return vnt_tp4(p, off, 1); }
static __always_inline __u32 vnt_tp4_16(struct vnt_pkt *p, __u32 off) { return vnt_tp4(p, off, 2); }
static __always_inline __u32 vnt_tp4_32(struct vnt_pkt *p, __u32 off) { return vnt_tp4(p, off, 4); }

/* IPv6 transport header: right after the 40-byte fixed header. */
static __always_inline __u32 vnt_tp6_8(struct vnt_pkt *p, __u32 off) { return vnt_ldx(p, p->l3off + 40, off, 1); }
static __always_inline __u32 vnt_tp6_16(struct vnt_pkt *p, __u32 off) { return vnt_ldx(p, p->l3off + 40, off, 2); }
static __always_inline __u32 vnt_tp6_32(struct vnt_pkt *p, __u32 off) { return vnt_ldx(p, p->l3off + 40, off, 4); }

/* ---- the predicates libpcap builds its primitives from ---- */

static __always_inline int vnt_is_ip(struct vnt_pkt *p) { return vnt_et(p) == VNT_ETH_P_IP; }
static __always_inline int vnt_is_ip6(struct vnt_pkt *p) { return vnt_et(p) == VNT_ETH_P_IPV6; }
static __always_inline int vnt_is_arp(struct vnt_pkt *p) { return vnt_et(p) == VNT_ETH_P_ARP; }
/* libpcap's `host`/`net` look at ARP and RARP alike. */
static __always_inline int vnt_is_arp_rarp(struct vnt_pkt *p)
{
	return vnt_et(p) == VNT_ETH_P_ARP || vnt_et(p) == VNT_ETH_P_RARP;
}

/* Not a fragment other than the first: ip[6:2] & 0x1fff == 0. */
static __always_inline int vnt_ip4_frag0(struct vnt_pkt *p)
{
	return (vnt_nl16(p, 6) & 0x1fff) == 0;
}

/* `ip proto v` */
static __always_inline int vnt_ip_proto(struct vnt_pkt *p, __u32 v)
{
	return vnt_is_ip(p) && vnt_nl8(p, 9) == v;
}

/* `ip6 proto v`: libpcap also accepts v behind one fragment header. */
static __always_inline int vnt_ip6_proto(struct vnt_pkt *p, __u32 v)
{
	return vnt_is_ip6(p) && (vnt_nl8(p, 6) == v || (vnt_nl8(p, 6) == 44 && vnt_nl8(p, 40) == v));
}

/* `tcp`, `udp`, `sctp`, `proto v`: IPv4 first, then IPv6. */
static __always_inline int vnt_proto(struct vnt_pkt *p, __u32 v)
{
	return vnt_ip_proto(p, v) || vnt_ip6_proto(p, v);
}

/* The transport protocols `port` knows: one of them, or any (v == 0). */
static __always_inline int vnt_port_proto(__u32 nh, __u32 v)
{
	return v ? nh == v : (nh == 6 || nh == 17 || nh == 132);
}

/* The header in front of a port atom: IPv4 (not a later fragment) or
 * IPv6 carrying a port protocol directly. */
static __always_inline int vnt_port4_ok(struct vnt_pkt *p, __u32 v)
{
	return vnt_port_proto(vnt_nl8(p, 9), v) && vnt_ip4_frag0(p);
}

static __always_inline int vnt_port6_ok(struct vnt_pkt *p, __u32 v)
{
	return vnt_port_proto(vnt_nl8(p, 6), v);
}

static __always_inline int vnt_in(__u32 v, __u32 lo, __u32 hi)
{
	return v >= lo && v <= hi;
}

/* ---- arithmetic as classic BPF does it (32 bits, unsigned) ---- */

/* Division by zero aborts a classic BPF filter: the packet is rejected. */
static __always_inline __u32 vnt_div(struct vnt_pkt *p, __u32 a, __u32 b)
{
	if (!b) {
		p->oob = 1;
		return 0;
	}
	return a / b;
}

static __always_inline __u32 vnt_mod(struct vnt_pkt *p, __u32 a, __u32 b)
{
	if (!b) {
		p->oob = 1;
		return 0;
	}
	return a % b;
}

/* libpcap's interpreter yields 0 for shifts of 32 bits or more. */
static __always_inline __u32 vnt_shl(__u32 a, __u32 b) { return b < 32 ? a << b : 0; }
static __always_inline __u32 vnt_shr(__u32 a, __u32 b) { return b < 32 ? a >> b : 0; }

/* ---- link layer ---- */

static __always_inline int vnt_is_vlan(__u32 et)
{
	return et == 0x8100 || et == 0x88a8 || et == 0x9100;
}

/* Point l3off/ethertype past the Ethernet header at `eth`, stepping over
 * up to two VLAN tags whose bytes were captured. A header cut short
 * leaves l3off past caplen, which vnt_et() reports as out of bounds. */
static __always_inline void vnt_pkt_eth(struct vnt_pkt *p, __u32 eth)
{
	__u32 off = eth + 12;           /* the ethertype field */
	__u32 et = vnt_has(p, off, 2) ? vnt_raw16(p, off) : 0;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (!vnt_is_vlan(et) || !vnt_has(p, off + 4, 2))
			break;
		off += 4;
		et = vnt_raw16(p, off);
	}
	p->l3off = off + 2;
	p->ethertype = et;
	/* Filters read these back from memory: the verifier then checks one
	 * path for every header layout rather than one per layout (five
	 * times fewer instructions walked on long filters). */
	asm volatile("" ::: "memory");
}

/* A frame copied from its Ethernet header: set the lengths and find the
 * network header. caplen beyond VNT_SNAP_MAX is clamped. */
static __always_inline void vnt_pkt_set_l2(struct vnt_pkt *p, __u32 caplen, __u32 wirelen)
{
	p->caplen = caplen < VNT_SNAP_MAX ? caplen : VNT_SNAP_MAX;
	p->wirelen = wirelen;
	p->oob = 0;
	p->link = VNT_PCAP_ETHER;
	vnt_pkt_eth(p, 0);
}

/* ---- VXLAN ---- */

/* Offset of the UDP header of the current packet when it is a UDP
 * datagram (IPv4 first fragment or IPv6 without extension headers) whose
 * first `need` bytes were captured, else 0. Never sets oob. */
static __always_inline __u32 vnt_udp_at(struct vnt_pkt *p, __u32 need)
{
	__u32 l3 = p->l3off, l4;
	if (p->ethertype == VNT_ETH_P_IP) {
		if (!vnt_has(p, l3, 20) || vnt_raw8(p, l3 + 9) != 17 || (vnt_raw16(p, l3 + 6) & 0x1fff))
			return 0;
		__u32 hl = (vnt_raw8(p, l3) & 0xf) << 2;
		if (hl < 20)
			return 0;
		l4 = l3 + hl;
	} else if (p->ethertype == VNT_ETH_P_IPV6) {
		if (!vnt_has(p, l3, 40) || vnt_raw8(p, l3 + 6) != 17)
			return 0;
		l4 = l3 + 40;
	} else {
		return 0;
	}
	return vnt_has(p, l4, need) ? l4 : 0;
}

/* If the current packet is VXLAN (UDP to port 4789, the I flag set) with
 * its 8-byte header and an inner Ethernet header captured, make the inner
 * packet current and return 1; else change nothing and return 0. Callers
 * save and restore l3off/ethertype around the inner evaluation. */
static __always_inline int vnt_enter_inner(struct vnt_pkt *p)
{
	__u32 l4 = vnt_udp_at(p, 8 + 8 + 14);
	if (!l4 || vnt_raw16(p, l4 + 2) != VNT_VXLAN_PORT || !(vnt_raw8(p, l4 + 8) & VNT_VXLAN_I))
		return 0;
	vnt_pkt_eth(p, l4 + 16);
	return 1;
}

/* ---- flows and packet identity ---- */

/* struct vnt_flow: vnt_abi.h */

/* murmur3's finaliser: every input bit flips each output bit with
 * probability 1/2. */
static __always_inline __u64 vnt_fmix64(__u64 h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* One word into the fingerprint: xor, multiply by an odd constant, fold
 * the high half down. For a given word each step is a bijection of h, so
 * packets that differ in one word never collide before the end, and
 * vnt_fmix64 once at the end spreads every input bit over the result.
 * (Two murmur finalisers per word, as before, cost ~10 ns more per
 * packet for no measurable gain: tests/path/identity.t.) */
static __always_inline __u64 vnt_mix(__u64 h, __u64 v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

/* The four bytes at off as they lie in the packet (network order). */
static __always_inline __u32 vnt_wire32(struct vnt_pkt *p, __u32 off)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap32(vnt_raw32(p, off));
#else
	return vnt_raw32(p, off);
#endif
}

/* Walk the IPv6 extension headers that carry no payload of their own
 * (hop-by-hop, routing, fragment, destination options), at most 4.
 * Returns the upper-layer protocol and sets *l4, or -1 if cut short.
 * *frag is set when a fragment header says this is not the first one. */
static __always_inline int vnt_ip6_skip(struct vnt_pkt *p, __u32 *l4, int *frag)
{
	__u32 nh = vnt_raw8(p, p->l3off + 6), off = p->l3off + 40;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		if (nh != 0 && nh != 43 && nh != 44 && nh != 60)
			break;
		if (!vnt_has(p, off, 8))
			return -1;
		__u32 next = vnt_raw8(p, off);
		if (nh == 44) {
			if (vnt_raw16(p, off + 2) & 0xfff8)
				*frag = 1;
			off += 8;
		} else {
			off += (vnt_raw8(p, off + 1) + 1) * 8;
		}
		nh = next;
	}
	*l4 = off;
	return nh;
}

/* Parse the current network header into f. Returns the offset of the
 * transport header (0 if there is none to read) and the hop-invariant
 * network-layer word for the fingerprint in *idw, or -1: not IP. */
static __always_inline int vnt_flow_l3(struct vnt_pkt *p, struct vnt_flow *f, __u64 *idw)
{
	__u32 l3 = p->l3off, l4 = 0;
	int frag = 0;
	__builtin_memset(f, 0, sizeof(*f));
	if (p->ethertype == VNT_ETH_P_IP) {
		if (!vnt_has(p, l3, 20) || (vnt_raw8(p, l3) >> 4) != 4)
			return -1;
		__u32 hl = (vnt_raw8(p, l3) & 0xf) << 2;
		if (hl < 20)
			return -1;
		f->family = 4;
		f->proto = vnt_raw8(p, l3 + 9);
		f->saddr[0] = vnt_wire32(p, l3 + 12);
		f->daddr[0] = vnt_wire32(p, l3 + 16);
		/* ID, and the fragment offset so fragments differ */
		*idw = (__u64)vnt_raw16(p, l3 + 4) << 16 | (vnt_raw16(p, l3 + 6) & 0x3fff);
		frag = (vnt_raw16(p, l3 + 6) & 0x1fff) != 0;
		l4 = l3 + hl;
	} else if (p->ethertype == VNT_ETH_P_IPV6) {
		if (!vnt_has(p, l3, 40) || (vnt_raw8(p, l3) >> 4) != 6)
			return -1;
		f->family = 6;
#pragma unroll
		for (int i = 0; i < 4; i++) {
			f->saddr[i] = vnt_wire32(p, l3 + 8 + 4 * i);
			f->daddr[i] = vnt_wire32(p, l3 + 24 + 4 * i);
		}
		/* flow label and payload length; not the traffic class,
		 * which routers may rewrite (ECN) */
		*idw = (__u64)(vnt_raw32(p, l3) & 0xfffff) << 16 | vnt_raw16(p, l3 + 4);
		int nh = vnt_ip6_skip(p, &l4, &frag);
		if (nh < 0) {
			f->proto = vnt_raw8(p, l3 + 6);
			return 0;
		}
		f->proto = (__u8)nh;
	} else {
		return -1;
	}
	return frag ? 0 : (int)l4;
}

/* Ports and the transport word of the fingerprint; 0 if not captured. */
static __always_inline __u64 vnt_flow_l4(struct vnt_pkt *p, struct vnt_flow *f, __u32 l4)
{
	switch (f->proto) {
	case 6:         /* TCP: sequence and acknowledgement numbers */
		if (!vnt_has(p, l4, 16))
			return 0;
		f->sport = vnt_raw16(p, l4);
		f->dport = vnt_raw16(p, l4 + 2);
		return (__u64)vnt_raw32(p, l4 + 4) << 32 | vnt_raw32(p, l4 + 8);
	case 17:        /* UDP: length and checksum */
	case 132:       /* SCTP: verification tag */
		if (!vnt_has(p, l4, 8))
			return 0;
		f->sport = vnt_raw16(p, l4);
		f->dport = vnt_raw16(p, l4 + 2);
		return vnt_raw32(p, l4 + 4);
	case 1:         /* ICMP, ICMPv6: identifier and sequence */
	case 58:
		if (!vnt_has(p, l4, 8))
			return 0;
		{
			__u32 t = vnt_raw8(p, l4);
			int echo = f->proto == 1 ? (t == 0 || t == 8) : (t == 128 || t == 129);
			f->sport = echo ? vnt_raw16(p, l4 + 4) : 0;
			f->dport = vnt_raw16(p, l4);
		}
		return vnt_raw32(p, l4 + 4);
	}
	return 0;
}

/* The flow and the fingerprint's two words (*idw network layer, *tw
 * transport) of any packet: VLAN tags left in front of the network
 * header, IPv4 options and fragments, IPv6 extension headers, VXLAN's
 * inner packet. Returns 0, or -1 if not an IP packet. Starts at
 * l3off/ethertype and leaves them as they were. */
static __always_inline int vnt_flow_any(struct vnt_pkt *p, struct vnt_flow *f, __u64 *idw, __u64 *tw)
{
	__u16 l3 = p->l3off, et = p->ethertype;
	int l4, rc = -1;
	/* A VLAN tag left in front of the network header (a hop that took
	 * skb->protocol, or a tag cut short): TCI, then the next ethertype. */
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (!vnt_is_vlan(p->ethertype) || !vnt_has(p, p->l3off, 4))
			break;
		p->ethertype = vnt_raw16(p, p->l3off + 2);
		p->l3off += 4;
	}
	__u16 ol3 = p->l3off, oet = p->ethertype;
	l4 = vnt_flow_l3(p, f, idw);
	if (l4 < 0)
		goto out;
	if (l4 > 0 && f->proto == 17 && vnt_enter_inner(p)) {
		__u64 iw = 0;
		int il4 = vnt_flow_l3(p, f, &iw);
		if (il4 < 0) {
			/* VXLAN carrying something else: keep the outer flow */
			p->l3off = ol3;
			p->ethertype = oet;
			l4 = vnt_flow_l3(p, f, idw);
		} else {
			l4 = il4;
			*idw = iw;
		}
	}
	if (l4 > 0)
		*tw = vnt_flow_l4(p, f, (__u32)l4);
	rc = 0;
out:
	p->l3off = l3;
	p->ethertype = et;
	return rc;
}

#ifndef VNT_FLOW_FAST
#define VNT_FLOW_FAST 1
#endif

/* The network header, if the current one is IPv4 without options (the
 * common case) with `need` bytes of it captured, else NULL. Loads from
 * it at constant offsets below `need` need no checks. */
static __always_inline const __u8 *vnt_ip4_at(struct vnt_pkt *p, const __u32 need)
{
	__u64 l3 = p->l3off;
	if (p->ethertype != VNT_ETH_P_IP || l3 > 64 || !vnt_has(p, l3, need))
		return NULL;
	/* The bound, on the register the loads use: clang may test one copy
	 * of l3 and index with another, whose range the verifier does not
	 * know. l3 <= 64, so the mask changes nothing. */
	asm volatile("%0 &= 0x7f" : "+r"(l3));
	const __u8 *d = p->data + l3;
	return d[0] == 0x45 ? d : NULL;
}

static __always_inline __u32 vnt_f4_16(const __u8 *d, __u32 off) { return bpf_ntohs(*(const __u16 *)(d + off)); }
static __always_inline __u32 vnt_f4_32(const __u8 *d, __u32 off) { return bpf_ntohl(*(const __u32 *)(d + off)); }

/* Bytes of the network header vnt_f4_on.h's view reads unchecked. */
#define VNT_F4_LEN 40

/* The view of vnt_f4_on.h for a filter's entry function: the network
 * header of a plain IPv4 packet with VNT_F4_LEN bytes captured, which is
 * not VXLAN (UDP to the VXLAN port with the I flag, whose inner packet
 * the filter may have to try as well), else NULL. */
static __always_inline const __u8 *vnt_f4_view(struct vnt_pkt *p)
{
	const __u8 *d = vnt_ip4_at(p, VNT_F4_LEN);
	if (!d || (d[9] == 17 && vnt_f4_16(d, 22) == VNT_VXLAN_PORT && (d[28] & VNT_VXLAN_I) &&
		   !(vnt_f4_16(d, 6) & 0x1fff)))
		return NULL;
	return d;
}

static __always_inline int vnt_flow_fast4(struct vnt_pkt *p, struct vnt_flow *f, __u64 *idw, __u64 *tw)
{
	const __u8 *d = VNT_FLOW_FAST ? vnt_ip4_at(p, 28) : NULL;
	if (!d)
		return 0;
	__u32 proto = d[9], fragw = vnt_f4_16(d, 6);
	if ((fragw & 0x1fff) || (proto != 6 && proto != 17))
		return 0;
	__u32 sport = vnt_f4_16(d, 20), dport = vnt_f4_16(d, 22);
	/* UDP to the VXLAN port, I flag or not, takes the general walk:
	 * 28 bytes do not reach the flag */
	if (proto == 17 ? dport == VNT_VXLAN_PORT : !vnt_has(p, p->l3off, 36))
		return 0;
	__builtin_memset(f, 0, sizeof(*f));
	f->family = 4;
	f->proto = (__u8)proto;
	f->saddr[0] = *(const __u32 *)(d + 12);
	f->daddr[0] = *(const __u32 *)(d + 16);
	f->sport = (__u16)sport;
	f->dport = (__u16)dport;
	*idw = (__u64)vnt_f4_16(d, 4) << 16 | (fragw & 0x3fff);
	*tw = vnt_f4_32(d, 24);
	if (proto == 6)
		*tw = *tw << 32 | vnt_f4_32(d, 28);
	return 1;
}

static __always_inline void vnt_flow_hash(const struct vnt_flow *f, __u64 idw, __u64 tw, __u64 *fp, __u32 *lk)
{
	__u64 h = 0x766e74ULL /* "vnt" */;
	h = vnt_mix(h, (__u64)f->family << 40 | (__u64)f->proto << 32 | (__u32)f->sport << 16 | f->dport);
	h = vnt_mix(h, (__u64)f->saddr[0] << 32 | f->saddr[1]);
	h = vnt_mix(h, (__u64)f->saddr[2] << 32 | f->saddr[3]);
	h = vnt_mix(h, (__u64)f->daddr[0] << 32 | f->daddr[1]);
	h = vnt_mix(h, (__u64)f->daddr[2] << 32 | f->daddr[3]);
	__u32 flow = (__u32)(h >> 32);
	h = vnt_mix(h, idw);
	h = vnt_mix(h, tw);
	*fp = vnt_fmix64(h);
	__u32 id = (__u32)(idw >> 16);
	if (f->family == 4 && id)
		*lk = flow + id + ((__u32)(idw & 7) << 13);
	else
		*lk = (__u32)(*fp >> 32);
}

/* The packets off vnt_flow_fast4's path: the general header walk and the
 * hash, called, not inlined at every use. One copy per program and,
 * global (not static), verified once on its own instead of again at
 * every call with the caller's state (a four-hop breakdown's cached start
 * 89 -> 54 ms). It hashes too, so that the fast path's words never have
 * their address taken and stay in registers (a latency hop ~4 ns less
 * than with only the walk called). A global function's pointer arguments
 * may be NULL as far as the verifier knows, hence the checks. */
__noinline int vnt_flow_slow_lk(struct vnt_pkt *p, struct vnt_flow *f, __u64 *fp, __u32 *lk)
{
	__u64 idw = 0, tw = 0;
	if (!p || !f || !fp || !lk || vnt_flow_any(p, f, &idw, &tw) < 0)
		return -1;
	vnt_flow_hash(f, idw, tw, fp, lk);
	return 0;
}

/* Parse the packet's flow (the inner one for VXLAN) and compute *fp, a
 * fingerprint of this packet that every hop of its path computes alike:
 * it reads only fields no hop rewrites (addresses, protocol, ports, the
 * IPv4 ID or IPv6 flow label and payload length, TCP sequence and ack,
 * UDP length and checksum, ICMP identifier and sequence), never the TTL,
 * checksums of IP, or outer headers that encapsulation adds and removes.
 * Starts at l3off/ethertype (skipping VLAN tags if the ethertype is one)
 * and leaves them as they were. Returns 0, or -1 if not an IP packet.
 *
 * *lk is where the packet goes in the tables of packets in flight
 * (latency, breakdown): as hop-invariant as *fp, but consecutive for
 * consecutive IPv4 packets of a flow (the flow's hash plus the IP ID,
 * which senders count up), so a hop writes next to where it wrote the
 * packet before instead of at a random place in a megabyte-sized table
 * (measured: a cache miss of ~100 ns per first hop of a latency pair).
 * Up to 8 fragments of a datagram get slots of their own. Without an ID
 * (IPv6, or the 0 that DF packets of unconnected sockets carry), *lk is
 * taken from *fp, i.e. random. */
static __always_inline int vnt_flow_parse_lk(struct vnt_pkt *p, struct vnt_flow *f, __u64 *fp, __u32 *lk)
{
	__u64 idw, tw;
	if (!vnt_flow_fast4(p, f, &idw, &tw))
		return vnt_flow_slow_lk(p, f, fp, lk);
	vnt_flow_hash(f, idw, tw, fp, lk);
	return 0;
}

static __always_inline int vnt_flow_parse(struct vnt_pkt *p, struct vnt_flow *f, __u64 *fp)
{
	__u32 lk;
	return vnt_flow_parse_lk(p, f, fp, &lk);
}

#endif
