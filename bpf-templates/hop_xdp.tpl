/* hop @NAME@: XDP hook of a device; observes and passes every frame. */
SEC("xdp")
int vnt_hop_@ID@(struct xdp_md *x)
{
	struct vnt_ev ev;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hop = @ID@;
	vnt_ev_xdp(&ev, x);
	if (!vnt_pre_@ID@(NULL, &ev))
		return XDP_PASS;
	if (vnt_ev_xdp_pkt(&ev, x) < 0)
		return XDP_PASS;
	vnt_body_@ID@(&ev);
	return XDP_PASS;
}
