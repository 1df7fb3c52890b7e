// The hackbench experiment: one fresh Machine boot of the guest kernel per
// run, prologues alternating run by run (A B A B ...) so that drift of the
// host (frequency, temperature, other load) falls on both alike, then per
// prologue summaries and the comparison of mov-nop against nop-nop.

import { parseElf } from '../elf/index.ts';
import { installGuestPatcher } from '../ftrace/patcher.ts';
import { Machine } from '../machine/machine.ts';
import { kernelImageFile as workloadImageFile, KernelImageError, readImage, setHbParams } from '../workload/kernel.ts';
import { applyPrologue, countMovSites, prologueSites, type Prologue } from './prologue.ts';
import { HackbenchError, resolveOptions, type HackbenchConfig, type HackbenchOptions } from './options.ts';
import { compare, summarize, type Comparison } from './stats.ts';


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
}

export interface HackbenchResult {
  config: HackbenchConfig;
  image: { file: string; patchSites: number; entryOffsets: number[] };
  /** groups x fds x fds x loops */
  messagesPerRun: number;
  prologues: PrologueRuns[];
  /** mov-nop relative to nop-nop; null unless both were measured. */
  comparison: (Comparison & { of: 'mov-nop'; relativeTo: 'nop-nop' }) | null;
  /** Wall time of the whole experiment. */
  totalSeconds: number;
}

export interface HackbenchHooks {
  /** Called before each boot and after each run (for progress displays). */
  onRun?: (done: number, total: number, run: RunRecord | null) => void;
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
    log: (m) => (hooks.log ? hooks.log(m) : log.push(m)),
  });
  machine.load(elf);
  try {
    setHbParams(machine, {
      workload: 0, groups: cfg.groups, fds: cfg.fds, loops: cfg.loops, datasize: cfg.datasize, runs: 1, preempt: cfg.preempt ? 1 : 0,
    });
  } catch (err) {
    if (err instanceof KernelImageError) throw new HackbenchError('bad-option', err.message);
    throw err;
  }
  const guest = cfg.patcher === 'guest' ? installGuestPatcher(machine) : undefined;
  const applied = applyPrologue(machine, prologue, guest);
  const sites = prologueSites(machine.image!).length;
  const movSites = guest ? (prologue === 'mov-nop' ? sites : 0) : applied.movSites;
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
  const total = cfg.runs * cfg.prologues.length;
  const byName = new Map<Prologue, RunRecord[]>(cfg.prologues.map((p) => [p, []]));
  hooks.onRun?.(0, total, null);
  for (let i = 0; i < total; i++) {
    const pair = Math.floor(i / cfg.prologues.length);
    const prologue = cfg.prologues[i % cfg.prologues.length]!;
    const run = await oneRun(cfg, elf, prologue, i, cfg.seed + pair, hooks);
    byName.get(prologue)!.push(run);
    hooks.onRun?.(i + 1, total, run);
  }
  const sites = prologueSites(parseElf(elf));
  const messagesPerRun = cfg.groups * cfg.fds * cfg.fds * cfg.loops;
  const prologues = cfg.prologues.map((name): PrologueRuns => {
    const runs = byName.get(name)!;
    const s = summarize(runs.map((r) => r.seconds));
    const insns = summarize(runs.map((r) => r.guestInstructions)).mean;
    const mov = new Set(runs.map((r) => r.movSites));
    if (mov.size !== 1) throw new HackbenchError('text-changed', `${name}: runs held ${[...mov].join(', ')} MOV sites`);
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
    };
  });
  const nop = byName.get('nop-nop'), mov = byName.get('mov-nop');
  const comparison = nop && mov
    ? { ...compare(nop.map((r) => r.seconds), mov.map((r) => r.seconds)), of: 'mov-nop' as const, relativeTo: 'nop-nop' as const }
    : null;
  return {
    config: cfg,
    image: { file, patchSites: sites.length, entryOffsets: [...new Set(sites.map((s) => Number(s.entry - s.site)))] },
    messagesPerRun,
    prologues,
    comparison,
    totalSeconds: (performance.now() - t0) / 1000,
  };
}
