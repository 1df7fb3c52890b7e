/*
 * Independent work: every CPU runs work_iters rounds of an integer hash on its
 * own data, stores the result, counts itself done and idles; CPU 0 waits for
 * all, reports the combined result and exits. The host may change
 * work_iters before start.
 */
#include "smp.h"

volatile u64 work_iters = 1000000;
static u64 results[SMP_MAX_CPUS];
static u32 done;

int smp_main(u64 cpu, u64 ncpus)
{
	u64 n = work_iters;
	u64 h = 0x243f6a8885a308d3UL ^ cpu;
	for (u64 i = 0; i < n; i++) {
		h ^= h >> 29;
		h *= 0xbf58476d1ce4e5b9UL;
		h += i;
	}
	results[cpu] = h;
	__atomic_fetch_add(&done, 1, __ATOMIC_RELEASE);
	if (cpu != 0)
		smp_idle();
	while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) != ncpus)
		cpu_relax();
	u64 sum = 0;
	for (u64 c = 0; c < ncpus; c++)
		sum ^= results[c];
	hc_report("work_result", sum);
	return 0;
}
