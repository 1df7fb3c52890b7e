// Ticks in translated code (bindings/jit/timing.ts) against the
// interpreter's tick (assembly/timing.ts): the same deterministic boot with
// the translator off, translating every block head at once, and at the
// default heat must give the same modelled cycles, IPC, branch and
// mispredict counts, and the same modelled seconds; the translated runs
// must have run most instructions as translated code, the other none.

import { describe, expect, it } from 'vitest';
import { hackbench } from '../../bindings/hackbench/run.ts';

const SIZES = { cpus: 2, groups: 2, fds: 4, loops: 20, runs: 2, prologues: ['nop-nop', 'mov-nop'] as ('nop-nop' | 'mov-nop')[], mode: 'deterministic' as const, seed: 3 };

describe('cycle models in translated code', () => {
  for (const timing of ['a53', 'a57'] as const) {
    it(`${timing}: translator off, at heat 1 and at the default heat give the same cycles and predictor counts`, async () => {
      const seen: string[] = [];
      const translated: number[] = [];
      for (const jitThreshold of [0, 1, undefined]) {
        const r = await hackbench({ ...SIZES, timing, jitThreshold });
        translated.push(Math.min(...r.prologues.flatMap((p) => p.runs.map((x) => x.noise.translatedInsns / x.noise.windowInsns))));
        seen.push(JSON.stringify(r.prologues.map((p) => p.runs.map((x) => ({ timing: x.timing, seconds: x.seconds, insns: x.workInsnsPerMessage })))));
      }
      const base = JSON.parse(seen[0]!) as { timing: { cycles: number; branches: number } }[][];
      expect(base[0]![0]!.timing.cycles).toBeGreaterThan(100_000);
      expect(base[0]![0]!.timing.branches).toBeGreaterThan(10_000);
      expect(translated[0]).toBe(0);
      expect(translated[1]).toBeGreaterThan(0.5);
      expect(translated[2]).toBeGreaterThan(0.5);
      expect(seen[1]).toBe(seen[0]);
      expect(seen[2]).toBe(seen[0]);
    }, 120_000);
  }
});
