/* The last CPU exits with 40 + ncpus once every other CPU has spun 1000 times; they spin forever. */
#include "smp.h"

static volatile u64 spins[SMP_MAX_CPUS];

int smp_main(u64 cpu, u64 ncpus)
{
	if (cpu == ncpus - 1) {
		for (u64 c = 0; c + 1 < ncpus; c++)
			while (spins[c] < 1000)
				cpu_relax();
		smp_say("cpu ", cpu, " calls exit\n");
		hc_exit(40 + (int)ncpus);
	}
	for (;;)
		spins[cpu]++;
}
