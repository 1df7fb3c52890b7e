/*
 * Patching kernel text from inside the machine: text_poke() and
 * ftrace_modify_code(), run by the patcher task on one CPU as ordinary
 * guest instructions, while the other CPUs keep running.
 *
 * The host asks for changes through a request queue in guest memory
 * (ftrace_ctl.patch_queue, layout.ts PATCHQ/PREQ); the kernel decides when
 * the stores happen. A request is applied only when the word still holds the
 * expected instruction; otherwise nothing is written and the request says
 * -EINVAL, as arm64's ftrace_modify_code() refuses a site that does not hold
 * what ftrace thinks.
 *
 * The cache maintenance after each store is the architecture's sequence for
 * code written by one CPU and executed by others:
 *
 *   STR   Wn, [alias]     the new instruction (one single-copy-atomic word)
 *   DC    CVAU, addr      clean the data cache line to the point of unification
 *   DSB   ISH             ... complete before
 *   IC    IVAU, addr      invalidate the instruction cache line, all CPUs
 *   DSB   ISH             ... complete before anything after
 *   ISB                   this CPU fetches the new instruction
 *
 * and after a batch every other CPU is sent an SGI (kick_all_cpus_sync): the
 * exception it takes is the context synchronization after which it must see
 * the new instructions.
 *
 * The machine has no MMU and no write protection: the writable alias of
 * kernel text is kernel text itself (text_alias()).
 */
#include "kernel.h"

#define EINVAL 22
#define EFAULT 14

extern char _stext[], _etext[];

struct patch_req {
	u64 addr;
	u32 old;
	u32 new;
	s32 result;
	u32 cpu;
	u32 seq;
	u32 op; /* PREQ_OP_* */
};
_Static_assert(__builtin_offsetof(struct patch_req, old) == PREQ_OLD, "preq");
_Static_assert(__builtin_offsetof(struct patch_req, result) == PREQ_RESULT, "preq");
_Static_assert(__builtin_offsetof(struct patch_req, cpu) == PREQ_CPU, "preq");
_Static_assert(__builtin_offsetof(struct patch_req, op) == PREQ_OP, "preq");
_Static_assert(sizeof(struct patch_req) == PREQ_SIZE, "preq");

struct patch_queue {
	u64 head;
	u64 done;
	u32 mask;
	u32 flags;
	u64 refused;
	u64 batches;
	u64 ticks;
	u64 gps;
	u64 reserved[1];
	struct patch_req req[];
};
_Static_assert(__builtin_offsetof(struct patch_queue, done) == PATCHQ_DONE, "patchq");
_Static_assert(__builtin_offsetof(struct patch_queue, flags) == PATCHQ_FLAGS, "patchq");
_Static_assert(__builtin_offsetof(struct patch_queue, refused) == PATCHQ_REFUSED, "patchq");
_Static_assert(__builtin_offsetof(struct patch_queue, ticks) == PATCHQ_TICKS, "patchq");
_Static_assert(__builtin_offsetof(struct patch_queue, gps) == PATCHQ_GPS, "patchq");
_Static_assert(__builtin_offsetof(struct patch_queue, req) == PATCHQ_REQS, "patchq");

/* ftrace_ctl.patch_queue, read once the host has published ftrace_ctl. */
static inline notrace struct patch_queue *patch_queue(void)
{
	const u64 *slot = (const u64 *)((u64)&ftrace_ctl + CTL_PATCH_QUEUE);
	return (struct patch_queue *)__atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

static struct wait_queue_head patch_wq, patch_done_wq;
static struct task *patcher;

static inline notrace u32 *text_alias(u32 *addr) { return addr; }

/* Writes one instruction and makes it visible to every CPU's instruction fetch. */
static notrace void text_poke(u32 *addr, u32 insn, u32 flags)
{
	__atomic_store_n(text_alias(addr), insn, __ATOMIC_RELAXED);
	__asm__ volatile("dc cvau, %0" ::"r"(addr) : "memory");
	__asm__ volatile("dsb ish" ::: "memory");
	if (!(flags & PATCHQ_FL_SKIP_IC_IVAU))
		__asm__ volatile("ic ivau, %0" ::"r"(addr) : "memory");
	__asm__ volatile("dsb ish" ::: "memory");
	isb();
}

/* arm64's ftrace_modify_code: refuses (-EINVAL, nothing written) unless `pc` holds `old`. */
notrace int ftrace_modify_code(u64 pc, u32 old, u32 new, u32 flags)
{
	if (pc & 3 || pc < (u64)_stext || pc + 4 > (u64)_etext)
		return -EFAULT;
	u32 replaced = __atomic_load_n((u32 *)pc, __ATOMIC_RELAXED);
	if (replaced != old)
		return -EINVAL;
	text_poke((u32 *)pc, new, flags);
	return 0;
}

/* Sends every other CPU an SGI: each takes an exception, a context synchronization. */
static notrace void kick_all_cpus_sync(void)
{
	u32 self = this_cpu()->cpu;
	for (u32 c = 0; c < nr_cpus; c++) {
		if (c != self)
			send_ipi(c, SGI_RESCHEDULE);
	}
}

/*
 * synchronize_rcu_tasks(), for the patcher task: waits until nothing can be
 * inside code that was taken out of use before the call. A task is a holdout
 * when it is runnable (running on a CPU, or preempted: possibly in the middle
 * of a trampoline); it stops being one when it switches voluntarily, sleeps,
 * exits or notes a quiescent state itself (rcu_tasks_qs(), from a loop that
 * never sleeps). Each CPU's idle task, while it is the CPU's current task, is
 * a holdout until its idle loop goes round or while it waits in WFI. Tasks only ever leave a trampoline forwards, and a
 * sleeping task is never inside one (callbacks do not sleep).
 */
#define MAX_HOLDOUTS 8192
static struct {
	struct task *t;
	u64 nvcsw, qs;
} holdouts[MAX_HOLDOUTS];
static u64 idle_snap[MAX_CPUS];

static notrace int holdout_done(struct task *t, u64 nvcsw, u64 qs)
{
	return READ_ONCE(t->state) != TASK_RUNNING || READ_ONCE(t->nvcsw) != nvcsw || READ_ONCE(t->tasks_qs) != qs;
}

notrace void rcu_tasks_qs(void)
{
	struct task *t = current();
	__atomic_store_n(&t->tasks_qs, t->tasks_qs + 1, __ATOMIC_RELEASE);
}

static notrace void synchronize_rcu_tasks(void)
{
	struct task *self = current();
	u32 n = 0;
	u64 flags = spin_lock_irqsave(&tasklist_lock);
	for (struct task *t = all_tasks; t; t = t->all_next) {
		if (t == self || READ_ONCE(t->state) != TASK_RUNNING)
			continue;
		if (n == MAX_HOLDOUTS)
			panic("synchronize_rcu_tasks: too many runnable tasks");
		holdouts[n].t = t;
		holdouts[n].nvcsw = READ_ONCE(t->nvcsw);
		holdouts[n].qs = READ_ONCE(t->tasks_qs);
		n++;
	}
	spin_unlock_irqrestore(&tasklist_lock, flags);
	for (u32 c = 0; c < nr_cpus; c++)
		idle_snap[c] = READ_ONCE(percpu[c].idle_seq);
	for (;;) {
		u32 left = 0;
		for (u32 i = 0; i < n; i++) {
			if (holdouts[i].t && holdout_done(holdouts[i].t, holdouts[i].nvcsw, holdouts[i].qs))
				holdouts[i].t = NULL;
			left += holdouts[i].t != NULL;
		}
		for (u32 c = 0; c < nr_cpus; c++) {
			u64 seq = READ_ONCE(percpu[c].idle_seq);
			/* an idle task that is not running left at its schedule(), outside any trampoline */
			if (c != this_cpu()->cpu && seq == idle_snap[c] && !(seq & 1) &&
			    READ_ONCE(percpu[c].rq.curr) == percpu[c].rq.idle)
				left++;
		}
		if (!left)
			return;
		/* let the holdouts run: back of this CPU's queue, as a voluntary yield */
		schedule();
		cpu_relax();
	}
}

/* Applies every request the host has queued, as CPU `cpu`; returns how many. */
static notrace u64 patch_queue_run(struct patch_queue *q, u32 cpu, int kick)
{
	u64 head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
	u64 done = q->done;
	if (head == done)
		return 0;
	u64 t0 = read_cntvct();
	for (u64 i = done; i < head; i++) {
		struct patch_req *r = &q->req[i & q->mask];
		s32 res;
		if (r->op == PREQ_OP_GRACE_PERIOD) {
			/* at boot (no kick) there are no tasks yet: nothing to wait for */
			if (kick) {
				if (!(q->flags & PATCHQ_FL_NO_KICK))
					kick_all_cpus_sync(); /* the text changes before it are seen first */
				synchronize_rcu_tasks();
			}
			q->gps++;
			res = 0;
		} else {
			res = ftrace_modify_code(r->addr, r->old, r->new, q->flags);
		}
		r->cpu = cpu;
		__atomic_store_n(&r->result, res, __ATOMIC_RELAXED);
		if (res)
			q->refused++;
	}
	if (kick && !(q->flags & PATCHQ_FL_NO_KICK))
		kick_all_cpus_sync();
	q->ticks += read_cntvct() - t0;
	q->batches++;
	__atomic_store_n(&q->done, head, __ATOMIC_RELEASE);
	return head - done;
}

/* The patcher task: sleeps until the host has queued requests, applies them, tells the waiters. */
static notrace void patcher_main(void *unused)
{
	(void)unused;
	struct patch_queue *q = patch_queue();
	struct wait_entry e = {0};
	for (;;) {
		prepare_to_wait(&patch_wq, &e, TASK_INTERRUPTIBLE);
		if (__atomic_load_n(&q->head, __ATOMIC_ACQUIRE) == q->done) {
			schedule();
			continue;
		}
		finish_wait(&patch_wq, &e);
		patch_queue_run(q, this_cpu()->cpu, 1);
		wake_up_all(&patch_done_wq);
	}
}

/*
 * CPU 0 at boot, before the other CPUs leave their holding pen: applies what
 * the host queued before the machine started (the MOV X9, X30 of every entry:
 * ftrace_init_nop done by the kernel itself). Returns 1 when there is a queue.
 */
notrace int patcher_boot(void)
{
	struct patch_queue *q = patch_queue();
	if (!q)
		return 0;
	patch_queue_run(q, 0, 0);
	return 1;
}

/* Whether the host asked for guest patching (the other CPUs then wait for patcher_boot()). */
notrace int patcher_boot_pending(void) { return patch_queue() != NULL; }

/* At boot, before any other task: the patcher task when the host asked for guest patching. */
notrace void patcher_init(void)
{
	init_waitqueue_head(&patch_wq);
	init_waitqueue_head(&patch_done_wq);
	if (!patch_queue())
		return;
	patcher = task_create(patcher_main, NULL, nr_cpus - 1, NULL, "ftrace_patcher");
	wake_up_new_task(patcher);
}

/* From the timer tick and the idle loop: wakes the patcher when requests wait. */
notrace void patcher_poll(void)
{
	struct patch_queue *q = patcher ? patch_queue() : NULL;
	if (q && __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) != __atomic_load_n(&q->done, __ATOMIC_ACQUIRE))
		try_to_wake_up(patcher);
}

/* Wakes the patcher and sleeps until it has applied every request queued so far. */
notrace void patcher_sync(void)
{
	struct patch_queue *q = patcher ? patch_queue() : NULL;
	if (!q)
		return;
	u64 target = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
	struct wait_entry e = {0};
	for (;;) {
		prepare_to_wait(&patch_done_wq, &e, TASK_INTERRUPTIBLE);
		if (__atomic_load_n(&q->done, __ATOMIC_ACQUIRE) >= target)
			break;
		wake_up(&patch_wq);
		schedule();
	}
	finish_wait(&patch_done_wq, &e);
}
