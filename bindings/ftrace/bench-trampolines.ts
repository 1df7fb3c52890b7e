// `benchTrampolines(options)`: what one call of a traced function costs for
// R relevant ftrace ops (their filters hold the function) and I irrelevant
// ones (registered on functions that never run, so only a walk of the ops
// list visits them), for each trampoline design:
//
//   list      every site calls ftrace_caller, which calls ftrace_ops_list_func;
//             the list function tests every registered ops
//   dynamic   a trampoline per ops, called directly from a site that only
//             that ops wants
//   call-ops  a per-site ops pointer in the two words before the function
//             (the =4,2 image), read by a common trampoline
//
// The guest runs the call-loop workload (hb_params workload 3,
// guest/kernel/workloads.c): one task per CPU calls bench_target `warmup`
// times, then `loops` times timed, checking every return value. The ops
// are registered when the run starts (PHASE_RUN_START, before its task
// exists) and unregistered when it has ended (PHASE_RUN_END), as
// `patchlab trace` does.
//
// Two measurements:
//   insnsPerCall  deterministic mode, 1 CPU, timer off: a boot's instruction
//                 count is then a function of the image and its patches. The
//                 boot with the ops minus the same boot with no ops (R = I = 0),
//                 divided by every call of bench_target (warm-up included): exact.
//                 What the ops cost once per boot rather than per call (their
//                 registration, a grace period before a dynamic trampoline is
//                 freed) is taken out first: each boot is also run with no
//                 calls at all, and that boot's count subtracted (fixedInsns).
//   cyclesPerCall with a cycle model (timing a53 or a57), the same
//                 subtraction on the boots' modelled cycles: what a call
//                 costs on that pipeline (exact for the model; cycles do not
//                 add up as instructions do, so it is the cost in this loop).
//   nsPerCall     threads mode, 1 CPU: the run's host time over its timed
//                 calls, median of `runs` boots, minus the median of the
//                 untraced boots (R = I = 0) of the same design.

import { parseElf } from '../elf/index.ts';
import { optionChecks } from '../option-checks.ts';
import { Machine } from '../machine/machine.ts';
import { kernelImageFile, KernelImageError, readImage, setHbParams } from '../workload/kernel.ts';
import { DESIGNS, type TrampolineDesign } from './designs.ts';
import { Ftrace, FtraceError } from './ftrace.ts';
import type { FtraceOps, OpsSpec } from './ops.ts';
import { ftraceRecords, RecordError } from './records.ts';
import { EVENT } from './layout.ts';
import { TIMING_NAMES, type TimingName } from '../timing/models.ts';

export const TRAMPOLINE_DESIGNS = DESIGNS;
export type { TrampolineDesign };
export const BENCH_MODES = ['both', 'threads', 'deterministic'] as const;
/** 'both': instruction counts (deterministic) and host times (threads). */
export type BenchMode = (typeof BENCH_MODES)[number];

/** The traced function the loop calls, and the traced functions nothing calls (guest/kernel/bench.c). */
export const BENCH_TARGET = 'bench_target';
export const BENCH_OTHERS = ['bench_other0', 'bench_other1', 'bench_other2', 'bench_other3'] as const;

/** Workload 3 of hb_params (guest/kernel/params.h WL_CALLLOOP). */
export const WL_CALLLOOP = 3;

export const BENCH_TRAMPOLINES_DEFAULTS = {
  designs: TRAMPOLINE_DESIGNS,
  relevant: [0, 1, 2],
  irrelevant: [0, 1, 2, 10, 100],
  mode: 'both' as BenchMode,
  loops: 20_000,
  warmup: 50_000,
  runs: 5,
  image: 'pfe2',
} as const;

/** The call-ops design needs two words before every function: the =4,2 image. */
const CALL_OPS_IMAGE = 'pfe42';

/** The largest ring buffer Ftrace takes (KiB), so the most events one boot may write. */
const MAX_BUFFER_KB = 65536;
const MAX_EVENTS = 2 ** Math.floor(Math.log2((MAX_BUFFER_KB * 1024) / EVENT.size));

export type BenchErrorCode = 'bad-option' | 'guest-failed' | 'check' | 'lost' | 'cmodx';

export class BenchError extends Error {
  override name = 'BenchError';
  constructor(readonly code: BenchErrorCode, message: string) {
    super(message);
  }
}

export interface BenchTrampolinesOptions {
  /** Default all three. */
  designs?: readonly TrampolineDesign[];
  /** Numbers of relevant ops (filter: bench_target), 0..16; default 0, 1, 2. */
  relevant?: readonly number[];
  /** Numbers of irrelevant ops (filters on bench_other0..3 in turn), 0..1000; default 0, 1, 2, 10, 100. */
  irrelevant?: readonly number[];
  /** Default 'both'. */
  mode?: BenchMode;
  /** Timed calls per boot, 1..10,000,000 (default 20,000; the default run takes about 25 s on 2 cores). */
  loops?: number;
  /**
   * Untimed calls before them, 0..10,000,000 (default 50,000). Host time per
   * traced call settles only after tens of thousands of calls (the translated
   * regions and the host's optimizing Wasm tier); with 2,000 it comes out 2-4x
   * higher and far noisier.
   */
  warmup?: number;
  /** Boots per configuration in threads mode, 1..101 (default 5). */
  runs?: number;
  /** Image of the list and dynamic designs: 'pfe2', 'pfe42' or a kernel ELF path (default 'pfe2'); call-ops always runs pfe42. */
  image?: string;
  /** Cycle model of the deterministic boots (default 'none'): with a53 or a57 the rows also give cycles per call. */
  timing?: TimingName;
  /** Called after every boot. */
  onProgress?: (done: number, total: number) => void;
}

export interface BenchTrampolinesConfig {
  designs: TrampolineDesign[];
  relevant: number[];
  irrelevant: number[];
  mode: BenchMode;
  loops: number;
  warmup: number;
  runs: number;
  timing: TimingName;
  /** CPUs of every boot. */
  cpus: 1;
  /** The image file each design ran. */
  images: Partial<Record<TrampolineDesign, string>>;
}

export interface BenchRow {
  design: TrampolineDesign;
  relevant: number;
  irrelevant: number;
  /** Guest instructions per call above the untraced boot (deterministic); null in threads mode only. */
  insnsPerCall: number | null;
  /** Guest instructions per boot that the ops cost whatever the calls (the boots with no calls, traced minus untraced); null in threads mode only. */
  fixedInsns: number | null;
  /** Modelled cycles per call above the untraced boot (deterministic, under a cycle model); else null. */
  cyclesPerCall: number | null;
  /** Modelled cycles per boot that the ops cost whatever the calls; else null. */
  fixedCycles: number | null;
  /** Host ns per call above the untraced median (threads); null in deterministic mode only. */
  nsPerCall: number | null;
  /** Host ns per call of the untraced boots (median), the figure subtracted; null in deterministic mode only. */
  untracedNsPerCall: number | null;
  /** Host ns per call of each boot of this configuration, before the subtraction (threads). */
  nsRuns: number[];
}

export interface BenchTrampolinesResult {
  config: BenchTrampolinesConfig;
  rows: BenchRow[];
}


const { int } = optionChecks((m) => new BenchError('bad-option', m));

function intList(name: string, v: unknown, lo: number, hi: number): number[] {
  if (!Array.isArray(v) || v.length === 0) throw new BenchError('bad-option', `${name} must be a non-empty list of integers ${lo}..${hi}`);
  const out = v.map((x) => int(name, x, lo, hi));
  if (new Set(out).size !== out.length) throw new BenchError('bad-option', `${name} lists a number twice: ${out.join(',')}`);
  return out;
}

/** Resolves defaults and checks every option (BenchError 'bad-option'). */
export function resolveBenchTrampolinesOptions(o: BenchTrampolinesOptions = {}): Omit<BenchTrampolinesConfig, 'images'> & { image: string } {
  const d = BENCH_TRAMPOLINES_DEFAULTS;
  const designs = o.designs ?? d.designs;
  if (!Array.isArray(designs) || designs.length === 0 || designs.some((x) => !(TRAMPOLINE_DESIGNS as readonly string[]).includes(x))) {
    throw new BenchError('bad-option', `designs must be a non-empty list of ${TRAMPOLINE_DESIGNS.join(', ')}, got ${String(designs)}`);
  }
  if (new Set(designs).size !== designs.length) throw new BenchError('bad-option', `designs lists a design twice: ${designs.join(',')}`);
  const mode = o.mode ?? d.mode;
  if (!(BENCH_MODES as readonly string[]).includes(mode)) throw new BenchError('bad-option', `mode must be one of ${BENCH_MODES.join(', ')}, got ${String(mode)}`);
  const relevant = intList('relevant', o.relevant ?? d.relevant, 0, 16);
  const irrelevant = intList('irrelevant', o.irrelevant ?? d.irrelevant, 0, 1000);
  const loops = int('loops', o.loops ?? d.loops, 1, 10_000_000);
  const warmup = int('warmup', o.warmup ?? d.warmup, 0, 10_000_000);
  const runs = int('runs', o.runs ?? d.runs, 1, 101);
  const image = o.image ?? d.image;
  if (typeof image !== 'string' || image === '') throw new BenchError('bad-option', 'image must be pfe2, pfe42 or a kernel ELF file');
  const timing = o.timing ?? 'none';
  if (!(TIMING_NAMES as readonly string[]).includes(timing)) throw new BenchError('bad-option', `timing must be one of ${TIMING_NAMES.join(', ')}, got ${String(timing)}`);
  if (timing !== 'none' && mode === 'threads') throw new BenchError('bad-option', `timing ${timing} gives cycles per call in deterministic mode: it needs mode deterministic or both`);
  // every call of a relevant function ops writes one event; the buffer must hold them all (none lost)
  const events = (loops + warmup) * Math.max(...relevant);
  if (events > MAX_EVENTS) {
    throw new BenchError('bad-option',
      `(loops + warmup) x ${Math.max(...relevant)} relevant ops = ${events} events per boot; at most ${MAX_EVENTS} fit a ring buffer (${MAX_BUFFER_KB} KiB)`);
  }
  return { designs: [...designs], relevant, irrelevant, mode, loops, warmup, runs, timing, cpus: 1, image };
}

interface Image {
  file: string;
  elf: Uint8Array;
}

function loadImage(name: string): Image {
  let file: string;
  try {
    file = kernelImageFile(name);
  } catch (err) {
    if (err instanceof KernelImageError) throw new BenchError('bad-option', err.message);
    throw err;
  }
  let elf: Uint8Array;
  try {
    elf = readImage(file);
  } catch (err) {
    throw new BenchError('bad-option', `cannot read ${file}: ${(err as Error).message}`);
  }
  let names: Set<string>;
  try {
    names = new Set(ftraceRecords(parseElf(elf)).map((r) => r.fn));
  } catch (err) {
    if (err instanceof RecordError || (err as Error).name === 'ElfError') throw new BenchError('bad-option', `${file}: ${(err as Error).message}`);
    throw err;
  }
  for (const fn of [BENCH_TARGET, ...BENCH_OTHERS]) {
    if (!names.has(fn)) throw new BenchError('bad-option', `${file} has no traceable ${fn}: not a patchlab kernel with the call-loop workload`);
  }
  return { file, elf };
}

/** The ops of a configuration: R on bench_target, then I on the functions nothing calls, in turn. */
export function benchOpsSpecs(relevant: number, irrelevant: number): OpsSpec[] {
  return [
    ...Array.from({ length: relevant }, (): OpsSpec => ({ kind: 'function', filter: [BENCH_TARGET] })),
    ...Array.from({ length: irrelevant }, (_, k): OpsSpec => ({ kind: 'function', filter: [BENCH_OTHERS[k % BENCH_OTHERS.length]!] })),
  ];
}

// The one place the trampoline design reaches Ftrace (FtraceOptions.trampoline).
function attachFtrace(machine: Machine, design: TrampolineDesign, bufferKb: number): Ftrace {
  return Ftrace.attach(machine, { bufferKb, trampoline: design });
}

interface BootResult {
  insns: bigint;
  /** Modelled busy cycles of the boot (deterministic boots under a model), else 0. */
  cycles: bigint;
  calls: number;
  warmupCalls: number;
  timeNs: number;
}

interface BootSpec {
  image: Image;
  design: TrampolineDesign;
  mode: 'threads' | 'deterministic';
  timing: TimingName;
  relevant: number;
  irrelevant: number;
  loops: number;
  warmup: number;
  /** Events the ring buffer must hold (the same for a boot and its no-call twin). */
  events: number;
}

/** One boot of the call loop with the configuration's ops registered for its run; checked (BenchError). */
async function boot(s: BootSpec): Promise<BootResult> {
  const log: string[] = [];
  const machine = await Machine.create({ profile: 'kernel', cpus: 1, mode: s.mode, seed: 1, timing: s.timing, log: (m) => log.push(m) });
  machine.load(s.image.elf);
  // timer off: no tick interrupts whose number would grow with the traced instructions
  setHbParams(machine, { workload: WL_CALLLOOP, loops: s.loops, warmup: s.warmup, runs: 1, preempt: 0 });
  const events = s.events;
  const bufferKb = Math.min(MAX_BUFFER_KB, Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(1, (events * EVENT.size) / 1024)))));
  let ft: Ftrace;
  try {
    ft = attachFtrace(machine, s.design, bufferKb);
  } catch (err) {
    if (err instanceof FtraceError) throw new BenchError('bad-option', `${s.image.file} (${s.design}): ${err.message}`);
    throw err;
  }
  const specs = benchOpsSpecs(s.relevant, s.irrelevant);
  ft.switchAtPhases(() => specs);
  const r = await ft.run();
  const rep = (k: string) => Number(r.reports.get(k) ?? -1n);
  const what = `${s.design} R=${s.relevant} I=${s.irrelevant} (${s.mode})`;
  if (r.end !== 'exit' || r.exitCode !== 0) {
    const out = [r.stdout.trim(), ...log].filter(Boolean).join('\n');
    throw new BenchError('guest-failed', `${what}: the guest ended with ${r.end} ${r.exitCode ?? ''}${out ? `:\n${out}` : ''}`);
  }
  const calls = rep('calls');
  const warmupCalls = rep('warmup_calls');
  if (calls !== s.loops || warmupCalls !== s.warmup || rep('check_errors') !== 0) {
    throw new BenchError('check', `${what}: ${calls} timed and ${warmupCalls} warm-up calls with ${rep('check_errors')} wrong results, expected ${s.loops} and ${s.warmup} with none`);
  }
  const lost = ft.cpuStats().reduce((n, c) => n + c.lost, 0);
  if (lost > 0) throw new BenchError('lost', `${what}: ${lost} events lost (buffer of ${ft.bufferEvents} events)`);
  const v = machine.cmodx.counts.violation;
  if (v > 0) throw new BenchError('cmodx', `${what}: ${v} patch writes were CMODX violations`);
  return { insns: r.insns, cycles: r.timing?.cycles ?? 0n, calls, warmupCalls, timeNs: rep('time_ns') };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Runs the whole matrix (designs x relevant x irrelevant) in the chosen mode(s). */
export async function benchTrampolines(options: BenchTrampolinesOptions = {}): Promise<BenchTrampolinesResult> {
  const { image, ...cfg } = resolveBenchTrampolinesOptions(options);
  const images = new Map<string, Image>();
  const imageOf = (d: TrampolineDesign): Image => {
    const name = d === 'call-ops' ? CALL_OPS_IMAGE : image;
    if (!images.has(name)) images.set(name, loadImage(name));
    return images.get(name)!;
  };
  const designImages = new Map(cfg.designs.map((d) => [d, imageOf(d)] as const));
  const pairs = cfg.relevant.flatMap((r) => cfg.irrelevant.map((i) => [r, i] as const));
  const traced = pairs.filter(([r, i]) => r > 0 || i > 0);
  const det = cfg.mode !== 'threads';
  const thr = cfg.mode !== 'deterministic';
  const total = cfg.designs.length * (traced.length + 1) * ((det ? 2 : 0) + (thr ? cfg.runs : 0));
  let done = 0;
  const run = async (design: TrampolineDesign, mode: 'threads' | 'deterministic', relevant: number, irrelevant: number, calls = true) => {
    const events = (cfg.loops + cfg.warmup) * relevant;
    const b = await boot({
      image: designImages.get(design)!, design, mode, timing: mode === 'deterministic' ? cfg.timing : 'none', relevant, irrelevant, events,
      loops: calls ? cfg.loops : 0, warmup: calls ? cfg.warmup : 0,
    });
    options.onProgress?.(++done, total);
    return b;
  };
  const key = (d: TrampolineDesign, r: number, i: number) => `${d}/${r}/${i}`;

  // deterministic: every configuration with the calls and without any
  const insns = new Map<string, { perCall: number; fixed: number; cyclesPerCall: number; fixedCycles: number }>();
  if (det) {
    for (const d of cfg.designs) {
      const base = await run(d, 'deterministic', 0, 0);
      const base0 = await run(d, 'deterministic', 0, 0, false);
      insns.set(key(d, 0, 0), { perCall: 0, fixed: 0, cyclesPerCall: 0, fixedCycles: 0 });
      for (const [r, i] of traced) {
        const b = await run(d, 'deterministic', r, i);
        const b0 = await run(d, 'deterministic', r, i, false);
        const perCall = Number(b.insns - b0.insns - (base.insns - base0.insns)) / (b.calls + b.warmupCalls);
        const cyclesPerCall = Number(b.cycles - b0.cycles - (base.cycles - base0.cycles)) / (b.calls + b.warmupCalls);
        insns.set(key(d, r, i), { perCall, fixed: Number(b0.insns - base0.insns), cyclesPerCall, fixedCycles: Number(b0.cycles - base0.cycles) });
      }
    }
  }

  // threads: round k boots every configuration once, so drift of the host falls on all of them
  const ns = new Map<string, number[]>();
  if (thr) {
    for (let k = 0; k < cfg.runs; k++) {
      for (const d of cfg.designs) {
        for (const [r, i] of [[0, 0] as const, ...traced]) {
          const b = await run(d, 'threads', r, i);
          const list = ns.get(key(d, r, i)) ?? [];
          list.push(b.timeNs / b.calls);
          ns.set(key(d, r, i), list);
        }
      }
    }
  }

  const rows: BenchRow[] = [];
  for (const d of cfg.designs) {
    const untraced = thr ? median(ns.get(key(d, 0, 0))!) : null;
    for (const [r, i] of pairs) {
      const runs = ns.get(key(d, r, i)) ?? [];
      rows.push({
        design: d,
        relevant: r,
        irrelevant: i,
        insnsPerCall: det ? insns.get(key(d, r, i))!.perCall : null,
        fixedInsns: det ? insns.get(key(d, r, i))!.fixed : null,
        cyclesPerCall: det && cfg.timing !== 'none' ? insns.get(key(d, r, i))!.cyclesPerCall : null,
        fixedCycles: det && cfg.timing !== 'none' ? insns.get(key(d, r, i))!.fixedCycles : null,
        nsPerCall: untraced === null ? null : median(runs) - untraced,
        untracedNsPerCall: untraced,
        nsRuns: runs,
      });
    }
  }
  return {
    config: { ...cfg, images: Object.fromEntries([...designImages].map(([d, img]) => [d, img.file])) },
    rows,
  };
}

// ---- output ---------------------------------------------------------------------

function fmt(v: number | null, digits: number): string {
  return v === null ? '-' : v.toFixed(digits);
}

/** The table of the CALL_OPS commit: rows R / I, per design instructions and ns per call. */
export function formatBenchTrampolines(res: BenchTrampolinesResult): string {
  const { config: c, rows } = res;
  const det = c.mode !== 'threads';
  const thr = c.mode !== 'deterministic';
  const cyc = det && c.timing !== 'none';
  // groups of columns: R and I, then one group per design
  const head: string[][] = [['Relevant', 'Irrelevant']];
  for (const d of c.designs) head.push([...(det ? [`${d} insns`] : []), ...(cyc ? [`${d} cycles`] : []), ...(thr ? [`${d} ns`] : [])]);
  const body: string[][][] = [];
  for (const r of c.relevant) {
    for (const i of c.irrelevant) {
      const line: string[][] = [[String(r), String(i)]];
      for (const d of c.designs) {
        const x = rows.find((y) => y.design === d && y.relevant === r && y.irrelevant === i)!;
        line.push([...(det ? [fmt(x.insnsPerCall, 2)] : []), ...(cyc ? [fmt(x.cyclesPerCall, 2)] : []), ...(thr ? [fmt(x.nsPerCall, 1)] : [])]);
      }
      body.push(line);
    }
  }
  const width = head.map((g, k) => g.map((h, j) => Math.max(h.length, 9, ...body.map((l) => l[k]![j]!.length))));
  const render = (line: string[][]) => line.map((g, k) => g.map((cell, j) => cell.padStart(width[k]![j]!)).join(' | ')).join(' || ');
  const rule = (ch: string) => width.map((g) => g.map((w) => ch.repeat(w)).join(`${ch}+${ch}`)).join(`${ch}++${ch}`);
  const out = [render(head), rule('=')];
  body.forEach((line, n) => {
    if (n > 0 && n % c.irrelevant.length === 0) out.push(rule('-'));
    out.push(render(line));
  });

  out.push('');
  out.push(`call loop: ${c.loops} timed calls after ${c.warmup} warm-up calls, 1 CPU; R function ops on ${BENCH_TARGET}, I on ${BENCH_OTHERS.join(', ')} in turn (never called)`);
  if (det) {
    out.push('insns: guest instructions per call, the boot with the ops minus the same boot without any (R = I = 0), deterministic mode: exact;');
    out.push('       what the ops cost once per boot (registration, grace periods; the same boots with no calls) is subtracted first.');
    if (c.timing === 'none') out.push('       Guest time in deterministic mode is the instruction counter at 100 MHz: guest ns per call are exactly insns x 10.');
  }
  if (cyc) out.push(`cycles: modelled ${c.timing} cycles per call, the same subtraction on the deterministic boots' cycles.`);
  if (thr) {
    const untraced = c.designs.map((d) => `${d} ${fmt(rows.find((x) => x.design === d)!.untracedNsPerCall, 1)}`).join(', ');
    out.push(`ns: host ns per call in threads mode, median of ${c.runs} boots, minus the median of the untraced boots (R = I = 0) of the same design;`);
    out.push(`    untraced ns per call: ${untraced}`);
  }
  if (det) {
    const fixed = c.designs.map((d) => `${d} ${Math.max(...rows.filter((x) => x.design === d).map((x) => x.fixedInsns ?? 0))}`).join(', ');
    out.push(`fixed guest instructions per boot of the ops, not in the table (fixedInsns in --json), at most: ${fixed}`);
  }
  out.push(`images: ${c.designs.map((d) => `${d} ${c.images[d]}`).join(', ')}`);
  return `${out.join('\n')}\n`;
}
