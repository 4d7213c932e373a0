/* hop @NAME@: BTF tracepoint about a task (argument @ARG@), not a packet.
 * The task's identity stands in for the packet fingerprint, so latency
 * between two such hops is per task (e.g. wakeup to running). */
SEC("@SEC@")
int vnt_hop_@ID@(__u64 *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx[@ARG@];
	if (!task)
		return 0;
	struct vnt_ev ev;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hop = @ID@;
	ev.task = task;
	if (!vnt_pre_@ID@(NULL, &ev))
		return 0;
	ev.fp = vnt_task_identity(task);
	ev.lk = (__u32)ev.fp;   /* the thread id: tasks get slots of their own */
	ev.flow_state = 1;
	return vnt_body_@ID@(&ev);
}
