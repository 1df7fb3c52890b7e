// What a fetched word does: single-thread litmus programs whose final
// registers are checked against values worked out by hand from the Arm ARM.
// Each program has one outcome (no other thread writes its code).
//
// What this catches: wrong arithmetic or flags (signed and unsigned
// conditions after CMP, carry of SUBS), wrong sign or zero extension of W
// results, wrong register-offset or pre/post-index addressing, MOVK not
// keeping the other halfwords, BL/RET or CBZ/TBZ going to the wrong place,
// and an unsupported instruction crashing the host instead of faulting the
// thread.

import { describe, expect, it } from 'vitest';
import { buildProgram, explore, parseLitmus } from '../../bindings/litmus/index.ts';

function run(code: string[], init = '', cond = 'exists (0:X0=0)'): string[] {
  const src = `AArch64 E\n{ ${init} }\n P0 ;\n${code.map((c) => ` ${c} ;`).join('\n')}\nlocations [${Array.from({ length: 16 }, (_, i) => `0:X${i};`).join(' ')}]\n${cond}\n`;
  return explore(buildProgram(parseLitmus(src, 'e.litmus'))).outcomes.map((o) => o.text);
}

function regs(code: string[], init = ''): Record<string, bigint> {
  const outs = run(code, init);
  expect(outs).toHaveLength(1);
  expect(outs[0]).not.toContain('fault');
  return Object.fromEntries(outs[0].split(';').filter((s) => s.trim()).map((s) => s.trim().split('=')).filter(([, v]) => /^(0x)?[0-9a-f]+$/.test(v)).map(([k, v]) => [k, BigInt(v)]));
}

describe('A64 execution', () => {
  it('MOV, MOVK, ADD/SUB with immediates, shifts and extends, W results zero-extended', () => {
    const r = regs([
      'MOV X1,#0x1234', 'MOVK X1,#0xabcd,LSL #16', 'ADD X2,X1,#1', 'SUB W3,W13,#1', 'ADD X4,X2,X2,LSL #4',
      'MOV W5,#-2', 'ADD X6,X4,W5,SXTW', 'EOR X7,X1,X1', 'AND X8,X1,#0xff00', 'ORR W9,WZR,#0x10',
    ]);
    expect(r['0:X1']).toBe(BigInt(0xabcd1234));
    expect(r['0:X2']).toBe(BigInt(0xabcd1235));
    expect(r['0:X3']).toBe(BigInt(0xffffffff));
    expect(r['0:X4']).toBe(BigInt(0xabcd1235 * 17));
    expect(r['0:X5']).toBe(BigInt(0xfffffffe));
    expect(r['0:X6']).toBe(BigInt(0xabcd1235 * 17 - 2));
    expect(r['0:X7']).toBe(0n);
    expect(r['0:X8']).toBe(BigInt(0x1200));
    expect(r['0:X9']).toBe(16n);
  });
  it('CMP and B.cond: signed and unsigned conditions, CSET, CSINC', () => {
    const r = regs([
      'MOV X1,#-1', 'CMP X1,#1', 'CSET W2,LT', 'CSET W3,HI', 'CSET W4,NE', 'CMP X1,X1', 'CSET W5,EQ', 'CSET W6,HS',
      'CSINC W7,WZR,WZR,NE', 'CMP X1,#0', 'B.GE skip', 'MOV W8,#1', 'skip: B.MI neg', 'MOV W9,#1', 'neg:',
    ]);
    expect([r['0:X2'], r['0:X3'], r['0:X4'], r['0:X5'], r['0:X6'], r['0:X7'], r['0:X8'], r['0:X9']]).toEqual([1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n]);
  });
  it('CBZ/CBNZ/TBZ/TBNZ, BL and RET, BLR and BR', () => {
    const r = regs([
      'MOV X1,#4', 'CBZ X1,a', 'MOV W2,#1', 'a: CBNZ X1,b', 'MOV W3,#1', 'b: TBZ X1,#2,c', 'MOV W4,#1', 'c: TBNZ X1,#0,d',
      'MOV W5,#1', 'd: BL f', 'MOV W6,#1', 'ADR X10,f', 'BLR X10', 'ADR X11,e', 'BR X11', 'MOV W7,#1', 'e: B end',
      'f: ADD X12,X12,#1', 'RET', 'end:',
    ]);
    expect([r['0:X2'], r['0:X3'], r['0:X4'], r['0:X5'], r['0:X6'], r['0:X7'], r['0:X12']]).toEqual([1n, 0n, 1n, 1n, 1n, 0n, 2n]);
  });
  it('LDR/STR of W and X: offsets, register offsets, pre- and post-index', () => {
    const r = regs(
      ['MOV X5,#0x1122', 'MOVK X5,#0x3344,LSL #32', 'STR X5,[X1]', 'LDR W6,[X1]', 'LDR X7,[X1]', 'MOV X8,#8', 'STR W5,[X1,X8]',
        'LDR X9,[X1,X8,LSL #0]', 'MOV X2,X1', 'LDR X10,[X2,#8]!', 'LDR X11,[X2],#-8', 'SUB X12,X2,X1'],
      '0:X1=x; 0:X3=y;',
    );
    expect(r['0:X6']).toBe(BigInt(0x1122));
    expect(r['0:X7']).toBe(BigInt(0x3344_0000_1122n));
    expect(r['0:X9']).toBe(BigInt(0x1122));
    expect(r['0:X10']).toBe(BigInt(0x1122));
    expect(r['0:X11']).toBe(BigInt(0x1122));
    expect(r['0:X12']).toBe(0n);
  });
  it('a store to code the test names nowhere is refused with a typed error (fetches of such code are taken as fixed)', () => {
    expect(() => run(['ADD X1,X1,#4', 'STR W0,[X1]', 'f: NOP', 'g: NOP'], '0:X0=NOP; 0:X1=P0:f;')).toThrow(
      expect.objectContaining({ name: 'LitmusError', code: 'unsupported', message: expect.stringMatching(/P0 stores to code at P0:g/) }),
    );
    expect(run(['STR W0,[X1]', 'f: NOP', 'g: NOP'], '0:X0=NOP; 0:X1=P0:g;')).toHaveLength(1);
  });
  it('an instruction outside the subset or an access outside memory faults the thread, the host carries on', () => {
    expect(run(['MOV W1,#1', 'SVC #0', 'MOV W2,#1'])[0]).toMatch(/0:X1=1;.* 0:X2=0;.*fault\(P0: unsupported instruction svc #0 at P0\+0x4\)/);
    expect(run(['MOV X1,#8', 'LDR X2,[X1]'])[0]).toMatch(/fault\(P0: load from unmapped address 0x8 at P0\+0x4\)/);
    expect(run(['.inst 0x00000000'])[0]).toMatch(/fault\(P0: undefined instruction udf #0 at P0\+0x0\)/);
  });
});
