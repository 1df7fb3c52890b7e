// Every fault path of the execute loop, vectored. Random words (half of them
// drawn from the encoding table's rows) are stepped once at EL0, EL1t or EL1h
// from a seeded state, first without a vector table, then again from the same
// state with VBAR_EL1 set. Whatever fault reason the first run reports
// (undefined, data abort, instruction abort, PC alignment, SVC, BRK), the
// second run must take the matching exception instead: ESR_EL1 = the first
// run's syndrome, ELR_EL1 = the PC it stopped at, FAR_EL1 for aborts, SPSR =
// the PSTATE it ran with, EL1h with DAIF masked, PC at the right vector, the
// general registers as the first run left them and the old SP in its bank.

import { describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.ts';
import { encodeFields, ROWS } from '../bindings/isa/pattern.ts';
import { below, makeRng, randomFields } from '../bindings/isa/random.ts';
import { El1Rig, RAM_BASE, RAM_SIZE, VBAR } from './util/el1.ts';

const WORDS = 30_000;
const CODE = RAM_BASE + 0x2000n;
const FAULTS = new Set([L.EXIT_UNDEF, L.EXIT_DATA_ABORT, L.EXIT_FETCH_ABORT, L.EXIT_PC_ALIGN, L.EXIT_SVC, L.EXIT_BRK]);
const DRAWN = ROWS.filter((r) => !r.unimpl);

describe('vectored faults (fuzz)', () => {
  it(`takes the exception the unvectored run reports, for ${WORDS} random words`, () => {
    const rng = makeRng(0x5ec7043);
    const u64 = (): bigint => (BigInt(rng()) << 32n) | BigInt(rng());
    const value = (): bigint => {
      const k = below(rng, 8);
      if (k < 5) return RAM_BASE + BigInt(below(rng, RAM_SIZE - 0x100)); // an address in RAM (often misaligned)
      if (k === 5) return BigInt(below(rng, 0x1000)); // a small number: below RAM
      return u64();
    };
    const r = new El1Rig();
    const c = r.cpus[0];
    const dv = new DataView(r.memory.buffer);
    const u8 = new Uint8Array(r.memory.buffer);
    const base = c.base;
    const seen = new Map<number, number>();
    const failures: string[] = [];
    for (let i = 0; i < WORDS && failures.length < 20; i++) {
      let word = rng();
      if (rng() & 1) {
        const row = DRAWN[below(rng, DRAWN.length)];
        word = encodeFields(row, randomFields(row, rng));
      }
      const pc = below(rng, 50) === 0 ? 0x1000n : CODE; // now and then a PC outside RAM
      r.mem.setU32(CODE, word);
      // seeded state, no vector table
      u8.fill(0, base + L.C_IRQ_PENDING, base + L.C_EXCEPTIONS + 16);
      for (let n = 0; n < 32; n++) c.setX(n, value());
      dv.setBigUint64(base + L.C_SP_EL0, value(), true);
      dv.setBigUint64(base + L.C_SP_EL1, value(), true);
      const el = below(rng, 3) === 0 ? 0 : 1;
      const spsel = el === 1 && rng() & 1 ? 1 : 0;
      dv.setUint32(base + L.C_EL, el, true);
      dv.setUint32(base + L.C_SPSEL, spsel, true);
      dv.setUint32(base + L.C_DAIF, el ? L.DAIF_ALL : 0, true);
      dv.setBigUint64(base + L.C_EXCL_ADDR, 1n, true);
      c.nzcv = (rng() & 0xf) << 28;
      c.pc = pc;
      const state = u8.slice(base, base + L.C_RING);
      const pstate = c.nzcv | (el ? L.DAIF_ALL | 4 | spsel : 0);

      const exitA = r.step(0, 1);
      if (!FAULTS.has(exitA)) continue;
      seen.set(exitA, (seen.get(exitA) ?? 0) + 1);
      const synA = c.syndrome, stopA = c.pc, farA = c.far, spA = c.sp;
      const regsA = Array.from({ length: 31 }, (_, n) => c.x(n));

      u8.set(state, base);
      c.vbar = VBAR;
      const exitB = r.step(0, 1);
      const hex = (w: number): string => `0x${(w >>> 0).toString(16).padStart(8, '0')}`;
      const fail = (m: string): void => { failures.push(`${hex(word)} at EL${el}${el ? (spsel ? 'h' : 't') : ''} (exit ${exitA}): ${m}`); };
      const want = VBAR + BigInt(el === 0 ? 0x400 : spsel ? 0x200 : 0);
      if (exitB !== L.EXIT_BUDGET) { fail(`vectored run exited with ${exitB}`); continue; }
      if (c.pc !== want) fail(`pc 0x${c.pc.toString(16)}, want 0x${want.toString(16)}`);
      if (c.esr !== synA) fail(`ESR ${hex(c.esr)}, unvectored syndrome ${hex(synA)}`);
      if (c.elr !== stopA) fail(`ELR 0x${c.elr.toString(16)}, unvectored stop 0x${stopA.toString(16)}`);
      if (c.spsr !== pstate >>> 0) fail(`SPSR ${hex(c.spsr)}, want ${hex(pstate)}`);
      const abort = exitA === L.EXIT_DATA_ABORT || exitA === L.EXIT_FETCH_ABORT || exitA === L.EXIT_PC_ALIGN;
      if (abort && c.farEl1 !== farA) fail(`FAR_EL1 0x${c.farEl1.toString(16)}, want 0x${farA.toString(16)}`);
      if (c.el !== 1 || c.spsel !== 1 || c.daif !== L.DAIF_ALL) fail(`PSTATE EL${c.el} SPSel ${c.spsel} DAIF ${c.daif}`);
      if (c.exceptions !== 1n) fail(`${c.exceptions} exceptions counted`);
      const regs = regsA.findIndex((v, n) => c.x(n) !== v);
      if (regs >= 0) fail(`x${regs} differs from the unvectored run`);
      const oldSp = el === 1 && spsel === 1 ? c.sp : c.spEl0;
      if (oldSp !== spA) fail(`the interrupted SP 0x${oldSp.toString(16)}, want 0x${spA.toString(16)}`);
    }
    console.log(`fuzz-vectors: faults seen by exit reason: ${[...seen].map(([k, v]) => `${k}: ${v}`).join(', ')}`);
    expect(failures).toEqual([]);
    for (const exit of FAULTS) expect(seen.get(exit) ?? 0, `exit ${exit}`).toBeGreaterThan(20);
  });
});
