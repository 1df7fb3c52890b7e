// The operand roles of bindings/timing/roles.ts against what the interpreter
// does: random implemented words from the encoding table are stepped once in
// the decoder fuzzer's sandbox; every register that changed must be one the
// roles say is written, and changing a register the roles say is not read
// must not change the outcome (registers, NZCV, PC, exit) of a word that does
// not write memory; nor may other flags when the roles say NZCV is not read.

import { describe, expect, it } from 'vitest';
import * as L from '../../assembly/layout.ts';
import * as O from '../../assembly/ops.ts';
import { ROWS } from '../../bindings/isa/pattern.ts';
import * as R from '../../bindings/timing/roles.ts';
import { ACCESSIBLE, LO, Sandbox } from '../fuzz/decode-fuzz.ts';
import { Rng } from '../fuzz/rng.ts';

const SLOTS = 32; // x0..x30, sp
const hex = (w: number): string => '0x' + (w >>> 0).toString(16).padStart(8, '0');
const u64 = ([lo, hi]: readonly [number, number]): bigint => BigInt(lo >>> 0) | (BigInt(hi >>> 0) << 32n);

interface Outcome { exit: number; regs: bigint[]; nzcv: number; pc: bigint }

function outcome(sb: Sandbox, exit: number): Outcome {
  const regs: bigint[] = [];
  for (let s = 0; s < SLOTS; s++) regs.push(u64([sb.field32(8 * s), sb.field32(8 * s + 4)]));
  const pc = u64([sb.field32(L.C_PC), sb.field32(L.C_PC + 4)]);
  return { exit, regs, nzcv: sb.field32(L.C_NZCV), pc };
}

/** Register slots (0..31) the roles name for the decoded entry at `e`. */
function slots(sb: Sandbox, e: number, roles: number, which: 'read' | 'write'): Set<number> {
  const f = (off: number): number => sb.u8[e + off];
  const out = new Set<number>();
  const add = (bit: number, slot: number): void => { if (roles & bit) out.add(slot); };
  if (which === 'read') {
    add(R.READ_RN, f(L.E_RN)); add(R.READ_RM, f(L.E_RM)); add(R.READ_RA, f(L.E_RA)); add(R.READ_RD, f(L.E_RD));
    if (roles & R.PAIR_REGS) { out.add(f(L.E_RD) + 1); out.add(f(L.E_RM) + 1); }
  } else {
    add(R.WRITE_RD, f(L.E_RD)); add(R.WRITE_RA, f(L.E_RA)); add(R.WRITE_RN, f(L.E_RN)); add(R.WRITE_RM, f(L.E_RM));
    add(R.WRITE_LR, 30);
    if (roles & R.PAIR_REGS) out.add(f(L.E_RM) + 1);
  }
  return out;
}

describe('operand roles of the decoded operations', () => {
  it('name every register a word writes and every register it reads', () => {
    const rng = new Rng(14, 0x7013);
    const sb = new Sandbox();
    const implemented = ROWS.filter((r) => !r.unimpl);
    const problems: string[] = [];
    let writesChecked = 0;
    let readsChecked = 0;
    let flagsChecked = 0;
    for (let i = 0; i < 20_000 && problems.length < 10; i++) {
      const row = rng.pick(implemented);
      const word = (row.value | (rng.u32() & ~row.mask)) >>> 0;
      const pc = LO + BigInt(rng.below(ACCESSIBLE >> 2) << 2);
      if (sb.core.decodeInto(word, pc, sb.scratch) === 0) continue;
      const op = sb.u8[sb.scratch + L.E_OP] | (sb.u8[sb.scratch + L.E_OP + 1] << 8);
      const roles = R.rolesOf(op);
      const kind = (roles & R.KIND_MASK) >> R.KIND_SHIFT;
      if (kind === R.KIND_SYSTEM) continue; // system instructions change state the roles do not describe
      const init: [number, number][] = [];
      for (let s = 0; s < SLOTS; s++) {
        const v = rng.bool(0.6) ? LO + BigInt(rng.below(ACCESSIBLE - 64) & ~15) : BigInt(rng.u32()) | (BigInt(rng.u32()) << 32n);
        init.push([Number(v & 0xffffffffn), Number(v >> 32n)]);
      }
      const nzcv = rng.below(16) << 28;
      const run = (perturb: number, delta: number, flags = nzcv): Outcome => {
        sb.core.flushCache(0);
        sb.u32[sb.wasm(pc) >> 2] = word;
        init.forEach(([lo, hi], s) => sb.setReg64(s, s === perturb ? (lo ^ delta) >>> 0 : lo, hi));
        sb.setReg64(L.C_PC >> 3, Number(pc & 0xffffffffn), Number(pc >> 32n));
        sb.setField32(L.C_NZCV, flags);
        sb.setField32(L.C_EL, 0);
        sb.setReg64(L.C_EXCL_ADDR >> 3, 1, 0);
        sb.u8.fill(0, L.CPU_BASE + L.C_IRQ_PENDING, L.CPU_BASE + L.C_EXCEPTIONS);
        return outcome(sb, sb.core.step(0, 1));
      };
      const base = run(-1, 0);
      if (sb.core.decodeInto(word, pc, sb.scratch) === 0) continue;
      const written = slots(sb, sb.scratch, roles, 'write');
      base.regs.forEach((v, s) => {
        if (v !== u64(init[s]) && !written.has(s)) problems.push(`${hex(word)} (${row.id}, op ${op}): wrote slot ${s}, roles 0x${roles.toString(16)}`);
      });
      writesChecked++;
      if (kind === R.KIND_STORE) continue; // a second run would see the memory the first one wrote
      const read = slots(sb, sb.scratch, roles, 'read');
      const others = [...Array(SLOTS).keys()].filter((s) => !read.has(s));
      const s = rng.pick(others);
      const delta = (rng.u32() | 16) >>> 0;
      const again = run(s, delta);
      // the perturbed slot ends as the first run left it when that run wrote it, else as perturbed
      const initS = u64(init[s]);
      const wantS = base.regs[s] !== initS ? base.regs[s] : initS ^ BigInt(delta);
      const same = again.exit === base.exit && again.nzcv === base.nzcv && again.pc === base.pc &&
        again.regs.every((v, k) => v === (k === s ? wantS : base.regs[k]));
      if (!same) problems.push(`${hex(word)} (${row.id}, op ${op}): changing slot ${s} changed the outcome, roles 0x${roles.toString(16)}`);
      readsChecked++;
      if (!(roles & R.READ_NZCV)) {
        // other flags: the same outcome, with NZCV as the first run left it when it wrote them
        const flipped = (nzcv ^ ((1 + rng.below(15)) << 28)) >>> 0;
        const f = run(-1, 0, flipped);
        const wantFlags = roles & R.WRITE_NZCV ? base.nzcv : flipped;
        const sameF = f.exit === base.exit && f.pc === base.pc && f.nzcv === wantFlags && f.regs.every((v, k) => v === base.regs[k]);
        if (!sameF) problems.push(`${hex(word)} (${row.id}, op ${op}): other flags changed the outcome, roles 0x${roles.toString(16)}`);
        flagsChecked++;
      }
    }
    expect(problems).toEqual([]);
    expect(writesChecked).toBeGreaterThan(15_000);
    expect(readsChecked).toBeGreaterThan(8_000);
    expect(flagsChecked).toBeGreaterThan(6_000);
  });

  it('give every operation the core executes a role or a kind', () => {
    // the operations of ops.ts: its OP_* numbers and the load/store and pair ranges
    const ops = new Set<number>();
    for (const [name, v] of Object.entries(O)) {
      if (name.startsWith('OP_') && !/_(FIRST|LAST|COUNT)$/.test(name)) ops.add(v as number);
    }
    for (let op = O.OP_LDST_FIRST; op <= O.OP_LDST_LAST; op++) ops.add(op);
    for (let op = O.OP_PAIR_FIRST; op <= O.OP_PAIR_LAST; op++) ops.add(op);
    // NOP is the one operation with nothing to read, write or branch; UNDEF is not executed
    const none = [...ops].filter((op) => op !== O.OP_NOP && op !== O.OP_UNDEF && R.rolesOf(op) === 0);
    expect(ops.size).toBeGreaterThan(200);
    expect(none).toEqual([]);
  });
});
