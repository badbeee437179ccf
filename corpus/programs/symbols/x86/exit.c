/* kernel/exit.c in miniature: a second unit, an entry point, more inlining. */
#include "sched.h"

long ptrace_notify(struct task_struct *child, unsigned long msg);

static struct task_struct init_task;

static inline __attribute__((always_inline)) void exit_notify(struct task_struct *tsk, int code)
{
	task_lock(tsk);
	tsk->state = code;
	task_unlock(tsk);
}

/* Called with a constant, so gcc clones it as exit_mm.constprop.0: the ELF symbol and
 * the DWARF name differ, and addr2line prefers the symbol starting at the function. */
static __attribute__((noinline)) long exit_mm(struct task_struct *tsk, int shift)
{
	long flags = tsk->flags;

	for (int i = 0; i < tsk->pid; i++)
		flags ^= (long)tsk->comm[i & 15] << shift;
	return flags;
}

__attribute__((noinline)) long do_exit(struct task_struct *tsk, int code)
{
	exit_notify(tsk, code);
	return ptrace_notify(tsk, (unsigned long)code << 8) + exit_mm(tsk, 3);
}

void _start(void)
{
	init_task.tasks.next = &init_task.tasks;
	do_exit(&init_task, 0);
	for (;;)
		;
}
