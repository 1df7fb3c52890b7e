/*
 * The scheduler: one FIFO run queue per CPU, no migration (a task runs on
 * the CPU it was created for). A task gives up its CPU voluntarily when it
 * sleeps (schedule() with its state set), or is preempted from the timer
 * interrupt when preemption is on. Wake-ups of a task whose CPU is idle send
 * that CPU an SGI.
 *
 * Locking: a run queue's lock is taken with interrupts masked and held
 * across cpu_switch_to(); the task switched to releases it
 * (finish_task_switch, or schedule_tail for a new task). Lock order:
 * pipe -> wait queue -> run queue.
 */
#include "kernel.h"

struct percpu percpu[MAX_CPUS];
u32 nr_cpus;

static u32 preempt_on;
static u32 tick_period = 100000;
static u32 next_task_id = 1;
struct task *all_tasks;
spinlock_t tasklist_lock;
char task_comm[MAX_COMM_IDS][TASK_COMM_LEN];

/* notrace: it runs before this CPU's per-CPU block (TPIDR_EL1) exists, which ftrace's callbacks need. */
notrace void sched_init_cpu(u32 cpu)
{
	struct percpu *pc = &percpu[cpu];
	write_sysreg(pc, tpidr_el1);
	pc->cpu = cpu;
	pc->idle_task.cpu = cpu;
	pc->idle_task.id = 0;
	pc->idle_task.state = TASK_RUNNING;
	pc->rq.idle = &pc->idle_task;
	pc->rq.curr = &pc->idle_task;
}

/* Turns timer preemption on or off; `period` in counter ticks. */
void sched_set_preempt(u32 on, u32 period)
{
	tick_period = period ? period : 100000;
	__atomic_store_n(&preempt_on, on, __ATOMIC_RELEASE);
	if (on)
		timer_arm(tick_period);
	else
		timer_disable();
}

static noinline void enqueue_task(struct rq *rq, struct task *t)
{
	t->rq_next = NULL;
	if (rq->tail)
		rq->tail->rq_next = t;
	else
		rq->head = t;
	rq->tail = t;
	t->on_rq = 1;
	rq->nr_running++;
}

static noinline struct task *pick_next_task(struct rq *rq)
{
	struct task *t = rq->head;
	if (!t)
		return rq->idle;
	rq->head = t->rq_next;
	if (!rq->head)
		rq->tail = NULL;
	t->rq_next = NULL;
	t->on_rq = 0;
	rq->nr_running--;
	return t;
}

/* A dead task's stack is no longer in use once another task runs: tell its group. */
static noinline void task_dead(struct task *t)
{
	u64 flags = spin_lock_irqsave(&tasklist_lock);
	if (t->all_prev)
		t->all_prev->all_next = t->all_next;
	else
		all_tasks = t->all_next;
	if (t->all_next)
		t->all_next->all_prev = t->all_prev;
	spin_unlock_irqrestore(&tasklist_lock, flags);
	struct task_group *g = t->group;
	if (g && __atomic_sub_fetch(&g->alive, 1, __ATOMIC_ACQ_REL) == 0)
		wake_up_all(&g->wq);
}

static noinline void finish_task_switch(struct task *prev)
{
	struct rq *rq = &this_cpu()->rq;
	spin_unlock(&rq->lock);
	if (prev->state == TASK_DEAD)
		task_dead(prev);
}

/* The first thing a new task runs (from ret_from_fork). */
notrace void schedule_tail(struct task *prev)
{
	finish_task_switch(prev);
	local_irq_enable();
}

static void __schedule(u32 preempt)
{
	u64 flags = local_irq_save();
	struct rq *rq = &this_cpu()->rq;
	struct task *prev = rq->curr, *next;

	spin_lock(&rq->lock);
	rq->need_resched = 0;
	if (prev != rq->idle && (preempt || prev->state == TASK_RUNNING))
		enqueue_task(rq, prev);
	next = pick_next_task(rq);
	if (next == prev) {
		spin_unlock(&rq->lock);
		local_irq_restore(flags);
		return;
	}
	if (prev != rq->idle) {
		if (preempt)
			prev->nivcsw++;
		else if (prev->state == TASK_INTERRUPTIBLE)
			prev->nvcsw++;
	}
	rq->curr = next;
	prev = cpu_switch_to(prev, next);
	finish_task_switch(prev);
	local_irq_restore(flags);
}

void schedule(void) { __schedule(0); }

/* From the IRQ handler, interrupts masked, the interrupted task's frame on its stack. */
void preempt_schedule_irq(void) { __schedule(1); }

void set_current_state(u32 state)
{
	WRITE_ONCE(current()->state, state);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Makes `t` runnable on its CPU; returns 1 when it was sleeping. */
int try_to_wake_up(struct task *t)
{
	struct percpu *target = &percpu[t->cpu];
	struct rq *rq = &target->rq;
	u64 flags = spin_lock_irqsave(&rq->lock);
	if (t->state != TASK_INTERRUPTIBLE) {
		spin_unlock_irqrestore(&rq->lock, flags);
		return 0;
	}
	WRITE_ONCE(t->state, TASK_RUNNING);
	int kick = 0;
	if (!t->on_rq && rq->curr != t) {
		enqueue_task(rq, t);
		if (rq->curr == rq->idle) {
			rq->need_resched = 1;
			kick = t->cpu != this_cpu()->cpu;
		}
	}
	spin_unlock(&rq->lock);
	if (kick) {
		this_cpu()->ipi_sent++;
		send_ipi(t->cpu, SGI_RESCHEDULE);
	}
	local_irq_restore(flags);
	return 1;
}

struct task *task_create(void (*fn)(void *), void *arg, u32 cpu, struct task_group *group, const char *comm)
{
	struct task *t = kmalloc(sizeof(*t));
	t->stack = kmalloc(THREAD_SIZE);
	t->ctx.sp = (u64)t->stack + THREAD_SIZE;
	t->ctx.lr = (u64)ret_from_fork;
	t->ctx.x19 = (u64)fn;
	t->ctx.x20 = (u64)arg;
	t->cpu = cpu % nr_cpus;
	t->id = __atomic_fetch_add(&next_task_id, 1, __ATOMIC_RELAXED);
	if (t->id < MAX_COMM_IDS) {
		for (u32 i = 0; i < TASK_COMM_LEN - 1 && comm[i]; i++)
			task_comm[t->id][i] = comm[i];
	}
	t->state = TASK_INTERRUPTIBLE; /* runnable once woken */
	t->group = group;
	u64 flags = spin_lock_irqsave(&tasklist_lock);
	t->all_next = all_tasks;
	if (all_tasks)
		all_tasks->all_prev = t;
	all_tasks = t;
	spin_unlock_irqrestore(&tasklist_lock, flags);
	if (group)
		__atomic_add_fetch(&group->alive, 1, __ATOMIC_ACQ_REL);
	return t;
}

void wake_up_new_task(struct task *t) { try_to_wake_up(t); }

void task_exit(void)
{
	local_irq_disable();
	WRITE_ONCE(current()->state, TASK_DEAD);
	__schedule(0);
	panic("a dead task ran again");
}

void timer_tick(void)
{
	struct percpu *pc = this_cpu();
	pc->ticks++;
	patcher_poll();
	if (!__atomic_load_n(&preempt_on, __ATOMIC_ACQUIRE)) {
		timer_disable();
		return;
	}
	timer_arm(tick_period);
	if (READ_ONCE(pc->rq.nr_running) > 0)
		pc->rq.need_resched = 1;
}

void ipi_received(void)
{
	struct percpu *pc = this_cpu();
	pc->ipi_received++;
	pc->rq.need_resched = 1;
}

/*
 * Every CPU ends here once set up: run queued tasks, else wait in WFI. Its
 * instructions count as idle from each return here (start, after a wait,
 * back from schedule()) to the next WFI or call of schedule().
 */
void cpu_idle(void)
{
	struct percpu *pc = this_cpu();
	u64 t = cntvct_now();
	for (;;) {
		local_irq_disable();
		WRITE_ONCE(pc->idle_seq, pc->idle_seq + 2); /* one more pass, still even */
		patcher_poll();
		if (READ_ONCE(pc->rq.nr_running) == 0) {
			timer_disable(); /* no tick while idle */
			pc->idle_wfi++;
			WRITE_ONCE(pc->idle_seq, pc->idle_seq + 1); /* odd: waiting */
			u64 w = cntvct_now();
			pc->idle_insns += w - t;
			wfi();
			t = cntvct_now();
			pc->wait_ticks += t - w;
			pc->waits++;
			WRITE_ONCE(pc->idle_seq, pc->idle_seq + 1);
			local_irq_enable(); /* take the SGI that ended the WFI */
			continue;
		}
		if (__atomic_load_n(&preempt_on, __ATOMIC_ACQUIRE))
			timer_arm(tick_period);
		local_irq_enable();
		pc->idle_insns += cntvct_now() - t;
		schedule();
		t = cntvct_now();
	}
}

struct sched_totals sched_totals(void)
{
	struct sched_totals s = {0};
	for (u32 c = 0; c < nr_cpus; c++) {
		s.ticks += percpu[c].ticks;
		s.ipi_sent += percpu[c].ipi_sent;
		s.ipi_received += percpu[c].ipi_received;
		s.idle_wfi += percpu[c].idle_wfi;
		s.pipe_reader_waits += percpu[c].pipe_reader_waits;
		s.pipe_writer_waits += percpu[c].pipe_writer_waits;
		s.idle_insns += READ_ONCE(percpu[c].idle_insns);
		s.spin_insns += READ_ONCE(percpu[c].spin_insns);
		s.wait_ticks += READ_ONCE(percpu[c].wait_ticks);
		s.waits += READ_ONCE(percpu[c].waits);
	}
	return s;
}
