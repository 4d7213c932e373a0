/* hop @NAME@: BTF-typed program (tp_btf or fentry); argument @ARG@ is the
 * sk_buff and its fields are read directly. */
SEC("@SEC@")
int vnt_hop_@ID@(__u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[@ARG@];
	if (!skb)		/* some tracepoints pass NULL (qdisc_dequeue on an empty queue) */
		return 0;
	if (!vnt_quick_@ID@(skb))	/* another device's packet */
		return 0;
	struct vnt_ev ev;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hop = @ID@;
	VNT_HOP_ARGS_@ID@(&ev, ctx);
	vnt_ev_skb_ctx(&ev, skb, 1);
	if (!vnt_pre_@ID@(NULL, &ev))
		return 0;
	if (vnt_ev_skb_pkt(&ev, skb, 1) < 0)
		return 0;
	ev.ts = vnt_now();
	return vnt_body_@ID@(&ev);
}
