// Public types of the Machine API.

import type { Fault } from '../oops.ts';
import type { HostThreadTimes, Platform } from './platform.ts';
import type { TimingName } from '../timing/models.ts';
import type { MemoCounts, TimingCounts } from '../timing/install.ts';

export type Profile = 'user' | 'kernel';
export type Mode = 'threads' | 'deterministic';
export type IcacheModel = 'architectural' | 'coherent';

/** A deterministic-mode scheduling policy (MachineOptions.schedule). */
export interface SchedulePolicy {
  /**
   * The CPU to run next, among `runnable` (CPU indices, never empty), given
   * every CPU's virtual counter, and how many instructions it may run (at
   * least 1; a due timer of an idle CPU may cut the slice short).
   */
  next(runnable: readonly number[], counters: readonly bigint[]): { cpu: number; insns: number };
  /** After each slice: the CPU, the instructions it retired, and why it stopped. */
  after?(cpu: number, retired: number, stoppedBy: 'budget' | 'idle' | 'stop'): void;
}

export interface MachineOptions {
  /** Number of CPUs, 1..64 (the user profile runs one). Default 1. */
  cpus?: number;
  /** Guest RAM in bytes, a multiple of 64 KiB up to 2 GiB. Default 256 MiB. */
  ramSize?: number;
  /** Default 'kernel'. */
  profile?: Profile;
  /** Default 'threads'. */
  mode?: Mode;
  /** Seed of the deterministic scheduler (a 32-bit unsigned integer). Default 1. */
  seed?: number;
  /**
   * 'architectural': a CPU sees modified instructions only where the
   * architecture promises it; 'coherent': every fetch re-checks the word.
   * Default 'architectural'.
   */
  icache?: IcacheModel;
  /**
   * Instructions per call into the core: the slice length in threads mode
   * (default 65536), the mean slice length in deterministic mode (default 4096).
   */
  quantum?: number;
  /**
   * Runs of a block head before its region is translated to Wasm (default
   * 64; 0 interprets everything). Translation never changes what the guest
   * sees: the same instructions retire in the same slices.
   */
  jitThreshold?: number;
  /**
   * Threads mode: how long every CPU must have waited for an interrupt that
   * nothing can send (no timer armed, no host call in flight, no wake-up)
   * before the run ends with a DEADLOCK MachineError, in ms; 0 turns the
   * watch off (a host that wakes CPUs later from a timer of its own).
   * Default 500. Deterministic mode sees a deadlock at once.
   */
  deadlockMs?: number;
  /**
   * Cycle model of every CPU (bindings/timing): 'none' (default) counts one
   * counter tick per instruction retired; 'a53' (in order) or 'a57' (out of
   * order) ticks the counter with modelled cycles at the model's frequency
   * (CNTFRQ), and every instruction is interpreted.
   */
  timing?: TimingName;
  /** Deterministic mode: record every slice as (cpu, instructions) in `machine.trace`. */
  trace?: boolean;
  /**
   * Deterministic mode: who runs next and for how long, instead of the
   * default (the lowest virtual counter, the seed's ties and lengths). For
   * schedule searches (bindings/race/explore.ts); its `after` hook runs
   * between slices, when the host may read and patch guest memory.
   */
  schedule?: SchedulePolicy;
  /** Guest console output as it happens (it is also collected into the result). */
  onOutput?: (fd: 1 | 2, data: Uint8Array, cpu: number) => void;
  /** Warnings and fault reports, one message per call. Default: console.warn. */
  log?: (message: string) => void;
  /** Host environment (worker threads); default: Node's worker_threads. */
  platform?: Platform;
  /** The compiled core (default: build/core.wasm); another build of it, or a stand-in for tests. */
  core?: WebAssembly.Module;
  /** Script run by each CPU thread; default: the bundled dist/machine-worker.js. */
  workerUrl?: URL;
}

export interface LoadOptions {
  /** User profile: argv (argv[0] included; default ['a.out']). */
  args?: readonly string[];
  /** User profile: environment strings. */
  env?: readonly string[];
}

export interface CpuCounters {
  cpu: number;
  /** Instructions retired. */
  insns: bigint;
  /** Synchronous exceptions taken to EL1. */
  exceptions: bigint;
  /** IRQs taken. */
  irqs: bigint;
  /** Instructions executed from a stale I-cache line. */
  stale: bigint;
  /** Decoded-instruction cache misses. */
  cacheMisses: bigint;
  /** Instructions retired by translated code (the rest were interpreted). */
  translatedInsns: bigint;
  /**
   * Time spent idle after WFI/WFE: host nanoseconds parked (threads mode), or
   * the counter ticks skipped while idle, in nanoseconds at CNTFRQ (deterministic mode).
   */
  idleNs: bigint;
  /**
   * Host nanoseconds spent translating guest code to Wasm: by this CPU's
   * thread (threads mode), or by the one thread that steps every CPU
   * (deterministic mode, the same figure for each CPU).
   */
  jitNs: bigint;
  /**
   * Ticks the virtual counter was moved forward while the CPU waited in
   * WFI/WFE (CNTVCT minus instructions retired, or minus modelled cycles under a model).
   */
  warpTicks: bigint;
  /** Under a cycle model: the cycles it modelled (busy cycles: idle time is warps) and its predictor's counts; else null. */
  timing: TimingCounts | null;
  /** Under a cycle model, what translated code's block memos did (host-side: the interpreter has none); else null. */
  memo: MemoCounts | null;
  /** threads mode: host CPU time of this CPU's thread so far, where the host tells it (Linux); else null. */
  hostThread: HostThreadTimes | null;
}

export type MachineEnd = 'exit' | 'fault' | 'terminated';

export interface MachineResult {
  end: MachineEnd;
  /** The exit code; 128 + signal after a fault; null when terminated. */
  exitCode: number | null;
  /** The CPU that called exit or faulted. */
  cpu?: number;
  fault?: Fault;
  perCpu: CpuCounters[];
  /** Values recorded by the report host call, by key. */
  reports: Map<string, bigint>;
  stdout: string;
  stderr: string;
  /** Host seconds from start() to the end. */
  seconds: number;
  /** threads mode: host seconds from start() until every CPU thread was stepping (thread start-up). */
  startupSeconds?: number;
  /** Instructions retired by all CPUs. */
  insns: bigint;
  /** Aggregate guest instructions per microsecond of host time. */
  mips: number;
  /** Under a cycle model: its name, the busy cycles of all CPUs and instructions per busy cycle; else null. */
  timing: { model: Exclude<TimingName, 'none'>; cycles: bigint; ipc: number } | null;
}
