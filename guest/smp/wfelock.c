/*
 * Waiting in WFE for the exclusive monitor to be cleared, with no SEV
 * anywhere: only the store that breaks a waiter's reservation can wake it.
 *
 * 1. A ticket lock in one 32-bit word (owner in the low half, next ticket in
 *    the high half), waiters in LDAXRH + WFE on the owner half, the unlock a
 *    STLRH of owner + 1. A CPU taking a ticket stores into the same granule
 *    without changing the owner half a waiter reserved. Every CPU adds 1 to a
 *    plain counter ITERS times under the lock.
 * 2. A turn passed round the CPUs ROUNDS times: each waits with LDAXR + WFE
 *    until `turn` names it (smp_cond_load_acquire), bumps a plain counter and
 *    hands the turn on with a plain STR after a DMB.
 * CPU 0 prints both counts and exits 0 when they are exact.
 */
#include "smp.h"

#define ITERS 300
#define ROUNDS 50

static u32 lock_word;
static u64 locked_counter;
static u64 turn;
static u64 turns_taken;
static struct smp_barrier bar;

static void wfe_lock(u32 *l)
{
	u32 old, next, fail, cur;
	__asm__ volatile("1: ldaxr %w0, [%3]\n"
			 "   add %w1, %w0, #0x10000\n"
			 "   stxr %w2, %w1, [%3]\n"
			 "   cbnz %w2, 1b\n"
			 : "=&r"(old), "=&r"(next), "=&r"(fail)
			 : "r"(l)
			 : "memory");
	u32 me = old >> 16;
	if ((old & 0xffff) == me)
		return;
	__asm__ volatile("   sevl\n"
			 "2: wfe\n"
			 "   ldaxrh %w0, [%1]\n"
			 "   cmp %w0, %w2\n"
			 "   b.ne 2b\n"
			 : "=&r"(cur)
			 : "r"(l), "r"(me)
			 : "memory", "cc");
}

static void wfe_unlock(u32 *l)
{
	u32 owner = *(volatile unsigned short *)l;
	__asm__ volatile("stlrh %w0, [%1]" ::"r"(owner + 1), "r"(l) : "memory");
}

static void wait_turn(u64 *p, u64 want)
{
	u64 v;
	__asm__ volatile("   sevl\n"
			 "1: wfe\n"
			 "   ldaxr %0, [%1]\n"
			 "   cmp %0, %2\n"
			 "   b.ne 1b\n"
			 : "=&r"(v)
			 : "r"(p), "r"(want)
			 : "memory", "cc");
}

int smp_main(u64 cpu, u64 ncpus)
{
	u32 sense = 0;
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	for (int i = 0; i < ITERS; i++) {
		wfe_lock(&lock_word);
		u64 v = locked_counter;
		__asm__ volatile("" ::: "memory");
		locked_counter = v + 1;
		wfe_unlock(&lock_word);
	}
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	for (int r = 0; r < ROUNDS; r++) {
		wait_turn(&turn, r * ncpus + cpu);
		turns_taken++;
		smp_mb();
		*(volatile u64 *)&turn = r * ncpus + cpu + 1;
	}
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	if (cpu != 0)
		smp_idle();
	smp_say("ticket lock ", locked_counter, "\n");
	smp_say("turns ", turns_taken, "\n");
	return locked_counter == ncpus * ITERS && turns_taken == ncpus * ROUNDS ? 0 : 1;
}
