/* A cut-down task_struct and the inline helpers the kernel wraps around it. */
#ifndef SCHED_H
#define SCHED_H

struct list_head {
	struct list_head *next, *prev;
};

typedef struct {
	int lock;
	int owner;
} spinlock_t;

struct task_struct {
	long state;
	int pid;
	int flags;
	struct list_head tasks;
	char comm[16];
	unsigned long ptrace_message;
	spinlock_t alloc_lock;
	const struct task_struct *parent;
};

static inline __attribute__((always_inline)) void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->lock, 1, __ATOMIC_ACQUIRE))
		l->owner++;
}

static inline __attribute__((always_inline)) void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->lock, 0, __ATOMIC_RELEASE);
}

static inline __attribute__((always_inline)) void task_lock(struct task_struct *p)
{
	spin_lock(&p->alloc_lock);
}

static inline __attribute__((always_inline)) void task_unlock(struct task_struct *p)
{
	spin_unlock(&p->alloc_lock);
}

static inline int list_empty(const struct list_head *head)
{
	return head->next == head;
}

#endif
