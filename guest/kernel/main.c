/*
 * Boot and the main task: every CPU sets up its per-CPU block and idles;
 * CPU 0, once all CPUs are up, starts the main task, which checks the
 * parameter block, runs the chosen workload `runs` times, reports the
 * results to the host and exits.
 */
#include "kernel.h"
#include "workloads.h"

/* The host overwrites this block through the ELF symbol before any CPU starts. */
struct hb_params hb_params __attribute__((aligned(64))) = {
	.magic = HB_MAGIC,
	.version = HB_VERSION,
	.workload = WL_HACKBENCH,
	.groups = 10,
	.fds = 20,
	.loops = 100,
	.datasize = 100,
	.runs = 1,
	.preempt = 1,
	.tick = 100000,
	.pipe_size = 4096,
	.tasks = 3,
	.spin_loops = 200000,
	.verbose = 0,
	.warmup = 1000,
};

char boot_stacks[MAX_CPUS][BOOT_STACK_SIZE] __attribute__((aligned(16)));
static u32 cpus_up;
static u32 boot_text_ready; /* CPU 0 has applied the boot-time text patches */
static u32 boot_pen;        /* CPUs waiting for it */

static const char *check_params(const struct hb_params *p)
{
	if (p->magic != HB_MAGIC)
		return "bad magic";
	if (p->version != HB_VERSION)
		return "unsupported version";
	if (p->workload > WL_RACE)
		return "workload must be 0 (hackbench), 1 (spin), 2 (pingpong), 3 (callloop) or 4 (race)";
	if (p->groups < 1 || p->groups > 256)
		return "groups must be 1..256";
	if (p->fds < 1 || p->fds > 256)
		return "fds must be 1..256";
	if (p->groups * p->fds * 2 > 4096)
		return "groups x fds x 2 must be at most 4096 tasks";
	if (p->loops < 1 && p->workload != WL_CALLLOOP && p->workload != WL_RACE)
		return "loops must be at least 1";
	if (p->datasize < 8 || p->datasize > 4096)
		return "datasize must be 8..4096";
	if (p->pipe_size < 8 || p->pipe_size > (1u << 20) || (p->pipe_size & (p->pipe_size - 1)))
		return "pipe_size must be a power of two 8..1048576";
	if (p->datasize > p->pipe_size)
		return "datasize must not exceed pipe_size";
	if (p->runs < 1 || p->runs > 1000)
		return "runs must be 1..1000";
	if (p->preempt > 1)
		return "preempt must be 0 or 1";
	if (p->tick < 1000)
		return "tick must be at least 1000 counter ticks";
	if (p->tasks < 1 || p->tasks > 64)
		return "tasks must be 1..64";
	if (p->spin_loops < 1)
		return "spin_loops must be at least 1";
	return NULL;
}

/* Reports `key` for run `run` ("run0.key") and, unprefixed, as the latest value. */
void report_run(u32 run, const char *key, u64 value)
{
	report_indexed("run", run, key, value);
	report(key, value);
}

static void kernel_main(void *unused)
{
	(void)unused;
	struct hb_params p = hb_params;
	const char *bad = check_params(&p);
	if (bad) {
		printk("hb_params: %s\n", bad);
		host_exit(2);
	}
	report("cpus", nr_cpus);
	report("runs", p.runs);
	u64 errors = 0;
	for (u32 run = 0; run < p.runs; run++) {
		sched_set_preempt(p.preempt, p.tick);
		u64 mark = kmalloc_mark();
		struct sched_totals before = sched_totals();
		switch (p.workload) {
		case WL_HACKBENCH:
			if (run == 0 && p.hb_warmup)
				errors += hackbench_warmup(&p);
			errors += hackbench_run(&p, run);
			break;
		case WL_SPIN:
			errors += spin_run(&p, run);
			break;
		case WL_CALLLOOP:
			errors += callloop_run(&p, run);
			break;
		case WL_RACE:
			errors += race_run(&p, run);
			break;
		default:
			errors += pingpong_run(&p, run);
			break;
		}
		struct sched_totals after = sched_totals();
		report_run(run, "ticks", after.ticks - before.ticks);
		report_run(run, "ipi_sent", after.ipi_sent - before.ipi_sent);
		report_run(run, "ipi_received", after.ipi_received - before.ipi_received);
		report_run(run, "idle_wfi", after.idle_wfi - before.idle_wfi);
		report_run(run, "pipe_reader_waits", after.pipe_reader_waits - before.pipe_reader_waits);
		report_run(run, "pipe_writer_waits", after.pipe_writer_waits - before.pipe_writer_waits);
		kmalloc_release(mark);
	}
	sched_set_preempt(0, p.tick);
	report("errors", errors);
	if (errors) {
		printk("FAILED: %lu check errors\n", errors);
		host_exit(1);
	}
	if (p.verbose)
		printk("done: %u runs, no errors\n", p.runs);
	host_exit(0);
}

notrace void start_kernel(u64 cpu, u64 ncpus)
{
	/*
	 * With a guest patch queue, CPU 0 applies what the host queued before
	 * boot once every other CPU has checked in to the pen, where it waits in
	 * WFE until CPU 0 is done.
	 */
	if (patcher_boot_pending()) {
		if (cpu == 0) {
			while (__atomic_load_n(&boot_pen, __ATOMIC_ACQUIRE) != ncpus - 1)
				cpu_relax();
			patcher_boot();
			__atomic_store_n(&boot_text_ready, 1, __ATOMIC_RELEASE);
			__asm__ volatile("dsb ish; sev" ::: "memory");
		} else {
			__atomic_add_fetch(&boot_pen, 1, __ATOMIC_RELEASE);
			while (!__atomic_load_n(&boot_text_ready, __ATOMIC_ACQUIRE))
				__asm__ volatile("wfe" ::: "memory");
			isb();
		}
	}
	sched_init_cpu((u32)cpu);
	WRITE_ONCE(nr_cpus, (u32)ncpus);
	__atomic_add_fetch(&cpus_up, 1, __ATOMIC_ACQ_REL);
	if (cpu == 0) {
		while (__atomic_load_n(&cpus_up, __ATOMIC_ACQUIRE) != ncpus)
			cpu_relax();
		patcher_init();
		wake_up_new_task(task_create(kernel_main, NULL, 0, NULL, "main"));
	}
	cpu_idle();
}
