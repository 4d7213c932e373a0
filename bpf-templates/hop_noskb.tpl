/* hop @NAME@: an attach point without a packet (scheduler, uprobe, ...):
 * only context predicates and keys apply. */
SEC("@SEC@")
int vnt_hop_@ID@(void *ctx)
{
	struct vnt_ev ev;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hop = @ID@;
	if (!vnt_pre_@ID@(NULL, &ev))
		return 0;
	return vnt_body_@ID@(&ev);
}
