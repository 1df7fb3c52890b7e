/*
 * Every CPU increments three shared counters ITERS times: one with LSE
 * LDADD, one with an LDXR/STXR loop, and one with a plain load/add/store
 * inside a ticket spinlock. CPU 0 checks all three equal ncpus * ITERS and
 * exits 0 (or 1 on a lost update).
 */
#include "smp.h"

#define ITERS 1000

static u64 lse_counter;
static u64 llsc_counter;
static u64 locked_counter;
static struct ticket_lock lock;
static struct smp_barrier bar;

static inline void ldadd_inc(u64 *p)
{
	u64 old;
	__asm__ volatile("ldadd %x1, %x0, [%2]" : "=r"(old) : "r"(1UL), "r"(p) : "memory");
}

static inline void llsc_inc(u64 *p)
{
	u64 v;
	u32 fail;
	__asm__ volatile("1: ldxr %0, [%2]\n"
			 "   add %0, %0, #1\n"
			 "   stxr %w1, %0, [%2]\n"
			 "   cbnz %w1, 1b"
			 : "=&r"(v), "=&r"(fail)
			 : "r"(p)
			 : "memory");
}

int smp_main(u64 cpu, u64 ncpus)
{
	u32 sense = 0;
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	for (int i = 0; i < ITERS; i++) {
		ldadd_inc(&lse_counter);
		llsc_inc(&llsc_counter);
		ticket_lock(&lock);
		u64 v = *(volatile u64 *)&locked_counter;
		for (int k = 0; k < 4; k++)
			__asm__ volatile("" ::: "memory");
		*(volatile u64 *)&locked_counter = v + 1;
		ticket_unlock(&lock);
	}
	smp_say("cpu ", cpu, " done\n");
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	if (cpu != 0)
		smp_idle();
	u64 want = ncpus * ITERS;
	smp_say("ldadd ", lse_counter, "\n");
	smp_say("ldxr/stxr ", llsc_counter, "\n");
	smp_say("ticket lock ", locked_counter, "\n");
	return lse_counter == want && llsc_counter == want && locked_counter == want ? 0 : 1;
}
