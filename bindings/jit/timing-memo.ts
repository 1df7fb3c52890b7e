// The cycle models in translated code, by block memos (the core's side:
// assembly/timing-memo.ts; what a canonical state is: timing-canon.ts).
//
// Each block of the region gets a ticks function, `(st, count) -> ticked`:
// the full ticks of its first `count` instructions (the core's tick(),
// without the last instruction's prediction), over the timing area, stopping
// early before an instruction whose clock check finds the limit reached.
// The block's own code has no ticks. At its start:
//
//   | step | what                                                         |
//   |------|--------------------------------------------------------------|
//   | 1    | clock >= limit: leave before the block (as a tick would);   |
//   |      | checked before a pending prediction is resolved, else by the |
//   |      | first tick of step 6 (a hit ends below the limit, so it      |
//   |      | began below it)                                              |
//   | 2    | resolve the pending prediction (timing-predict.ts)           |
//   | 3    | s = the state's id (canonicalize the area when it is the     |
//   |      | state: after the interpreter ran); none (out of order, a     |
//   |      | reservation far ahead): the interpreter runs the block        |
//   | 4    | key = s | redirect code << 24; look (block id, key) up:    |
//   |      | the block's latest record first (TM_MEMO1), then the hashed  |
//   | 5    | hit, and the clock after the block below the limit (then no  |
//   |      | check inside it reaches it): clock += the memo's cycles, s = |
//   |      | its exit state                                               |
//   | 6    | otherwise: materialize s, call the ticks function for the    |
//   |      | whole block; when it stopped early, leave before the block   |
//   |      | (the interpreter runs it and hands back where the ticks      |
//   |      | would); else intern the exit state and record the memo       |
//
// The block's last instruction leaves its prediction where it would have
// ticked, with its issue cycle from the memo or the ticks function; a
// conditional branch checks it at the edge it leaves by when nothing can
// come between it and the target (timing-predict.ts resolveEdge). An
// instruction that leaves the region early (an access outside RAM, a store
// into code in the coherent model) first rolls the timing back: the entry
// state is materialized and the ticks function runs up to that instruction,
// so the area then holds exactly what the ticks before it left.
//
// Locals of the region: the clock, the limit, s (0: the area is the state)
// and the block's entry state and clock (for the rollback). At the region's
// exit C_CYCLES gets the clock and TM_CANON gets s.

import * as L from '../../assembly/layout.ts';
import * as T from '../../assembly/timing-layout.ts';
import type { Block, Insn } from './region.ts';
import { kindOf, PredictEmitter, predicts } from './timing-predict.ts';
import { setTimingArea, type TimingFns, type TimingView } from './timing-view.ts';
import { Code, I32, I64, Op } from './wasm.ts';

/** The memo's hash multipliers (assembly/timing-memo.ts MEMO_HASH_*). */
const HASH_BLOCK = 0x9e3779b1;
const HASH_KEY = 0x85ebca77;

/**
 * The ticks function of block b: `(st, count) -> ticked`, the full ticks of
 * instructions 0..count-1 from the area's state, by the core's tick() of
 * each word (tmTickWord), stopping before the first whose tick finds the
 * limit reached.
 */
export function ticksFunction(b: Block, fns: TimingFns): Code {
  const c = new Code([I32, I32], [I32]);
  const tm = c.local(I32), ticked = c.local(I32);
  const n = b.insns.length;
  setTimingArea(c, 0, tm);
  c.block();
  b.insns.forEach((i, j) => {
    c.get(1).i32(j).op(Op.i32_eq);
    c.if(); c.i32(j).set(ticked); c.br(1); c.end();
    c.get(0).get(tm).i32(i.word | 0).i64(i.pc).i32(j === n - 1 ? 1 : 0).call(fns.tickWord);
    c.if(); c.i32(j).set(ticked); c.br(1); c.end();
  });
  c.i32(n).set(ticked);
  c.end();
  c.get(ticked);
  return c;
}

export class MemoTimer {
  readonly tm: number; //     i32 the timing area
  readonly clk: number; //    i64 C_CYCLES
  private readonly limit: number; // i64 TM_LIMIT
  private readonly s: number; //  i32 the state's id, 0: the area is the state
  private readonly s0: number; // i32 the block's entry state
  private readonly clk0: number; // i64 the block's entry clock
  private readonly key: number; // i32 s | the redirect code << 24
  private readonly tag: number; // i64 block id | key << 32 (a memo record's first 8 bytes)
  private readonly e: number; //  i32 the memo record (less TM_MEMO)
  private readonly x: number; //  i64 scratch
  /** i64 the issue cycle of the block's last instruction (its prediction is checked from there). */
  private readonly brt: number;
  private readonly predictor: PredictEmitter;

  constructor(private readonly c: Code, private readonly st: number, private readonly v: TimingView, private readonly fns: TimingFns) {
    this.tm = c.local(I32);
    this.clk = c.local(I64);
    this.limit = c.local(I64);
    this.s = c.local(I32);
    this.s0 = c.local(I32);
    this.clk0 = c.local(I64);
    this.key = c.local(I32);
    this.tag = c.local(I64);
    this.e = c.local(I32);
    this.x = c.local(I64);
    this.brt = c.local(I64);
    this.predictor = new PredictEmitter(c, this.tm, v, fns);
  }

  prologue(): void {
    const c = this.c;
    setTimingArea(c, this.st, this.tm);
    c.get(this.st).mem('i64_load', L.C_CYCLES).set(this.clk);
    c.get(this.tm).mem('i64_load', T.TM_LIMIT).set(this.limit);
    c.get(this.tm).mem('i32_load', T.TM_CANON).set(this.s);
  }

  epilogue(): void {
    const c = this.c;
    c.get(this.st).get(this.clk).mem('i64_store', L.C_CYCLES);
    c.get(this.tm).get(this.s).mem('i32_store', T.TM_CANON);
  }

  /** Pushes the i32 condition "the clock reached the limit" (step 1: the caller leaves before the block). */
  limitReached(): void {
    this.c.get(this.clk).get(this.limit).op(Op.i64_ge_u);
  }

  /**
   * Steps 2 to 6 for block b (memo id `id`, ticks function `fn`); `leave(d)`
   * emits the exit before the block's first instruction (to the interpreter)
   * from `d` levels of nesting opened here.
   */
  blockStart(b: Block, id: number, fn: number, leave: (depth: number) => void): void {
    const c = this.c, tm = this.tm, n = b.insns.length;
    // step 1 before a pending prediction is resolved (a block with none leaves on its miss path)
    this.predictor.resolvePending(b.start, () => { this.limitReached(); c.if(); leave(2); c.end(); });
    // the area is the state: its id; none (out of order: a reservation far ahead): the interpreter runs the block
    c.get(this.s).op(Op.i32_eqz);
    c.if();
    c.get(tm).get(this.clk).call(this.fns.canon).tee(this.s).op(Op.i32_eqz);
    c.if(); leave(2); c.end();
    c.end();
    c.get(this.s).set(this.s0);
    c.get(this.clk).set(this.clk0);
    // key = s | the redirect relative to the clock << 24: 0 when it is behind any fetch the state can have, 255 when too far ahead to key
    const fq = BigInt(this.v.fqueue);
    c.get(this.s).set(this.key);
    c.get(tm).mem('i64_load', T.TM_REDIRECT).get(this.clk).op(Op.i64_sub).i64(fq + 1n).op(Op.i64_add).tee(this.x).i64(0n).op(Op.i64_gt_s);
    c.if();
    c.get(this.x).i64(255n).get(this.x).i64(255n).op(Op.i64_lt_s, Op.select).op(Op.i32_wrap_i64).i32(24).op(Op.i32_shl).get(this.s).op(Op.i32_or).set(this.key);
    c.end();
    // the record's tag: block id | key << 32
    c.get(this.key).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl).i64(BigInt(id)).op(Op.i64_or).set(this.tag);
    c.block(); // $done
    c.block(); // $miss
    // the block's latest record (at a constant place), else the one the key hashes to, which becomes the latest
    const latest = T.TM_MEMO1 + (id & (T.TM_MEMO1_N - 1)) * T.TM_MEMO_BYTES;
    const tags = (at: number, e: number) => { c.get(e).mem('i64_load', at).get(this.tag).op(Op.i64_eq); };
    c.block(); // $found (e: the record less TM_MEMO)
    tags(latest, tm);
    c.if(); c.get(tm).i32(latest - T.TM_MEMO).op(Op.i32_add).set(this.e); c.br(1); c.end();
    // the hashed record: ((id * HASH_BLOCK) ^ (key * HASH_KEY)) >>> (32 - TM_MEMO_SHIFT)
    c.i32(Math.imul(id, HASH_BLOCK)).get(this.key).i32(HASH_KEY).op(Op.i32_mul, Op.i32_xor);
    c.i32(32 - T.TM_MEMO_SHIFT).op(Op.i32_shr_u).i32(T.TM_MEMO_BYTES).op(Op.i32_mul).get(tm).op(Op.i32_add).set(this.e);
    tags(T.TM_MEMO, this.e);
    c.op(Op.i32_eqz).brIf(1);
    for (let k = 0; k < T.TM_MEMO_BYTES; k += 8) c.get(tm).get(this.e).mem('i64_load', T.TM_MEMO + k).mem('i64_store', latest + k);
    c.end();
    // the clock at the block's end below the limit, then so is every clock check in it
    c.get(this.clk).get(this.e).mem('i64_load16_u', T.TM_MEMO + 12).op(Op.i64_add).tee(this.x).get(this.limit).op(Op.i64_ge_u).brIf(0);
    c.get(this.x).get(this.e).mem('i64_load16_u', T.TM_MEMO + 14).op(Op.i64_add).set(this.brt);
    c.get(this.x).set(this.clk);
    c.get(this.e).mem('i32_load', T.TM_MEMO + 8).set(this.s);
    c.br(1);
    c.end(); // $miss
    // the full ticks (the first one stops at once when the clock is at the limit: step 1)
    c.get(tm).get(this.s).get(this.clk).call(this.fns.materialize);
    c.get(this.st).get(this.clk).mem('i64_store', L.C_CYCLES);
    c.get(this.st).i32(n).call(fn).i32(n).op(Op.i32_lt_u);
    c.if();
    // back to the block's start: only the ticks function's prediction of a system instruction to undo (the rest is s0's)
    c.get(tm).i32(0).mem('i32_store', T.TM_BRKIND);
    leave(2);
    c.end();
    c.get(this.st).mem('i64_load', L.C_CYCLES).set(this.clk);
    c.get(tm).mem('i64_load', T.TM_ISSUE).set(this.brt);
    c.get(tm).get(this.clk).i32(id).get(this.s0).get(this.key).i32(24).op(Op.i32_shr_u).get(this.clk0).call(this.fns.end).set(this.s);
    c.get(tm).mem('i32_load', T.TM_S0).set(this.s0);
    c.end();
  }

  /**
   * Before leaving the region at instruction `count` of the block: the entry
   * state again, ticked up to that instruction; the area is the state then.
   */
  rollback(fn: number, count: number): void {
    const c = this.c;
    c.get(this.tm).get(this.s0).get(this.clk0).call(this.fns.materialize);
    c.get(this.st).get(this.clk0).mem('i64_store', L.C_CYCLES);
    c.get(this.st).i32(count).call(fn).op(Op.drop);
    c.get(this.st).mem('i64_load', L.C_CYCLES).set(this.clk);
    c.i32(0).set(this.s);
  }

  /**
   * Where the block's last instruction i ticks: its prediction, at its issue
   * cycle; a conditional branch's is left to its edges (resolveEdge).
   */
  predictLast(i: Insn): void {
    if (kindOf(this.v, i.op) === T.KIND_COND) this.predictor.predictEdges(i);
    else if (predicts(this.v, i)) this.predictor.predict(i, this.brt);
  }

  /**
   * Conditional branch i leaving by one edge to a target that can be fetched
   * (`fetchable`; null: it may fault): the prediction is checked on the spot
   * when the next instruction is surely that target (budget left, the clock
   * below the limit, so nothing hands back to the host in between), else
   * left pending.
   */
  resolveEdge(i: Insn, taken: boolean, fetchable: boolean, left: number): void {
    const c = this.c;
    this.predictor.resolveEdge(i, taken, this.brt, fetchable ? () => {
      c.get(left).i32(0).op(Op.i32_gt_s);
      c.get(this.clk).get(this.limit).op(Op.i64_lt_u, Op.i32_and);
    } : null);
  }
}
