// The branch predictor in translated code: the check of a pending prediction
// at a block's start and the prediction a block's last instruction leaves,
// as assembly/timing.ts resolve() and predict() do them. Every check but a
// system instruction's, and the predictions of conditional branches, calls
// and returns, are emitted inline; the rest call the core. A conditional
// branch predicts and is checked at the edge it leaves by (predictEdges,
// resolveEdge). The block memos (timing-memo.ts) use it.
// (Holding the history and the counters in locals across a region was
// tried: slower, the region functions are large.)

import * as T from '../../assembly/timing-layout.ts';
import { OP_BL } from '../../assembly/ops.ts';
import type { Insn } from './region.ts';
import type { TimingFns, TimingView } from './timing-view.ts';
import { I32, Op, type Code } from './wasm.ts';

/** The kind (KIND_*) of an operation under the view's roles. */
export function kindOf(v: TimingView, op: number): number {
  return (v.roles[op]! >>> T.ROLE_KIND_SHIFT) & 7;
}

/** Whether instruction i leaves a prediction for the next one to check (a plain B does not: its target is in it). */
export function predicts(v: TimingView, i: Insn): boolean {
  const kind = kindOf(v, i.op);
  return kind >= T.KIND_COND && !(kind === T.KIND_DIRECT && i.op !== OP_BL);
}

export class PredictEmitter {
  /** i32 scratch: the pending kind, a counter's address or index, taken, a counter or the stack top. */
  private readonly kind: number;
  private readonly p32: number[];

  constructor(private readonly c: Code, private readonly tm: number, private readonly v: TimingView, private readonly fns: TimingFns) {
    this.kind = c.local(I32);
    this.p32 = [c.local(I32), c.local(I32), c.local(I32)];
  }

  /** Pushes the global history. */
  private ghr(): void {
    this.c.get(this.tm).mem('i32_load', T.TM_GHR);
  }

  /** Shifts the outcome (an i32 0/1 that `taken` pushes) into the global history. */
  private pushHistory(taken: () => void, held = false): void {
    const c = this.c;
    c.get(this.tm);
    if (held) c.get(this.p32[1]!); else this.ghr();
    c.i32(1).op(Op.i32_shl); taken(); c.op(Op.i32_or).i32(this.v.bhtMask).op(Op.i32_and);
    c.mem('i32_store', T.TM_GHR);
  }

  /** Adds one to a counter (TM_BRANCHES or TM_MISSES). */
  private count(at: number): void {
    this.c.get(this.tm).get(this.tm).mem('i64_load', at).i64(1n).op(Op.i64_add).mem('i64_store', at);
  }

  /**
   * A conditional branch whose outcome the code knows at each of its exits
   * (its last instruction, i): reads the history and its counter into
   * locals here (nothing changes them before its edges); the
   * prediction is left pending, or checked on the spot, by resolveEdge.
   */
  predictEdges(i: Insn): void {
    const c = this.c, tm = this.tm, v = this.v, [idx, ghr, n] = this.p32 as [number, number, number];
    this.ghr(); c.tee(ghr);
    c.i32(Number(BigInt.asUintN(32, i.pc >> 2n)) | 0).op(Op.i32_xor).i32(v.bhtMask).op(Op.i32_and).set(idx);
    c.get(idx).get(tm).op(Op.i32_add).mem('i32_load8_u', T.TM_BHT).set(n);
  }

  /**
   * Conditional branch i (after predictEdges) leaving by its taken or
   * fall-through edge, issued at the cycle in local t. When `now` (an
   * emitter of the i32 condition "the next instruction is surely the edge's
   * target": no hand-back to the host, the target fetchable) holds, the
   * prediction is checked here as resolve() would check it at the target;
   * otherwise it is left pending as predict() leaves it.
   */
  resolveEdge(i: Insn, taken: boolean, t: number, now: (() => void) | null): void {
    const c = this.c, tm = this.tm, v = this.v, [idx, , n] = this.p32 as [number, number, number];
    if (now) {
      now();
      c.if();
      // the counter towards the outcome, the history, the counts
      c.get(idx).get(tm).op(Op.i32_add);
      if (taken) c.get(n).get(n).i32(3).op(Op.i32_lt_u, Op.i32_add);
      else c.get(n).get(n).i32(0).op(Op.i32_ne, Op.i32_sub);
      c.mem('i32_store8', T.TM_BHT);
      this.pushHistory(() => c.i32(taken ? 1 : 0), true);
      this.count(T.TM_BRANCHES);
      // mispredicted: predicted taken is counter >= 2
      c.get(n).i32(2).op(taken ? Op.i32_lt_u : Op.i32_ge_u);
      c.if();
      this.count(T.TM_MISSES);
      c.get(tm).get(t).i64(BigInt(v.penalty)).op(Op.i64_add).mem('i64_store', T.TM_REDIRECT);
      c.end();
      c.else();
    }
    c.get(tm).get(idx).mem('i32_store', T.TM_BRIDX);
    c.get(tm).i32(T.KIND_COND).mem('i32_store', T.TM_BRKIND);
    c.get(tm).i64(i.imm).i64(i.pc + 4n).get(n).i32(2).op(Op.i32_ge_u, Op.select).mem('i64_store', T.TM_PRED);
    c.get(tm).i64(i.pc).mem('i64_store', T.TM_BRPC);
    c.get(tm).get(t).mem('i64_store', T.TM_BRTIME);
    if (now) c.end();
  }

  /**
   * At a block's start (PC pc): checks the pending prediction, if any,
   * against pc; a system instruction's by the core, the others inline.
   * `first` is emitted before, inside the check that one is pending.
   */
  resolvePending(pc: bigint, first: () => void = () => {}): void {
    const c = this.c, tm = this.tm;
    c.get(tm).mem('i32_load', T.TM_BRKIND).tee(this.kind);
    c.if();
    first();
    c.get(this.kind).i32(T.KIND_COND).op(Op.i32_eq);
    c.if();
    this.resolveCond(pc);
    c.else();
    c.get(this.kind).i32(T.KIND_SYSTEM).op(Op.i32_eq);
    c.if();
    c.get(tm).get(this.kind).i64(pc).call(this.fns.resolve);
    c.else();
    // a return or an indirect branch: an indirect one's target goes into the buffer
    c.get(tm).i32(0).mem('i32_store', T.TM_BRKIND);
    c.get(this.kind).i32(T.KIND_INDIRECT).op(Op.i32_eq);
    c.if();
    const b = this.p32[0]!;
    c.get(tm).mem('i64_load', T.TM_BRPC).i64(2n).op(Op.i64_shr_u, Op.i32_wrap_i64).i32(this.v.btbMask).op(Op.i32_and).i32(4).op(Op.i32_shl).get(tm).op(Op.i32_add).set(b);
    c.get(b).get(tm).mem('i64_load', T.TM_BRPC).mem('i64_store', T.TM_BTB);
    c.get(b).i64(pc).mem('i64_store', T.TM_BTB + 8);
    c.end();
    this.checkPrediction(pc);
    c.end();
    c.end();
    c.end();
  }

  /** Counts the pending prediction's branch; when it was not `pc`, a miss: the fetch goes to its issue cycle plus the penalty. */
  private checkPrediction(pc: bigint): void {
    const c = this.c, tm = this.tm;
    this.count(T.TM_BRANCHES);
    c.get(tm).mem('i64_load', T.TM_PRED).i64(pc).op(Op.i64_ne);
    c.if();
    this.count(T.TM_MISSES);
    c.get(tm).get(tm).mem('i64_load', T.TM_BRTIME).i64(BigInt(this.v.penalty)).op(Op.i64_add).mem('i64_store', T.TM_REDIRECT);
    c.end();
  }

  /**
   * The core's resolve() for a pending conditional branch, the next PC being
   * `pc`: trains its counter and the global history, counts it, and on a miss
   * sends the fetch to its issue cycle plus the penalty.
   */
  private resolveCond(pc: bigint): void {
    const c = this.c, tm = this.tm, v = this.v, [p, taken, n] = this.p32 as [number, number, number];
    c.get(tm).i32(0).mem('i32_store', T.TM_BRKIND);
    c.get(tm).mem('i64_load', T.TM_BRPC).i64(4n).op(Op.i64_add).i64(pc).op(Op.i64_ne).set(taken);
    c.get(tm).mem('i32_load', T.TM_BRIDX).get(tm).op(Op.i32_add).set(p);
    c.get(p).mem('i32_load8_u', T.TM_BHT).set(n);
    // taken: up to 3; not taken: down to 0
    c.get(p);
    c.get(n).get(n).i32(3).op(Op.i32_lt_u).op(Op.i32_add);
    c.get(n).get(n).i32(0).op(Op.i32_ne).op(Op.i32_sub);
    c.get(taken).op(Op.select);
    c.op(Op.i64_extend_i32_u).mem('i64_store8', T.TM_BHT);
    this.pushHistory(() => c.get(taken));
    this.checkPrediction(pc);
  }

  /**
   * The core's predict() for instruction i (predicts(v, i), not a
   * conditional branch: predictEdges and resolveEdge take those) issued at
   * the cycle in i64 local t: a call (its return address pushed) and a
   * return (popped) inline, indirect branches and system instructions by the
   * core.
   */
  predict(i: Insn, t: number): void {
    const c = this.c, tm = this.tm, v = this.v, top = this.p32[2]!;
    const kind = kindOf(v, i.op);
    const rasMask = v.rasN - 1;
    const pending = (pred: () => void) => {
      c.get(tm).i32(kind).mem('i32_store', T.TM_BRKIND);
      c.get(tm); pred(); c.mem('i64_store', T.TM_PRED);
      c.get(tm).i64(i.pc).mem('i64_store', T.TM_BRPC);
      c.get(tm).get(t).mem('i64_store', T.TM_BRTIME);
    };
    if (kind === T.KIND_COND) throw new Error('jit: a conditional branch predicts at its edges');
    if (kind === T.KIND_DIRECT && i.op === OP_BL) {
      c.get(tm).mem('i32_load', T.TM_RASTOP).set(top);
      c.get(top).i32(rasMask).op(Op.i32_and).i32(3).op(Op.i32_shl).get(tm).op(Op.i32_add).i64(i.pc + 4n).mem('i64_store', T.TM_RAS);
      c.get(tm).get(top).i32(1).op(Op.i32_add).mem('i32_store', T.TM_RASTOP);
    } else if (kind === T.KIND_RET) {
      c.get(tm).mem('i32_load', T.TM_RASTOP).i32(1).op(Op.i32_sub).set(top);
      c.get(tm).get(top).mem('i32_store', T.TM_RASTOP);
      pending(() => { c.get(top).i32(rasMask).op(Op.i32_and).i32(3).op(Op.i32_shl).get(tm).op(Op.i32_add).mem('i64_load', T.TM_RAS); });
    } else {
      c.get(tm).i64(i.pc).i32(kind).i32(i.op).i64(i.imm).get(t).call(this.fns.predict);
    }
  }
}
