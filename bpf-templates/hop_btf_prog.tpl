/* The program of the BTF skb hops on @SEC@: @NAMES@.
 * Argument @ARG@ is the sk_buff. One program for all of them, one run per
 * event; vnt_quick_ID turns other devices' packets away before a hop's
 * function is even called. */
SEC("@SEC@")
int @PROG@(__u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[@ARG@];
	if (!skb)		/* some tracepoints pass NULL (qdisc_dequeue on an empty queue) */
		return 0;
@CALLS@	return 0;
}
