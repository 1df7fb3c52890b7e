// The hackbench experiment: one fresh Machine boot of the guest kernel per
// run, prologues alternating run by run (A B A B ...) so that drift of the
// host (frequency, temperature, other load) falls on both alike, then per
// prologue summaries and the comparison of mov-nop against nop-nop: Welch's
// test of the two samples and the paired analysis of run k of each
// (paired.ts). With a target interval the experiment goes on pair by pair
// until the paired interval is narrow enough or the run limit is reached.

import { parseElf } from '../elf/index.ts';
import { installGuestPatcher } from '../ftrace/patcher.ts';
import { Machine } from '../machine/machine.ts';
import { kernelImageFile as workloadImageFile, KernelImageError, readImage, setHbParams } from '../workload/kernel.ts';
import { applyPrologue, countMovSites, prologueSites, type Prologue } from './prologue.ts';
import { HackbenchError, resolveOptions, type HackbenchConfig, type HackbenchOptions } from './options.ts';
import { compare, summarize, type Comparison } from './stats.ts';
import { halfWidthPercent, paired, type Paired } from './paired.ts';
import { countTracedCalls, type TracedCalls } from './calls.ts';
import { PHASE_RUN_END, PHASE_RUN_GO, runNoise, type CpuThreadNoise, type HostSample, type RunNoise } from './noise.ts';

export interface RunRecord {
  /** Position in the whole experiment (0-based, in boot order). */
  index: number;
  prologue: Prologue;
  /** Seed of the machine (matters in deterministic mode). */
  seed: number;
  /** GO to the last receiver's end by the guest's host-clock report (deterministic mode: the CPU counter). */
  seconds: number;
  /** The same interval by the virtual counter (CNTVCT at CNTFRQ). */
  vcntSeconds: number;
  /** Wall time of the whole boot, start() to exit. */
  bootSeconds: number;
  guestInstructions: number;
  /** Messages the receivers got (and checked). */
  messages: number;
  bytesChecked: number;
  /** Sites holding MOV X9, X30; NOP while this run ran. */
  movSites: number;
  /** Voluntary context switches (nvcsw) and timer preemptions (nivcsw). */
  contextSwitches: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
  ipis: number;
  timerTicks: number;
  /** Guest instructions per host second over the boot, in millions. */
  guestMips: number;
  /** Where host time and guest instructions went between GO and the end (noise.ts). */
  noise: RunNoise;
  /** noise.workInsns / messages. */
  workInsnsPerMessage: number;
  /** Under a cycle model, over the whole boot: busy cycles of all CPUs, instructions per busy cycle, predictor counts; else null. */
  timing: { cycles: number; ipc: number; branches: number; mispredicts: number; flushes: number } | null;
}

export interface PrologueRuns {
  name: Prologue;
  movSites: number;
  runs: RunRecord[];
  meanSeconds: number;
  stddevSeconds: number;
  minSeconds: number;
  medianSeconds: number;
  maxSeconds: number;
  meanGuestInstructions: number;
  insnsPerMessage: number;
  /** Mean over the runs of the work instructions (idle loops, spin waits and WFI/WFE waits taken out) per message. */
  workInsnsPerMessage: number;
  /** Means over the runs of the noise figures. */
  noise: NoiseSummary;
}

export interface NoiseSummary {
  /** Host seconds translating guest code inside the window. */
  translateSeconds: number;
  /** Share of the window's instructions retired by translated code. */
  translatedShare: number;
  /** Share of the window's wall time the CPU threads waited for a host core (mean over CPUs), null when unknown. */
  waitShare: number | null;
  /** Share of the window's wall time the CPU threads ran (mean over CPUs), null when unknown. */
  busyShare: number | null;
  idleInsnsPerMessage: number;
  spinInsnsPerMessage: number;
}

/** The paired analysis as the result carries it (the log ratios with it). */
export type PairedComparison = Omit<Paired, 'minDetectablePercent'>;

export type StopReason = 'runs' | 'target-ci' | 'max-runs';

export interface HackbenchResult {
  config: HackbenchConfig;
  image: { file: string; patchSites: number; entryOffsets: number[] };
  /** groups x fds x fds x loops */
  messagesPerRun: number;
  prologues: PrologueRuns[];
  /**
   * mov-nop relative to nop-nop (Welch's figures at the top level, the
   * paired ones under `paired`); null unless both were measured.
   */
  comparison: (Comparison & {
    of: 'mov-nop';
    relativeTo: 'nop-nop';
    paired: PairedComparison;
    /** The smallest difference this run could have seen at 80% power (paired, in percent). */
    minDetectablePercent: number;
  }) | null;
  /** Why the experiment stopped: the fixed run count, the target interval reached, or the run limit. */
  stoppedBy: StopReason;
  /** With countCalls: traced calls per message from one profiled boot (calls.ts); else null. */
  tracedCalls: TracedCalls | null;
  /** Wall time of the whole experiment. */
  totalSeconds: number;
}

/** The state of the paired interval after a completed pair, for progress displays. */
export interface IntervalStatus {
  pairs: number;
  ci95Percent: [number, number];
  halfWidthPercent: number;
}

export interface HackbenchHooks {
  /**
   * Called before the first boot and after each run (for progress
   * displays); `total` is the most runs the experiment may take, `interval`
   * the paired interval so far once two pairs are in.
   */
  onRun?: (done: number, total: number, run: RunRecord | null, interval: IntervalStatus | null) => void;
  /** Guest warnings and fault reports. Default: dropped into the error of a failed run. */
  log?: (message: string) => void;
}

/** The file of a kernel image name ('pfe2', 'pfe42') or the path given. */
export function kernelImageFile(image: string): string {
  try {
    return workloadImageFile(image);
  } catch (err) {
    if (err instanceof KernelImageError) throw new HackbenchError('bad-option', err.message);
    throw err;
  }
}

async function oneRun(cfg: HackbenchConfig, elf: Uint8Array, prologue: Prologue, index: number, seed: number, hooks: HackbenchHooks): Promise<RunRecord> {
  const log: string[] = [];
  const machine = await Machine.create({
    profile: 'kernel',
    cpus: cfg.cpus,
    mode: cfg.mode,
    seed,
    icache: cfg.icache,
    quantum: cfg.quantum ?? undefined,
    jitThreshold: cfg.jitThreshold ?? undefined,
    timing: cfg.timing,
    log: (m) => (hooks.log ? hooks.log(m) : log.push(m)),
  });
  machine.load(elf);
  try {
    setHbParams(machine, {
      workload: 0, groups: cfg.groups, fds: cfg.fds, loops: cfg.loops, datasize: cfg.datasize, runs: 1, preempt: cfg.preempt ? 1 : 0,
      hb_warmup: cfg.warmup,
    });
  } catch (err) {
    if (err instanceof KernelImageError) throw new HackbenchError('bad-option', err.message);
    throw err;
  }
  const guest = cfg.patcher === 'guest' ? installGuestPatcher(machine) : undefined;
  const applied = applyPrologue(machine, prologue, guest);
  const sites = prologueSites(machine.image!).length;
  const movSites = guest ? (prologue === 'mov-nop' ? sites : 0) : applied.movSites;
  const samples = new Map<bigint, HostSample>();
  machine.onPhase(({ args }) => {
    if (args[0] === PHASE_RUN_GO || args[0] === PHASE_RUN_END) samples.set(args[0], { atMs: performance.now(), perCpu: machine.counters() });
    return 0;
  });
  machine.start();
  const r = await machine.exited;
  const rep = (k: string) => Number(r.reports.get(k) ?? 0n);
  const what = `run ${index} (${prologue}, seed ${seed})`;
  if (r.end !== 'exit' || r.exitCode !== 0) {
    const out = [r.stdout.trim(), ...log].filter(Boolean).join('\n');
    throw new HackbenchError('guest-failed', `${what}: the guest ended with ${r.end} ${r.exitCode ?? ''}${out ? `:\n${out}` : ''}`);
  }
  const expected = cfg.groups * cfg.fds * cfg.fds * cfg.loops;
  const messages = rep('messages');
  if (messages !== expected || rep('check_errors') !== 0) {
    throw new HackbenchError('message-count',
      `${what}: receivers got ${messages} messages (${rep('check_errors')} check errors), expected ${expected}`);
  }
  const after = countMovSites(machine.mem, prologueSites(machine.image!));
  if (after !== movSites) throw new HackbenchError('text-changed', `${what}: ${movSites} MOV sites expected during the run, ${after} after`);
  const refused = guest?.collect() ?? [];
  if (refused.length) throw new HackbenchError('text-changed', `${what}: the guest patcher refused ${refused.length} MOV writes (first at 0x${refused[0]!.addr.toString(16)})`);
  const go = samples.get(PHASE_RUN_GO), end = samples.get(PHASE_RUN_END);
  if (!go || !end) throw new HackbenchError('guest-failed', `${what}: the kernel did not report its GO and end phases (an older image?)`);
  const noise = runNoise(go, end, rep, cfg.mode === 'deterministic');
  const nvcsw = rep('nvcsw'), nivcsw = rep('nivcsw');
  return {
    index,
    prologue,
    seed,
    seconds: rep('time_ns') / 1e9,
    vcntSeconds: rep('vcnt_ns') / 1e9,
    bootSeconds: r.seconds,
    guestInstructions: Number(r.insns),
    messages,
    bytesChecked: rep('bytes_checked'),
    movSites,
    contextSwitches: nvcsw + nivcsw,
    voluntarySwitches: nvcsw,
    involuntarySwitches: nivcsw,
    ipis: rep('ipi_sent'),
    timerTicks: rep('ticks'),
    guestMips: r.mips,
    noise,
    workInsnsPerMessage: noise.workInsns / messages,
    timing: r.timing && {
      cycles: Number(r.timing.cycles),
      ipc: r.timing.ipc,
      branches: r.perCpu.reduce((s, c) => s + Number(c.timing!.branches), 0),
      mispredicts: r.perCpu.reduce((s, c) => s + Number(c.timing!.mispredicts), 0),
      flushes: r.perCpu.reduce((s, c) => s + Number(c.timing!.flushes), 0),
    },
  };
}

/**
 * Runs the experiment: `runs` boots per prologue, alternating. Throws
 * HackbenchError for bad options (before anything runs) and for a run that
 * fails its checks.
 */
export async function hackbench(options: HackbenchOptions = {}, hooks: HackbenchHooks = {}): Promise<HackbenchResult> {
  const cfg = resolveOptions(options);
  const file = kernelImageFile(cfg.image);
  const elf = readImage(file);
  const t0 = performance.now();
  const np = cfg.prologues.length;
  const limit = cfg.maxRuns ?? cfg.runs;
  const total = limit * np;
  const byName = new Map<Prologue, RunRecord[]>(cfg.prologues.map((p) => [p, []]));
  const pairedNow = (): Paired | null => {
    const a = byName.get('nop-nop'), b = byName.get('mov-nop');
    if (!a || !b) return null;
    const n = Math.min(a.length, b.length);
    return n < 2 ? null : paired(a.slice(0, n).map((r) => r.seconds), b.slice(0, n).map((r) => r.seconds));
  };
  let stoppedBy: StopReason = cfg.targetCi === null ? 'runs' : 'max-runs';
  hooks.onRun?.(0, total, null, null);
  for (let i = 0; i < total; i++) {
    const pair = Math.floor(i / np);
    const prologue = cfg.prologues[i % np]!;
    const run = await oneRun(cfg, elf, prologue, i, cfg.seed + pair, hooks);
    byName.get(prologue)!.push(run);
    const complete = (i + 1) % np === 0;
    const p = complete ? pairedNow() : null;
    const interval = p ? { pairs: p.pairs, ci95Percent: p.ci95Percent, halfWidthPercent: halfWidthPercent(p) } : null;
    hooks.onRun?.(i + 1, total, run, interval);
    if (cfg.targetCi !== null && interval && interval.pairs >= cfg.runs && interval.halfWidthPercent <= cfg.targetCi) {
      stoppedBy = 'target-ci';
      break;
    }
  }
  const sites = prologueSites(parseElf(elf));
  const messagesPerRun = cfg.groups * cfg.fds * cfg.fds * cfg.loops;
  const prologues = cfg.prologues.map((name): PrologueRuns => {
    const runs = byName.get(name)!;
    const s = summarize(runs.map((r) => r.seconds));
    const insns = summarize(runs.map((r) => r.guestInstructions)).mean;
    const mov = new Set(runs.map((r) => r.movSites));
    if (mov.size !== 1) throw new HackbenchError('text-changed', `${name}: runs held ${[...mov].join(', ')} MOV sites`);
    const avg = (f: (r: RunRecord) => number) => runs.reduce((s, r) => s + f(r), 0) / runs.length;
    const shares = (f: (c: CpuThreadNoise) => number) =>
      runs.every((r) => r.noise.cpuThreads) ? avg((r) => r.noise.cpuThreads!.reduce((s, c) => s + f(c), 0) / r.noise.cpuThreads!.length) : null;
    return {
      name,
      movSites: runs[0]!.movSites,
      runs,
      meanSeconds: s.mean,
      stddevSeconds: s.stddev,
      minSeconds: s.min,
      medianSeconds: s.median,
      maxSeconds: s.max,
      meanGuestInstructions: insns,
      insnsPerMessage: insns / messagesPerRun,
      workInsnsPerMessage: avg((r) => r.workInsnsPerMessage),
      noise: {
        translateSeconds: avg((r) => r.noise.translateSeconds),
        translatedShare: avg((r) => (r.noise.windowInsns > 0 ? r.noise.translatedInsns / r.noise.windowInsns : 0)),
        waitShare: shares((c) => c.waitShare),
        busyShare: shares((c) => c.busyShare),
        idleInsnsPerMessage: avg((r) => r.noise.idleInsns / r.messages),
        spinInsnsPerMessage: avg((r) => r.noise.spinInsns / r.messages),
      },
    };
  });
  const nop = byName.get('nop-nop'), mov = byName.get('mov-nop');
  let comparison: HackbenchResult['comparison'] = null;
  if (nop && mov) {
    const { minDetectablePercent, ...pairedFigures } = pairedNow()!;
    comparison = {
      ...compare(nop.map((r) => r.seconds), mov.map((r) => r.seconds)),
      of: 'mov-nop',
      relativeTo: 'nop-nop',
      paired: pairedFigures,
      minDetectablePercent,
    };
  }
  return {
    config: cfg,
    image: { file, patchSites: sites.length, entryOffsets: [...new Set(sites.map((s) => Number(s.entry - s.site)))] },
    messagesPerRun,
    prologues,
    comparison,
    stoppedBy,
    tracedCalls: cfg.countCalls ? await countTracedCalls(cfg) : null,
    totalSeconds: (performance.now() - t0) / 1000,
  };
}
