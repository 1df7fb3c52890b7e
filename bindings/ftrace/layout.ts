// The ftrace structures that the host, the generated trampolines and the
// guest kernel's C code (guest/kernel/ftrace.c) all read. This file is the
// one definition: `renderHeader()` prints guest/kernel/ftrace_layout.h from
// it (test/ftrace/layout.test.ts checks the committed header is current), and
// ftrace.c asserts its struct offsets against that header at compile time.
//
// Everything is little-endian; addresses are guest addresses (u64).
//
//   ftrace_ctl   (the kernel's .data symbol `ftrace_ctl`, written by the host)
//   ftrace_cpu   one block per CPU: ring buffer indices, lost and recursion
//                counts, pointers to that CPU's events and profile table
//   event        32 bytes in a CPU's ring buffer
//   ftrace_hash  open-addressing set of instruction addresses (u64 key, u64 value)
//   ftrace_ops   one registered ops: callback, list link, filter, notrace
//   fgraph       the private block of a function_graph / profiler ops
//   regs         the frame both trampolines build on the stack (pt_regs layout)

/** `ftrace_ctl.magic`: "FTRC" read as a little-endian u32. */
export const CTL_MAGIC = 0x43525446;
export const CTL_VERSION = 1;

/** struct ftrace_ctl */
export const CTL = {
  magic: 0, //           u32 CTL_MAGIC once the host has set everything up
  version: 4, //         u32 CTL_VERSION
  opsList: 8, //         u64 first registered ftrace_ops (0: none); the host links ops in and out atomically
  recHash: 16, //        u64 ftrace_hash: call-site address -> record index
  cpuBase: 24, //        u64 address of CPU 0's ftrace_cpu block
  cpuStride: 32, //      u32 bytes between two CPUs' blocks
  nrecords: 36, //       u32 records (the profile tables have this many entries)
  returnToHandler: 40, // u64 the generated return_to_handler (function_graph return hook)
  ncpus: 48, //          u32 CPUs with a block
  retDepth: 52, //       u32 return-stack entries per task the graph callbacks may use (<= RET_STACK_MAX)
  patchQueue: 56, //     u64 the guest patcher's request queue (0: the host patches)
  size: 64,
} as const;

/** struct ftrace_cpu: one per CPU, written by that CPU (except `tail`, the host's read index). */
export const FCPU = {
  head: 0, //      u64 events committed (release store after the event's bytes)
  tail: 8, //      u64 events the host has consumed
  lost: 16, //     u64 events dropped because the buffer was full
  missed: 24, //   u64 callbacks not run because this CPU was already inside one (recursion guard)
  events: 32, //   u64 address of this CPU's event array
  mask: 40, //     u32 capacity - 1 (the capacity is a power of two)
  recursion: 44, // u32 recursion bits (RECURSION_*)
  profile: 48, //  u64 address of this CPU's profile table (nrecords x PROF.size)
  calls: 56, //    u64 entries into the ops list function
  overrun: 64, //  u64 function_graph entries not hooked: the task's return stack was full
  size: 128,
} as const;

/** Bits of ftrace_cpu.recursion. */
export const RECURSION = { list: 1, func: 2, graph: 4, other: 8 } as const;

/** One ring-buffer event. */
export const EVENT = {
  ts: 0, //    u64 CNTVCT_EL0 ticks when the event was written
  ip: 8, //    u64 call-site address (the BL in the function's patchable entry)
  arg: 16, //  u64 function: the parent's return address; graph exit: the entry's timestamp
  pid: 24, //  u32 task id (0: the CPU's idle task)
  type: 28, // u16 EV_*
  depth: 30, // u16 function_graph nesting depth
  size: 32,
} as const;
export const EV = { function: 1, graphEntry: 2, graphExit: 3 } as const;

/** One profile-table entry: per CPU, per record. */
export const PROF = {
  hits: 0, //      u64 calls
  totalTicks: 8, // u64 sum of call durations (calls that returned through return_to_handler)
  sumSqLo: 16, //  u128 sum of squared durations, low half
  sumSqHi: 24, //  high half
  size: 32,
} as const;

/** struct ftrace_hash: a header, then (mask + 1) slots of { u64 key; u64 value }; key 0 is an empty slot. */
export const HASH = {
  count: 0, // u32 keys stored
  mask: 4, //  u32 slots - 1 (a power of two)
  shift: 8, // u32 64 - log2(slots): slot = (key >> 2) * HASH_MULT >> shift
  slots: 16,
  slotSize: 16,
} as const;
/** Multiplier of the slot hash (2^64 / golden ratio). */
export const HASH_MULT = 0x9e3779b97f4a7c15n;

/** struct ftrace_ops */
export const OPS = {
  func: 0, //    u64 callback: void (*)(u64 ip, u64 parent_ip, struct ftrace_ops *op, struct ftrace_regs *regs)
  next: 8, //    u64 next registered ops (0: end of the list)
  filter: 16, // u64 ftrace_hash of the functions it traces (0: every function)
  notrace: 24, // u64 ftrace_hash of the functions it never traces (0: none)
  flags: 32, //  u32 OPS_FL_*
  id: 36, //     u32 host-assigned id
  private: 40, // u64 callback data (fgraph block, redirect target)
  size: 64,
} as const;
export const OPS_FL = { enabled: 1, saveRegs: 2 } as const;

/** The private block of a function_graph or profiler ops. */
export const FGRAPH = {
  kind: 0, //      u32 FGRAPH_KIND_*
  graphHash: 8, // u64 ftrace_hash of set_graph_function (0: trace every call)
  size: 32,
} as const;
export const FGRAPH_KIND = { trace: 1, profile: 2 } as const;
/** Return-stack entries per task (the kernel's FTRACE_RETFUNC_DEPTH). */
export const RET_STACK_MAX = 50;

/**
 * The guest patcher's request queue: the host appends requests and advances
 * `head` (release); the kernel's patcher task applies each with
 * ftrace_modify_code, writes its result and advances `done`.
 */
export const PATCHQ = {
  head: 0, //     u64 requests written by the host
  done: 8, //     u64 requests the guest has completed (release store after the results)
  mask: 16, //    u32 capacity - 1 (a power of two)
  flags: 20, //   u32 PATCHQ_FL_*
  refused: 24, // u64 requests refused (expected word not found, or not kernel text)
  batches: 32, // u64 times the patcher emptied the queue
  ticks: 40, //   u64 CNTVCT ticks the patcher spent applying requests (on this machine: instructions it retired)
  gps: 48, //     u64 RCU-tasks grace periods completed (PREQ_OP.gracePeriod requests)
  reqs: 64, //    first request
  size: 64,
} as const;
export const PATCHQ_FL = {
  /** Leave out IC IVAU after the store (a deliberately broken text_poke, to show stale fetches). */
  skipIcIvau: 1,
  /** Do not interrupt the other CPUs after a batch (no kick_all_cpus_sync). */
  noKick: 2,
} as const;
/** One patch request. */
export const PREQ = {
  addr: 0, //   u64 the instruction's address
  old: 8, //    u32 the word it must hold
  new: 12, //   u32 the word to write
  result: 16, // s32 0, -EINVAL (it held something else: nothing written) or -EFAULT (not kernel text); 1 while pending
  cpu: 20, //   u32 the CPU that applied it
  seq: 24, //   u32 the request's sequence number (low 32 bits)
  op: 28, //    u32 PREQ_OP_*
  size: 32,
} as const;
/** What a request asks. */
export const PREQ_OP = {
  /** ftrace_modify_code(addr, old, new) */
  patch: 0,
  /**
   * synchronize_rcu_tasks(): returns once every task that was runnable when it
   * began (running or preempted) has switched voluntarily, slept or exited, and
   * every CPU's idle loop has gone round: nothing can still be inside a
   * trampoline taken out of use before the request.
   */
  gracePeriod: 1,
} as const;

/** The frame the trampolines build: the first 272 bytes of the kernel's struct pt_regs. */
export const REGS = {
  x: 0, //       x0..x30 at 8 x n; x[30] is the traced function's return address
  sp: 248, //    SP at the traced function's entry
  pc: 256, //    where the trampoline continues (the BL + 4, unless a callback changes it)
  pstate: 264, // NZCV | DAIF (ftrace_regs_caller only)
  size: 272,
} as const;

/** guest/kernel/ftrace_layout.h, generated from the tables above. */
export function renderHeader(): string {
  const lines: string[] = [
    '/* Generated from bindings/ftrace/layout.ts by renderHeader(): do not edit. */',
    '#ifndef FTRACE_LAYOUT_H',
    '#define FTRACE_LAYOUT_H',
    '',
    `#define FTRACE_CTL_MAGIC 0x${CTL_MAGIC.toString(16)}u`,
    `#define FTRACE_CTL_VERSION ${CTL_VERSION}u`,
  ];
  const table = (prefix: string, t: Record<string, number>) => {
    lines.push('');
    for (const [k, v] of Object.entries(t)) lines.push(`#define ${prefix}_${snake(k)} ${v}`);
  };
  table('CTL', CTL);
  table('FCPU', FCPU);
  table('RECURSION', RECURSION);
  table('EVENT', EVENT);
  table('EV', EV);
  table('PROF', PROF);
  table('HASH', HASH);
  lines.push(`#define HASH_MULT 0x${HASH_MULT.toString(16)}ul`);
  table('OPS', OPS);
  table('OPS_FL', OPS_FL);
  table('PATCHQ', PATCHQ);
  table('PATCHQ_FL', PATCHQ_FL);
  table('PREQ', PREQ);
  table('PREQ_OP', PREQ_OP);
  table('FGRAPH', FGRAPH);
  table('FGRAPH_KIND', FGRAPH_KIND);
  lines.push(`#define RET_STACK_MAX ${RET_STACK_MAX}`);
  table('REGS', REGS);
  lines.push('', '#endif', '');
  return lines.join('\n');
}

function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}
