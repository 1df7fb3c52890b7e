/*
 * IPIs through ICC_SGI1R_EL1, taken through VBAR_EL1:
 *  1. every CPU in turn sends SGI (t % 16) to every CPU t, itself included,
 *     one at a time (TargetList, RS = t / 16), waiting for each to be handled;
 *  2. an IRM broadcast of SGI 5 reaches every CPU but the sender, once;
 *  3. lists aimed at Aff1 = 1, Aff2 = 1 or an RS past the CPUs reach nobody;
 *  4. with PSTATE.I set, SGIs 3, 1, 7, 2, 2 sent to itself are pending
 *     together (ISR_EL1, HPPIR) and taken in INTID order, SGI 2 once;
 *  5. a token goes round the ring 20 times by SGI 9, every CPU waiting in
 *     WFI between hops;
 *  6. CPU 0 wakes each other CPU, waiting in `while (!seen) wfe;` with IRQs
 *     unmasked, by sending SGI 6 until the handler has set its flag.
 * CPU 0 prints the counts and exits 0.
 */
#include "el1.h"

#define LAPS 20

struct percpu {
	u64 cpu;
	u64 count[16];
	u64 order[8];
	u64 norder;
	u64 logging;
	u64 woken;
} __attribute__((aligned(64)));

static struct percpu percpu[SMP_MAX_CPUS];
static struct smp_barrier bar;
static u64 ring_on, ring_laps, ring_hops;

EL1_VECTORS;

static u64 count(u64 cpu, int id) { return __atomic_load_n(&percpu[cpu].count[id], __ATOMIC_ACQUIRE); }
static void send(u64 v)
{
	write_sysreg(ICC_SGI1R_EL1, v);
	isb();
}

void el1_exception(int kind, struct el1_frame *f)
{
	struct percpu *pc = (struct percpu *)read_sysreg(tpidr_el1);
	(void)f;
	CHECKEQ(kind, KIND_SPX + KIND_IRQ);
	u64 iar = read_sysreg(ICC_IAR1_EL1);
	CHECK(iar < 16);
	CHECKEQ(read_sysreg(ICC_IAR1_EL1), INTID_NONE); /* one active at a time */
	if (pc->logging && pc->norder < 8)
		pc->order[pc->norder++] = iar;
	if (iar == 9 && __atomic_load_n(&ring_on, __ATOMIC_ACQUIRE)) {
		u64 n = hc_cpu_count();
		__atomic_fetch_add(&ring_hops, 1, __ATOMIC_RELAXED);
		if (pc->cpu == 0)
			__atomic_fetch_add(&ring_laps, 1, __ATOMIC_RELEASE);
		if (pc->cpu != 0 || __atomic_load_n(&ring_laps, __ATOMIC_ACQUIRE) < LAPS)
			send(sgi_to(9, (pc->cpu + 1) % n));
	}
	if (iar == 6)
		__atomic_store_n(&pc->woken, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&pc->count[iar], 1, __ATOMIC_RELEASE);
	write_sysreg(ICC_EOIR1_EL1, iar);
}

int smp_main(u64 cpu, u64 ncpus)
{
	u32 sense = 0;
	struct percpu *pc = &percpu[cpu];
	pc->cpu = cpu;
	el1_setup(pc);
	CHECKEQ(read_sysreg(mpidr_el1) & 0xff, cpu);
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	irq_enable();

	/* 1 */
	for (u64 s = 0; s < ncpus; s++) {
		if (cpu == s) {
			for (u64 t = 0; t < ncpus; t++) {
				int id = (int)(t % 16);
				u64 before = count(t, id);
				send(sgi_to(id, t));
				while (count(t, id) == before)
					cpu_relax();
			}
		}
		smp_barrier_wait(&bar, (u32)ncpus, &sense);
	}
	CHECKEQ(count(cpu, cpu % 16), ncpus);

	/* 2 */
	u64 b5 = count(cpu, 5);
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	if (cpu == ncpus - 1) {
		send((5UL << 24) | SGI_IRM);
		for (u64 t = 0; t + 1 < ncpus; t++)
			while (count(t, 5) == (t % 16 == 5 ? ncpus : 0))
				cpu_relax();
	}
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	CHECKEQ(count(cpu, 5) - b5, cpu == ncpus - 1 ? 0 : 1);

	/* 3 */
	u64 b7 = count(cpu, 7);
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	if (cpu == 0) {
		send((7UL << 24) | 0xffff | (1UL << 16));
		send((7UL << 24) | 0xffff | (1UL << 32));
		send((7UL << 24) | 0xffff | (4UL << 44));
		for (volatile int i = 0; i < 5000; i++)
			;
	}
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	CHECKEQ(count(cpu, 7), b7);

	/* 4 */
	irq_disable();
	u64 b2 = count(cpu, 2);
	pc->logging = 1;
	send(sgi_to(3, cpu));
	send(sgi_to(1, cpu));
	send(sgi_to(7, cpu));
	send(sgi_to(2, cpu));
	send(sgi_to(2, cpu));
	CHECKEQ(read_sysreg(isr_el1), 0x80);
	CHECKEQ(read_sysreg(ICC_HPPIR1_EL1), 1);
	__asm__ volatile("wfi" ::: "memory"); /* completes at once: interrupts are pending */
	irq_enable();
	__asm__ volatile("nop");
	pc->logging = 0;
	CHECKEQ(pc->norder, 4);
	CHECKEQ(pc->order[0], 1);
	CHECKEQ(pc->order[1], 2);
	CHECKEQ(pc->order[2], 3);
	CHECKEQ(pc->order[3], 7);
	CHECKEQ(count(cpu, 2) - b2, 1);
	CHECKEQ(read_sysreg(isr_el1), 0);

	/* 5 */
	u64 b9 = count(cpu, 9);
	__atomic_store_n(&ring_on, 1, __ATOMIC_RELEASE);
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	if (cpu == 0)
		send(sgi_to(9, 1 % ncpus));
	while (count(cpu, 9) - b9 < LAPS)
		__asm__ volatile("wfi" ::: "memory");
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	CHECKEQ(count(cpu, 9) - b9, LAPS);

	/* 6 */
	if (cpu == 0) {
		for (u64 t = 1; t < ncpus; t++)
			while (!__atomic_load_n(&percpu[t].woken, __ATOMIC_ACQUIRE)) {
				send(sgi_to(6, t));
				for (volatile int i = 0; i < 100; i++)
					;
			}
	} else {
		while (!__atomic_load_n(&pc->woken, __ATOMIC_ACQUIRE))
			__asm__ volatile("wfe" ::: "memory");
	}
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	if (cpu != 0)
		smp_idle();
	smp_say("sgis to every cpu from every cpu ", ncpus * ncpus, "\n");
	smp_say("ring hops ", ring_hops, "\n");
	return 0;
}
