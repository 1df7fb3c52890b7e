/* The last CPU exits with 40 + ncpus while every other CPU spins without end. */
#include "smp.h"

static volatile u64 spins[SMP_MAX_CPUS];

int smp_main(u64 cpu, u64 ncpus)
{
	if (cpu == ncpus - 1) {
		while (ncpus > 1 && spins[0] < 1000)
			cpu_relax();
		smp_say("cpu ", cpu, " calls exit\n");
		hc_exit(40 + (int)ncpus);
	}
	for (;;)
		spins[cpu]++;
}
