// The instruction-cache model on one CPU, interpreted and translated.
//
// The program runs f (mov x0, #1; ret) 300 times, overwrites the mov with
// mov x0, #2 by an ordinary store, runs f 300 times again, then does the
// architectural sequence (DC CVAU; DSB ISH; IC IVAU; DSB ISH; ISB) and runs
// f 300 times a third time. The sum of the results is its exit code.
//
//   model          loop 2 sees   stale executions   sum
//   coherent       new word      0                  300 + 600 + 600
//   architectural  old word      300                300 + 300 + 600

import { describe, expect, it } from 'vitest';
import { assemble } from '../bindings/isa/asm.ts';
import { UserProcess } from '../bindings/user/run.ts';
import { codeElf } from './util/elf.ts';

const BASE = 0x400000n;
const loop = (n: number) => `
        mov x20, #300
      loop${n}: bl f
        add x19, x19, x0
        subs x20, x20, #1
        b.ne loop${n}`;

function program(): Uint8Array {
  const movX0_2 = new DataView(assemble('mov x0, #2', 0n).bytes.buffer).getUint32(0, true);
  const a = assemble(`
      _start:
        mov x19, #0
        ${loop(1)}
        adr x21, f
        ldr w22, newword
        str w22, [x21]
        ${loop(2)}
        dc cvau, x21
        dsb ish
        ic ivau, x21
        dsb ish
        isb
        ${loop(3)}
        mov x0, x19
        and x0, x0, #0xff
        mov x8, #93
        svc #0
      newword: .word ${movX0_2}
      f: mov x0, #1
        ret
  `, BASE);
  return codeElf(a.bytes, BASE, true);
}

describe('instruction-cache model', () => {
  for (const coherentIcache of [true, false]) {
    for (const jitThreshold of [0, 1, 64]) {
      const model = coherentIcache ? 'coherent' : 'architectural';
      it(`${model}, translation threshold ${jitThreshold}`, () => {
        const p = new UserProcess(program(), { coherentIcache, jitThreshold, io: { write: (_f, d) => d.length, warn: () => {} } });
        const r = p.run();
        expect(r.fault).toBeUndefined();
        expect(r.jit.errors).toBe(0);
        const sum = coherentIcache ? 300 + 600 + 600 : 300 + 300 + 600;
        expect(r.exitCode).toBe(sum & 0xff);
        expect(p.cpu.stale).toBe(coherentIcache ? 0n : 300n);
        expect(p.cpu.contextSyncs).toBe(1n);
        if (jitThreshold === 1) expect(r.jit.regions).toBeGreaterThan(1);
      });
    }
  }
});
