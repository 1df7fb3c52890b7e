// Host patching through the Machine: patchText/patchBatch on a loaded image,
// with the CMODX verdict drawn from what the CPUs are doing.

import { describe, expect, it } from 'vitest';
import { Machine, PatchError } from '../../bindings/index.ts';
import { assemble } from '../../bindings/isa/asm.ts';
import { DATA, kernelElf, sym } from '../util/machine.ts';

const word = (src: string) => new DataView(assemble(src, 0n).bytes.buffer).getUint32(0, true);
const NOP = word('nop');
const MOV_X9_X30 = word('mov x9, x30');

// Every CPU calls g (nop; nop; ret) until the host sets the flag at DATA;
// then CPU 0 exits and the others wait in WFE. k is never called: the BL the
// test writes there (to h) must not run, as a BL in g would clobber x30 and
// make g's RET loop on itself.
const SRC = `
  _start:
    mov x20, x0
    movz x19, #${Number(DATA >> 16n)}, lsl #16
  loop:
    bl g
    ldr x1, [x19]
    cbz x1, loop
    cbnz x20, park
    mov x0, #0
    mov x8, #93
    hvc #0
  park:
    wfe
    b park
  g:
    nop
    nop
    ret
  h:
    ret
  k:
    nop
    ret
`;

describe('Machine.patchText', () => {
  it('before start every CPU is stopped: NOP -> MOV X9, X30 is quiescent', async () => {
    const m = await Machine.create({ cpus: 2, profile: 'kernel', mode: 'deterministic', log: () => {} });
    m.load(kernelElf(SRC));
    const g = sym(m, 'g');
    const r = m.patchText(g, NOP, MOV_X9_X30, { strict: true });
    expect(r.records.map((x) => x.verdict)).toEqual(['quiescent']);
    expect(m.mem.u32(g)).toBe(MOV_X9_X30);
    expect(m.cmodx.counts).toEqual({ allowed: 0, quiescent: 1, violation: 0, unclassified: 0 });
    expect(() => m.patchText(g, NOP, MOV_X9_X30)).toThrow(PatchError); // the old word is no longer NOP
  });

  it('while the CPUs run: strict refuses NOP -> MOV, the checker records it otherwise, NOP -> BL is allowed', async () => {
    const m = await Machine.create({ cpus: 2, profile: 'kernel', mode: 'threads', log: () => {} });
    m.load(kernelElf(SRC));
    const g = sym(m, 'g');
    m.start();
    await new Promise((r) => setTimeout(r, 100));
    let err: unknown;
    try { m.patchText(g, NOP, MOV_X9_X30, { strict: true }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(PatchError);
    expect((err as PatchError).code).toBe('cmodx');
    expect(m.mem.u32(g)).toBe(NOP);
    const r = m.patchText(g, NOP, MOV_X9_X30, { kick: true });
    expect(r.records[0]!.verdict).toBe('violation');
    const v = m.cmodx.violations[0]!;
    expect(v.address).toBe(g);
    expect(v.cpus.map((c) => c.state)).toEqual(['running', 'running']);
    const h = sym(m, 'h'), k = sym(m, 'k');
    const off = h - k; // numeric branch targets are PC-relative
    const bl = word(`bl ${off < 0n ? '-' : ''}0x${(off < 0n ? -off : off).toString(16)}`);
    expect(m.patchText(k, NOP, bl).records[0]!.verdict).toBe('allowed');
    m.mem.setU64(DATA, 1n);
    const res = await m.exited;
    expect(res.exitCode).toBe(0);
    expect(m.cmodx.counts).toEqual({ allowed: 1, quiescent: 0, violation: 1, unclassified: 0 });
  });
});
