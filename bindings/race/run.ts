// One race: the guest kernel's race workload (guest/kernel/race.c: tasks on
// every CPU calling the traced race_fn0..3 and checking each result, timer
// preemption on) while the host toggles a function tracer on those four
// functions with a strategy (strategies.ts) through the ftrace core. It ends
// at the first failure (an oops, a wrong result, or a hang the watchdog
// sees) or once every toggle is done and the tasks have stopped cleanly.
//
// threads: real worker CPUs; the toggles come from the host as fast as the
//   strategy allows, a stop-machine toggle pausing every CPU around it.
// deterministic: one thread steps the CPUs under a seeded schedule
//   (schedule.ts); toggles happen between slices, drawn from the same seed,
//   so (options, seed) replays the run instruction for instruction.

import { Machine } from '../machine/machine.ts';
import { optionChecks } from '../option-checks.ts';
import { MachineError } from '../machine/errors.ts';
import { Ftrace, FtraceError, PHASE } from '../ftrace/ftrace.ts';
import type { FtraceOps } from '../ftrace/ops.ts';
import { PATCHERS, type PatcherKind } from '../ftrace/patcher.ts';
import { disassemble } from '../isa/disasm.ts';
import { EV } from '../ftrace/layout.ts';
import { below, makeRng } from '../isa/random.ts';
import { yieldToHost } from '../host-yield.ts';
import { kernelImageFile, KernelImageError, readImage, setHbParams } from '../workload/kernel.ts';
import { RaceImageError, RaceProbe, RACE_FUNCTIONS } from './probe.ts';
import { Schedule, SEARCH_POLICIES, type ScheduleParams, type SearchPolicy } from './schedule.ts';
import { STRATEGY_NAMES, strategy as findStrategy, type StrategyName } from './strategies.ts';
import { Timeline, type TimelineEvent } from './timeline.ts';

export type RaceErrorCode = 'bad-option' | 'bad-token' | 'setup';

export class RaceError extends Error {
  override name = 'RaceError';
  constructor(readonly code: RaceErrorCode, message: string) {
    super(message);
  }
}

/**
 * bad-return: a traced race function entered ftrace_caller with X9 not
 * holding a return address into its caller (its first word ran as the old
 * instruction): the function will return there. The function tracer's
 * events carry X9 as the parent; the host checks each one.
 */
export type FailureKind = 'bad-return' | 'wild-pc' | 'undefined-instruction' | 'brk' | 'data-abort' | 'oops' | 'panic' | 'wrong-return' | 'hang';
const CRASHES: readonly FailureKind[] = ['bad-return', 'wild-pc', 'undefined-instruction', 'brk', 'data-abort', 'oops', 'panic'];

export interface RaceFailure {
  kind: FailureKind;
  cpu: number;
  pc: bigint;
  /** pc as symbol+offset, when it is in the image. */
  where: string | null;
  detail: string;
  timeline: TimelineEvent[];
}

export interface RaceOptions {
  strategy?: StrategyName;
  mode?: 'threads' | 'deterministic';
  /** CPUs, 2..8 (default 2). */
  cpus?: number;
  /** Toggles (an enable or a disable each); default 2000 in threads mode, 40 in deterministic mode. */
  toggles?: number;
  /** Racing tasks per CPU, 1..8 (default 2: a preempted task waits while the other runs). */
  tasks?: number;
  patcher?: PatcherKind;
  /** 'pfe2' (default), 'pfe42' or a kernel ELF file. */
  image?: string;
  /** Seed of the deterministic schedule and its toggles (default 1). */
  seed?: number;
  /** Timer period in counter ticks at 100 MHz, 1000..10^7 (default 20000: 200 us). */
  tick?: number;
  icache?: 'architectural' | 'coherent';
  /** Deterministic: how CPUs are chosen (schedule.ts); default 'random'. */
  policy?: SearchPolicy;
  /** Deterministic: mean slice length in instructions (default 64). */
  meanSlice?: number;
  /** Deterministic PCT: change points + 1 (default 3). */
  depth?: number;
  /** Deterministic: mean slices between toggles (default 400). */
  toggleEvery?: number;
  /** Events kept for the failure's timeline (default 24). */
  timeline?: number;
  /** Threads: ms without a call before the watchdog calls it a hang (default 5000). */
  watchdogMs?: number;
  /** Deterministic: guest instructions without a call before the watchdog calls it a hang (default 2 million). */
  watchdogInsns?: number;
}

export type RaceConfig = Required<Omit<RaceOptions, 'strategy'>> & { strategy: StrategyName };

export interface RaceResult {
  strategy: StrategyName;
  mode: 'threads' | 'deterministic';
  cpus: number;
  patcher: PatcherKind;
  /** Toggles done. */
  toggles: number;
  /** Checked calls the racers made. */
  calls: number;
  crashes: number;
  wrongReturns: number;
  hangs: number;
  cmodxViolations: number;
  cmodx: { allowed: number; quiescent: number; violation: number };
  found: RaceFailure | null;
  /** Guest instructions retired (all CPUs). */
  insns: number;
  seconds: number;
  config: RaceConfig;
}

/** Checks and completes race options; RaceError('bad-option') naming the first bad one. */
export function resolveRaceOptions(o: RaceOptions = {}): RaceConfig {
  const { int, oneOf } = optionChecks((m) => new RaceError('bad-option', m));
  const mode = oneOf('mode', o.mode ?? 'threads', ['threads', 'deterministic'] as const);
  const image = o.image ?? 'pfe2';
  if (typeof image !== 'string' || image === '') throw new RaceError('bad-option', 'image must be pfe2, pfe42 or a kernel ELF file');
  return {
    strategy: oneOf('strategy', o.strategy ?? 'v6-runtime', STRATEGY_NAMES),
    mode,
    cpus: int('cpus', o.cpus ?? 2, 2, 8),
    toggles: int('toggles', o.toggles ?? (mode === 'threads' ? 2000 : 40), 1, 10_000_000),
    tasks: int('tasks', o.tasks ?? 2, 1, 8),
    patcher: oneOf('patcher', o.patcher ?? 'host', PATCHERS),
    image,
    seed: int('seed', o.seed ?? 1, 0, 0xffffffff),
    tick: int('tick', o.tick ?? 20_000, 1000, 10_000_000),
    icache: oneOf('icache', o.icache ?? 'architectural', ['architectural', 'coherent'] as const),
    policy: oneOf('policy', o.policy ?? 'random', SEARCH_POLICIES),
    meanSlice: int('mean-slice', o.meanSlice ?? 64, 1, 1_000_000),
    depth: int('depth', o.depth ?? 3, 1, 64),
    toggleEvery: int('toggle-every', o.toggleEvery ?? 400, 1, 10_000_000),
    timeline: int('timeline', o.timeline ?? 24, 1, 10_000),
    watchdogMs: int('watchdog-ms', o.watchdogMs ?? 5000, 100, 600_000),
    watchdogInsns: int('watchdog-insns', o.watchdogInsns ?? 2_000_000, 10_000, 2 ** 40),
  };
}

/** The kernel's phase call from bad_exception (guest/kernel/kernel.h PHASE_OOPS). */
const PHASE_OOPS = 4n;
const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Runs one race; never throws for a guest failure (that is its `found`), RaceError for bad options or an unusable image. */
export async function runRace(options: RaceOptions = {}): Promise<RaceResult> {
  const cfg = resolveRaceOptions(options);
  const strat = findStrategy(cfg.strategy)!;
  let elf: Uint8Array;
  try {
    elf = readImage(kernelImageFile(cfg.image));
  } catch (err) {
    if (err instanceof KernelImageError) throw new RaceError('setup', err.message);
    throw new RaceError('setup', `cannot read ${cfg.image}: ${(err as Error).message}`);
  }
  const det = cfg.mode === 'deterministic';
  const schedule = det
    ? new Schedule(scheduleParams(cfg), cfg.cpus)
    : null;
  const log: string[] = [];
  const machine = await Machine.create({
    profile: 'kernel', cpus: cfg.cpus, mode: cfg.mode, seed: cfg.seed, icache: cfg.icache,
    schedule: schedule ?? undefined, log: (m) => log.push(m),
  });
  let probe: RaceProbe;
  let ft: Ftrace;
  try {
    machine.load(elf);
    setHbParams(machine, { workload: 4, runs: 1, loops: 0, tasks: cfg.tasks, preempt: 1, tick: cfg.tick });
    probe = new RaceProbe(machine);
    ft = Ftrace.attach(machine, { patcher: cfg.patcher, entry: strat.entry, sync: strat.sync, bufferKb: 16 });
  } catch (err) {
    if (err instanceof RaceImageError || err instanceof KernelImageError || err instanceof FtraceError) throw new RaceError('setup', err.message);
    if (err instanceof Error && err.name === 'LoadError') throw new RaceError('setup', `${cfg.image}: ${err.message}`);
    throw err;
  }
  const race = new RaceDriver(cfg, machine, ft, probe, log);
  return det ? race.runDeterministic(schedule!) : race.runThreads();
}

function scheduleParams(cfg: RaceConfig): ScheduleParams {
  return {
    policy: cfg.policy, seed: cfg.seed, meanSlice: cfg.meanSlice, depth: cfg.depth,
    // change points over the slices a run is expected to take
    horizon: cfg.toggles * cfg.toggleEvery,
    maxSkew: Math.max(cfg.tick * 4, 50_000),
  };
}

/** The words of each race function's entry the host watches: [entry, call site] per function. */
interface WatchedWord {
  addr: bigint;
  fn: string;
  offset: bigint;
  word: number;
}

class RaceDriver {
  private readonly timeline: Timeline;
  /** Per CPU: its calls counter when last seen, and the timeline's event number then (a hang's timeline ends there). */
  private readonly beats: bigint[];
  private readonly beatSeq: number[];
  private windowEnd: number | null = null;
  private readonly watched: WatchedWord[];
  private readonly sites: { fn: string; entry: bigint; ip: bigint }[];
  private ops: FtraceOps | null = null;
  private toggles = 0;
  private started = false;
  private stopping = false;
  private failure: RaceFailure | null = null;
  private retired = 0;
  private lastCalls = 0n;
  private lastProgress = 0;
  private readonly t0 = performance.now();
  private readonly task: number[];
  private readonly ticks: bigint[];
  private readonly sym: (a: bigint) => string | null;
  /** The only caller of the race functions: every traced call's X9 must return into it. */
  private readonly caller: { start: bigint; end: bigint };

  constructor(
    private readonly cfg: RaceConfig,
    private readonly machine: Machine,
    private readonly ft: Ftrace,
    private readonly probe: RaceProbe,
    private readonly log: string[],
  ) {
    this.timeline = new Timeline(Math.max(4096, cfg.timeline));
    this.beatSeq = new Array<number>(cfg.cpus).fill(0);
    this.beats = new Array<bigint>(cfg.cpus).fill(0n);
    const img = machine.image!;
    const names = ft.symbolizer(); // the image's symbols and the generated trampolines'
    this.sym = (a) => {
      const s = names(a);
      return s ? (s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name) : null;
    };
    this.sites = ft.records.filter((r) => (RACE_FUNCTIONS as readonly string[]).includes(r.fn)).map((r) => ({ fn: r.fn, entry: r.entry, ip: r.ip }));
    if (this.sites.length !== RACE_FUNCTIONS.length) throw new RaceError('setup', 'the image\'s race functions have no patchable entries');
    this.watched = this.sites.flatMap((s) => [s.entry, s.ip].map((addr) => ({ addr, fn: s.fn, offset: addr - s.entry, word: machine.mem.u32(addr) })));
    const racer = img.symbols.find((x) => x.name === 'racer' && x.size > 0n);
    if (!racer) throw new RaceError('setup', 'the image has no racer function: not a patchlab kernel with the race workload');
    this.caller = { start: racer.value, end: racer.value + racer.size };
    this.task = new Array<number>(cfg.cpus).fill(-1);
    this.ticks = new Array<bigint>(cfg.cpus).fill(0n);
    ft.onPatch = (sites, phase) => {
      for (const p of sites) {
        const w = this.watched.find((x) => x.addr === p.addr);
        if (!w) continue;
        this.add(null, 'write', `${w.fn}+${w.offset}: ${disassemble(p.expectedOld >>> 0, p.addr, this.sym)} -> ${disassemble(p.newWord >>> 0, p.addr, this.sym)} (${phase} phase)`);
        w.word = p.newWord >>> 0;
      }
    };
    machine.onPhase(({ cpu, args }) => {
      if (args[0] === PHASE.runStart) {
        this.started = true;
        this.lastProgress = this.now();
      } else if (args[0] === PHASE_OOPS) this.onOops(Number(args[1] ?? BigInt(cpu)));
      return 0;
    });
  }

  private now(): number {
    return this.cfg.mode === 'deterministic' ? this.retired : performance.now() - this.t0;
  }

  private add(cpu: number | null, kind: TimelineEvent['kind'], text: string): void {
    this.timeline.add({ at: this.now(), cpu, kind, text });
  }

  private where(a: bigint): string {
    const s = this.sym(a);
    return s ? `${hex(a)} <${s}>` : hex(a);
  }

  /** Records the watched words that changed since the last look (the guest patcher's stores), as writes by CPU `who`. */
  private noteWrites(who: number): void {
    for (const w of this.watched) {
      const now = this.machine.mem.u32(w.addr);
      if (now === w.word) continue;
      this.add(who, 'write', `${w.fn}+${w.offset}: ${disassemble(w.word, w.addr)} -> ${disassemble(now, w.addr, this.sym)}`);
      w.word = now;
    }
  }

  /** The kernel's PHASE_OOPS call from the failing CPU, before its console output: its last branches are intact. */
  private onOops(cpu: number): void {
    const info = this.probe.oopsInfo();
    const { branches } = this.machine.peekCpu(cpu);
    // the branches that led to the exception: up to the vector entry, the last few before it
    const tail = branches.slice(-12);
    for (const [from, to] of tail) this.add(cpu, 'branch', `${this.where(from)} -> ${this.where(to)}`);
    if (info) this.failure ??= this.oopsFailure(info);
  }

  private oopsFailure(info: NonNullable<ReturnType<RaceProbe['oopsInfo']>>): RaceFailure {
    const ec = info.ec;
    const kind: FailureKind = ec === 0x20 || ec === 0x21 || ec === 0x22 ? 'wild-pc'
      : ec === 0x00 ? 'undefined-instruction'
      : ec === 0x3c ? 'brk'
      : ec === 0x24 || ec === 0x25 ? 'data-abort'
      : 'oops';
    const detail = `ESR 0x${info.esr.toString(16)} (EC 0x${ec.toString(16)}) ELR ${this.where(info.elr)} FAR ${hex(info.far)} LR ${this.where(info.lr)} task ${info.task}`;
    this.add(info.cpu, 'fault', `${kind}: ${detail}`);
    return { kind, cpu: info.cpu, pc: info.elr, where: this.sym(info.elr), detail, timeline: [] };
  }

  private fail(f: Omit<RaceFailure, 'timeline'>): void {
    if (this.failure) return;
    this.failure = { ...f, timeline: [] };
    void this.machine.terminate();
  }

  /** The tracer's new events of `cpu` (or every CPU): each traced call's parent (X9) must be in the caller. */
  private checkEvents(cpu?: number): void {
    for (const ev of this.ft.takeEvents(cpu)) {
      if (this.failure) return;
      if (ev.type !== EV.function || (ev.arg >= this.caller.start && ev.arg < this.caller.end)) continue;
      const fn = this.sym(ev.ip) ?? hex(ev.ip);
      const text = `${fn} entered ftrace_caller with X9 = ${this.where(ev.arg)}, not a return address in racer: it returns there (task ${ev.pid})`;
      this.add(ev.cpu, 'fault', text);
      this.fail({ kind: 'bad-return', cpu: ev.cpu, pc: ev.ip, where: this.sym(ev.ip), detail: text });
    }
  }

  /** The checks after each slice or host step: a bad X9, a wrong result, or no call for too long. */
  private check(cpu?: number): void {
    if (this.failure) return;
    this.checkEvents(cpu);
    if (this.failure) return;
    if (this.probe.errors > 0n) {
      const w = this.probe.wrongReturn();
      if (w) {
        const fn = this.probe.functions[RACE_FUNCTIONS.indexOf(w.fn as (typeof RACE_FUNCTIONS)[number])] ?? 0n;
        const text = `${w.fn} returned ${hex(w.got)}, expected ${hex(w.want)} (task ${w.task})`;
        this.add(w.cpu, 'wrong-return', text);
        this.fail({ kind: 'wrong-return', cpu: w.cpu, pc: fn, where: w.fn, detail: text });
        return;
      }
    }
    if (!this.started) return;
    const calls = this.probe.calls;
    const now = this.now();
    if (calls !== this.lastCalls) {
      this.lastCalls = calls;
      this.lastProgress = now;
      return;
    }
    const limit = this.cfg.mode === 'deterministic' ? this.cfg.watchdogInsns : this.cfg.watchdogMs;
    if (now - this.lastProgress > limit) {
      // the CPU that stopped making progress, at its last PC
      let cpu = 0;
      for (let c = 1; c < this.cfg.cpus; c++) if (this.probe.beat(c) < this.probe.beat(cpu)) cpu = c;
      const pc = this.machine.peekPc(cpu);
      const text = `no call for ${limit} ${this.cfg.mode === 'deterministic' ? 'instructions' : 'ms'}; cpu${cpu} at ${this.where(pc)}`;
      // the events around the hung CPU's last call, then the verdict
      this.windowEnd = Math.min(this.timeline.seq, this.beatSeq[cpu]! + 8);
      this.fail({ kind: 'hang', cpu, pc, where: this.sym(pc), detail: text });
    }
  }

  /** Ftrace has nothing in flight: the next toggle may start. */
  private settled(): boolean {
    this.ft.poll();
    return this.ft.waitingPhases === 0 && this.ft.outstandingPatches === 0;
  }

  /** Enables or disables the tracer on the race functions (the strategy's writes follow from the ftrace core). */
  private toggle(): void {
    if (this.ops) {
      this.ft.unregister(this.ops);
      this.ops = null;
      this.add(null, 'toggle', 'tracing off');
    } else {
      this.ops = this.ft.register({ kind: 'function', filter: ['race_fn*'] });
      this.add(null, 'toggle', 'tracing on');
    }
    this.toggles++;
  }

  /** After each deterministic slice: timeline, checks, and maybe the next toggle. */
  private afterSlice(cpu: number, retired: number, rng: () => number): void {
    this.retired += retired;
    const pc = this.machine.peekPc(cpu);
    // guest writes (the guest patcher) show up as changed words after its slice
    this.noteWrites(cpu);
    const task = this.probe.currentTask(cpu), ticks = this.probe.ticks(cpu);
    if (ticks !== this.ticks[cpu]) {
      if (this.ticks[cpu] !== 0n || ticks > 1n) this.add(cpu, 'irq', ticks - this.ticks[cpu]! === 1n ? 'timer interrupt' : `${ticks - this.ticks[cpu]!} timer interrupts`);
      this.ticks[cpu] = ticks;
    }
    if (task !== this.task[cpu]) {
      if (this.task[cpu]! >= 0) this.add(cpu, 'switch', `task ${this.task[cpu]} -> task ${task}${task === 0 ? ' (idle)' : ''}`);
      this.task[cpu] = task;
    }
    const beat = this.probe.beat(cpu);
    if (beat !== this.beats[cpu]) {
      this.beats[cpu] = beat;
      this.beatSeq[cpu] = this.timeline.seq;
    }
    for (const s of this.sites) {
      if (pc === s.ip) {
        this.add(cpu, 'site', `stopped between the words of ${s.fn}: ran ${disassemble(this.machine.mem.u32(s.entry))} at +0, next ${disassemble(this.machine.mem.u32(s.ip), s.ip, this.sym)} at +4`);
      }
    }
    this.check(cpu);
    if (this.failure || this.stopping || !this.started) return;
    if (this.toggles >= this.cfg.toggles) {
      if (this.settled()) {
        if (this.ops) this.toggle(); // end with tracing off
        else {
          this.stopping = true;
          this.probe.stop();
        }
      }
      return;
    }
    if (below(rng, this.cfg.toggleEvery) === 0 && this.settled()) this.toggle();
  }

  async runDeterministic(schedule: Schedule): Promise<RaceResult> {
    const rng = makeRng((this.cfg.seed ^ 0x5bd1e995) >>> 0);
    schedule.onSlice = (cpu, retired) => this.afterSlice(cpu, retired, rng);
    this.machine.start();
    const r = await this.machine.exited.catch((err: Error) => err);
    return this.result(r);
  }

  async runThreads(): Promise<RaceResult> {
    const m = this.machine;
    const stopMachine = findStrategy(this.cfg.strategy)!.sync === 'stop-machine';
    const twoPhase = this.cfg.patcher === 'guest' || findStrategy(this.cfg.strategy)!.sync === 'rcu-tasks';
    m.start();
    const ended = m.exited.then(() => true, () => true);
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    const rng = makeRng((this.cfg.seed ^ 0x5bd1e995) >>> 0);
    try {
      while (!this.started && m.status === 'running') await sleep(1);
      while (m.status === 'running' || m.status === 'paused') {
        // the host's own writes are logged as it makes them (ft.onPatch); the kernel's patcher task runs on the last CPU
        if (this.cfg.patcher === 'guest') this.noteWrites(m.ncpus - 1);
        this.check();
        if (this.failure) break;
        const want = this.toggles < this.cfg.toggles || this.ops !== null;
        if (!want) break;
        if (twoPhase) {
          // a guest patcher that does not finish in time is the watchdog's to report; a refusal is an error
          await this.ft.flush(this.cfg.watchdogMs).catch((err: Error) => {
            if (err instanceof FtraceError) throw err;
          });
          if (!this.settled()) {
            this.check();
            continue;
          }
        }
        if (m.status !== 'running') break;
        if (stopMachine) {
          await m.pause();
          if ((m.status as string) !== 'paused') break;
          try {
            this.toggle();
          } finally {
            m.resume();
          }
        } else this.toggle();
        // give the CPUs a moment between toggles, random so toggles land anywhere
        if (below(rng, 4) === 0) await sleep(0);
        else await yieldToHost();
      }
      if (!this.failure && (m.status === 'running' || m.status === 'paused')) {
        this.stopping = true;
        this.probe.stop();
        const t = performance.now();
        while ((m.status === 'running' || m.status === 'paused') && !this.failure) {
          if (performance.now() - t > this.cfg.watchdogMs) {
            this.lastProgress = -Infinity; // let the watchdog report where it hangs
          }
          this.check();
          if (await Promise.race([ended, sleep(5).then(() => false)])) break;
        }
      }
    } catch (err) {
      if (!(err instanceof MachineError) && !(err instanceof FtraceError)) throw err;
      this.log.push(err.message);
    }
    const r = await m.exited.catch((err: Error) => err);
    return this.result(r);
  }

  private result(r: Awaited<Machine['exited']> | Error): RaceResult {
    let found = this.failure;
    if (!found) {
      const oops = this.probe.oopsInfo();
      if (oops) found = this.oopsFailure(oops);
      else if (r instanceof Error) {
        found = { kind: 'hang', cpu: 0, pc: 0n, where: null, detail: `the machine failed: ${r.message}`, timeline: [] };
      } else if (r.end === 'fault' && r.fault) {
        const f = r.fault;
        found = { kind: f.kind === 'undefined-instruction' ? 'undefined-instruction' : 'wild-pc', cpu: f.cpu, pc: f.pc, where: this.sym(f.pc), detail: f.report.split('\n')[0]!, timeline: [] };
      } else if (r.end === 'exit' && r.exitCode !== 0 && this.probe.errors === 0n) {
        const line = r.stdout.split('\n').find((l) => l.includes('panic')) ?? `exit ${r.exitCode}`;
        found = { kind: 'panic', cpu: r.cpu ?? 0, pc: 0n, where: null, detail: line.trim(), timeline: [] };
      } else if (this.probe.errors > 0n) {
        this.check();
        found = this.failure;
      }
    }
    if (found) {
      const n = this.cfg.timeline;
      const timeline = this.windowEnd === null ? this.timeline.window(n) : [...this.timeline.window(n - 1, this.windowEnd)];
      if (this.windowEnd !== null) timeline.push({ at: this.now(), cpu: found.cpu, kind: 'hang', text: found.detail, count: 1 });
      found = { ...found, timeline };
    }
    const counts = this.machine.cmodx.counts;
    const kind = found?.kind;
    const res = r instanceof Error ? null : r;
    return {
      strategy: this.cfg.strategy,
      mode: this.cfg.mode,
      cpus: this.cfg.cpus,
      patcher: this.cfg.patcher,
      toggles: this.toggles,
      calls: Number(this.probe.calls),
      crashes: kind && CRASHES.includes(kind) ? 1 : 0,
      wrongReturns: kind === 'wrong-return' ? 1 : 0,
      hangs: kind === 'hang' ? 1 : 0,
      cmodxViolations: counts.violation,
      cmodx: { ...counts },
      found,
      insns: res ? Number(res.insns) : this.retired,
      seconds: (performance.now() - this.t0) / 1000,
      config: this.cfg,
    };
  }
}
