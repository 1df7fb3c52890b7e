// A randomised soak of threads mode: many boots of the guest kernel on 1..8
// CPUs running hackbench of random sizes, some of them with ftrace's function
// tracer switched on for the workload, each boot watched by a watchdog. It
// counts what must never happen: hangs (the watchdog fired), oopses (a guest
// fault), lost or damaged messages, and host exceptions (a MachineError or
// anything else thrown), and keeps the first few of each for the report.

import { trace } from '../ftrace/trace.ts';
import { Machine } from '../machine/machine.ts';
import { below, makeRng } from '../isa/random.ts';
import { kernelImageFile, readImage, setHbParams } from './kernel.ts';

export interface SoakOptions {
  /** Boots to run (default 50). */
  boots?: number;
  /** Most CPUs a boot gets (1..8, default 8). */
  maxCpus?: number;
  /** Seed of the sizes chosen (default 1). */
  seed?: number;
  /** One boot in `traceEvery` runs with the function tracer on (0: never; default 4). */
  traceEvery?: number;
  /** Watchdog per boot in ms (default 120000). */
  watchdogMs?: number;
  /** Called after each boot. */
  onBoot?: (b: SoakBoot) => void;
}

export type SoakVerdict = 'ok' | 'hang' | 'oops' | 'lost-messages' | 'host-exception';

export interface SoakBoot {
  index: number;
  cpus: number;
  groups: number;
  fds: number;
  loops: number;
  datasize: number;
  traced: boolean;
  verdict: SoakVerdict;
  ms: number;
  messages: number;
  expected: number;
  detail?: string;
}

export interface SoakResult {
  boots: SoakBoot[];
  counts: Record<SoakVerdict, number>;
  /** Messages delivered over all boots, and how many the boots should have delivered. */
  messages: number;
  expected: number;
  seconds: number;
}

const HANG = Symbol('hang');
const watchdog = (ms: number): { p: Promise<typeof HANG>; stop: () => void } => {
  let t: ReturnType<typeof setTimeout> | undefined;
  const p = new Promise<typeof HANG>((resolve) => (t = setTimeout(() => resolve(HANG), ms)));
  return { p, stop: () => clearTimeout(t) };
};

async function plainBoot(elf: Uint8Array, b: SoakBoot, watchdogMs: number, seed: number): Promise<void> {
  const log: string[] = [];
  const m = await Machine.create({ profile: 'kernel', cpus: b.cpus, mode: 'threads', seed, log: (l) => log.push(l) });
  m.load(elf);
  setHbParams(m, { workload: 0, groups: b.groups, fds: b.fds, loops: b.loops, datasize: b.datasize, runs: 1, preempt: 1 });
  m.start();
  const w = watchdog(watchdogMs);
  try {
    const r = await Promise.race([m.exited, w.p]);
    if (r === HANG) {
      b.verdict = 'hang';
      b.detail = `no end after ${watchdogMs} ms; CPUs at ${m.activity().map((c) => c.where ?? `0x${c.pc.toString(16)}`).join(', ')}`;
      await m.terminate();
      return;
    }
    b.messages = Number(r.reports.get('messages') ?? 0n);
    const errors = Number(r.reports.get('check_errors') ?? 0n);
    if (r.end === 'fault') {
      b.verdict = 'oops';
      b.detail = r.fault?.report.split('\n')[0];
    } else if (r.end !== 'exit' || r.exitCode !== 0) {
      b.verdict = 'oops';
      b.detail = `ended with ${r.end} ${r.exitCode}: ${[r.stdout.trim(), ...log].filter(Boolean).join(' | ').slice(0, 300)}`;
    } else if (b.messages !== b.expected || errors !== 0) {
      b.verdict = 'lost-messages';
      b.detail = `${b.messages} of ${b.expected} messages, ${errors} damaged`;
    }
  } finally {
    w.stop();
  }
}

async function tracedBoot(b: SoakBoot, watchdogMs: number, seed: number): Promise<void> {
  const w = watchdog(watchdogMs);
  try {
    const r = await Promise.race([
      trace({ tracer: 'function', cpus: b.cpus, mode: 'threads', seed, groups: b.groups, fds: b.fds, loops: b.loops, datasize: b.datasize }),
      w.p,
    ]);
    if (r === HANG) {
      b.verdict = 'hang';
      b.detail = `traced boot: no end after ${watchdogMs} ms`;
      return;
    }
    b.messages = r.workload.messages;
    if (r.workload.messages !== b.expected) {
      b.verdict = 'lost-messages';
      b.detail = `traced: ${r.workload.messages} of ${b.expected} messages`;
    }
  } finally {
    w.stop();
  }
}

/** Runs the soak; never throws for what a boot does (that is what it counts). */
export async function soak(opts: SoakOptions = {}): Promise<SoakResult> {
  const boots = opts.boots ?? 50;
  const maxCpus = opts.maxCpus ?? 8;
  const traceEvery = opts.traceEvery ?? 4;
  const watchdogMs = opts.watchdogMs ?? 120_000;
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(boots) || boots < 1) throw new RangeError(`boots must be a positive integer, got ${boots}`);
  if (!Number.isInteger(maxCpus) || maxCpus < 1 || maxCpus > 8) throw new RangeError(`maxCpus must be 1..8, got ${maxCpus}`);
  const rng = makeRng(seed);
  const elf = readImage(kernelImageFile('pfe2'));
  const counts: Record<SoakVerdict, number> = { ok: 0, hang: 0, oops: 0, 'lost-messages': 0, 'host-exception': 0 };
  const out: SoakBoot[] = [];
  const t0 = performance.now();
  for (let i = 0; i < boots; i++) {
    const b: SoakBoot = {
      index: i,
      cpus: 1 + below(rng, maxCpus),
      groups: 1 + below(rng, 3),
      fds: 1 + below(rng, 5),
      loops: 1 + below(rng, 30),
      datasize: 8 + below(rng, 505),
      traced: traceEvery > 0 && i % traceEvery === traceEvery - 1,
      verdict: 'ok',
      ms: 0,
      messages: 0,
      expected: 0,
    };
    b.expected = b.groups * b.fds * b.fds * b.loops;
    const s = performance.now();
    try {
      if (b.traced) await tracedBoot(b, watchdogMs, seed + i);
      else await plainBoot(elf, b, watchdogMs, seed + i);
    } catch (err) {
      b.verdict = 'host-exception';
      b.detail = `${(err as Error).name}${(err as { code?: string }).code ? ` ${(err as { code?: string }).code}` : ''}: ${(err as Error).message}`;
    }
    b.ms = performance.now() - s;
    counts[b.verdict]++;
    out.push(b);
    opts.onBoot?.(b);
  }
  return {
    boots: out,
    counts,
    messages: out.reduce((n, b) => n + b.messages, 0),
    expected: out.reduce((n, b) => n + b.expected, 0),
    seconds: (performance.now() - t0) / 1000,
  };
}
