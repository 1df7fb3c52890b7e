/* Every CPU counts forever in progress[cpu] (pause/resume and terminate tests). */
#include "smp.h"

volatile u64 progress[SMP_MAX_CPUS];

int smp_main(u64 cpu, u64 ncpus)
{
	(void)ncpus;
	for (;;)
		progress[cpu]++;
}
