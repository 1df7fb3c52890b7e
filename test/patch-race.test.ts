// A batch whose words change between validation and the core's
// compare-and-exchange (bindings/patch/store.ts): the batch is refused with a
// 'mismatch' PatchError, the words it wrote are put back (but not over
// another writer's), the epoch moves and their lines are logged, nothing is
// recorded. The race is made by a core whose patchWord lets a "concurrent
// writer" store into guest RAM just before the real one runs.

import { describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.ts';
import { writeElf } from '../bindings/elf/index.ts';
import { assemble } from '../bindings/isa/asm.ts';
import { CmodxChecker } from '../bindings/patch/cmodx.ts';
import { PatchError, TextPatcher } from '../bindings/patch/text.ts';
import { UserProcess } from '../bindings/user/run.ts';

const BASE = 0x400000n;
const word = (src: string) => new DataView(assemble(src, 0n).bytes.buffer).getUint32(0, true);
const NOP = word('nop');
const MOV_X9_X30 = word('mov x9, x30');
const MOV1 = word('mov x0, #1');
const MOV2 = word('mov x0, #2');
const MOV3 = word('mov x0, #3');
const BRK = word('brk #0'); // bit 31 set

// f is in the second line of the text, g in the first.
const SRC = `
  _start:
    mov x0, #0
    mov x8, #93
    svc #0
  g: nop
    nop
    ret
  .p2align 6
  f: mov x0, #1
    ret
`;

function setup() {
  const a = assemble(SRC, BASE);
  const p = new UserProcess(writeElf({ entry: BASE, segments: [{ vaddr: BASE, data: a.bytes, flags: { r: true, x: true } }] }), {
    io: { write: (_f, d) => d.length, warn: () => {} },
  });
  const words = new Int32Array(p.memory.buffer);
  const offset = (addr: bigint) => p.mem.ramOffset + Number(addr - p.mem.base);
  // Before the core's patchWord at `addr` (the first time only), the concurrent writer stores these words.
  const races = new Map<number, [bigint, number][]>();
  const calls: [number, number, number][] = [];
  const core = {
    patchWord: (o: number, expectedOld: number, newWord: number) => {
      calls.push([o, expectedOld >>> 0, newWord >>> 0]);
      const race = races.get(o);
      races.delete(o);
      for (const [addr, w] of race ?? []) Atomics.store(words, offset(addr) >> 2, w);
      return p.core.patchWord(o, expectedOld, newWord);
    },
    notePatch: (n: number) => p.core.notePatch(n),
  };
  const checker = new CmodxChecker();
  const patcher = new TextPatcher({
    memory: p.memory, mem: p.mem, cpus: 1, checker, core,
    text: () => p.image.textRanges,
    activity: () => [{ cpu: 0, state: 'stopped', pc: p.cpu.pc }],
  });
  const machine = new DataView(p.memory.buffer, L.MACHINE_BASE, L.MACHINE_SIZE);
  const ring = new BigUint64Array(p.memory.buffer, L.MACHINE_BASE + L.M_INV_RING, L.INV_RING);
  const race = (before: bigint, ...writes: [bigint, number][]) => races.set(offset(before), writes);
  const refusal = (f: () => unknown): PatchError => {
    try { f(); } catch (e) { expect(e).toBeInstanceOf(PatchError); return e as PatchError; }
    return expect.unreachable('the batch was accepted') as never;
  };
  return {
    p, patcher, checker, calls, ring, race, refusal,
    f: a.labels.get('f')!, g: a.labels.get('g')!,
    epoch: () => machine.getUint32(L.M_CODE_EPOCH, true),
    invSeq: () => machine.getUint32(L.M_INV_SEQ, true),
  };
}

const line = (addr: bigint) => addr & ~BigInt(L.ICACHE_LINE - 1);

describe('a word that changes between validation and the store', () => {
  it('refuses the batch, puts back the words written before it, and logs their lines', () => {
    const { p, patcher, checker, ring, race, refusal, f, g, epoch, invSeq } = setup();
    race(f, [f, MOV3]);
    const e = refusal(() => patcher.patchBatch([
      { addr: g, expectedOld: NOP, newWord: MOV_X9_X30 },
      { addr: g + 4n, expectedOld: NOP, newWord: BRK },
      { addr: f, expectedOld: MOV1, newWord: MOV2 },
    ], { kick: true }));
    expect(e.code).toBe('mismatch');
    expect(e.address).toBe(f);
    expect(e.actual).toBe(MOV3);
    expect(e.message).toContain('changed after validation; 2 word(s) written before it were put back');
    expect([p.mem.u32(g), p.mem.u32(g + 4n), p.mem.u32(f)]).toEqual([NOP, NOP, MOV3]);
    // the two words were in memory for a while: the epoch moves and their line (not f's) is logged
    expect(epoch()).toBe(1);
    expect(invSeq()).toBe(1);
    expect(ring[0]).toBe(line(g));
    // no kick, no CMODX record
    expect(new DataView(p.memory.buffer).getUint32(L.CPU_BASE + L.C_SYNC_REQ, true)).toBe(0);
    expect(checker.counts).toEqual({ allowed: 0, quiescent: 0, violation: 0, unclassified: 0 });
  });

  it('refused at the first site, writes nothing and records nothing', () => {
    const { p, patcher, race, refusal, f, g, epoch, invSeq } = setup();
    race(g, [g, MOV3]);
    const e = refusal(() => patcher.patchBatch([
      { addr: g, expectedOld: NOP, newWord: MOV_X9_X30 },
      { addr: f, expectedOld: MOV1, newWord: MOV2 },
    ]));
    expect([e.code, e.address, e.actual]).toEqual(['mismatch', g, MOV3]);
    expect([p.mem.u32(g), p.mem.u32(f)]).toEqual([MOV3, MOV1]);
    expect([epoch(), invSeq()]).toEqual([0, 0]);
  });

  it('leaves a written word that another writer changed since as that writer made it', () => {
    const { p, patcher, calls, race, refusal, f, g, epoch } = setup();
    race(f, [g, MOV3], [f, MOV3]);
    const e = refusal(() => patcher.patchBatch([
      { addr: g, expectedOld: NOP, newWord: MOV_X9_X30 },
      { addr: g + 4n, expectedOld: NOP, newWord: BRK },
      { addr: f, expectedOld: MOV1, newWord: MOV2 },
    ]));
    expect(e.code).toBe('mismatch');
    expect(e.message).toContain(`1 word(s) written before it were put back, 1 changed since by another writer left as found (0x${g.toString(16)})`);
    expect([p.mem.u32(g), p.mem.u32(g + 4n), p.mem.u32(f)]).toEqual([MOV3, NOP, MOV3]);
    expect(epoch()).toBe(1);
    // put back last first, each from its new word to its old one
    const o = (addr: bigint) => p.mem.ramOffset + Number(addr - p.mem.base);
    expect(calls.slice(3)).toEqual([[o(g + 4n), BRK, NOP], [o(g), MOV_X9_X30, NOP]]);
  });

  it('accepts a batch when nothing races it (the race hook is not armed)', () => {
    const { p, patcher, checker, f, g, epoch, invSeq } = setup();
    const r = patcher.patchBatch([{ addr: g, expectedOld: NOP, newWord: BRK }, { addr: f, expectedOld: MOV1, newWord: MOV2 }]);
    expect(r).toMatchObject({ written: 2, invalidations: 2 });
    expect([p.mem.u32(g), p.mem.u32(f)]).toEqual([BRK, MOV2]);
    expect([epoch(), invSeq()]).toEqual([1, 2]);
    expect(checker.counts).toEqual({ allowed: 1, quiescent: 1, violation: 0, unclassified: 0 });
  });
});

describe('a site named twice in one batch', () => {
  it('is refused with a duplicate PatchError before anything is written', () => {
    const { p, patcher, calls, checker, refusal, f, g, epoch, invSeq } = setup();
    const e = refusal(() => patcher.patchBatch([
      { addr: g, expectedOld: NOP, newWord: MOV_X9_X30 },
      { addr: f, expectedOld: MOV1, newWord: MOV2 },
      { addr: g, expectedOld: NOP, newWord: BRK },
    ]));
    expect([e.code, e.address, e.expectedOld, e.newWord]).toEqual(['duplicate', g, NOP, BRK]);
    expect(e.message).toContain('sites 0 and 2');
    expect([p.mem.u32(g), p.mem.u32(f)]).toEqual([NOP, MOV1]);
    expect(calls).toEqual([]);
    expect([epoch(), invSeq()]).toEqual([0, 0]);
    expect(checker.counts).toEqual({ allowed: 0, quiescent: 0, violation: 0, unclassified: 0 });
  });
});
