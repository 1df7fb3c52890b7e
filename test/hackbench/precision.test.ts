// How precise hackbench says its answer is, through the API: --target-ci
// stops at the first pair whose paired interval is narrow enough (never
// before the minimum runs, never past the run limit); the noise accounting
// adds up (window = work + idle + spin + wait instructions) and says exactly
// what the machine does with the two prologues: a MOV and a NOP are one
// instruction each, so for one seed both prologues retire the same work
// instructions per message; a warm-up run runs before GO and changes no
// checked result.

import { describe, expect, it } from 'vitest';
import { hackbench, HackbenchError, type HackbenchResult } from '../../bindings/index.ts';
import { resolveOptions } from '../../bindings/hackbench/options.ts';
import type { IntervalStatus, RunRecord } from '../../bindings/hackbench/run.ts';

const SMALL = { cpus: 2, groups: 2, fds: 3, loops: 5, datasize: 64 };

type Seen = { done: number; total: number; interval: IntervalStatus | null };
async function watched(opts: Parameters<typeof hackbench>[0]): Promise<{ r: HackbenchResult; seen: Seen[] }> {
  const seen: Seen[] = [];
  const r = await hackbench(opts, { onRun: (done, total, _run, interval) => seen.push({ done, total, interval }) });
  return { r, seen };
}

describe('--target-ci', () => {
  it('deterministic mode: every pair has the same times, so it stops at the minimum runs, and not before', async () => {
    const { r, seen } = await watched({ ...SMALL, mode: 'deterministic', targetCi: 1, runs: 3, maxRuns: 10 });
    expect(r.stoppedBy).toBe('target-ci');
    expect(r.prologues.map((p) => p.runs.length)).toEqual([3, 3]);
    expect(r.comparison!.paired.pairs).toBe(3);
    // the intervals of pairs 2 and 3 were 0 wide: pair 2 did not stop it (runs 3 is the minimum)
    expect(seen.filter((s) => s.interval).map((s) => [s.interval!.pairs, s.interval!.halfWidthPercent])).toEqual([[2, 0], [3, 0]]);
    expect(seen.every((s) => s.total === 20)).toBe(true);
    expect(seen.at(-1)!.done).toBe(6);
  });

  it('threads mode: stops at the first complete pair at or under the target, else at --max-runs, never past it', async () => {
    const target = 8;
    const { r, seen } = await watched({ ...SMALL, mode: 'threads', targetCi: target, runs: 2, maxRuns: 5 });
    const intervals = seen.filter((s) => s.interval).map((s) => s.interval!);
    const n = r.comparison!.paired.pairs;
    expect(n).toBeLessThanOrEqual(5);
    expect(r.prologues.map((p) => p.runs.length)).toEqual([n, n]);
    expect(intervals.map((i) => i.pairs)).toEqual(Array.from({ length: n - 1 }, (_, k) => k + 2));
    // every interval before the last was wider than the target
    for (const i of intervals.slice(0, -1)) expect(i.halfWidthPercent).toBeGreaterThan(target);
    const last = intervals.at(-1)!;
    if (r.stoppedBy === 'target-ci') expect(last.halfWidthPercent).toBeLessThanOrEqual(target);
    else {
      expect(r.stoppedBy).toBe('max-runs');
      expect(n).toBe(5);
      expect(last.halfWidthPercent).toBeGreaterThan(target);
    }
    // the reported interval is the last one seen
    expect(r.comparison!.paired.ci95Percent).toEqual(last.ci95Percent);
  });

  it('an unreachable target stops at exactly --max-runs', async () => {
    const { r } = await watched({ ...SMALL, mode: 'threads', targetCi: 1e-9, runs: 2, maxRuns: 3 });
    expect(r.stoppedBy).toBe('max-runs');
    expect(r.prologues.map((p) => p.runs.length)).toEqual([3, 3]);
  });

  it('without a target the run count is fixed', async () => {
    const { r } = await watched({ ...SMALL, mode: 'deterministic', runs: 2 });
    expect(r.stoppedBy).toBe('runs');
    expect(r.config).toMatchObject({ targetCi: null, maxRuns: null });
  });

  it.each([
    [{ targetCi: 0 }, 'targetCi'],
    [{ targetCi: Number.NaN }, 'targetCi'],
    [{ targetCi: 150 }, 'targetCi'],
    [{ maxRuns: 5 }, 'needs targetCi'],
    [{ targetCi: 1, runs: 6, maxRuns: 5 }, 'at least runs'],
    [{ targetCi: 1, prologues: ['mov-nop'] }, 'both prologues'],
    [{ warmup: -1 }, 'warmup'],
  ])('refuses %j before anything runs', async (bad, msg) => {
    expect(() => resolveOptions(bad as never)).toThrow(msg);
    await expect(hackbench(bad as never)).rejects.toBeInstanceOf(HackbenchError);
  });

  it('defaults with a target: at least 3 runs, at most 100', () => {
    expect(resolveOptions({ targetCi: 2 })).toMatchObject({ targetCi: 2, runs: 3, maxRuns: 100 });
  });
});

/** The accounting identity and bounds every run must satisfy. */
function expectAccounting(x: RunRecord): void {
  const n = x.noise;
  // the guest's idle, spin and wait counts fit in the host's window (work = window - the three)
  expect(n.idleInsns + n.spinInsns + n.waitInsns).toBeLessThan(n.windowInsns);
  expect(n.idleInsns).toBeGreaterThanOrEqual(0);
  expect(n.spinInsns).toBeGreaterThanOrEqual(0);
  // a wait holds the WFI/WFE and the counter reads around it: a few instructions each
  expect(n.waitInsns).toBeGreaterThanOrEqual(0);
  expect(n.waitInsns).toBeLessThanOrEqual(8 * n.waits + 16);
  // the window holds the whole exchange of messages, and the boot holds the window
  expect(n.workInsns).toBeGreaterThan(x.messages * 100);
  expect(n.windowInsns).toBeLessThan(x.guestInstructions);
  expect(x.workInsnsPerMessage).toBeCloseTo(n.workInsns / x.messages, 9);
  expect(n.translateSeconds).toBeGreaterThanOrEqual(0);
  expect(n.windowSeconds).toBeGreaterThan(0);
}

describe('noise accounting', () => {
  it('deterministic mode: the prologues retire the same work instructions per message, exactly, pair by pair', async () => {
    const r = await hackbench({ ...SMALL, mode: 'deterministic', runs: 2, seed: 3 });
    const [nop, mov] = r.prologues;
    for (const p of r.prologues) for (const x of p.runs) expectAccounting(x);
    // MOV X9, X30 and NOP are one instruction each: with the same seed nothing differs,
    // so the difference in work instructions per message is 0, not the traced calls per message
    nop!.runs.forEach((x, k) => {
      const y = mov!.runs[k]!;
      expect(y.noise.workInsns - x.noise.workInsns).toBe(0);
      expect(y.noise).toEqual({ ...x.noise, windowSeconds: y.noise.windowSeconds, translateSeconds: y.noise.translateSeconds });
    });
    expect(mov!.workInsnsPerMessage - nop!.workInsnsPerMessage).toBe(0);
    expect(nop!.noise.busyShare).toBeNull(); // one host thread steps every CPU
    for (const x of nop!.runs) expect(x.noise.cpuThreads).toBeNull();
  });

  it('threads mode: each CPU thread\'s host run and run-queue time in the window, on Linux', async () => {
    const r = await hackbench({ ...SMALL, mode: 'threads', runs: 2 });
    for (const p of r.prologues) {
      for (const x of p.runs) {
        expectAccounting(x);
        const t = x.noise.cpuThreads;
        if (process.platform !== 'linux') continue;
        expect(t).not.toBeNull();
        expect(t!.map((c) => c.cpu)).toEqual([0, 1]);
        for (const c of t!) {
          expect(c.runSeconds).toBeGreaterThan(0);
          expect(c.waitSeconds).toBeGreaterThanOrEqual(0);
          // a thread cannot run longer than the window plus the slice it was in when sampled
          expect(c.runSeconds).toBeLessThanOrEqual(x.noise.windowSeconds + 0.05);
          expect(c.busyShare).toBeCloseTo(c.runSeconds / x.noise.windowSeconds, 9);
        }
      }
      if (process.platform === 'linux') expect(p.noise.busyShare).toBeGreaterThan(0);
    }
  });

  it('counting calls: one profiled boot gives the traced calls per message, the MOVs mov-nop runs per message', async () => {
    const r = await hackbench({ ...SMALL, mode: 'deterministic', runs: 2, seed: 7, countCalls: true });
    const t = r.tracedCalls!;
    expect(t.messages).toBe(90);
    expect(t.seed).toBe(7);
    const hits = new Map(t.functions.map((f) => [f.name, f.hits]));
    // each message is written once, filled once and checked once: exact
    for (const fn of ['fill_message', 'ksys_write', 'check_message']) expect(hits.get(fn), fn).toBe(90);
    expect(t.calls).toBe(t.functions.reduce((s, f) => s + f.hits, 0));
    expect(t.perMessage).toBeCloseTo(t.calls / 90, 12);
    // a read and a write each take a pipe lock: more than a dozen calls per message
    expect(t.perMessage).toBeGreaterThan(12);
    expect(t.functions.map((f) => f.hits)).toEqual([...t.functions.map((f) => f.hits)].sort((a, b) => b - a));
    // ... while the timed runs' work instructions per message stay equal
    expect(r.prologues[1]!.workInsnsPerMessage - r.prologues[0]!.workInsnsPerMessage).toBe(0);
    expect((await hackbench({ ...SMALL, mode: 'deterministic', runs: 2 })).tracedCalls).toBeNull();
  });

  it('a warm-up run goes before GO: more instructions in the boot, the same checked messages', async () => {
    const base = { ...SMALL, mode: 'deterministic' as const, runs: 1, prologues: ['nop-nop' as const], seed: 5 };
    const cold = await hackbench(base);
    const warm = await hackbench({ ...base, warmup: 4 });
    const [c, w] = [cold.prologues[0]!.runs[0]!, warm.prologues[0]!.runs[0]!];
    expect(w.messages).toBe(90);
    expect(w.bytesChecked).toBe(90 * 64);
    // the warm-up's 2 x 3 x 3 x 4 messages ran in the boot, outside the window
    expect(w.guestInstructions - c.guestInstructions).toBeGreaterThan(72 * 100);
    expect(Math.abs(w.noise.windowInsns - c.noise.windowInsns)).toBeLessThan(0.2 * c.noise.windowInsns);
    expect(warm.config.warmup).toBe(4);
    expectAccounting(w);
  });
});
