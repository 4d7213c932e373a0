/* Between this header and vnt_f4_off.h, the helpers a filter expression
 * calls (compiler/filter_gen.c) read a plain IPv4 packet at fixed
 * offsets. The caller, the filter's entry function, has checked what
 * makes that exact (vnt_f4_view in vnt_pkt.h): the current network header
 * is IPv4 without options, at least VNT_F4_LEN of its bytes are captured,
 * and d points at it. Loads within those bytes at constant offsets read d
 * directly; any other load is the usual checked one (a macro does not
 * expand inside itself, so `vnt_nl8` in its own body is the function).
 * The answers are the checked helpers' on such a packet: tests/match/run.t
 * holds every filter to tcpdump's over the capture corpus.
 *
 * Worth it: a 5-tuple filter cost ~20 ns per packet through the checked
 * helpers (each load bounds-checked and its offset masked, the ethertype
 * and protocol tested again for every primitive), ~5 ns here (workload 1
 * of bench/: 104 -> 88 ns per packet). */
#define vnt_is_ip(p) 1
#define vnt_is_ip6(p) 0
#define vnt_is_arp(p) 0
#define vnt_is_arp_rarp(p) 0
#define vnt_ip_proto(p, v) ((__u32)d[9] == (v))
#define vnt_ip6_proto(p, v) 0
#define vnt_proto(p, v) ((__u32)d[9] == (v))
#define vnt_ip4_frag0(p) ((vnt_f4_16(d, 6) & 0x1fff) == 0)
#define vnt_port4_ok(p, v) (vnt_port_proto(d[9], (v)) && vnt_ip4_frag0(p))
#define vnt_port6_ok(p, v) 0
/* network header at off; transport header at 20 + off */
#define VNT_F4_FITS(off, n) (__builtin_constant_p(off) && (__u64)(off) + (n) <= VNT_F4_LEN)
#define vnt_nl8(p, off) (VNT_F4_FITS(off, 1) ? (__u32)d[(off)] : vnt_nl8(p, off))
#define vnt_nl16(p, off) (VNT_F4_FITS(off, 2) ? vnt_f4_16(d, (off)) : vnt_nl16(p, off))
#define vnt_nl32(p, off) (VNT_F4_FITS(off, 4) ? vnt_f4_32(d, (off)) : vnt_nl32(p, off))
#define vnt_tp4_8(p, off) (VNT_F4_FITS((off) + 20, 1) ? (__u32)d[(off) + 20] : vnt_tp4_8(p, off))
#define vnt_tp4_16(p, off) (VNT_F4_FITS((off) + 20, 2) ? vnt_f4_16(d, (off) + 20) : vnt_tp4_16(p, off))
#define vnt_tp4_32(p, off) (VNT_F4_FITS((off) + 20, 4) ? vnt_f4_32(d, (off) + 20) : vnt_tp4_32(p, off))
