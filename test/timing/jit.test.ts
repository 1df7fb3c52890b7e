// The cycle models in translated code (block memos, the predictor at block
// edges: bindings/jit/timing-memo.ts) against the interpreter's tick
// (assembly/timing.ts): the same deterministic boot with
// the translator off, translating every block head at once, and at the
// default heat must give the same modelled cycles, IPC, branch and
// mispredict counts, and the same modelled seconds; the translated runs
// must have run most instructions as translated code, the other none. The
// block memos' canonical states (assembly/timing-canon.ts) are checked on
// their own too: replacing the timing area by its canonical form between any
// two instructions must not change a cycle.

import { describe, expect, it } from 'vitest';
import { hackbench } from '../../bindings/hackbench/run.ts';
import { A53 } from '../../bindings/timing/a53.ts';
import { A57 } from '../../bindings/timing/a57.ts';
import { runLoop } from '../../bindings/timing/microbench.ts';

// Instruction forms for random loops: every class the models cost, with
// registers chosen so nothing faults (X0 and X26 point into the data page,
// X28 is the loop counter); divides and pairs queue on their pipes far past
// dispatch, so the out-of-order reservations are searched beyond one word.
const FORMS = [
  'udiv x1, x2, x3', 'sdiv w4, w5, w6', 'udiv x7, x7, x3', 'ldpsw x8, x9, [x0]', 'stp x10, x11, [x0, #16]',
  'add x12, x12, #1', 'mul x13, x13, x14', 'madd x15, x16, x17, x15', 'ldr x18, [x0, x28]', 'str x20, [x26, #8]!',
  'ldr x21, [x26], #8', 'add x22, x23, x24, lsl #3', 'extr x25, x27, x27, #7', 'ldr x1, [x0]', 'eor x2, x2, x3',
  'stp x4, x5, [x26, #-16]!', 'ldp x6, x7, [x0, #32]', 'crc32x w8, w8, x9', 'ldxr x10, [x0]', 'stxr w11, x12, [x0]',
  'umulh x13, x14, x15', 'add x16, x16, x16', 'ldr x17, [x0, x28, lsl #3]', 'cmp x1, x2', 'csel x3, x1, x2, lt', 'nop',
];

function randomLoops(seed: number, count: number): string[][] {
  let x = seed;
  const next = (n: number) => { x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff; return x % n; };
  return Array.from({ length: count }, () => {
    const body: string[] = [];
    const len = 1 + next(20);
    for (let j = 0; j < len; j++) {
      if (next(8) === 0) body.push(`bl f${j}`, `f${j}:`);
      else body.push(FORMS[next(FORMS.length)]!);
    }
    return body;
  });
}

const SIZES = { cpus: 2, groups: 2, fds: 4, loops: 20, runs: 2, prologues: ['nop-nop', 'mov-nop'] as ('nop-nop' | 'mov-nop')[], mode: 'deterministic' as const, seed: 3 };

describe('cycle models in translated code', () => {
  for (const m of [A53, A57]) {
    it(`${m.name}: 60 random loops give the same cycles and predictor counts translated as interpreted`, () => {
      let translated = 0n, insns = 0n;
      for (const [k, body] of randomLoops(11, 60).entries()) {
        const a = runLoop(m, body, 150, 0);
        const b = runLoop(m, body, 150, 1);
        expect({ k, ...b, translated: 0n }, body.join('; ')).toEqual({ k, ...a });
        translated += b.translated;
        insns += b.insns;
      }
      expect(Number(translated) / Number(insns)).toBeGreaterThan(0.8);
    }, 120_000);
  }

  for (const m of [A53, A57]) {
    it(`${m.name}: a state replaced by its canonical form at every instruction times 60 random loops alike`, () => {
      for (const [k, body] of randomLoops(13, 60).entries()) {
        const a = runLoop(m, body, 60, 0);
        const b = runLoop(m, body, 60, 0, 1);
        expect({ k, ...b }, body.join('; ')).toEqual({ k, ...a });
      }
    }, 120_000);
  }

  for (const timing of ['a53', 'a57'] as const) {
    it(`${timing}: translator off, at heat 1 and at the default heat give the same cycles and predictor counts`, async () => {
      const seen: string[] = [];
      const translated: number[] = [];
      const missShare: number[] = [];
      for (const jitThreshold of [0, 1, undefined]) {
        const r = await hackbench({ ...SIZES, timing, jitThreshold });
        translated.push(Math.min(...r.prologues.flatMap((p) => p.runs.map((x) => x.noise.translatedInsns / x.noise.windowInsns))));
        // blocks ticked in full per branch predicted: the memos must spare nearly all of them
        missShare.push(Math.max(...r.prologues.flatMap((p) => p.runs.map((x) => x.noise.memoMisses / x.timing!.branches))));
        seen.push(JSON.stringify(r.prologues.map((p) => p.runs.map((x) => ({ timing: x.timing, seconds: x.seconds, insns: x.workInsnsPerMessage })))));
      }
      const base = JSON.parse(seen[0]!) as { timing: { cycles: number; branches: number } }[][];
      expect(base[0]![0]!.timing.cycles).toBeGreaterThan(100_000);
      expect(base[0]![0]!.timing.branches).toBeGreaterThan(10_000);
      expect(translated[0]).toBe(0);
      expect(translated[1]).toBeGreaterThan(0.5);
      expect(translated[2]).toBeGreaterThan(0.5);
      expect(missShare[0]).toBe(0);
      expect(missShare[1]).toBeGreaterThan(0);
      expect(missShare[1]).toBeLessThan(0.1);
      expect(missShare[2]).toBeLessThan(0.1);
      expect(seen[1]).toBe(seen[0]);
      expect(seen[2]).toBe(seen[0]);
    }, 120_000);
  }
});
