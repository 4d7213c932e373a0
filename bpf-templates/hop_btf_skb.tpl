/* hop @NAME@: BTF-typed program (tp_btf or fentry); the sk_buff's fields
 * are read directly. Called by its program (hop_btf_prog.tpl) for the
 * packets vnt_quick_@ID@ lets through. */
static @INLINE@ int vnt_hopfn_@ID@(struct sk_buff *skb, __u64 *ctx)
{
	(void)ctx;
	struct vnt_ev ev;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hop = @ID@;
	VNT_HOP_ARGS_@ID@(&ev, ctx);
	vnt_ev_skb_ctx(&ev, skb, 1);
	if (!vnt_pre_@ID@(NULL, &ev))
		return 0;
	if (vnt_ev_skb_pkt(&ev, skb, 1) < 0)
		return 0;
	return vnt_body_@ID@(&ev);
}
