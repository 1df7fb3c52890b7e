/*
 * The race workload (WL_RACE): `tasks` tasks on every CPU call the traced
 * race_fn0..3 (race_fns.c) in a loop and check every result, with timer
 * preemption as the parameters say, until the host sets race_ctl.stop (or
 * each task has made `loops` calls when loops is not 0). The host toggles
 * tracing meanwhile with the strategy under test (bindings/race/).
 *
 * race_ctl is read by the host by symbol (bindings/race/workload.ts mirrors
 * the offsets): the calls made, the wrong results, the first wrong result
 * (CPU, task, function, value), and a heartbeat per CPU for the watchdog.
 */
#include "workloads.h"

u64 race_fn0(u64 x);
u64 race_fn1(u64 x);
u64 race_fn2(u64 x);
u64 race_fn3(u64 x);

struct race_ctl {
	u64 stop;        /*  0: set by the host: every task returns */
	u64 calls;       /*  8: checked calls, every task */
	u64 errors;      /* 16: wrong results */
	u64 first_task;  /* 24: task id of the first wrong result (0: none yet) */
	u64 first_fn;    /* 32: which race_fn */
	u64 first_got;   /* 40: the value it returned */
	u64 first_want;  /* 48: the value it should have */
	u64 first_cpu;   /* 56: its CPU */
	u64 beat[MAX_CPUS]; /* 64: calls per CPU, for the host's watchdog */
};

struct race_ctl race_ctl;

struct race_run {
	const struct hb_params *p;
	struct task_group tasks;
};

struct race_arg {
	struct race_run *run;
	u32 index;
};

static noinline void race_error(u32 fn, u64 got, u64 want)
{
	__atomic_add_fetch(&race_ctl.errors, 1, __ATOMIC_RELAXED);
	/* the first one claims the record (~0 while it fills it in, then its task id) */
	u64 none = 0;
	if (__atomic_compare_exchange_n(&race_ctl.first_task, &none, ~0UL, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		race_ctl.first_cpu = this_cpu()->cpu;
		race_ctl.first_fn = fn;
		race_ctl.first_got = got;
		race_ctl.first_want = want;
		__atomic_store_n(&race_ctl.first_task, (u64)current()->id, __ATOMIC_RELEASE);
	}
}

static void racer(void *arg)
{
	struct race_arg *a = arg;
	const struct hb_params *p = a->run->p;
	u64 x = (u64)a->index << 24;
	u64 done = 0;

	while (!__atomic_load_n(&race_ctl.stop, __ATOMIC_ACQUIRE) && (p->loops == 0 || done < p->loops)) {
		for (u32 i = 0; i < 16; i++, x++) {
			u64 r, want;
			switch (x & 3) {
			case 0: r = race_fn0(x); want = x * 3 + 1; break;
			case 1: r = race_fn1(x); want = (x ^ 0x5a5a) + 7; break;
			case 2: r = race_fn2(x); want = x * 9 - 2; break;
			default: r = race_fn3(x); want = (x << 3) + x + 11; break;
			}
			if (r != want)
				race_error((u32)(x & 3), r, want);
		}
		done += 16;
		if (!(done & 1023))
			rcu_tasks_qs(); /* as a kernel loop's cond_resched: no trampoline is live here */
		__atomic_add_fetch(&race_ctl.calls, 16, __ATOMIC_RELAXED);
		__atomic_add_fetch(&race_ctl.beat[this_cpu()->cpu], 16, __ATOMIC_RELAXED);
	}
}

u64 race_run(const struct hb_params *p, u32 index)
{
	host_phase(PHASE_RUN_START, index);
	struct race_run *run = kmalloc(sizeof(*run));
	memset(run, 0, sizeof(*run));
	run->p = p;
	init_waitqueue_head(&run->tasks.wq);
	u32 total = nr_cpus * p->tasks;
	struct task **tasks = kmalloc(total * sizeof(*tasks));
	for (u32 i = 0; i < total; i++) {
		struct race_arg *a = kmalloc(sizeof(*a));
		a->run = run;
		a->index = i;
		tasks[i] = task_create(racer, a, i % nr_cpus, &run->tasks, "racer");
	}
	for (u32 i = 0; i < total; i++)
		wake_up_new_task(tasks[i]);
	wait_event_equal(&run->tasks.wq, &run->tasks.alive, 0);
	host_phase(PHASE_RUN_END, index);
	report_run(index, "calls", race_ctl.calls);
	report_run(index, "check_errors", race_ctl.errors);
	report_run(index, "tasks", total);
	return race_ctl.errors;
}

/*
 * Offsets the host reads per CPU between deterministic slices to tell
 * context switches and timer interrupts apart in a race's timeline
 * (bindings/race/probe.ts): the per-CPU block's size and the offsets of its
 * current task pointer and tick count, and of a task's id.
 */
const u64 race_layout[4] = {
	sizeof(struct percpu),
	__builtin_offsetof(struct percpu, rq.curr),
	__builtin_offsetof(struct percpu, ticks),
	__builtin_offsetof(struct task, id),
};
