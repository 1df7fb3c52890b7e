/*
 * Kernel-profile host calls: `hvc #0` with the call number in x8, arguments
 * in x0..x2, the result (or -errno) in x0. Shared by guest/kernel and the
 * programs in guest/smp; the including header defines u64 and s64.
 */
#ifndef GUEST_HOSTCALL_H
#define GUEST_HOSTCALL_H

#define HC_WRITE 64
#define HC_EXIT 93
#define HC_TIME_NS 113
#define HC_REPORT 0x100
#define HC_CPU_COUNT 0x101
#define HC_PHASE 0x102

static inline s64 hostcall3(u64 nr, u64 a0, u64 a1, u64 a2)
{
	register u64 x8 __asm__("x8") = nr;
	register u64 x0 __asm__("x0") = a0;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	__asm__ volatile("hvc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return (s64)x0;
}

#endif
