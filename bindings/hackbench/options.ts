// Options of the hackbench experiment: defaults (the real hackbench's sizes,
// every host core, 20 runs per prologue, both prologues) and their checks.

import { hostCores } from '../host-cores.ts';
import type { IcacheModel, Mode } from '../machine/types.ts';
import { PATCHERS, type PatcherKind } from '../ftrace/patcher.ts';
import { PROLOGUES, type Prologue } from './prologue.ts';
import { optionChecks } from '../option-checks.ts';
import { TIMING_NAMES, type TimingName } from '../timing/models.ts';

export type HackbenchErrorCode =
  /** An option is out of range or of the wrong kind. */
  | 'bad-option'
  /** The guest did not exit cleanly (fault, check failure, bad parameter block). */
  | 'guest-failed'
  /** The receivers did not get groups x fds x fds x loops messages. */
  | 'message-count'
  /** The prologue words changed while the guest ran. */
  | 'text-changed';

export class HackbenchError extends Error {
  override name = 'HackbenchError';
  constructor(readonly code: HackbenchErrorCode, message: string) {
    super(message);
  }
}

export { KERNEL_IMAGES, type KernelImageName } from '../workload/kernel.ts';

export interface HackbenchOptions {
  /** Emulated CPUs, 1..64. Default: the host's available parallelism (at most 64). */
  cpus?: number;
  /** Groups of fds receivers and fds senders. Default 10. */
  groups?: number;
  /** Receivers (and senders) per group. Default 20. */
  fds?: number;
  /** Messages each sender writes to each receiver of its group. Default 100. */
  loops?: number;
  /** Bytes per message, 8..4096. Default 100. */
  datasize?: number;
  /** Boots per prologue. Default 20. */
  runs?: number;
  /** Prologues to measure, in the order runs alternate. Default both: nop-nop, mov-nop. */
  prologues?: readonly Prologue[];
  /** Default 'threads'. */
  mode?: Mode;
  /** Seed of the deterministic order; run pair k boots with seed + k. Default 1. */
  seed?: number;
  /** The kernel image: 'pfe2', 'pfe42', or a path to a kernel ELF. Default 'pfe2'. */
  image?: string;
  /** Passed to the Machine when given. */
  icache?: IcacheModel;
  quantum?: number;
  jitThreshold?: number;
  /** Timer preemption in the guest (default true). */
  preempt?: boolean;
  /**
   * Cycle model of every CPU (default 'none'): under 'a53' or 'a57' the
   * guest's clock runs on modelled cycles, so seconds are modelled seconds
   * (cycles at the model's frequency); best read in deterministic mode.
   */
  timing?: TimingName;
  /**
   * Who writes mov-nop's MOV X9, X30 before the run: the host before any CPU
   * starts, or the kernel itself at boot (CPU 0, the others waiting). Default 'host'.
   */
  patcher?: PatcherKind;
  /**
   * Loops of an untimed hackbench run in each boot before the timed one
   * (same groups and fds), so the hot code is translated before GO. Default 0.
   */
  warmup?: number;
  /**
   * Run pairs until the paired 95% interval's half-width is at most this
   * many percent (or maxRuns runs of each prologue are done); `runs` is then
   * the fewest runs of each before the interval is looked at (default 3).
   * Needs both prologues.
   */
  targetCi?: number;
  /** With targetCi: the most runs of each prologue (default 100). */
  maxRuns?: number;
  /**
   * Also count the calls of traceable functions per message in one more,
   * profiled boot (deterministic mode): the MOVs per message mov-nop runs. Default false.
   */
  countCalls?: boolean;
}

/** Every parameter, defaults resolved. */
export interface HackbenchConfig {
  cpus: number;
  groups: number;
  fds: number;
  loops: number;
  datasize: number;
  runs: number;
  prologues: Prologue[];
  mode: Mode;
  seed: number;
  image: string;
  icache: IcacheModel;
  quantum: number | null;
  jitThreshold: number | null;
  preempt: boolean;
  timing: TimingName;
  patcher: PatcherKind;
  warmup: number;
  targetCi: number | null;
  maxRuns: number | null;
  countCalls: boolean;
}

export const HACKBENCH_DEFAULTS = {
  groups: 10,
  fds: 20,
  loops: 100,
  datasize: 100,
  runs: 20,
  /** The fewest runs per prologue before a target interval is checked. */
  targetCiRuns: 3,
  maxRuns: 100,
  warmup: 0,
  mode: 'threads' as Mode,
  seed: 1,
  image: 'pfe2',
  icache: 'architectural' as IcacheModel,
};

export function defaultCpus(): number {
  return Math.max(1, Math.min(64, hostCores()));
}



const { int, oneOf } = optionChecks((m) => new HackbenchError('bad-option', m));

/** Resolves defaults and checks every option (HackbenchError 'bad-option'). */
export function resolveOptions(o: HackbenchOptions = {}): HackbenchConfig {
  const d = HACKBENCH_DEFAULTS;
  const cpus = int('cpus', o.cpus ?? defaultCpus(), 1, 64);
  const groups = int('groups', o.groups ?? d.groups, 1, 256);
  const fds = int('fds', o.fds ?? d.fds, 1, 256);
  if (groups * fds * 2 > 4096) {
    throw new HackbenchError('bad-option', `groups x fds x 2 tasks must be at most 4096, got ${groups * fds * 2}`);
  }
  const loops = int('loops', o.loops ?? d.loops, 1, 1_000_000);
  const datasize = int('datasize', o.datasize ?? d.datasize, 8, 4096);
  const targetCi = o.targetCi === undefined ? null : o.targetCi;
  if (targetCi !== null && (typeof targetCi !== 'number' || !Number.isFinite(targetCi) || targetCi <= 0 || targetCi > 100)) {
    throw new HackbenchError('bad-option', `targetCi must be a number of percent in (0, 100], got ${String(targetCi)}`);
  }
  if (o.maxRuns !== undefined && targetCi === null) throw new HackbenchError('bad-option', 'maxRuns (--max-runs) needs targetCi (--target-ci): without a target interval the run count is runs');
  const runs = int('runs', o.runs ?? (targetCi === null ? d.runs : d.targetCiRuns), 1, 1000);
  const maxRuns = targetCi === null ? null : int('maxRuns', o.maxRuns ?? Math.max(d.maxRuns, runs), 2, 1000);
  if (maxRuns !== null && maxRuns < runs) throw new HackbenchError('bad-option', `maxRuns (--max-runs) must be at least runs (${runs}), got ${maxRuns}`);
  const prologues = [...(o.prologues ?? PROLOGUES)].map((p) => oneOf('prologue', p, PROLOGUES));
  if (prologues.length === 0) throw new HackbenchError('bad-option', 'at least one prologue is needed');
  if (new Set(prologues).size !== prologues.length) {
    throw new HackbenchError('bad-option', `each prologue may be named once, got ${prologues.join(',')}`);
  }
  if (prologues.length > 1 && runs < 2) {
    throw new HackbenchError('bad-option', `comparing prologues needs at least 2 runs of each, got ${runs}`);
  }
  if (targetCi !== null && prologues.length < 2) {
    throw new HackbenchError('bad-option', 'targetCi (--target-ci) is an interval of the comparison: it needs both prologues');
  }
  const mode = oneOf('mode', o.mode ?? d.mode, ['threads', 'deterministic'] as const);
  const seed = int('seed', o.seed ?? d.seed, 0, 0xffffffff - 1000);
  const image = o.image ?? d.image;
  if (typeof image !== 'string' || image === '') throw new HackbenchError('bad-option', 'image must be pfe2, pfe42 or a path to a kernel ELF');
  const icache = oneOf('icache', o.icache ?? d.icache, ['architectural', 'coherent'] as const);
  const quantum = o.quantum === undefined ? null : int('quantum', o.quantum, 1, 0x3fffffff);
  const jitThreshold = o.jitThreshold === undefined ? null : int('jitThreshold', o.jitThreshold, 0, 0x7fffffff);
  const preempt = o.preempt ?? true;
  if (typeof preempt !== 'boolean') throw new HackbenchError('bad-option', `preempt must be true or false, got ${String(preempt)}`);
  const timing = oneOf('timing', o.timing ?? 'none', TIMING_NAMES);
  const patcher = oneOf('patcher', o.patcher ?? 'host', PATCHERS);
  const warmup = int('warmup', o.warmup ?? d.warmup, 0, 1_000_000);
  const countCalls = o.countCalls ?? false;
  if (typeof countCalls !== 'boolean') throw new HackbenchError('bad-option', `countCalls must be true or false, got ${String(countCalls)}`);
  return {
    cpus, groups, fds, loops, datasize, runs, prologues, mode, seed, image, icache, quantum, jitThreshold, preempt, timing, patcher,
    warmup, targetCi, maxRuns, countCalls,
  };
}
