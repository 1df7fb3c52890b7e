// Condition flags inside a translated block.
//
// A flag-setting instruction does not compute NZCV at once: the block
// remembers its operands (symbolic flags) and a later B.cond or CSEL in the
// same block tests them directly (CMP x0, x1; B.LT -> x0 < x1 signed). NZCV
// is only built when something needs the bits: the end of the block, a bail
// out to the interpreter, ADC/SBC, CCMP, or a condition with no direct form.

import * as L from '../../assembly/layout.ts';
import { Op, type Code } from './wasm.ts';

export type FlagState =
  | { k: 'mem' } //                       NZCV is in the CPU block, not loaded
  | { k: 'val'; dirty: boolean } //       the nzcv local holds it
  | { k: 'sub' | 'add' | 'logic'; w: boolean }; // operands in fa/fb, result in fr

export interface FlagLocals {
  st: number;
  nzcv: number; // i32
  fa: number; // i64 first operand (zero-extended for W)
  fb: number; // i64 second operand (as written, not inverted)
  fr: number; // i64 result (zero-extended for W)
}

/** Pushes the 0/1 sign bit of an i64 (or i32 when w) on the stack as i32 shifted to `bit`. */
function signTo(c: Code, w: boolean, bit: number): void {
  if (w) c.i32(31).op(Op.i32_shr_u);
  else c.i64(63n).op(Op.i64_shr_u, Op.i32_wrap_i64);
  if (bit) c.i32(bit).op(Op.i32_shl);
}

function get(c: Code, local: number, w: boolean): void {
  c.get(local);
  if (w) c.op(Op.i32_wrap_i64);
}

export class Flags {
  state: FlagState = { k: 'mem' };
  constructor(private readonly c: Code, private readonly l: FlagLocals) {}

  reset(): void { this.state = { k: 'mem' }; }

  /** Records a flag-setting operation whose operands/result the caller put in fa, fb, fr. */
  setSymbolic(k: 'sub' | 'add' | 'logic', w: boolean): void { this.state = { k, w }; }

  /** Records that the nzcv local now holds the flags. */
  setValue(): void { this.state = { k: 'val', dirty: true }; }

  /** Pushes the NZCV word computed from the symbolic state (no state change). */
  private compute(): void {
    const c = this.c, { fa, fb, fr } = this.l;
    const s = this.state;
    if (s.k !== 'sub' && s.k !== 'add' && s.k !== 'logic') throw new Error('flags: not symbolic');
    const w = s.w;
    // N
    get(c, fr, w); signTo(c, w, 31);
    // Z
    get(c, fr, w); c.op(w ? Op.i32_eqz : Op.i64_eqz).i32(30).op(Op.i32_shl, Op.i32_or);
    if (s.k === 'logic') return;
    // C
    if (s.k === 'sub') { get(c, fa, w); get(c, fb, w); c.op(w ? Op.i32_ge_u : Op.i64_ge_u); }
    else { get(c, fr, w); get(c, fa, w); c.op(w ? Op.i32_lt_u : Op.i64_lt_u); }
    c.i32(29).op(Op.i32_shl, Op.i32_or);
    // V
    this.overflow(w, s.k === 'sub');
    signTo(c, w, 28);
    c.op(Op.i32_or);
  }

  /** Pushes the value whose sign bit is V: sub (a^b)&(a^r), add (a^r)&(b^r). */
  private overflow(w: boolean, sub: boolean): void {
    const c = this.c, { fa, fb, fr } = this.l;
    const xor = w ? Op.i32_xor : Op.i64_xor;
    if (sub) { get(c, fa, w); get(c, fb, w); c.op(xor); get(c, fa, w); get(c, fr, w); c.op(xor); }
    else { get(c, fa, w); get(c, fr, w); c.op(xor); get(c, fb, w); get(c, fr, w); c.op(xor); }
    c.op(w ? Op.i32_and : Op.i64_and);
  }

  /** Makes the nzcv local hold the flags (loads or computes them). */
  materialize(): void {
    const s = this.state;
    if (s.k === 'val') return;
    if (s.k === 'mem') {
      this.c.get(this.l.st).mem('i32_load', L.C_NZCV).set(this.l.nzcv);
      this.state = { k: 'val', dirty: false };
      return;
    }
    this.compute();
    this.c.set(this.l.nzcv);
    this.state = { k: 'val', dirty: true };
  }

  /** Stores NZCV into the CPU block if it changed (no state change: usable on bail-out paths). */
  flush(): void {
    const s = this.state, c = this.c;
    if (s.k === 'mem' || (s.k === 'val' && !s.dirty)) return;
    c.get(this.l.st);
    if (s.k === 'val') c.get(this.l.nzcv);
    else this.compute();
    c.mem('i32_store', L.C_NZCV);
  }

  /** Pushes 1 when condition `cond` (0..15) holds, else 0. */
  cond(cond: number): void {
    const c = this.c;
    if (cond >= 14) { c.i32(1); return; }
    const s = this.state;
    const inv = (cond & 1) !== 0;
    if (s.k === 'sub' || s.k === 'logic' || (s.k === 'add' && cond >> 1 <= 3)) {
      this.direct(cond >> 1, s.k, s.w);
      if (inv) c.op(Op.i32_eqz);
      return;
    }
    this.materialize();
    this.fromBits(cond >> 1);
    if (inv) c.i32(1).op(Op.i32_xor);
  }

  private direct(base: number, k: 'sub' | 'add' | 'logic', w: boolean): void {
    const c = this.c, { fa, fb, fr } = this.l;
    const o = w
      ? { eq: Op.i32_eq, eqz: Op.i32_eqz, ltu: Op.i32_lt_u, geu: Op.i32_ge_u, gtu: Op.i32_gt_u, lts: Op.i32_lt_s, ges: Op.i32_ge_s, gts: Op.i32_gt_s, zero: () => c.i32(0) }
      : { eq: Op.i64_eq, eqz: Op.i64_eqz, ltu: Op.i64_lt_u, geu: Op.i64_ge_u, gtu: Op.i64_gt_u, lts: Op.i64_lt_s, ges: Op.i64_ge_s, gts: Op.i64_gt_s, zero: () => c.i64(0n) };
    const ab = (op: number) => { get(c, fa, w); get(c, fb, w); c.op(op); };
    const r0 = (op: number) => { get(c, fr, w); o.zero(); c.op(op); };
    if (k === 'sub') {
      switch (base) {
        case 0: ab(o.eq); return; //             EQ
        case 1: ab(o.geu); return; //            CS: a >= b unsigned
        case 2: r0(o.lts); return; //            MI
        case 3: this.overflow(w, true); signTo(c, w, 0); return; // VS
        case 4: ab(o.gtu); return; //            HI
        case 5: ab(o.ges); return; //            GE
        default: ab(o.gts); return; //           GT
      }
    }
    if (k === 'logic') {
      switch (base) {
        case 0: get(c, fr, w); c.op(o.eqz); return;
        case 1: case 3: case 4: c.i32(0); return; // C and V are clear
        case 2: r0(o.lts); return;
        case 5: r0(o.ges); return;
        default: r0(o.gts); return;
      }
    }
    switch (base) { // add
      case 0: get(c, fr, w); c.op(o.eqz); return;
      case 1: get(c, fr, w); get(c, fa, w); c.op(o.ltu); return; // carry out
      case 2: r0(o.lts); return;
      default: this.overflow(w, false); signTo(c, w, 0); return; // VS
    }
  }

  /** Condition base (cond >> 1) from the NZCV bits in the nzcv local. */
  private fromBits(base: number): void {
    const c = this.c, f = this.l.nzcv;
    const bit = (n: number) => c.get(f).i32(n).op(Op.i32_shr_u).i32(1).op(Op.i32_and);
    switch (base) {
      case 0: bit(30); return;
      case 1: bit(29); return;
      case 2: bit(31); return;
      case 3: bit(28); return;
      case 4: bit(29); bit(30); c.i32(1).op(Op.i32_xor, Op.i32_and); return; // C && !Z
      case 5: bit(31); bit(28); c.op(Op.i32_xor).i32(1).op(Op.i32_xor); return; // N == V
      default: bit(31); bit(28); c.op(Op.i32_xor); bit(30); c.op(Op.i32_or).i32(1).op(Op.i32_xor); // !Z && N == V
    }
  }
}
