/*
 * hackbench over pipes (the algorithm of rt-tests hackbench and perf bench
 * sched messaging): `groups` groups of `fds` receivers and `fds` senders.
 * Each receiver owns a pipe; each sender of a group writes `loops`
 * messages of `datasize` bytes to every receiver of its group; each
 * receiver reads fds x loops messages and checks every byte. All tasks
 * check in (ready), then wait for GO; the run is timed from GO to the end
 * of the last receiver, in host nanoseconds and in virtual counter ticks.
 *
 * A message: bytes 0-1 sender index, 2-3 receiver index, 4-7 message index
 * (little-endian), then byte k = (group * 251 + sender * 131 + receiver * 31
 * + index * 7 + k) mod 256.
 */
#include "workloads.h"

#define MAX_MSG 4096

struct hb_run {
	const struct hb_params *p;
	u32 total;          /* tasks in the run */
	u32 ready;          /* tasks that checked in */
	u32 go;
	u32 receivers_left;
	struct wait_queue_head ready_wq, go_wq;
	struct task_group tasks;
	u64 messages, bytes_checked, errors, nvcsw, nivcsw;
	u64 t_go, v_go, t_end, v_end;
};

struct hb_worker {
	struct hb_run *run;
	u32 group, index;
};

static noinline void worker_ready(struct hb_run *r)
{
	if (__atomic_add_fetch(&r->ready, 1, __ATOMIC_ACQ_REL) == r->total)
		wake_up_all(&r->ready_wq);
	wait_event_nonzero(&r->go_wq, &r->go);
}

static noinline void worker_done(struct hb_run *r)
{
	struct task *t = current();
	__atomic_add_fetch(&r->nvcsw, t->nvcsw, __ATOMIC_RELAXED);
	__atomic_add_fetch(&r->nivcsw, t->nivcsw, __ATOMIC_RELAXED);
}

static inline u8 pattern(u32 g, u32 s, u32 r, u32 i, u32 k) { return (u8)(g * 251 + s * 131 + r * 31 + i * 7 + k); }

static noinline void fill_message(u8 *b, u32 size, u32 g, u32 s, u32 r, u32 i)
{
	b[0] = (u8)s;
	b[1] = (u8)(s >> 8);
	b[2] = (u8)r;
	b[3] = (u8)(r >> 8);
	b[4] = (u8)i;
	b[5] = (u8)(i >> 8);
	b[6] = (u8)(i >> 16);
	b[7] = (u8)(i >> 24);
	for (u32 k = 8; k < size; k++)
		b[k] = pattern(g, s, r, i, k);
}

/* Checks one received message; returns the number of wrong things found. */
static noinline u64 check_message(const u8 *b, u32 size, u32 g, u32 r, u32 fds, u32 *next)
{
	u32 s = b[0] | (u32)b[1] << 8;
	u32 rr = b[2] | (u32)b[3] << 8;
	u32 i = b[4] | (u32)b[5] << 8 | (u32)b[6] << 16 | (u32)b[7] << 24;
	if (s >= fds || rr != r || i != next[s])
		return 1;
	next[s]++;
	u64 bad = 0;
	for (u32 k = 8; k < size; k++)
		bad += b[k] != pattern(g, s, r, i, k);
	return bad;
}

static void sender(void *arg)
{
	struct hb_worker *w = arg;
	struct hb_run *run = w->run;
	const struct hb_params *p = run->p;
	u8 buf[MAX_MSG];
	u64 errors = 0;

	worker_ready(run);
	for (u32 i = 0; i < p->loops; i++) {
		for (u32 j = 0; j < p->fds; j++) {
			fill_message(buf, p->datasize, w->group, w->index, j, i);
			if (ksys_write(j, buf, p->datasize) != (s64)p->datasize)
				errors++;
		}
	}
	if (errors)
		__atomic_add_fetch(&run->errors, errors, __ATOMIC_RELAXED);
	worker_done(run);
}

static void receiver(void *arg)
{
	struct hb_worker *w = arg;
	struct hb_run *run = w->run;
	const struct hb_params *p = run->p;
	u8 buf[MAX_MSG];
	u32 next[256];
	u64 errors = 0, messages = 0, checked = 0;

	for (u32 s = 0; s < p->fds; s++)
		next[s] = 0;
	worker_ready(run);
	for (u32 n = 0; n < p->fds * p->loops; n++) {
		u32 got = 0;
		while (got < p->datasize) {
			s64 r = ksys_read(0, buf + got, p->datasize - got);
			if (r <= 0) {
				errors++;
				break;
			}
			got += (u32)r;
		}
		if (got != p->datasize)
			break;
		errors += check_message(buf, p->datasize, w->group, w->index, p->fds, next);
		messages++;
		checked += p->datasize;
	}
	__atomic_add_fetch(&run->messages, messages, __ATOMIC_RELAXED);
	__atomic_add_fetch(&run->bytes_checked, checked, __ATOMIC_RELAXED);
	if (errors)
		__atomic_add_fetch(&run->errors, errors, __ATOMIC_RELAXED);
	if (__atomic_sub_fetch(&run->receivers_left, 1, __ATOMIC_ACQ_REL) == 0) {
		run->v_end = read_cntvct();
		run->t_end = host_time_ns();
	}
	worker_done(run);
}

static u64 hb_one(const struct hb_params *p, u32 index, int timed);

u64 hackbench_run(const struct hb_params *p, u32 index) { return hb_one(p, index, 1); }

u64 hackbench_warmup(const struct hb_params *p)
{
	struct hb_params w = *p;
	w.loops = p->hb_warmup;
	return hb_one(&w, 0, 0);
}

static u64 hb_one(const struct hb_params *p, u32 index, int timed)
{
	if (timed)
		host_phase(PHASE_RUN_START, index);
	u64 counted0 = __atomic_load_n(&copy_from_user_counted_calls, __ATOMIC_RELAXED);
	struct hb_run *run = kmalloc(sizeof(*run));
	u32 fds = p->fds, cpu = 0;
	run->p = p;
	run->total = p->groups * fds * 2;
	run->receivers_left = p->groups * fds;
	init_waitqueue_head(&run->ready_wq);
	init_waitqueue_head(&run->go_wq);
	init_waitqueue_head(&run->tasks.wq);

	struct task **tasks = kmalloc(run->total * sizeof(*tasks));
	u32 nt = 0;
	for (u32 g = 0; g < p->groups; g++) {
		struct file **wr = kmalloc(fds * sizeof(*wr));
		for (u32 r = 0; r < fds; r++) {
			struct file *rd;
			if (create_pipe(p->pipe_size, &rd, &wr[r]))
				panic("create_pipe failed");
			struct hb_worker *w = kmalloc(sizeof(*w));
			w->run = run;
			w->group = g;
			w->index = r;
			struct task *t = task_create(receiver, w, cpu++, &run->tasks, "receiver");
			fd_install(t, 0, rd);
			tasks[nt++] = t;
		}
		for (u32 s = 0; s < fds; s++) {
			struct hb_worker *w = kmalloc(sizeof(*w));
			w->run = run;
			w->group = g;
			w->index = s;
			struct task *t = task_create(sender, w, cpu++, &run->tasks, "sender");
			for (u32 r = 0; r < fds; r++)
				fd_install(t, r, wr[r]);
			tasks[nt++] = t;
		}
	}
	for (u32 i = 0; i < nt; i++)
		wake_up_new_task(tasks[i]);

	wait_event_equal(&run->ready_wq, &run->ready, run->total);
	if (timed)
		host_phase(PHASE_RUN_GO, index);
	struct sched_totals s0 = sched_totals();
	run->t_go = host_time_ns();
	run->v_go = read_cntvct();
	__atomic_store_n(&run->go, 1, __ATOMIC_RELEASE);
	wake_up_all(&run->go_wq);
	wait_event_equal(&run->tasks.wq, &run->tasks.alive, 0);
	struct sched_totals s1 = sched_totals();
	if (!timed)
		return run->errors + (run->messages != (u64)p->groups * fds * fds * p->loops);
	host_phase(PHASE_RUN_END, index);

	u64 freq = read_sysreg(cntfrq_el0);
	u64 ticks = run->v_end - run->v_go;
	u64 vns = freq ? ticks * 1000 / (freq / 1000000 ? freq / 1000000 : 1) : 0;
	u64 expected = (u64)p->groups * fds * fds * p->loops;
	u64 errors = run->errors;
	if (run->messages != expected)
		errors++;
	report_run(index, "messages", run->messages);
	report_run(index, "messages_expected", expected);
	report_run(index, "bytes_checked", run->bytes_checked);
	report_run(index, "check_errors", run->errors);
	report_run(index, "time_ns", run->t_end - run->t_go);
	report_run(index, "vcnt_ticks", ticks);
	report_run(index, "vcnt_ns", vns);
	report_run(index, "nvcsw", run->nvcsw);
	report_run(index, "nivcsw", run->nivcsw);
	report_run(index, "tasks", run->total);
	report_run(index, "idle_insns", s1.idle_insns - s0.idle_insns);
	report_run(index, "spin_insns", s1.spin_insns - s0.spin_insns);
	report_run(index, "wait_ticks", s1.wait_ticks - s0.wait_ticks);
	report_run(index, "waits", s1.waits - s0.waits);
	report_run(index, "copy_from_user_counted", __atomic_load_n(&copy_from_user_counted_calls, __ATOMIC_RELAXED) - counted0);
	if (p->verbose)
		printk("hackbench run %u: %lu messages, %lu bytes checked, %lu ns host, %lu ns guest\n", index,
		       run->messages, run->bytes_checked, run->t_end - run->t_go, vns);
	return errors;
}
