/* hop @NAME@: tc hook of a device. It only observes: TC_ACT_UNSPEC lets
 * the packet continue as if we were not there. */
SEC("tc")
int vnt_hop_@ID@(struct __sk_buff *skb)
{
	struct vnt_ev ev;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hop = @ID@;
	vnt_ev_tc(&ev, skb);
	if (!vnt_pre_@ID@(NULL, &ev))
		return TC_ACT_UNSPEC;
	if (vnt_ev_tc_pkt(&ev, skb) < 0)
		return TC_ACT_UNSPEC;
	vnt_body_@ID@(&ev);
	return TC_ACT_UNSPEC;
}
