/*
 * Synchronous exceptions at EL1 and from EL0, on every CPU at once:
 * SVC and BRK (ESR_EL1, ELR_EL1, SPSR_EL1), data aborts outside RAM (FAR_EL1,
 * WnR, the handler skips the access), alignment faults of exclusive and
 * ordered accesses, undefined instructions, instruction aborts and
 * misaligned PCs (the handler returns through x30), ERET clearing the
 * monitor, running on SP_EL0 (exceptions come through the SP0 group and run
 * on SP_EL1), DAIF through MRS/MSR and DAIFSet/DAIFClr, an SGI taken at EL1t
 * whose handler makes a nested SVC, EL0 code (SVC, MRS DAIF, HVC and CNTV_CTL
 * undefined there, a data abort), an illegal exception return, TPIDR_EL1 and
 * MPIDR_EL1. CPU 0 prints the number of exceptions taken and exits 0.
 */
#include "el1.h"

#define RAM_END 0x50000000UL /* the default 256 MiB */
#define EC(esr) (((esr) >> 26) & 0x3f)
#define ISS(esr) ((esr) & 0x1ffffff)
#define IL (1UL << 25)

enum { ACT_NONE, ACT_SKIP, ACT_RET30, ACT_TO_EL1, ACT_FIX_IL };

struct percpu {
	u64 cpu;
	u64 n, kind, esr, elr, far, spsr, sp, daif_in, x0;
	u64 action;
	u64 nested;
	u64 el0_stack[64] __attribute__((aligned(16)));
	u64 sp0_stack[128] __attribute__((aligned(16)));
} __attribute__((aligned(64)));

static struct percpu percpu[SMP_MAX_CPUS];
static struct smp_barrier bar;

EL1_VECTORS;

extern char el0_code[], el0_svc_next[], el0_back[];
/* EL0 code: x19 selects the test; each ends in an exception. */
__asm__(".text\n"
	"el0_code:\n"
	"	mrs x2, cntvct_el0\n" /* readable at EL0 */
	"	cbnz x19, 1f\n"
	"	mov x0, #0x77\n"
	"	svc #7\n"
	"el0_svc_next:\n"
	"	b .\n"
	"1:	cmp x19, #1\n"
	"	b.ne 2f\n"
	"	mrs x0, daif\n"
	"	b .\n"
	"2:	cmp x19, #2\n"
	"	b.ne 3f\n"
	"	mov x1, #0x2000\n"
	"	ldr x0, [x1]\n"
	"	b .\n"
	"3:	cmp x19, #3\n"
	"	b.ne 4f\n"
	"	hvc #0\n"
	"	b .\n"
	"4:	mrs x0, cntv_ctl_el0\n"
	"	b .\n"
	"el0_back:\n"
	"	ret\n");

static struct percpu *this_cpu(void) { return (struct percpu *)read_sysreg(tpidr_el1); }

void el1_exception(int kind, struct el1_frame *f)
{
	struct percpu *pc = this_cpu();
	if ((kind & 3) == KIND_IRQ) {
		/* SGI 3, with a nested SVC in the handler */
		u64 iar = read_sysreg(ICC_IAR1_EL1);
		CHECKEQ(iar, 3);
		u64 elr = read_sysreg(elr_el1), spsr = read_sysreg(spsr_el1);
		register u64 x0 __asm__("x0") = 0x1111;
		__asm__ volatile("svc #0x42" : "+r"(x0)::"memory");
		CHECKEQ(x0, 0x4242);
		CHECKEQ(pc->esr, (0x15UL << 26) | IL | 0x42);
		CHECKEQ(pc->spsr & 0x3cf, 0x3c5); /* the nested SVC came from EL1h with DAIF masked */
		CHECKEQ(f->elr, elr);             /* the frame kept what the SVC overwrote */
		CHECKEQ(f->spsr, spsr);
		pc->nested++;
		write_sysreg(ICC_EOIR1_EL1, iar);
		return;
	}
	pc->n++;
	pc->kind = (u64)kind;
	pc->esr = f->esr;
	pc->elr = f->elr;
	pc->far = read_sysreg(far_el1);
	pc->spsr = f->spsr;
	pc->daif_in = read_sysreg(daif);
	__asm__ volatile("mov %0, sp" : "=r"(pc->sp));
	pc->x0 = f->x[0];
	if (EC(f->esr) == 0x15 && ISS(f->esr) == 0x42) {
		f->x[0] = 0x4242;
		return;
	}
	switch (pc->action) {
	case ACT_SKIP:
		f->elr += 4;
		f->x[0] = 0xdead;
		return;
	case ACT_RET30:
		f->elr = f->x[30];
		return;
	case ACT_TO_EL1:
		f->elr = (u64)el0_back;
		f->spsr = 0x3c5;
		return;
	case ACT_FIX_IL:
		f->spsr = (f->spsr & ~((1UL << 20) | 0xf)) | 5;
		return;
	}
}

static u64 run_el0(struct percpu *pc, u64 test)
{
	u64 n0 = pc->n;
	pc->action = ACT_TO_EL1;
	write_sysreg(sp_el0, &pc->el0_stack[64]);
	write_sysreg(elr_el1, el0_code);
	write_sysreg(spsr_el1, 0); /* EL0t */
	register u64 x19 __asm__("x19") = test;
	__asm__ volatile("bl 1f\n b 2f\n1: eret\n2:" : "+r"(x19)::"x0", "x1", "x2", "x30", "memory", "cc");
	CHECKEQ(pc->n, n0 + 1);
	CHECKEQ(pc->kind, KIND_LOWER + KIND_SYNC);
	CHECKEQ(pc->spsr & 0xf, 0);
	return pc->esr;
}

int smp_main(u64 cpu, u64 ncpus)
{
	u32 sense = 0;
	struct percpu *pc = &percpu[cpu];
	pc->cpu = cpu;
	u64 stack_hi;
	__asm__ volatile("mov %0, sp" : "=r"(stack_hi));
	CHECKEQ(read_sysreg(currentel), 4);
	CHECKEQ(read_sysreg(spsel), 1);
	CHECKEQ(read_sysreg(daif), 0x3c0);
	CHECKEQ(read_sysreg(sp_el0), 0);
	el1_setup(pc);
	CHECKEQ(read_sysreg(tpidr_el1), (u64)pc);
	CHECKEQ(read_sysreg(mpidr_el1) & 0xff, cpu);

	/* SVC */
	{
		register u64 x0 __asm__("x0") = 5;
		u64 next;
		__asm__ volatile("adr %1, 1f\n svc #0x123\n1:" : "+r"(x0), "=&r"(next)::"memory");
		CHECKEQ(pc->kind, KIND_SPX + KIND_SYNC);
		CHECKEQ(pc->esr, (0x15UL << 26) | IL | 0x123);
		CHECKEQ(pc->elr, next);
		CHECKEQ(pc->spsr & 0x1003cf, 0x3c5);
		CHECKEQ(pc->daif_in, 0x3c0);
		CHECKEQ(pc->x0, 5);
		CHECK(pc->sp < stack_hi && pc->sp > stack_hi - 4096);
	}
	/* BRK: ELR is the BRK */
	{
		u64 at;
		pc->action = ACT_SKIP;
		__asm__ volatile("adr %0, 1f\n1: brk #0x77" : "=r"(at)::"x0", "memory");
		CHECKEQ(pc->esr, (0x3cUL << 26) | IL | 0x77);
		CHECKEQ(pc->elr, at);
	}
	/* data aborts outside RAM, loads and stores */
	{
		static const u64 addrs[] = {0x1000, 0x3ffffff8, RAM_END, RAM_END + 0x12345, 0xffffffffffff0000UL};
		for (unsigned i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
			register u64 x0 __asm__("x0") = 1;
			u64 at;
			__asm__ volatile("adr %1, 1f\n1: ldr %0, [%2]" : "+r"(x0), "=&r"(at) : "r"(addrs[i]) : "memory");
			CHECKEQ(x0, 0xdead);
			CHECKEQ(EC(pc->esr), 0x25);
			CHECKEQ(ISS(pc->esr), 0x10);
			CHECKEQ(pc->elr, at);
			CHECKEQ(pc->far, addrs[i]);
			__asm__ volatile("adr %0, 1f\n1: str xzr, [%1]" : "=&r"(at) : "r"(addrs[i]) : "x0", "memory");
			CHECKEQ(ISS(pc->esr), 0x50); /* WnR */
			CHECKEQ(pc->far, addrs[i]);
		}
		u64 n0 = pc->n;
		(void)*(volatile u64 *)(RAM_END - 8);
		CHECKEQ(pc->n, n0);
		register u64 x0 __asm__("x0") = 1;
		__asm__ volatile("ldr %0, [%1]" : "+r"(x0) : "r"(RAM_END - 4) : "memory"); /* straddles the end */
		CHECKEQ(x0, 0xdead);
		CHECKEQ(pc->n, n0 + 1);
	}
	/* alignment faults of exclusive and ordered accesses */
	{
		static u64 words[2];
		u64 n0 = pc->n;
		__asm__ volatile("ldxr x0, [%0]" ::"r"((u64)words + 4) : "x0", "memory");
		CHECKEQ(pc->n, n0 + 1);
		CHECKEQ(ISS(pc->esr), 0x21);
		CHECKEQ(pc->far, (u64)words + 4);
		__asm__ volatile("stlr xzr, [%0]" ::"r"((u64)words + 1) : "x0", "memory");
		CHECKEQ(ISS(pc->esr), 0x61);
	}
	/* undefined instruction, unknown system register */
	{
		u64 at;
		__asm__ volatile("adr %0, 1f\n1: .inst 0x00000000" : "=r"(at)::"x0", "memory");
		CHECKEQ(pc->esr, IL);
		CHECKEQ(pc->elr, at);
		__asm__ volatile("adr %0, 1f\n1: mrs x0, s3_6_c15_c1_0" : "=r"(at)::"x0", "memory");
		CHECKEQ(pc->esr, IL);
		CHECKEQ(pc->elr, at);
	}
	/* ERET clears the monitor: LDXR; SVC; STXR fails */
	{
		static u64 word;
		u32 status;
		pc->action = ACT_NONE;
		__asm__ volatile("ldxr x1, [%1]\n svc #1\n stxr %w0, x1, [%1]" : "=&r"(status) : "r"(&word) : "x0", "x1", "memory");
		CHECKEQ(status, 1);
	}
	/* PC outside RAM, misaligned PC: back through x30 */
	{
		pc->action = ACT_RET30;
		u64 n0 = pc->n;
		__asm__ volatile("mov x1, #0x1000\n blr x1" ::: "x0", "x1", "x30", "memory");
		CHECKEQ(pc->n, n0 + 1);
		CHECKEQ(EC(pc->esr), 0x21);
		CHECKEQ(pc->far, 0x1000);
		CHECKEQ(pc->elr, 0x1000);
		u64 odd = (u64)el0_back + 2;
		__asm__ volatile("blr %0" ::"r"(odd) : "x0", "x1", "x30", "memory");
		CHECKEQ(EC(pc->esr), 0x22);
		CHECKEQ(pc->far, odd);
	}
	/* SPSel = 0 */
	{
		u64 top = (u64)&pc->sp0_stack[128], sp_now, spsel, n0 = pc->n;
		write_sysreg(sp_el0, top);
		pc->action = ACT_NONE;
		__asm__ volatile("mov x9, sp\n"
				 "msr spsel, #0\n"
				 "mov %0, sp\n"
				 "mrs %1, spsel\n"
				 "svc #0x55\n"
				 "msr spsel, #1\n"
				 : "=&r"(sp_now), "=&r"(spsel)::"x0", "x9", "memory");
		CHECKEQ(sp_now, top);
		CHECKEQ(spsel, 0);
		CHECKEQ(pc->n, n0 + 1);
		CHECKEQ(pc->kind, KIND_SP0 + KIND_SYNC);
		CHECKEQ(pc->spsr & 0xf, 4);
		CHECK(pc->sp < stack_hi && pc->sp > stack_hi - 4096); /* the handler ran on SP_EL1 */
		CHECKEQ(read_sysreg(sp_el0), top);
		pc->action = ACT_SKIP; /* MRS SP_EL0 while it is the SP in use: undefined */
		__asm__ volatile("msr spsel, #0\n mrs x0, sp_el0\n msr spsel, #1" ::: "x0", "memory");
		CHECKEQ(pc->kind, KIND_SP0 + KIND_SYNC);
		CHECKEQ(pc->esr, IL);
	}
	/* DAIF, and an SGI taken at EL1t whose handler nests an SVC */
	{
		__asm__ volatile("msr daifclr, #0xf" ::: "memory");
		CHECKEQ(read_sysreg(daif), 0);
		__asm__ volatile("msr daifset, #4" ::: "memory");
		u64 saved = read_sysreg(daif);
		CHECKEQ(saved, 0x100);
		__asm__ volatile("msr daifset, #2" ::: "memory");
		CHECKEQ(read_sysreg(daif), 0x180);
		write_sysreg(ICC_SGI1R_EL1, sgi_to(3, cpu));
		isb();
		CHECKEQ(read_sysreg(isr_el1), 0x80);
		write_sysreg(sp_el0, &pc->sp0_stack[128]);
		u64 spsel;
		__asm__ volatile("msr spsel, #0\n msr daif, %1\n nop\n mrs %0, spsel\n msr spsel, #1" : "=&r"(spsel) : "r"(saved) : "memory");
		CHECKEQ(spsel, 0);
		CHECKEQ(pc->nested, 1);
		CHECKEQ(read_sysreg(daif), 0x100);
		pc->action = ACT_NONE;
		__asm__ volatile("msr daif, %0\n svc #0x56\n msr daifset, #0xf" ::"r"(0x100UL) : "x0", "memory");
		CHECKEQ(pc->spsr & 0x3cf, 0x105);
		CHECKEQ(read_sysreg(daif), 0x3c0);
	}
	/* EL0 */
	{
		u64 esr = run_el0(pc, 0);
		CHECKEQ(esr, (0x15UL << 26) | IL | 7);
		CHECKEQ(pc->elr, (u64)el0_svc_next);
		CHECKEQ(pc->x0, 0x77);
		CHECKEQ(run_el0(pc, 1), IL);
		esr = run_el0(pc, 2);
		CHECKEQ(EC(esr), 0x24);
		CHECKEQ(pc->far, 0x2000);
		CHECKEQ(run_el0(pc, 3), IL);
		CHECKEQ(run_el0(pc, 4), IL);
	}
	/* illegal exception return: SPSR.M = EL2h */
	{
		u64 n0 = pc->n, target;
		pc->action = ACT_FIX_IL;
		__asm__ volatile("adr %0, 1f\n msr elr_el1, %0\n mov x0, #0x3c9\n msr spsr_el1, x0\n eret\n1: nop"
				 : "=&r"(target)::"x0", "memory");
		CHECKEQ(pc->n, n0 + 1);
		CHECKEQ(pc->esr, (0x0eUL << 26) | IL);
		CHECKEQ(pc->elr, target);
		CHECK(pc->spsr & (1UL << 20));
	}
	CHECKEQ(read_sysreg(tpidr_el1), (u64)pc);
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	if (cpu != 0)
		smp_idle();
	u64 total = 0;
	for (u64 c = 0; c < ncpus; c++)
		total += percpu[c].n;
	smp_say("exceptions per cpu ", total / ncpus, "\n");
	return total % ncpus == 0 ? 0 : 1;
}
