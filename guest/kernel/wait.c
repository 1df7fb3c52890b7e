/*
 * Wait queues: a spinlock and a circular list of waiting tasks. A waiter
 * queues itself and sets its state under the queue's lock before it checks
 * its condition, so a waker that changes the condition and then calls
 * wake_up() cannot be missed.
 */
#include "kernel.h"

void init_waitqueue_head(struct wait_queue_head *wq)
{
	wq->lock.next = wq->lock.owner = 0;
	wq->head.next = wq->head.prev = &wq->head;
	wq->head.task = NULL;
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_entry *e, u32 state)
{
	u64 flags = spin_lock_irqsave(&wq->lock);
	e->task = current();
	if (!e->next) {
		e->prev = wq->head.prev;
		e->next = &wq->head;
		wq->head.prev->next = e;
		wq->head.prev = e;
	}
	set_current_state(state);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void finish_wait(struct wait_queue_head *wq, struct wait_entry *e)
{
	WRITE_ONCE(current()->state, TASK_RUNNING);
	u64 flags = spin_lock_irqsave(&wq->lock);
	if (e->next) {
		e->prev->next = e->next;
		e->next->prev = e->prev;
		e->next = e->prev = NULL;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* Wakes waiters in queue order: all of them, or up to the first that was asleep. */
static noinline void __wake_up_common(struct wait_queue_head *wq, int all)
{
	for (struct wait_entry *e = wq->head.next; e != &wq->head; e = e->next) {
		if (try_to_wake_up(e->task) && !all)
			break;
	}
}

void wake_up(struct wait_queue_head *wq)
{
	u64 flags = spin_lock_irqsave(&wq->lock);
	__wake_up_common(wq, 0);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wake_up_all(struct wait_queue_head *wq)
{
	u64 flags = spin_lock_irqsave(&wq->lock);
	__wake_up_common(wq, 1);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wait_event_equal(struct wait_queue_head *wq, volatile u32 *word, u32 value)
{
	struct wait_entry e = {0};
	for (;;) {
		prepare_to_wait(wq, &e, TASK_INTERRUPTIBLE);
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) == value)
			break;
		schedule();
	}
	finish_wait(wq, &e);
}

void wait_event_nonzero(struct wait_queue_head *wq, volatile u32 *word)
{
	struct wait_entry e = {0};
	for (;;) {
		prepare_to_wait(wq, &e, TASK_INTERRUPTIBLE);
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != 0)
			break;
		schedule();
	}
	finish_wait(wq, &e);
}
