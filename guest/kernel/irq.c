/*
 * Interrupts: the GICv3 CPU interface (system registers), the per-CPU
 * virtual timer and the exception handlers called from entry.S.
 */
#include "kernel.h"

struct pt_regs {
	u64 regs[31];
	u64 pc; /* ELR_EL1 */
	u64 pstate; /* SPSR_EL1 */
	u64 pad;
};

#define PSR_I_BIT (1UL << 7)

/* Sends SGI `sgi` to CPU `cpu` (Aff0 = cpu, Aff3..1 = 0). */
void send_ipi(u32 cpu, u32 sgi)
{
	u64 v = ((u64)(cpu >> 4) << 44) | ((u64)sgi << 24) | (1UL << (cpu & 15));
	__asm__ volatile("dsb ish" ::: "memory"); /* the wake-up's stores before the SGI */
	write_sysreg(v, icc_sgi1r_el1);
	isb();
}

void timer_arm(u64 ticks)
{
	write_sysreg(ticks, cntv_tval_el0);
	write_sysreg(1, cntv_ctl_el0); /* ENABLE, not masked */
	isb();
}

void timer_disable(void)
{
	write_sysreg(0, cntv_ctl_el0);
	isb();
}

/* Called from el1h_irq with the interrupted context's frame. */
notrace void handle_irq(struct pt_regs *regs)
{
	struct percpu *pc = this_cpu();
	for (;;) {
		u64 iar = read_sysreg(icc_iar1_el1) & 0xffffff;
		if (iar == INTID_SPURIOUS) {
			break;
		}
		if (iar == INTID_VTIMER)
			timer_tick();
		else if (iar < 16)
			ipi_received();
		else
			panic("unexpected interrupt");
		write_sysreg(iar, icc_eoir1_el1);
		isb();
	}
	/* Preempt only a task that had interrupts enabled, never the idle loop. */
	if (READ_ONCE(pc->rq.need_resched) && !(regs->pstate & PSR_I_BIT) && pc->rq.curr != pc->rq.idle)
		preempt_schedule_irq();
}

static const char *const exception_names[] = {"from EL1 with SP_EL0 / unexpected vector", "synchronous"};

/*
 * The first unexpected exception, for the host (symbol oops_info): the line
 * on the console says the same for a reader. `valid` is written last.
 */
struct oops_info {
	u64 valid; /* 1 once filled */
	u64 cpu, esr, elr, far, lr, sp, task;
} oops_info;

/* Any exception the kernel does not expect: an oops on the console, exit 3. */
notrace void bad_exception(struct pt_regs *regs, u64 kind)
{
	u64 esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);
	if (!__atomic_load_n(&oops_info.valid, __ATOMIC_ACQUIRE)) {
		oops_info.cpu = this_cpu()->cpu;
		oops_info.esr = esr;
		oops_info.elr = regs->pc;
		oops_info.far = far;
		oops_info.lr = regs->regs[30];
		oops_info.sp = (u64)regs + sizeof(*regs);
		oops_info.task = this_cpu()->rq.curr ? this_cpu()->rq.curr->id : 0;
		__atomic_store_n(&oops_info.valid, 1, __ATOMIC_RELEASE);
		/* the host may look at this CPU before the console output below runs over its branch history */
		hostcall3(HC_PHASE, PHASE_OOPS, oops_info.cpu, 0);
	}
	printk("Unhandled %s exception on CPU %u: ESR 0x%lx (EC 0x%lx) ELR 0x%lx FAR 0x%lx LR 0x%lx SP 0x%lx\n",
	       exception_names[kind & 1], this_cpu()->cpu, esr, esr >> 26, regs->pc, far, regs->regs[30],
	       (u64)regs + sizeof(*regs));
	host_exit(3);
}
