/*
 * Ticket spinlocks. The ticket is taken with an exclusive pair
 * (LDAXR/STLXR, as the compiler emits for Armv8.0); a waiter reads the owner
 * field with LDAR and waits in WFE between reads. The unlocker publishes the
 * new owner with STLR and, when someone holds a later ticket, sends SEV.
 * A waiter that reads the old owner and then enters WFE cannot miss the
 * release: the SEV that follows it sets its event register, and WFE returns
 * at once. Waiting in WFE parks an emulated CPU instead of burning host time
 * while the holder's thread is descheduled. A CPU that has its per-CPU
 * block counts the instructions of its waiting (spin_insns) apart from the
 * waits themselves (wait_ticks).
 *
 * Callers that can race with an interrupt handler on the same CPU, or that
 * must not be preempted while holding the lock, use the _irqsave forms.
 */
#include "kernel.h"

void spin_lock(spinlock_t *l)
{
	u32 me = __atomic_fetch_add(&l->next, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) == me)
		return;
	u64 t = cntvct_now(), waited = 0, waits = 0;
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me) {
		u64 w = cntvct_now();
		__asm__ volatile("wfe" ::: "memory");
		waited += cntvct_now() - w;
		waits++;
	}
	struct percpu *pc = this_cpu(); /* 0 before sched_init_cpu() */
	if (pc) {
		pc->spin_insns += cntvct_now() - t - waited;
		pc->wait_ticks += waited;
		pc->waits += waits;
	}
}

void spin_unlock(spinlock_t *l)
{
	u32 o = __atomic_load_n(&l->owner, __ATOMIC_RELAXED) + 1;
	__atomic_store_n(&l->owner, o, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the store before reading `next` */
	if (__atomic_load_n(&l->next, __ATOMIC_RELAXED) != o)
		__asm__ volatile("sev" ::: "memory");
}

u64 spin_lock_irqsave(spinlock_t *l)
{
	u64 flags = local_irq_save();
	spin_lock(l);
	return flags;
}

void spin_unlock_irqrestore(spinlock_t *l, u64 flags)
{
	spin_unlock(l);
	local_irq_restore(flags);
}
