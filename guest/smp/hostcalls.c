/* The host calls: write (and its errors), time, report, cpu count, an unknown call. */
#include "smp.h"

static struct smp_barrier bar;

int smp_main(u64 cpu, u64 ncpus)
{
	u32 sense = 0;
	int bad = 0;
	if (cpu != 0) {
		smp_barrier_wait(&bar, (u32)ncpus, &sense);
		smp_idle();
	}
	u64 t1 = hc_time_ns();
	for (volatile int i = 0; i < 10000; i++)
		;
	u64 t2 = hc_time_ns();
	if (t2 < t1)
		bad |= 1;
	if (hc_cpu_count() != ncpus)
		bad |= 2;
	if (hc_write(3, "x", 1) != -9)
		bad |= 4;
	if (hc_write(1, (const void *)0x1000, 4) != -14)
		bad |= 8;
	if (hostcall3(999, 0, 0, 0) != -38)
		bad |= 16;
	if (hc_report("answer", 42) != 0)
		bad |= 32;
	hc_report("cpus", hc_cpu_count());
	hc_report("elapsed_ns", t2 - t1);
	if (hc_write(2, "to stderr\n", 10) != 10)
		bad |= 64;
	smp_barrier_wait(&bar, (u32)ncpus, &sense);
	smp_say("host calls checked, flags ", (u64)bad, "\n");
	return bad;
}
