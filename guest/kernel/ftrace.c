/*
 * ftrace, the guest half: the ops list function the generated ftrace_caller
 * calls, the tracers' callbacks, the function_graph return hook, the
 * recursion guard and the per-CPU ring buffers. The host (bindings/ftrace/)
 * generates the trampolines, fills `ftrace_ctl`, builds the ops and their
 * filter hashes in guest memory and patches the call sites; everything that
 * happens on a traced call happens here, in guest instructions.
 *
 * A traced call, with MOV X9, X30 at every entry since boot:
 *
 *   fn+0  MOV X9, X30          parent's return address into x9
 *   fn+4  BL  ftrace_caller    builds a pt_regs frame, calls
 *                              ftrace_ops_list_func(ip, parent, op, regs)
 *                              -> each registered ops whose filter matches
 *   fn+8  ...                  ftrace_caller returns here with x30 = regs[30]
 *
 * Every function in this file is notrace: it runs inside the trampoline.
 * Callbacks run with IRQs masked, so a CPU's recursion bits, ring buffer and
 * profile table have one writer at a time.
 */
#include "kernel.h"

#define OFF(type, field) __builtin_offsetof(type, field)

struct ftrace_hash {
	u32 count;
	u32 mask;
	u32 shift;
	u32 pad;
	struct {
		u64 key;
		u64 value;
	} slot[];
};
_Static_assert(OFF(struct ftrace_hash, count) == HASH_COUNT, "hash");
_Static_assert(OFF(struct ftrace_hash, mask) == HASH_MASK, "hash");
_Static_assert(OFF(struct ftrace_hash, shift) == HASH_SHIFT, "hash");
_Static_assert(OFF(struct ftrace_hash, slot) == HASH_SLOTS, "hash");

struct ftrace_regs {
	u64 regs[31]; /* regs[30]: the traced function's return address */
	u64 sp;
	u64 pc;
	u64 pstate;
};
_Static_assert(OFF(struct ftrace_regs, sp) == REGS_SP, "regs");
_Static_assert(OFF(struct ftrace_regs, pc) == REGS_PC, "regs");
_Static_assert(sizeof(struct ftrace_regs) == REGS_SIZE, "regs");

typedef void (*ftrace_func_t)(u64 ip, u64 parent_ip, struct ftrace_ops *op, struct ftrace_regs *regs);

struct ftrace_ops {
	ftrace_func_t func;
	struct ftrace_ops *next;
	struct ftrace_hash *filter;
	struct ftrace_hash *notrace_hash;
	u32 flags;
	u32 id;
	u64 private;
	u64 reserved[2];
};
_Static_assert(OFF(struct ftrace_ops, next) == OPS_NEXT, "ops");
_Static_assert(OFF(struct ftrace_ops, filter) == OPS_FILTER, "ops");
_Static_assert(OFF(struct ftrace_ops, notrace_hash) == OPS_NOTRACE, "ops");
_Static_assert(OFF(struct ftrace_ops, flags) == OPS_FLAGS, "ops");
_Static_assert(OFF(struct ftrace_ops, private) == OPS_PRIVATE, "ops");
_Static_assert(sizeof(struct ftrace_ops) == OPS_SIZE, "ops");

struct fgraph {
	u32 kind;
	u32 pad;
	struct ftrace_hash *graph_hash;
	u64 reserved[2];
};
_Static_assert(OFF(struct fgraph, graph_hash) == FGRAPH_GRAPH_HASH, "fgraph");
_Static_assert(sizeof(struct fgraph) == FGRAPH_SIZE, "fgraph");

struct ftrace_event {
	u64 ts;
	u64 ip;
	u64 arg;
	u32 pid;
	u16 type;
	u16 depth;
};
_Static_assert(OFF(struct ftrace_event, pid) == EVENT_PID, "event");
_Static_assert(OFF(struct ftrace_event, type) == EVENT_TYPE, "event");
_Static_assert(sizeof(struct ftrace_event) == EVENT_SIZE, "event");

struct ftrace_prof {
	u64 hits;
	u64 total;
	unsigned __int128 sumsq;
};
_Static_assert(OFF(struct ftrace_prof, sumsq) == PROF_SUM_SQ_LO, "prof");
_Static_assert(sizeof(struct ftrace_prof) == PROF_SIZE, "prof");

struct ftrace_cpu {
	u64 head;
	u64 tail;
	u64 lost;
	u64 missed;
	struct ftrace_event *events;
	u32 mask;
	u32 recursion;
	struct ftrace_prof *profile;
	u64 calls;
	u64 overrun;
};
_Static_assert(OFF(struct ftrace_cpu, tail) == FCPU_TAIL, "fcpu");
_Static_assert(OFF(struct ftrace_cpu, events) == FCPU_EVENTS, "fcpu");
_Static_assert(OFF(struct ftrace_cpu, mask) == FCPU_MASK, "fcpu");
_Static_assert(OFF(struct ftrace_cpu, recursion) == FCPU_RECURSION, "fcpu");
_Static_assert(OFF(struct ftrace_cpu, profile) == FCPU_PROFILE, "fcpu");
_Static_assert(OFF(struct ftrace_cpu, calls) == FCPU_CALLS, "fcpu");
_Static_assert(OFF(struct ftrace_cpu, overrun) == FCPU_OVERRUN, "fcpu");
_Static_assert(sizeof(struct ftrace_cpu) <= FCPU_SIZE, "fcpu");

struct ftrace_ctl {
	u32 magic;
	u32 version;
	struct ftrace_ops *ops_list;
	struct ftrace_hash *rec_hash;
	u64 cpu_base;
	u32 cpu_stride;
	u32 nrecords;
	u64 return_to_handler;
	u32 ncpus;
	u32 ret_depth;
	u64 reserved[1];
};
_Static_assert(OFF(struct ftrace_ctl, ops_list) == CTL_OPS_LIST, "ctl");
_Static_assert(OFF(struct ftrace_ctl, rec_hash) == CTL_REC_HASH, "ctl");
_Static_assert(OFF(struct ftrace_ctl, cpu_base) == CTL_CPU_BASE, "ctl");
_Static_assert(OFF(struct ftrace_ctl, cpu_stride) == CTL_CPU_STRIDE, "ctl");
_Static_assert(OFF(struct ftrace_ctl, nrecords) == CTL_NRECORDS, "ctl");
_Static_assert(OFF(struct ftrace_ctl, return_to_handler) == CTL_RETURN_TO_HANDLER, "ctl");
_Static_assert(OFF(struct ftrace_ctl, ncpus) == CTL_NCPUS, "ctl");
_Static_assert(OFF(struct ftrace_ctl, ret_depth) == CTL_RET_DEPTH, "ctl");
_Static_assert(sizeof(struct ftrace_ctl) == CTL_SIZE, "ctl");

/* Written by the host after load() and before any CPU starts; ops_list changes while CPUs run. */
struct ftrace_ctl ftrace_ctl __attribute__((aligned(64)));

#define LOAD_ACQ(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)

static inline notrace struct ftrace_cpu *ftrace_this_cpu(void)
{
	return (struct ftrace_cpu *)(ftrace_ctl.cpu_base + (u64)this_cpu()->cpu * ftrace_ctl.cpu_stride);
}

/* The value stored for `key`, or -1 when the hash does not hold it. */
static notrace s64 hash_find(const struct ftrace_hash *h, u64 key)
{
	u32 i = (u32)(((key >> 2) * HASH_MULT) >> h->shift);
	for (;;) {
		u64 k = h->slot[i].key;
		if (k == key)
			return (s64)h->slot[i].value;
		if (k == 0)
			return -1;
		i = (i + 1) & h->mask;
	}
}

static inline notrace int hash_has(const struct ftrace_hash *h, u64 key)
{
	return h->count && hash_find(h, key) >= 0;
}

/* Does `op` trace the call site `ip`: in its filter (or no filter), and not in its notrace set. */
static notrace int ftrace_ops_test(const struct ftrace_ops *op, u64 ip)
{
	const struct ftrace_hash *filter = LOAD_ACQ(op->filter);
	const struct ftrace_hash *skip = LOAD_ACQ(op->notrace_hash);
	if (filter && filter->count && hash_find(filter, ip) < 0)
		return 0;
	return !(skip && hash_has(skip, ip));
}

/* Takes recursion bit `bit` of this CPU; 0 (and a missed count) when it is already held. */
static inline notrace int recursion_trylock(struct ftrace_cpu *fc, u32 bit)
{
	if (fc->recursion & bit) {
		fc->missed++;
		return 0;
	}
	fc->recursion |= bit;
	return 1;
}

static inline notrace void recursion_unlock(struct ftrace_cpu *fc, u32 bit) { fc->recursion &= ~bit; }

static inline notrace u64 trace_clock(void) { return read_cntvct(); }

/* Appends one event to this CPU's buffer, or counts it lost when the host has not drained it. */
static notrace void rb_write(struct ftrace_cpu *fc, u32 type, u32 depth, u64 ts, u64 ip, u64 arg)
{
	u64 head = fc->head;
	u64 tail = LOAD_ACQ(fc->tail);
	if (head - tail > fc->mask) {
		fc->lost++;
		return;
	}
	struct ftrace_event *e = &fc->events[head & fc->mask];
	e->ts = ts;
	e->ip = ip;
	e->arg = arg;
	e->pid = current()->id;
	e->type = (u16)type;
	e->depth = (u16)depth;
	__atomic_store_n(&fc->head, head + 1, __ATOMIC_RELEASE);
}

/*
 * What ftrace_caller and ftrace_regs_caller call: every registered ops whose
 * filter wants `ip`, in list order. The list is walked with acquire loads:
 * the host links a fully written ops in with one store.
 */
notrace void ftrace_ops_list_func(u64 ip, u64 parent_ip, struct ftrace_ops *unused, struct ftrace_regs *regs)
{
	(void)unused;
	u64 flags = local_irq_save();
	struct ftrace_cpu *fc = ftrace_this_cpu();
	if (recursion_trylock(fc, RECURSION_LIST)) {
		fc->calls++;
		for (struct ftrace_ops *op = LOAD_ACQ(ftrace_ctl.ops_list); op; op = LOAD_ACQ(op->next)) {
			if (ftrace_ops_test(op, ip))
				op->func(ip, parent_ip, op, regs);
		}
		recursion_unlock(fc, RECURSION_LIST);
	}
	local_irq_restore(flags);
}

/* The function tracer: one event per call with the caller's return address. */
notrace void function_trace_call(u64 ip, u64 parent_ip, struct ftrace_ops *op, struct ftrace_regs *regs)
{
	(void)op;
	(void)regs;
	u64 flags = local_irq_save();
	struct ftrace_cpu *fc = ftrace_this_cpu();
	if (recursion_trylock(fc, RECURSION_FUNC)) {
		rb_write(fc, EV_FUNCTION, 0, trace_clock(), ip, parent_ip);
		recursion_unlock(fc, RECURSION_FUNC);
	}
	local_irq_restore(flags);
}

/*
 * function_graph and the profiler: at entry, push the real return address on
 * the task's return stack and point regs[30] at return_to_handler, so the
 * traced function returns there (ftrace_return_to_handler pops it).
 *
 * The depth of a hooked call is one more than that of the nearest
 * function_graph entry below it on the stack, whichever ops made it (0 when
 * there is none): the events of several function_graph ops nest as one
 * trace. With a set_graph_function hash, a call is hooked only inside the
 * scope of one of those functions, that is when an entry of the same ops is
 * below it or the function is one of them. No per-ops state lives in the
 * task, so an ops that is gone leaves nothing behind but its own entries.
 */
notrace void fgraph_entry_call(u64 ip, u64 parent_ip, struct ftrace_ops *op, struct ftrace_regs *regs)
{
	(void)parent_ip;
	u64 flags = local_irq_save();
	struct ftrace_cpu *fc = ftrace_this_cpu();
	if (!recursion_trylock(fc, RECURSION_GRAPH))
		goto out;
	const struct fgraph *g = (const struct fgraph *)op->private;
	struct ftrace_task *ft = &current()->ftrace;
	s64 same = -1, graph = -1;
	for (s64 i = (s64)ft->curr - 1; i >= 0 && (same < 0 || graph < 0); i--) {
		struct ftrace_ops *o = ft->stack[i].op;
		if (same < 0 && o == op)
			same = i;
		if (graph < 0 && ((const struct fgraph *)o->private)->kind == FGRAPH_KIND_TRACE)
			graph = i;
	}
	u32 depth = graph >= 0 ? ft->stack[graph].depth + 1 : 0;
	if (same < 0 && g->graph_hash && g->graph_hash->count && hash_find(g->graph_hash, ip) < 0)
		goto unlock;
	u64 now = trace_clock();
	if (g->kind == FGRAPH_KIND_PROFILE) {
		s64 idx = hash_find(ftrace_ctl.rec_hash, ip);
		if (idx >= 0)
			fc->profile[idx].hits++;
	}
	if (ft->curr >= ftrace_ctl.ret_depth) {
		fc->overrun++;
		goto unlock;
	}
	struct ftrace_ret_entry *e = &ft->stack[ft->curr];
	e->ret = regs->regs[30];
	e->func = ip;
	e->calltime = now;
	e->sp = regs->sp;
	e->op = op;
	e->depth = depth;
	ft->curr++;
	if (g->kind == FGRAPH_KIND_TRACE)
		rb_write(fc, EV_GRAPH_ENTRY, depth, now, ip, 0);
	regs->regs[30] = ftrace_ctl.return_to_handler;
unlock:
	recursion_unlock(fc, RECURSION_GRAPH);
out:
	local_irq_restore(flags);
}

/*
 * Called by return_to_handler once a hooked function has returned, with the
 * SP it returned with: pops the task's newest entry (which must be this
 * call's: same SP as at entry), records the exit or the duration, and
 * returns the real return address.
 */
notrace u64 ftrace_return_to_handler(u64 sp)
{
	u64 flags = local_irq_save();
	u64 now = trace_clock();
	struct ftrace_cpu *fc = ftrace_this_cpu();
	struct ftrace_task *ft = &current()->ftrace;
	if (ft->curr == 0)
		panic("ftrace: return_to_handler with an empty return stack");
	struct ftrace_ret_entry *e = &ft->stack[--ft->curr];
	if (e->sp != sp)
		panic("ftrace: return stack out of step with the stack pointer");
	const struct fgraph *g = (const struct fgraph *)e->op->private;
	if (g->kind == FGRAPH_KIND_TRACE) {
		rb_write(fc, EV_GRAPH_EXIT, e->depth, now, e->func, e->calltime);
	} else {
		s64 idx = hash_find(ftrace_ctl.rec_hash, e->func);
		if (idx >= 0) {
			struct ftrace_prof *p = &fc->profile[idx];
			u64 d = now - e->calltime;
			p->total += d;
			p->sumsq += (unsigned __int128)d * d;
		}
	}
	u64 ret = e->ret;
	local_irq_restore(flags);
	return ret;
}

/* The stub ops' callback: a CALL_OPS site with no ops interested names it. */
notrace void ftrace_stub(u64 ip, u64 parent_ip, struct ftrace_ops *op, struct ftrace_regs *regs)
{
	(void)ip;
	(void)parent_ip;
	(void)op;
	(void)regs;
}

/*
 * livepatch's mechanism: the traced function is replaced by the function at
 * op->private. ftrace_regs_caller continues at regs->pc with the arguments
 * and the return address untouched, so the replacement returns to the caller.
 */
notrace void ftrace_redirect_call(u64 ip, u64 parent_ip, struct ftrace_ops *op, struct ftrace_regs *regs)
{
	(void)ip;
	(void)parent_ip;
	regs->pc = op->private;
}

/*
 * A callback that itself calls a traced function (strlen), as a careless
 * tracer would: the recursion guard must stop the nested call at the list
 * function. Counts its own runs in op->reserved[0].
 */
notrace void ftrace_recursing_call(u64 ip, u64 parent_ip, struct ftrace_ops *op, struct ftrace_regs *regs)
{
	(void)ip;
	(void)parent_ip;
	(void)regs;
	__atomic_add_fetch(&op->reserved[0], strlen("recursion") ? 1 : 0, __ATOMIC_RELAXED);
}
