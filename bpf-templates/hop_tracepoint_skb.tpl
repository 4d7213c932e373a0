/* hop @NAME@: classic tracepoint; the record holds the sk_buff address at
 * byte @OFF@ (from the tracepoint's format file on the compiling host). */
SEC("@SEC@")
int vnt_hop_@ID@(void *ctx)
{
	struct sk_buff *skb = *(struct sk_buff **)((char *)ctx + @OFF@);
	if (!skb)		/* some tracepoints pass NULL (qdisc_dequeue on an empty queue) */
		return 0;
	struct vnt_ev ev;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hop = @ID@;
	vnt_ev_skb_ctx(&ev, skb, 0);
	if (!vnt_pre_@ID@(NULL, &ev))
		return 0;
	if (vnt_ev_skb_pkt(&ev, skb, 0) < 0)
		return 0;
	return vnt_body_@ID@(&ev);
}
