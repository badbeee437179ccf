/* kernel/ptrace.c in miniature: inlined locking around a ptrace_message store. */
#include "sched.h"

long ptrace_notify(struct task_struct *child, unsigned long msg);

__attribute__((noinline)) long ptrace_stop(struct task_struct *child, unsigned long msg)
{
	long spins = 0;

	task_lock(child);
	child->ptrace_message = msg;
	for (int i = 0; i < child->pid; i++)
		spins += child->comm[i & 15] ? i : -i;
	task_unlock(child);
	if (list_empty(&child->tasks))
		return spins;
	return spins + child->parent->pid;
}

__attribute__((noinline)) int ptrace_peek(const struct task_struct *task, long *where)
{
	*where = task->state;
	return task->flags & 4 ? task->pid : -1;
}

long ptrace_notify(struct task_struct *child, unsigned long msg)
{
	long r = ptrace_stop(child, msg);
	long w;

	if (ptrace_peek(child, &w) > 0)
		r += w;
	return r;
}
