/*
 * patchlab mini SMP kernel: shared declarations.
 *
 * Everything runs at EL1 on SP_EL1. Each CPU has a per-CPU block reached
 * through TPIDR_EL1; each task has its own stack and a saved context
 * (callee-saved registers, sp, lr) that cpu_switch_to() swaps.
 */
#ifndef KERNEL_H
#define KERNEL_H

typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef long s64;
typedef int s32;

#define NULL ((void *)0)
#define MAX_CPUS 64
#define THREAD_SIZE (16 * 1024)
#define BOOT_STACK_SIZE (8 * 1024)

/* Functions that must never carry a patchable entry (the ftrace "notrace"). */
#define notrace __attribute__((patchable_function_entry(0, 0)))
#define noinline __attribute__((noinline))
#define __noreturn __attribute__((noreturn))

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define barrier() __asm__ volatile("" ::: "memory")

/* ---- host calls (hvc #0, number in x8) ---------------------------------- */
#include "../include/hostcall.h"

/* ---- system registers and interrupt masking ------------------------------ */
#define read_sysreg(r) ({ u64 __v; __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(v, r) __asm__ volatile("msr " #r ", %0" ::"r"((u64)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
#define cpu_relax() __asm__ volatile("yield" ::: "memory")

static inline u64 local_irq_save(void)
{
	u64 flags = read_sysreg(daif);
	__asm__ volatile("msr daifset, #2" ::: "memory");
	return flags;
}
static inline void local_irq_restore(u64 flags) { write_sysreg(flags, daif); }
static inline void local_irq_disable(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
static inline void local_irq_enable(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
static inline u64 read_cntvct(void) { isb(); return read_sysreg(cntvct_el0); }
/* The counter without the ISB: for instruction accounting, where order does not matter. */
static inline u64 cntvct_now(void) { return read_sysreg(cntvct_el0); }

/* ---- spinlocks (lock.c) --------------------------------------------------- */
typedef struct {
	u32 next;
	u32 owner;
} spinlock_t;

void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
u64 spin_lock_irqsave(spinlock_t *l);
void spin_unlock_irqrestore(spinlock_t *l, u64 flags);

/* ---- ftrace's per-task return stack (ftrace.c) ----------------------------- */
#include "ftrace_layout.h"

struct ftrace_ops;
/* One hooked call: where it really returns, and what return_to_handler needs. */
struct ftrace_ret_entry {
	u64 ret;      /* the traced function's real return address */
	u64 func;     /* its call-site address (the record's ip) */
	u64 calltime; /* CNTVCT at entry */
	u64 sp;       /* SP at the function's entry: SP again when it returns */
	struct ftrace_ops *op; /* the function_graph / profiler ops that hooked it */
	u32 depth;    /* function_graph entries below it on this stack */
	u32 pad;
};
struct ftrace_task {
	u32 curr; /* entries in use */
	u32 pad;
	struct ftrace_ret_entry stack[RET_STACK_MAX];
};

/* ---- tasks and scheduling (sched.c) --------------------------------------- */
struct cpu_context {
	u64 x19, x20, x21, x22, x23, x24, x25, x26, x27, x28;
	u64 fp; /* x29 */
	u64 sp;
	u64 lr; /* x30: where cpu_switch_to returns in this task */
};

enum task_state { TASK_RUNNING = 0, TASK_INTERRUPTIBLE = 1, TASK_DEAD = 2 };

struct file;
struct task_group;

struct task {
	struct cpu_context ctx; /* first: entry.S uses offset 0 */
	volatile u32 state;
	u32 cpu;     /* run queue the task belongs to (no migration) */
	u32 on_rq;   /* queued on its run queue */
	u32 id;
	struct task *rq_next;
	void (*fn)(void *);
	void *arg;
	void *stack;
	struct file **files;
	u32 nfiles;
	u32 pad;
	u64 nvcsw;  /* voluntary context switches (it slept) */
	u64 nivcsw; /* involuntary: preempted by the timer */
	struct task_group *group; /* told when the task has exited */
	struct task *all_next, *all_prev; /* every live task (all_tasks), for RCU-tasks grace periods */
	struct ftrace_task ftrace; /* function_graph return stack */
	u64 tasks_qs; /* RCU-tasks quiescent states the task noted itself (rcu_tasks_qs()) */
};

struct rq {
	spinlock_t lock;
	struct task *head, *tail;
	struct task *curr;
	struct task *idle;
	u32 nr_running;
	volatile u32 need_resched;
};

/* Per-CPU block; TPIDR_EL1 points at it. */
struct percpu {
	struct rq rq;
	u32 cpu;
	u32 pad;
	struct task idle_task;
	u64 ticks;          /* timer interrupts taken */
	u64 ipi_sent;       /* wake-up IPIs sent from this CPU */
	u64 ipi_received;   /* SGIs acknowledged on this CPU */
	u64 idle_wfi;       /* WFIs executed by the idle loop */
	volatile u64 idle_seq; /* idle loop passes: odd while waiting in WFI (RCU-tasks: a quiescent state) */
	u64 pipe_reader_waits; /* a reader found its pipe empty and slept */
	u64 pipe_writer_waits; /* a writer found no room and slept */
	/*
	 * Where this CPU's instructions went, by its virtual counter, which
	 * moves by one per instruction retired and jumps forward while the CPU
	 * waits in WFI/WFE: the waits are counted apart.
	 */
	u64 idle_insns;  /* retired by the idle loop, outside its WFIs */
	u64 spin_insns;  /* retired waiting for a spinlock, outside its WFEs */
	u64 wait_ticks;  /* counter ticks from just before to just after each WFI/WFE wait */
	u64 waits;       /* such waits */
} __attribute__((aligned(64)));

extern struct percpu percpu[MAX_CPUS];
extern u32 nr_cpus;

static inline struct percpu *this_cpu(void) { return (struct percpu *)read_sysreg(tpidr_el1); }
static inline struct task *current(void) { return this_cpu()->rq.curr; }

void sched_init_cpu(u32 cpu);
/* Every live task but the idle tasks, linked through all_next; tasklist_lock guards it. */
extern struct task *all_tasks;
extern spinlock_t tasklist_lock;
/* Task ids: 0 is every CPU's idle task; created tasks count from 1. */
#define MAX_COMM_IDS 8192
#define TASK_COMM_LEN 16
/* The name of task id n (n < MAX_COMM_IDS), read by the host for trace output. */
extern char task_comm[MAX_COMM_IDS][TASK_COMM_LEN];
struct task *task_create(void (*fn)(void *), void *arg, u32 cpu, struct task_group *group, const char *comm);
void wake_up_new_task(struct task *t);
void schedule(void);
void preempt_schedule_irq(void);
int try_to_wake_up(struct task *t);
void task_exit(void) __noreturn;
void set_current_state(u32 state);
void cpu_idle(void) __noreturn;
struct sched_totals {
	u64 ticks, ipi_sent, ipi_received, idle_wfi, pipe_reader_waits, pipe_writer_waits;
	u64 idle_insns, spin_insns, wait_ticks, waits;
};
struct sched_totals sched_totals(void);
void sched_set_preempt(u32 on, u32 period);
void timer_tick(void);
void ipi_received(void);

/* assembly (entry.S) */
struct task *cpu_switch_to(struct task *prev, struct task *next);
void ret_from_fork(void);
extern char vectors[];

/* ---- wait queues (wait.c) ------------------------------------------------- */
struct wait_entry {
	struct task *task;
	struct wait_entry *next, *prev;
};
struct wait_queue_head {
	spinlock_t lock;
	struct wait_entry head; /* circular list sentinel */
};

void init_waitqueue_head(struct wait_queue_head *wq);
void prepare_to_wait(struct wait_queue_head *wq, struct wait_entry *e, u32 state);
void finish_wait(struct wait_queue_head *wq, struct wait_entry *e);
void wake_up(struct wait_queue_head *wq);
void wake_up_all(struct wait_queue_head *wq);
/* Sleeps on wq until *word != 0 (read with acquire). */
void wait_event_nonzero(struct wait_queue_head *wq, volatile u32 *word);
/* Sleeps on wq until *word == value. */
void wait_event_equal(struct wait_queue_head *wq, volatile u32 *word, u32 value);

/* Tasks whose exit someone waits for: `alive` drops to 0 once all have switched away for good. */
struct task_group {
	u32 alive;
	u32 pad;
	struct wait_queue_head wq;
};

/* ---- pipes and files (pipe.c, fs.c) -------------------------------------- */
struct file_operations {
	s64 (*read)(struct file *f, void *buf, u64 len);
	s64 (*write)(struct file *f, const void *buf, u64 len);
};
struct file {
	const struct file_operations *f_op;
	void *private_data;
	u32 mode; /* FMODE_READ / FMODE_WRITE */
	u32 pad;
};
#define FMODE_READ 1
#define FMODE_WRITE 2

/* Makes a pipe of `size` bytes (a power of two); returns 0 or -errno. */
int create_pipe(u32 size, struct file **rd, struct file **wr);
s64 ksys_read(u32 fd, void *buf, u64 len);
s64 ksys_write(u32 fd, const void *buf, u64 len);
/* Installs `f` in current()'s table at `fd`. */
void fd_install(struct task *t, u32 fd, struct file *f);
void copy_to_user(void *dst, const void *src, u64 n);
void copy_from_user(void *dst, const void *src, u64 n);
/* copy_from_user plus a count; reached only when an ftrace ops redirects copy_from_user to it. */
void copy_from_user_counted(void *dst, const void *src, u64 n);
extern u64 copy_from_user_counted_calls;

/* ---- ftrace and text patching (ftrace.c, patching.c) ---------------------- */
struct ftrace_ctl;
extern struct ftrace_ctl ftrace_ctl;
/* Applies `new` at `pc` if it holds `old` (0), else -EINVAL / -EFAULT and nothing written. */
int ftrace_modify_code(u64 pc, u32 old, u32 new, u32 flags);
int patcher_boot(void);
int patcher_boot_pending(void);
void patcher_init(void);
void patcher_poll(void);
void patcher_sync(void);

/* ---- library (lib.c) ------------------------------------------------------ */
void *kmalloc(u64 size);
u64 kmalloc_mark(void);
void kmalloc_release(u64 mark);
void *memset(void *d, int c, u64 n);
void *memcpy(void *d, const void *s, u64 n);
u64 strlen(const char *s);
void puts(const char *s);
/* printk: %s %u %x %lu %lx (no width), one host write per call. */
void printk(const char *fmt, ...);
void report(const char *key, u64 value);
void report_indexed(const char *prefix, u32 index, const char *key, u64 value);
u64 host_time_ns(void);
void panic(const char *msg) __noreturn;
void host_exit(int code) __noreturn;
/* Tells the host the workload reached point `id` (PHASE_*); the host may act before it returns. */
void host_phase(u32 id, u64 arg);
/* A long-running loop's note that it is at a point outside any trampoline (cond_resched_tasks_rcu_qs). */
void rcu_tasks_qs(void);
#define PHASE_RUN_START 1 /* a run begins: nothing of it has been created yet */
#define PHASE_RUN_END 2   /* every task of the run has exited */
#define PHASE_RUN_GO 3    /* hackbench: every task is ready; GO follows */
#define PHASE_OOPS 4      /* an unexpected exception: oops_info is filled, nothing printed yet */

/* ---- GIC and timer -------------------------------------------------------- */
#define SGI_RESCHEDULE 1
#define INTID_VTIMER 27
#define INTID_SPURIOUS 1023
void send_ipi(u32 cpu, u32 sgi);
void timer_arm(u64 ticks);
void timer_disable(void);

/* ---- parameters (params.c) ----------------------------------------------- */
#include "params.h"

#endif
