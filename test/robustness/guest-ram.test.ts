// Guest accesses outside guest RAM, from every load/store form the core
// runs, interpreted and translated: each is an oops-style fault report with
// the address (SIGSEGV, exit 139), never a Wasm trap or another host
// exception, and the instruction changes nothing.

import { describe, expect, it } from 'vitest';
import { writeElf } from '../../bindings/elf/index.ts';
import { assemble } from '../../bindings/isa/asm.ts';
import { STACK_GUARD_GAP, STACK_SIZE } from '../../bindings/user/image.ts';
import { UserProcess } from '../../bindings/user/run.ts';

const BASE = 0x400000n;
const RAM = 256n << 20n;
const GUARD = RAM - STACK_SIZE - STACK_GUARD_GAP;

/** Where each access goes: below the window, past its end, at the top of the 64-bit space, in the stack guard gap. */
const PLACES: [string, bigint][] = [
  ['the NULL page', 0x0n],
  ['just below the first mapped page', 0xfff0n],
  ['the end of RAM', RAM],
  ['the top of the address space', 0xffff_ffff_ffff_fff0n],
  ['the stack guard gap', GUARD + 0x100n],
];

/** Every load/store form, with x0 the address; x1..x5 hold 1..5, x6 0 (register offsets). */
const FORMS = [
  'ldrb w1, [x0]', 'ldrh w1, [x0]', 'ldr w1, [x0]', 'ldr x1, [x0]', 'ldrsb x1, [x0]', 'ldrsh x1, [x0]', 'ldrsw x1, [x0]',
  'ldrsb w1, [x0]', 'ldrsh w1, [x0]', 'strb w1, [x0]', 'strh w1, [x0]', 'str w1, [x0]', 'str x1, [x0]',
  'ldr x1, [x0, #0]!', 'ldr x1, [x0], #8', 'str x1, [x0, #0]!', 'str x1, [x0], #8', 'ldr x1, [x0, x6]',
  'str x1, [x0, x6, lsl #3]', 'ldur x1, [x0, #1]', 'stur w1, [x0, #3]', 'ldtr x1, [x0]', 'sttr x1, [x0]',
  'ldp w1, w2, [x0]', 'ldp x1, x2, [x0]', 'stp w1, w2, [x0]', 'stp x1, x2, [x0]', 'ldpsw x1, x2, [x0]',
  'ldp x1, x2, [x0, #0]!', 'stp x1, x2, [x0], #16', 'ldnp x1, x2, [x0]', 'stnp x1, x2, [x0]',
  'ldxr x1, [x0]', 'ldxrb w1, [x0]', 'stxr w3, x1, [x0]', 'ldaxr w1, [x0]', 'stlxr w3, w1, [x0]', 'ldar x1, [x0]',
  'stlr x1, [x0]', 'ldarb w1, [x0]', 'stlrh w1, [x0]', 'ldxp x1, x2, [x0]', 'stxp w3, x1, x2, [x0]', 'ldaxp x1, x2, [x0]',
  'ldadd x1, x2, [x0]', 'ldaddal w1, w2, [x0]', 'ldclr x1, x2, [x0]', 'ldeor x1, x2, [x0]', 'ldset x1, x2, [x0]',
  'ldsmax x1, x2, [x0]', 'ldumin x1, x2, [x0]', 'swp x1, x2, [x0]', 'swpal w1, w2, [x0]', 'cas x1, x2, [x0]',
  'casal w1, w2, [x0]', 'casp x2, x3, x4, x5, [x0]', 'stadd x1, [x0]', 'dc zva, x0',
];

function movImm(reg: string, v: bigint): string {
  const parts = [0n, 16n, 32n, 48n].map((s) => (v >> s) & 0xffffn);
  return [`movz ${reg}, #${parts[0]}`, ...parts.slice(1).map((p, i) => `movk ${reg}, #${p}, lsl #${16 * (i + 1)}`)].join('\n');
}

/** A program that loops `n` times over the access (so that the translator takes the block), then exits 0. */
function program(form: string, addr: bigint, n: number): Uint8Array {
  const a = assemble(`
    _start:
      mov x1, #1
      mov x2, #2
      mov x3, #3
      mov x4, #4
      mov x5, #5
      mov x6, #0
      mov x9, #${n}
    again:
      ${movImm('x10', 0x500000n)}
      ${movImm('x0', addr)}
      subs x9, x9, #1
      b.ne safe
    access:
      ${form}
    safe:
      cbnz x9, again
      mov x0, #0
      mov x8, #93
      svc #0`, BASE);
  return writeElf({
    entry: BASE,
    segments: [
      { vaddr: BASE, data: a.bytes, flags: { r: true, x: true } },
      { vaddr: 0x500000n, data: new Uint8Array(64), memSize: 4096, flags: { r: true, w: true } },
    ],
    symbols: [...a.labels].map(([name, value]) => ({ name, value, type: 'FUNC' as const, binding: 'GLOBAL' as const })),
  });
}

describe.each([
  ['interpreted', 0],
  ['translated', 1],
] as const)('%s', (_how, jitThreshold) => {
  it.each(PLACES)('every load/store form at %s faults with an oops naming the address', (_where, addr) => {
    const seen: string[] = [];
    for (const form of FORMS) {
      const p = new UserProcess(program(form, addr, 3), { jitThreshold, io: { write: (_f, d) => d.length, warn: () => {} } });
      const before = p.mem.read(0x500000n, 64);
      let r;
      try {
        r = p.run();
      } catch (err) {
        throw new Error(`${form} at 0x${addr.toString(16)}: host exception ${(err as Error).message}`);
      }
      expect(r.fault?.kind, form).toBe('data-abort');
      expect(r.exitCode, form).toBe(139);
      const at = r.fault!.address!;
      // the access's own address: the base, or up to 64 below (DC ZVA's block) .. 16 above (offset, writeback)
      expect(BigInt.asUintN(64, at - addr + 64n) <= 80n, `${form}: fault address 0x${at.toString(16)}`).toBe(true);
      expect(r.fault!.report, form).toMatch(/Unable to handle guest (read|write) at address 0x[0-9a-f]{16} \((outside guest RAM|stack guard gap: stack overflow)\)/);
      expect(r.fault!.report, form).toContain('<access+0x0>');
      // nothing written anywhere the program could see
      expect(p.mem.read(0x500000n, 64), form).toEqual(before);
      seen.push(form);
    }
    expect(seen).toHaveLength(FORMS.length);
  });

  it('a branch out of guest RAM or into the guard gap is an instruction abort, not a host exception', () => {
    for (const [, addr] of PLACES) {
      const target = addr & ~3n;
      const p = new UserProcess(program('br x0', target, 3), { jitThreshold, io: { write: (_f, d) => d.length, warn: () => {} } });
      const r = p.run();
      expect(r.fault?.kind).toBe('instruction-abort');
      expect(r.exitCode).toBe(139);
      expect(r.fault!.report).toMatch(/Unable to fetch instruction at 0x[0-9a-f]{16}: PC (outside guest RAM|in the stack guard gap)/);
    }
  });
});

describe('the same forms inside RAM', () => {
  it('run to the end: the fault above comes from the address alone', () => {
    for (const form of FORMS) {
      const p = new UserProcess(program(form, 0x500000n, 3), { jitThreshold: 1, io: { write: (_f, d) => d.length, warn: () => {} } });
      const r = p.run();
      expect(r.fault, form).toBeUndefined();
      expect(r.exitCode, form).toBe(0);
    }
  });
});
