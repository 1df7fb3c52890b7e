/*
 * For the kernel-profile programs that take exceptions: a vector table
 * (EL1_VECTORS, placed once in a program), the frame its entries save, system
 * register access, and checks that report the failing line and exit.
 *
 * Every entry of the table (16 of 0x80 bytes, 2 KiB aligned) pushes a frame
 * on SP_EL1 (x0..x30, ELR_EL1, SPSR_EL1, ESR_EL1) and calls
 * el1_exception(kind, frame), kind = group * 4 + type (group 0: EL1 on SP_EL0,
 * 1: EL1 on SP_EL1, 2: EL0 AArch64, 3: EL0 AArch32; type 0 synchronous,
 * 1 IRQ, 2 FIQ, 3 SError). The handler may change the frame (ELR_EL1 and
 * SPSR_EL1 included); the entry restores it and returns with ERET.
 */
#ifndef EL1_H
#define EL1_H

#include "smp.h"

struct el1_frame {
	u64 x[31];
	u64 elr;
	u64 spsr;
	u64 esr;
};

enum { KIND_SP0 = 0, KIND_SPX = 4, KIND_LOWER = 8, KIND_SYNC = 0, KIND_IRQ = 1 };

/* The program's handler. */
void el1_exception(int kind, struct el1_frame *f);

#define EL1_FRAME_SIZE 272

#define EL1_VECTOR_ENTRY(kind)                                                                       \
	".balign 0x80\n"                                                                             \
	"	sub sp, sp, #272\n"                                                                  \
	"	stp x0, x1, [sp]\n"                                                                  \
	"	mov x0, #" #kind "\n"                                                                \
	"	b el1_entry\n"

#define EL1_VECTORS                                                                                  \
	__asm__(".pushsection .text.el1_vectors, \"ax\"\n"                                          \
		".balign 2048\n"                                                                     \
		".global el1_vectors\n"                                                              \
		"el1_vectors:\n" EL1_VECTOR_ENTRY(0) EL1_VECTOR_ENTRY(1) EL1_VECTOR_ENTRY(2)        \
		EL1_VECTOR_ENTRY(3) EL1_VECTOR_ENTRY(4) EL1_VECTOR_ENTRY(5) EL1_VECTOR_ENTRY(6)     \
		EL1_VECTOR_ENTRY(7) EL1_VECTOR_ENTRY(8) EL1_VECTOR_ENTRY(9) EL1_VECTOR_ENTRY(10)    \
		EL1_VECTOR_ENTRY(11) EL1_VECTOR_ENTRY(12) EL1_VECTOR_ENTRY(13)                      \
		EL1_VECTOR_ENTRY(14) EL1_VECTOR_ENTRY(15)                                          \
		".balign 0x80\n"                                                                     \
		"el1_entry:\n"                                                                       \
		"	stp x2, x3, [sp, #16]\n"                                                     \
		"	stp x4, x5, [sp, #32]\n"                                                     \
		"	stp x6, x7, [sp, #48]\n"                                                     \
		"	stp x8, x9, [sp, #64]\n"                                                     \
		"	stp x10, x11, [sp, #80]\n"                                                   \
		"	stp x12, x13, [sp, #96]\n"                                                   \
		"	stp x14, x15, [sp, #112]\n"                                                  \
		"	stp x16, x17, [sp, #128]\n"                                                  \
		"	stp x18, x19, [sp, #144]\n"                                                  \
		"	stp x20, x21, [sp, #160]\n"                                                  \
		"	stp x22, x23, [sp, #176]\n"                                                  \
		"	stp x24, x25, [sp, #192]\n"                                                  \
		"	stp x26, x27, [sp, #208]\n"                                                  \
		"	stp x28, x29, [sp, #224]\n"                                                  \
		"	mrs x2, elr_el1\n"                                                           \
		"	stp x30, x2, [sp, #240]\n"                                                   \
		"	mrs x3, spsr_el1\n"                                                          \
		"	mrs x4, esr_el1\n"                                                           \
		"	stp x3, x4, [sp, #256]\n"                                                    \
		"	mov x1, sp\n"                                                                \
		"	bl el1_exception\n"                                                          \
		"	ldp x30, x2, [sp, #240]\n"                                                   \
		"	ldr x3, [sp, #256]\n"                                                        \
		"	msr elr_el1, x2\n"                                                           \
		"	msr spsr_el1, x3\n"                                                          \
		"	ldp x2, x3, [sp, #16]\n"                                                     \
		"	ldp x4, x5, [sp, #32]\n"                                                     \
		"	ldp x6, x7, [sp, #48]\n"                                                     \
		"	ldp x8, x9, [sp, #64]\n"                                                     \
		"	ldp x10, x11, [sp, #80]\n"                                                   \
		"	ldp x12, x13, [sp, #96]\n"                                                   \
		"	ldp x14, x15, [sp, #112]\n"                                                  \
		"	ldp x16, x17, [sp, #128]\n"                                                  \
		"	ldp x18, x19, [sp, #144]\n"                                                  \
		"	ldp x20, x21, [sp, #160]\n"                                                  \
		"	ldp x22, x23, [sp, #176]\n"                                                  \
		"	ldp x24, x25, [sp, #192]\n"                                                  \
		"	ldp x26, x27, [sp, #208]\n"                                                  \
		"	ldp x28, x29, [sp, #224]\n"                                                  \
		"	ldp x0, x1, [sp]\n"                                                          \
		"	add sp, sp, #272\n"                                                          \
		"	eret\n"                                                                      \
		".popsection\n")

extern char el1_vectors[];

/* System registers by name (two levels, so that a macro name expands first). */
#define read_sysreg(r) read_sysreg_(r)
#define read_sysreg_(r)                                                                              \
	({                                                                                           \
		u64 v_;                                                                              \
		__asm__ volatile("mrs %0, " #r : "=r"(v_));                                          \
		v_;                                                                                  \
	})
#define write_sysreg(r, v) write_sysreg_(r, v)
#define write_sysreg_(r, v)                                                                          \
	do {                                                                                         \
		u64 v_ = (u64)(v);                                                                   \
		__asm__ volatile("msr " #r ", %0" ::"r"(v_) : "memory");                             \
	} while (0)
#define isb() __asm__ volatile("isb" ::: "memory")

#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_HPPIR1_EL1 S3_0_C12_C12_2
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_RPR_EL1 S3_0_C12_C11_3
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define INTID_NONE 1023
#define INTID_VTIMER 27

#define CTL_ENABLE 1
#define CTL_IMASK 2
#define CTL_ISTATUS 4

/* ICC_SGI1R_EL1 value sending SGI `intid` to CPU `cpu` (Aff0 = RS * 16 + list bit). */
static inline u64 sgi_to(u64 intid, u64 cpu) { return (intid << 24) | ((cpu / 16) << 44) | (1UL << (cpu % 16)); }
#define SGI_IRM (1UL << 40)

static inline void irq_enable(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }

/* Sets VBAR_EL1 to the table and TPIDR_EL1 to `percpu`; enables the GIC CPU interface. */
static inline void el1_setup(void *percpu)
{
	write_sysreg(vbar_el1, el1_vectors);
	write_sysreg(tpidr_el1, percpu);
	write_sysreg(ICC_PMR_EL1, 0xf0);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	isb();
}

/* A failed check: the line and both values on the console, then exit(3). */
static inline __attribute__((noreturn)) void el1_fail(int line, u64 got, u64 want)
{
	smp_say("check failed at line ", (u64)line, "\n");
	smp_say("  got ", got, "\n");
	smp_say("  want ", want, "\n");
	hc_exit(3);
}
#define CHECKEQ(a, b)                                                                                \
	do {                                                                                         \
		u64 a_ = (u64)(a), b_ = (u64)(b);                                                    \
		if (a_ != b_)                                                                        \
			el1_fail(__LINE__, a_, b_);                                                  \
	} while (0)
#define CHECK(c) CHECKEQ(!!(c), 1)

#endif
