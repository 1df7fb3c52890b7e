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
