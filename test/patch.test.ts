// Host patching: validation (nothing written on any refusal), the atomic
// write with its epoch and invalidation-log entries, the kick, the CMODX
// verdicts, and what a running CPU sees under each I-cache model.

import { describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.ts';
import { writeElf } from '../bindings/elf/index.ts';
import { assemble } from '../bindings/isa/asm.ts';
import { CmodxChecker, cmodxClass, type CpuActivity } from '../bindings/patch/cmodx.ts';
import { PatchError, TextPatcher } from '../bindings/patch/text.ts';
import { UserProcess } from '../bindings/user/run.ts';
import { BASE, MOV1, MOV2, NOP, SRC, word } from './util/patch-program.ts';

const DATA = 0x500000n;
const MOV_X9_X30 = word('mov x9, x30');

function setup(opts: { coherentIcache?: boolean; jitThreshold?: number; activity?: CpuActivity[] } = {}) {
  const a = assemble(SRC, BASE);
  const file = writeElf({
    entry: BASE,
    segments: [
      { vaddr: BASE, data: a.bytes, flags: { r: true, x: true } },
      { vaddr: DATA, data: new Uint8Array(64), memSize: 4096, flags: { r: true, w: true } },
    ],
  });
  const p = new UserProcess(file, { coherentIcache: opts.coherentIcache, jitThreshold: opts.jitThreshold, io: { write: (_f, d) => d.length, warn: () => {} } });
  const checker = new CmodxChecker();
  const patcher = new TextPatcher({
    memory: p.memory, mem: p.mem, cpus: 1, checker,
    text: () => p.image.textRanges,
    activity: () => opts.activity ?? [{ cpu: 0, state: 'stopped', pc: p.cpu.pc }],
  });
  const machine = new DataView(p.memory.buffer, L.MACHINE_BASE, L.MACHINE_SIZE);
  const epoch = () => machine.getUint32(L.M_CODE_EPOCH, true);
  const invSeq = () => machine.getUint32(L.M_INV_SEQ, true);
  return { p, patcher, checker, labels: a.labels, epoch, invSeq };
}

describe('patchText / patchBatch', () => {
  it('writes the word, moves the code epoch and logs the line once per line', () => {
    const { p, patcher, labels, epoch, invSeq } = setup();
    const g = labels.get('g')!;
    const r = patcher.patchBatch([
      { addr: g, expectedOld: NOP, newWord: MOV_X9_X30 },
      { addr: g + 4n, expectedOld: NOP, newWord: word('bl 0x40') },
    ]);
    expect(r.written).toBe(2);
    expect(p.mem.u32(g)).toBe(MOV_X9_X30);
    expect(epoch()).toBe(1);
    expect(invSeq()).toBe(g >> 6n === (g + 4n) >> 6n ? 1 : 2);
    const ring = new BigUint64Array(p.memory.buffer, L.MACHINE_BASE + L.M_INV_RING, L.INV_RING);
    expect(ring[0]).toBe(g & ~63n);
  });

  it('refuses a bad site with a typed error naming the address and words, and writes nothing', () => {
    const { p, patcher, labels, epoch, invSeq } = setup();
    const f = labels.get('f')!, g = labels.get('g')!;
    const before = p.mem.read(BASE, 0x100);
    const cases: [bigint, number, string][] = [
      [g + 2n, NOP, 'misaligned'],
      [DATA, 0, 'not-text'],
      [0x7000_0000n, 0, 'not-text'],
      [f, NOP, 'mismatch'],
    ];
    for (const [addr, old, code] of cases) {
      try {
        // a good site first: the batch must still write nothing
        patcher.patchBatch([{ addr: g, expectedOld: NOP, newWord: MOV_X9_X30 }, { addr, expectedOld: old, newWord: MOV2 }]);
        expect.unreachable(`${code} accepted`);
      } catch (e) {
        expect(e).toBeInstanceOf(PatchError);
        const pe = e as PatchError;
        expect(pe.code).toBe(code);
        expect(pe.address).toBe(addr);
        expect(pe.message).toContain(`0x${addr.toString(16)}`);
        if (code === 'mismatch') {
          expect(pe.actual).toBe(MOV1);
          expect(pe.message).toContain(MOV1.toString(16));
        }
      }
    }
    expect(() => patcher.patchText(g, NOP, 2 ** 32)).toThrow(PatchError);
    expect(p.mem.read(BASE, 0x100)).toEqual(before);
    expect(epoch()).toBe(0);
    expect(invSeq()).toBe(0);
  });

  it('kick asks every CPU for a context synchronization', () => {
    const { p, patcher, labels } = setup();
    const g = labels.get('g')!;
    const req = () => new DataView(p.memory.buffer).getUint32(L.CPU_BASE + L.C_SYNC_REQ, true);
    patcher.patchText(g, NOP, MOV_X9_X30);
    expect(req()).toBe(0);
    patcher.patchText(g, MOV_X9_X30, NOP, { kick: true });
    expect(req()).toBe(1);
    p.core.step(0, 1);
    expect(req()).toBe(0);
    expect(p.cpu.contextSyncs).toBe(1n);
  });
});

describe('CMODX checker', () => {
  it('knows the architecture\'s list', () => {
    for (const src of ['b 0x8', 'bl 0x40', 'brk #1', 'hvc #0', 'isb', 'nop', 'smc #0', 'svc #0']) expect(cmodxClass(word(src)), src).not.toBeNull();
    for (const src of ['mov x9, x30', 'ret', 'b.eq 0x8', 'cbz x0, 0x8', 'blr x1', 'yield', 'dsb ish', 'add x0, x0, #1', 'hvc #1'.replace('hvc', 'hlt')]) expect(cmodxClass(word(src)), src).toBeNull();
  });

  const others = (state: CpuActivity['state']): CpuActivity[] => [
    { cpu: 0, state: 'running', pc: BASE }, { cpu: 1, state, pc: BASE + 8n, where: '_start+0x8' },
  ];

  it('allowed: NOP -> BL while another CPU runs', () => {
    const { patcher, checker, labels } = setup({ activity: others('running') });
    const r = patcher.patchText(labels.get('g')! + 4n, NOP, word('bl 0x10'), { writer: 0, strict: true });
    expect(r.records.map((x) => x.verdict)).toEqual(['allowed']);
    expect(checker.violations).toEqual([]);
    expect(checker.counts.allowed).toBe(1);
  });

  it('quiescent: NOP -> MOV X9, X30 with every other CPU stopped or idle', () => {
    for (const state of ['stopped', 'idle'] as const) {
      const { patcher, checker, labels } = setup({ activity: others(state) });
      const r = patcher.patchText(labels.get('g')!, NOP, MOV_X9_X30, { writer: 0, strict: true });
      expect(r.records[0]!.verdict).toBe('quiescent');
      expect(checker.violations).toEqual([]);
    }
  });

  it('violation: NOP -> MOV X9, X30 while another CPU runs is recorded with what each CPU was doing', () => {
    const { p, patcher, checker, labels } = setup({ activity: others('running') });
    const g = labels.get('g')!;
    patcher.patchText(g, NOP, MOV_X9_X30, { writer: 0 });
    expect(p.mem.u32(g)).toBe(MOV_X9_X30);
    expect(checker.violations).toHaveLength(1);
    const v = checker.violations[0]!;
    expect(v).toMatchObject({ address: g, oldWord: NOP, newWord: MOV_X9_X30, verdict: 'violation', oldClass: 'NOP', newClass: null });
    expect(v.cpus.map((c) => [c.cpu, c.state, c.where])).toEqual([[0, 'running', undefined], [1, 'running', '_start+0x8']]);
  });

  it('strict refuses the violation and writes nothing', () => {
    const { p, patcher, checker, labels, epoch } = setup({ activity: others('running') });
    const g = labels.get('g')!;
    expect(() => patcher.patchText(g, NOP, MOV_X9_X30, { writer: 0, strict: true })).toThrow(/strict CMODX[\s\S]*cpu1@_start\+0x8/);
    expect(p.mem.u32(g)).toBe(NOP);
    expect(epoch()).toBe(0);
    expect(checker.counts.violation).toBe(0);
  });
});

describe('what a running CPU executes after a host patch', () => {
  // f is patched from `mov x0, #1` to `mov x0, #2` after about 100 calls.
  const run = (coherentIcache: boolean, jitThreshold: number, kick: boolean) => {
    const { p, patcher, labels } = setup({ coherentIcache, jitThreshold });
    p.core.step(0, 2 + 6 * 100); // two moves, then 100 iterations of bl, mov, ret, add, subs, b.ne
    patcher.patchText(labels.get('f')!, MOV1, MOV2, { kick });
    const r = p.run();
    return { exit: r.exitCode!, stale: p.cpu.stale };
  };
  const sum = (newCalls: number) => ((400 - newCalls) + 2 * newCalls) & 0xff;

  for (const t of [0, 1, 16]) {
    it(`coherent: the new word at the next fetch (translation threshold ${t})`, () => {
      expect(run(true, t, false)).toEqual({ exit: sum(300), stale: 0n });
    });
    it(`architectural without a kick: the old instruction keeps running, counted stale (threshold ${t})`, () => {
      expect(run(false, t, false)).toEqual({ exit: sum(0), stale: 300n });
    });
    it(`architectural with a kick: the new word after the CPU's context synchronization (threshold ${t})`, () => {
      expect(run(false, t, true)).toEqual({ exit: sum(300), stale: 0n });
    });
  }
});
