/*
 * Per-CPU virtual timer interrupts through VBAR_EL1. Every CPU:
 *  1. counts 10 + 3 * cpu ticks of its own period while idle in WFI: the
 *     first deadline set through CNTV_TVAL_EL0, the next ones by the IRQ
 *     handler adding the period to CNTV_CVAL_EL0; the handler acknowledges
 *     INTID 27 through ICC_IAR1_EL1, checks ISTATUS and that the deadline has
 *     passed, and ends it with ICC_EOIR1_EL1;
 *  2. with IMASK set, sees ISTATUS rise with no interrupt, which comes the
 *     moment IMASK is cleared;
 *  3. with PSTATE.I set: TVAL reads negative after the deadline, ISR_EL1
 *     shows the IRQ, ICC_IAR1_EL1 acknowledges it by hand, the running
 *     priority holds while it is active and the level re-pends after EOI;
 *     WFI completes on the timer even with PSTATE.I set;
 *  4. takes 40 ticks while busy in a loop: each arrives the same number of
 *     counter ticks after its deadline (the IRQ is taken at the deadline).
 * CPU 0 prints every CPU's tick count and exits 0.
 */
#include "el1.h"

struct percpu {
	u64 cpu;
	u64 ticks;
	u64 period;
	u64 irqs;
	u64 busy;
	u64 lat_min;
	u64 lat_max;
} __attribute__((aligned(64)));

static struct percpu percpu[SMP_MAX_CPUS];
static struct smp_barrier bar;

EL1_VECTORS;

static struct percpu *this_cpu(void) { return (struct percpu *)read_sysreg(tpidr_el1); }
static u64 ntick(u64 cpu) { return 10 + 3 * cpu; }

void el1_exception(int kind, struct el1_frame *f)
{
	struct percpu *pc = this_cpu();
	(void)f;
	CHECKEQ(kind, KIND_SPX + KIND_IRQ);
	u64 iar = read_sysreg(ICC_IAR1_EL1);
	CHECKEQ(iar, INTID_VTIMER);
	CHECK(read_sysreg(cntv_ctl_el0) & CTL_ISTATUS);
	u64 now = read_sysreg(cntvct_el0), cval = read_sysreg(cntv_cval_el0);
	CHECK(now >= cval);
	if (pc->busy) {
		u64 lat = now - cval;
		if (lat < pc->lat_min)
			pc->lat_min = lat;
		if (lat > pc->lat_max)
			pc->lat_max = lat;
	}
	pc->irqs++;
	u64 t = ++pc->ticks;
	if (pc->busy || t < ntick(pc->cpu))
		write_sysreg(cntv_cval_el0, cval + pc->period); /* re-arm from the deadline */
	else
		write_sysreg(cntv_ctl_el0, 0);
	isb();
	write_sysreg(ICC_EOIR1_EL1, iar);
}

int smp_main(u64 cpu, u64 ncpus)
{
	u32 sense = 0;
	struct percpu *pc = &percpu[cpu];
	pc->cpu = cpu;
	el1_setup(pc);
	CHECKEQ(read_sysreg(ICC_SRE_EL1), 7);
	CHECKEQ(read_sysreg(ICC_PMR_EL1), 0xf0);
	CHECKEQ(read_sysreg(cntfrq_el0), 100000000);
	CHECKEQ(read_sysreg(ICC_IAR1_EL1), INTID_NONE);

	/* 1: ticks while idle in WFI */
	pc->period = 20000 + 7919 * cpu;
	write_sysreg(cntv_tval_el0, pc->period);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
	u64 t0 = read_sysreg(cntvct_el0);
	irq_enable();
	while (__atomic_load_n(&pc->ticks, __ATOMIC_RELAXED) < ntick(cpu))
		__asm__ volatile("wfi" ::: "memory");
	irq_disable();
	CHECKEQ(pc->ticks, ntick(cpu));
	CHECKEQ(pc->irqs, ntick(cpu));
	CHECK(read_sysreg(cntvct_el0) - t0 >= ntick(cpu) * pc->period);
	CHECKEQ(read_sysreg(cntv_ctl_el0), 0);

	/* 2: IMASK */
	u64 irqs = pc->irqs;
	write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) + 3000);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE | CTL_IMASK);
	isb();
	irq_enable();
	u64 polls = 0;
	while (!(read_sysreg(cntv_ctl_el0) & CTL_ISTATUS))
		polls++;
	CHECK(polls > 0);
	CHECKEQ(pc->irqs, irqs);
	CHECKEQ(read_sysreg(isr_el1), 0);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
	__asm__ volatile("nop");
	CHECKEQ(pc->irqs, irqs + 1);
	irq_disable();

	/* 3: by hand, with PSTATE.I set */
	write_sysreg(cntv_tval_el0, 100);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
	for (volatile int i = 0; i < 100; i++)
		;
	CHECK((s64)(int)read_sysreg(cntv_tval_el0) < 0);
	CHECKEQ(read_sysreg(isr_el1), 0x80);
	CHECKEQ(read_sysreg(ICC_HPPIR1_EL1), INTID_VTIMER);
	CHECKEQ(read_sysreg(ICC_IAR1_EL1), INTID_VTIMER);
	CHECKEQ(read_sysreg(ICC_RPR_EL1), 0);
	CHECKEQ(read_sysreg(ICC_IAR1_EL1), INTID_NONE);
	CHECKEQ(read_sysreg(isr_el1), 0);
	write_sysreg(ICC_EOIR1_EL1, INTID_VTIMER);
	isb();
	CHECKEQ(read_sysreg(ICC_RPR_EL1), 0xff);
	CHECKEQ(read_sysreg(isr_el1), 0x80); /* still asserted: pending again */
	write_sysreg(cntv_tval_el0, 50000);
	isb();
	CHECKEQ(read_sysreg(isr_el1), 0);
	u64 w0 = read_sysreg(cntvct_el0);
	__asm__ volatile("wfi" ::: "memory");
	CHECK(read_sysreg(cntvct_el0) - w0 >= 49990);
	CHECKEQ(read_sysreg(isr_el1), 0x80);
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	CHECKEQ(read_sysreg(isr_el1), 0);
	CHECKEQ(pc->irqs, irqs + 1);

	/* 4: busy */
	pc->ticks = 0;
	pc->busy = 1;
	pc->lat_min = ~0UL;
	pc->period = 3001 + cpu;
	write_sysreg(cntv_tval_el0, 5000);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
	irq_enable();
	volatile u64 spin = 0;
	while (__atomic_load_n(&pc->ticks, __ATOMIC_RELAXED) < 40)
		spin++;
	irq_disable();
	write_sysreg(cntv_ctl_el0, 0);
	pc->busy = 0;
	CHECKEQ(pc->lat_max, pc->lat_min);

	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	if (cpu != 0)
		smp_idle();
	for (u64 c = 0; c < ncpus; c++)
		smp_say("cpu ", c, percpu[c].irqs == ntick(c) + 1 + 40 ? " ticks ok\n" : " ticks WRONG\n");
	hc_report("busy_latency", pc->lat_max);
	return 0;
}
