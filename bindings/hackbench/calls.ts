// How many prologues a hackbench message runs through: one more boot of the
// same hackbench in deterministic mode with ftrace's function profiler on
// every traceable function (bindings/ftrace/trace.ts), counting the calls
// between the run's start and end phases. Each such call enters a function
// through its patchable entry, so in mov-nop it executes one MOV X9, X30
// where nop-nop executes a NOP: this is the count of MOVs per message, the
// MOV's whole cost in instructions retired being 0 (both words are one
// instruction). The profiled boot is not one of the timed runs: tracing
// adds the trampoline's instructions, so its scheduling, and with it the
// calls of the scheduler and the locks, differ a little from theirs.

import { trace, TraceError } from '../ftrace/trace.ts';
import { HackbenchError, type HackbenchConfig } from './options.ts';

export interface TracedCalls {
  /** Seed of the profiled boot (deterministic mode). */
  seed: number;
  /** Calls of traceable functions from the run's start to its end (task creation and exit included). */
  calls: number;
  messages: number;
  /** calls / messages: MOV X9, X30 executed per message by mov-nop's prologues. */
  perMessage: number;
  /** Every function called, most calls first. */
  functions: { name: string; hits: number }[];
}

/** Counts the traced calls of one profiled boot with the experiment's sizes and image. */
export async function countTracedCalls(cfg: HackbenchConfig): Promise<TracedCalls> {
  let r;
  try {
    r = await trace({
      tracer: 'nop', profile: true, mode: 'deterministic', seed: cfg.seed, image: cfg.image, cpus: cfg.cpus,
      groups: cfg.groups, fds: cfg.fds, loops: cfg.loops, datasize: cfg.datasize, icache: cfg.icache,
    });
  } catch (err) {
    if (err instanceof TraceError) throw new HackbenchError(err.code === 'bad-option' ? 'bad-option' : 'guest-failed', `counting calls: ${err.message}`);
    throw err;
  }
  if (r.lost > 0) throw new HackbenchError('guest-failed', `counting calls: the profiled boot lost ${r.lost} events`);
  const rows = [...r.functions!].sort((a, b) => b.hits - a.hits || (a.name < b.name ? -1 : 1));
  const calls = rows.reduce((s, f) => s + f.hits, 0);
  const messages = r.workload.messages;
  return { seed: cfg.seed, calls, messages, perMessage: calls / messages, functions: rows.map((f) => ({ name: f.name, hits: f.hits })) };
}
