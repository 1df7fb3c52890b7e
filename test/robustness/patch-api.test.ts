// The patch API's refusals: a batch naming an address twice, words that are
// not integers 0..2^32-1, an address that is not a bigint, a machine that has
// ended. Each is a PatchError with its code, the address and the words, and
// nothing is written: memory, the code epoch and the invalidation log stay
// as they were.

import { describe, expect, it } from 'vitest';
import * as L from '../../assembly/layout.ts';
import { Machine, PatchError } from '../../bindings/index.ts';
import { assemble } from '../../bindings/isa/asm.ts';
import { kernelElf, RAM } from '../util/machine.ts';

const word = (src: string): number => new DataView(assemble(src, 0n).bytes.buffer).getUint32(0, true);
const NOP = word('nop');
const MOV = word('mov x9, x30');
const BL = 0x94000002; // bl .+8

const SRC = `
  _start:
    cbnz x0, park
    mov x0, #0
  site:
    nop
    nop
    mov x8, #93
    hvc #0
  park:
    wfi
    b park`;
const SITE = RAM + 8n;

async function loaded(): Promise<Machine> {
  const m = await Machine.create({ cpus: 1, mode: 'deterministic', log: () => {} });
  m.load(kernelElf(SRC));
  return m;
}

function state(m: Machine): [number, number, number, number] {
  const dv = new DataView(m.memory.buffer, L.MACHINE_BASE, L.MACHINE_SIZE);
  return [m.mem.u32(SITE), m.mem.u32(SITE + 4n), dv.getUint32(L.M_CODE_EPOCH, true), dv.getUint32(L.M_INV_SEQ, true)];
}

function refusal(f: () => unknown): PatchError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(PatchError);
    return err as PatchError;
  }
  throw new Error('accepted');
}

describe('patch API refusals write nothing', () => {
  it('the same address twice in one batch: duplicate, naming both sites', async () => {
    const m = await loaded();
    const before = state(m);
    const e = refusal(() => m.patchBatch([
      { addr: SITE, expectedOld: NOP, newWord: MOV },
      { addr: SITE + 4n, expectedOld: NOP, newWord: BL },
      { addr: SITE, expectedOld: NOP, newWord: BL },
    ]));
    expect([e.code, e.address, e.expectedOld, e.newWord]).toEqual(['duplicate', SITE, NOP, BL]);
    expect(e.message).toMatch(/^patch at 0x40000008 \(0xd503201f -> 0x94000002\) refused: the batch names this address more than once: sites 0 and 2$/);
    expect(state(m)).toEqual(before);
    // the same batch without the repeat is written
    m.patchBatch([{ addr: SITE, expectedOld: NOP, newWord: MOV }, { addr: SITE + 4n, expectedOld: NOP, newWord: BL }]);
    expect(state(m).slice(0, 2)).toEqual([MOV, BL]);
  });

  it.each([
    ['-1', -1], ['2^32', 2 ** 32], ['1.5', 1.5], ['NaN', NaN], ['Infinity', Infinity], ['-2^31', -(2 ** 31)],
    ['a string', '3' as unknown as number], ['a bigint', 5n as unknown as number], ['undefined', undefined as unknown as number],
  ])('a new word of %s: bad-word', async (_what, bad) => {
    const m = await loaded();
    const before = state(m);
    const e = refusal(() => m.patchBatch([{ addr: SITE + 4n, expectedOld: NOP, newWord: BL }, { addr: SITE, expectedOld: NOP, newWord: bad }]));
    expect([e.code, e.address]).toEqual(['bad-word', SITE]);
    expect(e.message).toContain('site 1');
    expect(state(m)).toEqual(before);
    // and as the expected old word
    expect(refusal(() => m.patchText(SITE, bad, MOV)).code).toBe('bad-word');
    expect(state(m)).toEqual(before);
  });

  it.each([
    ['a number', Number(SITE)], ['a string', '0x40000008'], ['undefined', undefined],
  ])('an address that is %s: bad-address', async (_what, bad) => {
    const m = await loaded();
    const before = state(m);
    const e = refusal(() => m.patchBatch([{ addr: bad as unknown as bigint, expectedOld: NOP, newWord: MOV }]));
    expect(e.code).toBe('bad-address');
    expect(e.message).toMatch(/^patch \(0xd503201f -> 0xaa1e03e9\) refused: the address must be a bigint: site 0/);
    expect(state(m)).toEqual(before);
  });

  it.each(['exit', 'terminate'] as const)('a machine that has ended (%s): ended, memory untouched', async (how) => {
    const m = await loaded();
    if (how === 'terminate') await m.terminate(); // loaded, never started
    else m.start();
    const r = await m.exited;
    expect(r.end).toBe(how === 'exit' ? 'exit' : 'terminated');
    const before = state(m);
    const e = refusal(() => m.patchText(SITE, NOP, MOV));
    expect([e.code, e.address, e.expectedOld, e.newWord]).toEqual(['ended', SITE, NOP, MOV]);
    expect(e.message).toContain('the machine has ended: 1 site(s), nothing written');
    expect(state(m)).toEqual(before);
  });
});
