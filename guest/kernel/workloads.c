/*
 * Small workloads for the scheduler tests.
 *
 * spin: `tasks` CPU-bound tasks on every CPU, each running `spin_loops`
 *   iterations. With timer preemption the tasks of a CPU interleave (all
 *   of them are in flight at once); without it each runs to its end before
 *   the next starts. Reports the switches and the most tasks in flight on
 *   one CPU.
 * pingpong: pairs of tasks on neighbouring CPUs pass an 8-byte token back
 *   and forth `loops` times through two pipes; every hand-over wakes a task
 *   on another CPU, which is idle, so it takes an IPI.
 * callloop: one task per CPU calls the traced bench_target (bench.c)
 *   `warmup` times untimed, then `loops` times timed, and checks every
 *   return value; for measuring what a traced call costs. All tasks check
 *   in, then wait for GO, as hackbench's do.
 */
#include "workloads.h"

struct spin_run {
	const struct hb_params *p;
	struct task_group tasks;
	u32 inflight[MAX_CPUS];
	u32 max_inflight[MAX_CPUS];
	u64 nvcsw, nivcsw, sum;
};

struct spin_arg {
	struct spin_run *run;
	u32 seed;
};

static noinline u64 spin_work(u32 seed, u32 loops)
{
	u64 x = seed;
	for (u32 i = 0; i < loops; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		barrier();
	}
	return x;
}

static void spinner(void *arg)
{
	struct spin_arg *a = arg;
	struct spin_run *run = a->run;
	struct task *t = current();
	u32 cpu = t->cpu;
	u32 n = __atomic_add_fetch(&run->inflight[cpu], 1, __ATOMIC_RELAXED);
	if (n > run->max_inflight[cpu])
		run->max_inflight[cpu] = n;
	u64 x = spin_work(a->seed, run->p->spin_loops);
	__atomic_sub_fetch(&run->inflight[cpu], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&run->sum, x & 0xffff, __ATOMIC_RELAXED);
	__atomic_add_fetch(&run->nvcsw, t->nvcsw, __ATOMIC_RELAXED);
	__atomic_add_fetch(&run->nivcsw, t->nivcsw, __ATOMIC_RELAXED);
}

u64 spin_run(const struct hb_params *p, u32 index)
{
	struct spin_run *run = kmalloc(sizeof(*run));
	run->p = p;
	init_waitqueue_head(&run->tasks.wq);
	u32 total = p->tasks * nr_cpus;
	struct task **tasks = kmalloc(total * sizeof(*tasks));
	u64 t0 = host_time_ns();
	for (u32 i = 0; i < total; i++) {
		struct spin_arg *a = kmalloc(sizeof(*a));
		a->run = run;
		a->seed = i;
		tasks[i] = task_create(spinner, a, i, &run->tasks, "spinner");
	}
	for (u32 i = 0; i < total; i++)
		wake_up_new_task(tasks[i]);
	wait_event_equal(&run->tasks.wq, &run->tasks.alive, 0);
	u32 max = 0;
	for (u32 c = 0; c < nr_cpus; c++)
		if (run->max_inflight[c] > max)
			max = run->max_inflight[c];
	report_run(index, "tasks", total);
	report_run(index, "nvcsw", run->nvcsw);
	report_run(index, "nivcsw", run->nivcsw);
	report_run(index, "max_inflight", max);
	report_run(index, "time_ns", host_time_ns() - t0);
	return 0;
}

struct pp_run {
	const struct hb_params *p;
	struct task_group tasks;
	u64 messages, errors, nvcsw, nivcsw;
};

struct pp_arg {
	struct pp_run *run;
	u32 pair, first;
};

/* fd 0 reads from the partner, fd 1 writes to it. */
static void pingpong(void *arg)
{
	struct pp_arg *a = arg;
	struct pp_run *run = a->run;
	u64 errors = 0, messages = 0;
	for (u32 i = 0; i < run->p->loops; i++) {
		u64 tok = ((u64)a->pair << 32) | i;
		if (a->first) {
			if (ksys_write(1, &tok, 8) != 8)
				errors++;
			u64 back = 0;
			if (ksys_read(0, &back, 8) != 8 || back != ~tok)
				errors++;
			messages++;
		} else {
			u64 got = 0;
			if (ksys_read(0, &got, 8) != 8 || got != tok)
				errors++;
			got = ~got;
			if (ksys_write(1, &got, 8) != 8)
				errors++;
			messages++;
		}
	}
	struct task *t = current();
	__atomic_add_fetch(&run->messages, messages, __ATOMIC_RELAXED);
	__atomic_add_fetch(&run->errors, errors, __ATOMIC_RELAXED);
	__atomic_add_fetch(&run->nvcsw, t->nvcsw, __ATOMIC_RELAXED);
	__atomic_add_fetch(&run->nivcsw, t->nivcsw, __ATOMIC_RELAXED);
}

u64 pingpong_run(const struct hb_params *p, u32 index)
{
	struct pp_run *run = kmalloc(sizeof(*run));
	run->p = p;
	init_waitqueue_head(&run->tasks.wq);
	u32 pairs = nr_cpus / 2 ? nr_cpus / 2 : 1;
	struct task **tasks = kmalloc(2 * pairs * sizeof(*tasks));
	u64 t0 = host_time_ns();
	for (u32 q = 0; q < pairs; q++) {
		struct file *ab_r, *ab_w, *ba_r, *ba_w;
		if (create_pipe(p->pipe_size, &ab_r, &ab_w) || create_pipe(p->pipe_size, &ba_r, &ba_w))
			panic("create_pipe failed");
		for (u32 k = 0; k < 2; k++) {
			struct pp_arg *a = kmalloc(sizeof(*a));
			a->run = run;
			a->pair = q;
			a->first = k == 0;
			struct task *t = task_create(pingpong, a, 2 * q + k, &run->tasks, "pingpong");
			fd_install(t, 0, k == 0 ? ba_r : ab_r);
			fd_install(t, 1, k == 0 ? ab_w : ba_w);
			tasks[2 * q + k] = t;
		}
	}
	for (u32 i = 0; i < 2 * pairs; i++)
		wake_up_new_task(tasks[i]);
	wait_event_equal(&run->tasks.wq, &run->tasks.alive, 0);
	u64 expected = 2UL * pairs * p->loops;
	report_run(index, "messages", run->messages);
	report_run(index, "messages_expected", expected);
	report_run(index, "check_errors", run->errors);
	report_run(index, "nvcsw", run->nvcsw);
	report_run(index, "nivcsw", run->nivcsw);
	report_run(index, "time_ns", host_time_ns() - t0);
	return run->errors + (run->messages != expected);
}

struct cl_slot {
	u64 t0, t1;   /* host ns around the timed calls */
	u64 v0, v1;   /* CNTVCT of the task's CPU around them */
	u64 calls, warmup_calls, errors;
};

struct cl_run {
	const struct hb_params *p;
	u32 total, ready, go;
	struct wait_queue_head ready_wq, go_wq;
	struct task_group tasks;
	struct cl_slot *slot; /* one per task */
};

struct cl_arg {
	struct cl_run *run;
	u32 index;
};

/* `n` calls of bench_target with arguments base + i; returns the wrong results. */
static noinline u64 call_bench_target(u64 base, u32 n)
{
	u64 errors = 0;
	for (u32 i = 0; i < n; i++) {
		u64 x = base + i;
		if (bench_target(x) != x * 3 + 1)
			errors++;
	}
	return errors;
}

static void caller(void *arg)
{
	struct cl_arg *a = arg;
	struct cl_run *run = a->run;
	struct cl_slot *s = &run->slot[a->index];
	const struct hb_params *p = run->p;
	u64 base = (u64)a->index << 32;

	if (__atomic_add_fetch(&run->ready, 1, __ATOMIC_ACQ_REL) == run->total)
		wake_up_all(&run->ready_wq);
	wait_event_nonzero(&run->go_wq, &run->go);
	u64 errors = call_bench_target(base, p->warmup);
	s->t0 = host_time_ns();
	s->v0 = read_cntvct();
	errors += call_bench_target(base + p->warmup, p->loops);
	s->v1 = read_cntvct();
	s->t1 = host_time_ns();
	s->calls = p->loops;
	s->warmup_calls = p->warmup;
	s->errors = errors;
}

u64 callloop_run(const struct hb_params *p, u32 index)
{
	host_phase(PHASE_RUN_START, index);
	struct cl_run *run = kmalloc(sizeof(*run));
	memset(run, 0, sizeof(*run));
	run->p = p;
	run->total = nr_cpus;
	init_waitqueue_head(&run->ready_wq);
	init_waitqueue_head(&run->go_wq);
	init_waitqueue_head(&run->tasks.wq);
	run->slot = kmalloc(run->total * sizeof(*run->slot));
	memset(run->slot, 0, run->total * sizeof(*run->slot));
	struct task **tasks = kmalloc(run->total * sizeof(*tasks));
	for (u32 i = 0; i < run->total; i++) {
		struct cl_arg *a = kmalloc(sizeof(*a));
		a->run = run;
		a->index = i;
		tasks[i] = task_create(caller, a, i, &run->tasks, "caller");
	}
	for (u32 i = 0; i < run->total; i++)
		wake_up_new_task(tasks[i]);
	wait_event_equal(&run->ready_wq, &run->ready, run->total);
	__atomic_store_n(&run->go, 1, __ATOMIC_RELEASE);
	wake_up_all(&run->go_wq);
	wait_event_equal(&run->tasks.wq, &run->tasks.alive, 0);
	host_phase(PHASE_RUN_END, index);

	u64 calls = 0, warmup_calls = 0, errors = 0, t0 = ~0UL, t1 = 0, ticks = 0;
	for (u32 i = 0; i < run->total; i++) {
		const struct cl_slot *s = &run->slot[i];
		calls += s->calls;
		warmup_calls += s->warmup_calls;
		errors += s->errors;
		if (s->t0 < t0)
			t0 = s->t0;
		if (s->t1 > t1)
			t1 = s->t1;
		if (s->v1 - s->v0 > ticks)
			ticks = s->v1 - s->v0;
	}
	u64 expected = (u64)run->total * p->loops;
	report_run(index, "calls", calls);
	report_run(index, "calls_expected", expected);
	report_run(index, "warmup_calls", warmup_calls);
	report_run(index, "check_errors", errors);
	report_run(index, "time_ns", t1 - t0);
	report_run(index, "vcnt_ticks", ticks);
	report_run(index, "tasks", run->total);
	if (p->verbose)
		printk("callloop run %u: %lu calls, %lu check errors, %lu ns host\n", index, calls, errors, t1 - t0);
	return errors + (calls != expected) + (warmup_calls != (u64)run->total * p->warmup);
}
