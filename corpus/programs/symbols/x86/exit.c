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

__attribute__((noinline)) long do_exit(struct task_struct *tsk, int code)
{
	exit_notify(tsk, code);
	return ptrace_notify(tsk, (unsigned long)code << 8);
}

void _start(void)
{
	init_task.tasks.next = &init_task.tasks;
	do_exit(&init_task, 0);
	for (;;)
		;
}
