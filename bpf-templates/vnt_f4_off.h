/* The end of vnt_f4_on.h's fixed-offset view. */
#undef vnt_is_ip
#undef vnt_is_ip6
#undef vnt_is_arp
#undef vnt_is_arp_rarp
#undef vnt_ip_proto
#undef vnt_ip6_proto
#undef vnt_proto
#undef vnt_ip4_frag0
#undef vnt_port4_ok
#undef vnt_port6_ok
#undef VNT_F4_FITS
#undef vnt_nl8
#undef vnt_nl16
#undef vnt_nl32
#undef vnt_tp4_8
#undef vnt_tp4_16
#undef vnt_tp4_32
