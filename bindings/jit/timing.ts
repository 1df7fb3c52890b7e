// Cycle models in translated code: the tick of assembly/timing.ts, emitted
// per instruction with what the translator knows at translation time (the
// operation's class record, its roles, its registers, its place in the fetch
// block) folded into constants, into one ticks function per block that the
// block memos call when the block's entry state is new (timing-memo.ts). It
// must give the same cycle, for the same instruction stream, as the
// interpreter's tick(): test/timing/jit.test.ts runs both and compares every
// counter. Where the pieces live while a ticks function runs:
//
//   | state                         | where                                  |
//   |-------------------------------|----------------------------------------|
//   | clock (C_CYCLES)              | local $clk, stored at the end           |
//   | fetch cycle, previous PC      | locals $fetch, $lastpc (end)           |
//   | in order: width use, last WB  | locals $used, $lastwb (end)            |
//   | cycle limit (TM_LIMIT)        | local $limit, read at the start         |
//   | ready cycles, units, memory   | the timing area, read and written      |
//   | order, predictor              | in place (layout: timing-layout.ts)    |
//
// The block's first instruction's check of the pending prediction and its
// last instruction's prediction are the block code's (timing-memo.ts); a
// system instruction inside the block predicts and the next instruction
// checks here (by the core). The core's dispatchOutOfOrder() does the
// classes not inline below; out of order, a class with at most two units of
// different kinds, each held one cycle (most of them), has its dispatch,
// issue and retire emitted inline, calling the core only to slide the
// reservation maps and to search past a full reservation word.

import * as L from '../../assembly/layout.ts';
import * as T from '../../assembly/timing-layout.ts';
import type { Block, Insn } from './region.ts';
import { kindOf, predicts, PredictEmitter } from './timing-predict.ts';
import { setTimingArea, type TimingFns, type TimingView } from './timing-view.ts';
import { I32, I64, Op, type Code } from './wasm.ts';

const NO_UNIT = T.TMC_NO_UNIT;


export class TickEmitter {
  readonly tm: number; //      i32 Wasm address of the CPU's timing area
  readonly clk: number; //     i64 C_CYCLES
  readonly fetch: number; //   i64 TM_FETCH
  readonly lastpc: number; //  i64 TM_LASTPC
  readonly used: number; //    i64 TM_USED (in order)
  readonly lastwb: number; //  i64 TM_LASTWB (in order)
  readonly limit: number; //   i64 TM_LIMIT
  private readonly t: number; //   i64 the cycle being computed
  private readonly src: number; // i64 out of order: the sources' cycle
  private readonly s: number; //   i64 scratch
  private readonly bt: number; //  i64 a unit's free cycle while searching
  private readonly best: number[]; // i32 the unit instance chosen for each unit use
  /** Slots written so far in the block being emitted: the latest writer's latency and group. */
  private readonly written = new Map<number, { lat: number; group: number }>();
  /** Out of order, inline dispatch: ROB position (i32), a reservation word's address (i32), the issue cycle, a word, the retire cycle, instances' and kinds' free cycles. */
  private readonly ooo: { pos: number; addr: number; issue: number; word: number; done: number; f: number[]; m: number[] };
  private readonly predictor: PredictEmitter;

  constructor(private readonly c: Code, private readonly st: number, readonly v: TimingView, private readonly fns: TimingFns) {
    this.tm = c.local(I32);
    this.clk = c.local(I64);
    this.fetch = c.local(I64);
    this.lastpc = c.local(I64);
    this.used = c.local(I64);
    this.lastwb = c.local(I64);
    this.limit = c.local(I64);
    this.t = c.local(I64);
    this.src = c.local(I64);
    this.s = c.local(I64);
    this.bt = c.local(I64);
    this.best = [c.local(I32), c.local(I32), c.local(I32)];
    this.ooo = {
      pos: c.local(I32), addr: c.local(I32), issue: c.local(I64), word: c.local(I64), done: c.local(I64), f: [c.local(I64), c.local(I64)],
      m: [c.local(I64), c.local(I64)],
    };
    this.predictor = new PredictEmitter(c, this.tm, v, fns);
  }

  /** The ticks function's start: the timing area's address, then the state kept in locals. */
  prologue(): void {
    const c = this.c;
    setTimingArea(c, this.st, this.tm);
    c.get(this.st).mem('i64_load', L.C_CYCLES).set(this.clk);
    c.get(this.tm).mem('i64_load', T.TM_FETCH).set(this.fetch);
    c.get(this.tm).mem('i64_load', T.TM_LASTPC).set(this.lastpc);
    c.get(this.tm).mem('i64_load', T.TM_LIMIT).set(this.limit);
    if (!this.v.outOfOrder) {
      c.get(this.tm).mem('i64_load32_u', T.TM_USED).set(this.used);
      c.get(this.tm).mem('i64_load', T.TM_LASTWB).set(this.lastwb);
    }
  }

  /** Its end: the locals back into the CPU block and the timing area. */
  epilogue(): void {
    const c = this.c;
    c.get(this.st).get(this.clk).mem('i64_store', L.C_CYCLES);
    c.get(this.tm).get(this.fetch).mem('i64_store', T.TM_FETCH);
    c.get(this.tm).get(this.lastpc).mem('i64_store', T.TM_LASTPC);
    if (!this.v.outOfOrder) {
      c.get(this.tm).get(this.used).mem('i64_store32', T.TM_USED);
      c.get(this.tm).get(this.lastwb).mem('i64_store', T.TM_LASTWB);
    }
  }

  /** Pushes the i32 condition "the clock reached the limit" (the ticks function stops before the instruction). */
  limitReached(): void {
    this.c.get(this.clk).get(this.limit).op(Op.i64_ge_u);
  }

  /** t = max(t, value on the stack) (unsigned). */
  private maxT(dst: number = this.t): void {
    const c = this.c;
    c.set(this.s);
    c.get(dst).get(this.s).get(dst).get(this.s).op(Op.i64_gt_u, Op.select).set(dst);
  }

  /** Pushes the i64 ready cycle of slot r for a read `adv` cycles early from forwarding producers (readyFor). */
  private ready(r: number, adv: number): void {
    const c = this.c;
    const at = T.TM_READY + 8 * r;
    if (adv === 0) { c.get(this.tm).mem('i64_load', at); return; }
    // written earlier in this block: its writer's group is known, and its
    // ready cycle (issue + latency) is at least the advance when the latency is
    const w = this.written.get(r);
    if (w && (w.group === 0 || w.lat >= adv)) {
      c.get(this.tm).mem('i64_load', at);
      if (w.group !== 0) c.i64(BigInt(adv)).op(Op.i64_sub);
      return;
    }
    // t > a ? t - a : 0 with a = adv when the slot's writer forwards, else t
    c.get(this.tm).mem('i64_load', at).set(this.bt);
    c.get(this.bt).i64(BigInt(adv)).op(Op.i64_sub).i64(0n);
    c.get(this.bt).i64(BigInt(adv)).op(Op.i64_gt_u, Op.select);
    c.get(this.bt);
    c.get(this.tm).mem('i32_load8_u', T.TM_GROUP + r);
    c.op(Op.select);
  }

  private setReady(r: number, lat: number, group: number): void {
    const c = this.c;
    this.written.set(r, { lat, group });
    c.get(this.tm).get(this.t).i64(BigInt(lat)).op(Op.i64_add).mem('i64_store', T.TM_READY + 8 * r);
    c.get(this.tm).i64(BigInt(group)).mem('i64_store8', T.TM_GROUP + r);
  }

  /** The tick of instruction `j` of block `b`. */
  tick(b: Block, j: number): void {
    const c = this.c, v = this.v, i = b.insns[j]!;
    const pc = i.pc;
    const roles = v.roles[i.op]!;
    const kind = kindOf(v, i.op);
    const cls = this.classOf(i);
    const rec = this.classRecord(i);
    const fs = BigInt(v.fshift);

    if (j === 0) this.written.clear();
    // 1. the previous instruction's prediction (checked by the block's code before the first), 2. fetch
    if (j === 0) {
      // a new fetch block unless on the straight line inside the previous one
      c.get(this.lastpc).i64(4n).op(Op.i64_add).i64(pc).op(Op.i64_ne);
      c.get(this.lastpc).i64(fs).op(Op.i64_shr_u).i64(pc >> fs).op(Op.i64_ne, Op.i32_or, Op.i64_extend_i32_u);
      c.get(this.fetch).op(Op.i64_add).set(this.fetch);
      c.get(this.tm).mem('i64_load', T.TM_REDIRECT); this.maxT(this.fetch);
    } else {
      // a system instruction before this one left a prediction to check (a direct branch leaves none)
      const pk = kindOf(v, b.insns[j - 1]!.op);
      const pending = pk >= T.KIND_COND && pk !== T.KIND_DIRECT;
      if (pending) c.get(this.tm).i32(pk).i64(pc).call(this.fns.resolve);
      if ((pc >> fs) !== ((pc - 4n) >> fs)) c.get(this.fetch).i64(1n).op(Op.i64_add).set(this.fetch);
      // fetch is never before a redirect; only a resolve moves it (and fetch only grows)
      if (pending) { c.get(this.tm).mem('i64_load', T.TM_REDIRECT); this.maxT(this.fetch); }
    }
    // fetch never more than the queue ahead of issue
    const fq = BigInt(v.fqueue);
    c.get(this.clk).i64(fq).op(Op.i64_sub);
    c.get(this.fetch);
    c.get(this.clk).get(this.fetch).i64(fq).op(Op.i64_add, Op.i64_gt_u, Op.select).set(this.fetch);
    c.i64(pc).set(this.lastpc);

    // 3. schedule: sources
    const ooo = v.outOfOrder;
    const srcLocal = ooo ? this.src : this.t;
    if (ooo) c.i64(0n).set(this.src);
    else c.get(this.clk).get(this.fetch).get(this.clk).get(this.fetch).op(Op.i64_gt_u, Op.select).set(this.t); // t = max(clk, fetch)
    const read = (flag: number, r: number, adv: number) => {
      if ((roles & flag) === 0) return;
      this.ready(r, rec[adv]!);
      this.maxT(srcLocal);
    };
    read(T.ROLE_READ_RN, i.rn, T.TMC_ADV_N);
    read(T.ROLE_READ_RM, i.rm, T.TMC_ADV_M);
    read(T.ROLE_READ_RA, i.ra, T.TMC_ADV_A);
    read(T.ROLE_READ_RD, i.rd, T.TMC_ADV_D);
    if (roles & T.ROLE_READ_NZCV) { c.get(this.tm).mem('i64_load', T.TM_READY + 8 * T.TM_NZCV); this.maxT(srcLocal); }
    const reads = kind === T.KIND_LOAD || (roles & T.ROLE_ATOMIC) !== 0;
    const writes = kind === T.KIND_STORE || (roles & T.ROLE_ATOMIC) !== 0;
    const ordered = (roles & T.ROLE_ORDERED) !== 0;
    const after = (at: number) => { c.get(this.tm).mem('i64_load', at).i64(1n).op(Op.i64_add); this.maxT(srcLocal); };
    if (reads) { after(T.TM_LDBAR); if (ordered) after(T.TM_LDISSUE); }
    if (writes) { after(T.TM_STBAR); if (ordered) after(T.TM_STISSUE); }

    const uops = rec[T.TMC_UOPS]!;
    if (!ooo) {
      // units: the instance of each kind that is free first (all chosen before any is taken)
      const chosen: (number | null)[] = [null, null, null]; // a constant instance, or null: in best[u]
      for (let u = 0; u < 3; u++) {
        const k = rec[T.TMC_UNITS + 2 * u]!;
        if (k === NO_UNIT) continue;
        const first = v.unitFirst[k]!, n = v.unitCount[k]!;
        if (n <= 1) {
          chosen[u] = first;
          c.get(this.tm).mem('i64_load', T.TM_BUSY + 8 * first); this.maxT();
          continue;
        }
        c.get(this.tm).mem('i64_load', T.TM_BUSY + 8 * first).set(this.bt);
        c.i32(first).set(this.best[u]!);
        for (let x = first + 1; x < first + n; x++) {
          c.get(this.tm).mem('i64_load', T.TM_BUSY + 8 * x).tee(this.s).get(this.bt).op(Op.i64_lt_u);
          c.if(); c.get(this.s).set(this.bt); c.i32(x).set(this.best[u]!); c.end();
        }
        c.get(this.bt); this.maxT();
      }
      // write-backs in program order (after an instruction of this block, the
      // latest write-back is the clock plus its latency: no later than this
      // one's first when that latency is not more)
      const fw = BigInt(rec[T.TMC_FIRST_WB]!);
      const prevLat = j > 0 ? this.classRecord(b.insns[j - 1]!)[T.TMC_LAT_MAX]! : Infinity;
      if (prevLat > rec[T.TMC_FIRST_WB]!) {
        c.get(this.lastwb).get(this.t).i64(fw).op(Op.i64_add, Op.i64_gt_u);
        c.if(); c.get(this.lastwb).i64(fw).op(Op.i64_sub).set(this.t); c.end();
      }
      this.bandwidth(uops);
      for (let u = 0; u < 3; u++) {
        const k = rec[T.TMC_UNITS + 2 * u]!;
        if (k === NO_UNIT) continue;
        const hold = BigInt(rec[T.TMC_UNITS + 2 * u + 1]!);
        const inst = chosen[u]!;
        if (inst !== null) c.get(this.tm);
        else c.get(this.tm).get(this.best[u]!).i32(3).op(Op.i32_shl, Op.i32_add);
        c.get(this.t).i64(hold).op(Op.i64_add).mem('i64_store', T.TM_BUSY + 8 * (inst ?? 0));
      }
      c.get(this.t).i64(BigInt(rec[T.TMC_LAT_MAX]!)).op(Op.i64_add).set(this.lastwb);
      c.get(this.t).set(this.clk);
      // from here on t is the issue cycle
    } else if (this.inlineDispatch(rec)) {
      this.dispatchInline(rec);
    } else {
      // t = max(clk, fetch); the core dispatches, issues and retires
      c.get(this.tm);
      c.get(this.tm).i32(T.TM_CLASSES + cls * T.TMC_SIZE).op(Op.i32_add); // the class record
      c.get(this.clk);
      c.get(this.clk).get(this.fetch).get(this.clk).get(this.fetch).op(Op.i64_gt_u, Op.select);
      c.get(this.src);
      c.call(this.fns.dispatch).set(this.clk);
      c.get(this.tm).mem('i64_load', T.TM_ISSUE).set(this.t);
    }
    // memory order: the issue cycles of the latest loads and stores
    if (reads) {
      c.get(this.tm).mem('i64_load', T.TM_LDISSUE); this.maxOf(T.TM_LDISSUE);
      if (ordered) c.get(this.tm).get(this.t).mem('i64_store', T.TM_LDBAR);
    }
    if (writes) {
      c.get(this.tm).mem('i64_load', T.TM_STISSUE); this.maxOf(T.TM_STISSUE);
      if (ordered) c.get(this.tm).get(this.t).mem('i64_store', T.TM_STBAR);
    }

    // 4. results, in the interpreter's order (a later write of the same slot wins)
    const lat = rec[T.TMC_LAT]!, group = rec[T.TMC_GROUP]!;
    if (roles & T.ROLE_WRITE_RD) this.setReady(i.rd, lat, group);
    if (roles & T.ROLE_WRITE_RA) this.setReady(i.ra, lat, group);
    if (roles & T.ROLE_WRITE_RM) this.setReady(i.rm, lat, group);
    if (roles & T.ROLE_WRITE_RN) this.setReady(i.rn, rec[T.TMC_LAT_BASE]!, 0);
    if (roles & T.ROLE_WRITE_NZCV) this.setReady(T.TM_NZCV, rec[T.TMC_LAT_FLAGS]!, group);
    if (roles & T.ROLE_WRITE_LR) this.setReady(30, rec[T.TMC_LAT_LR]!, 0);
    if (predicts(v, i) && j < b.insns.length - 1) this.predictor.predict(i, this.t);
  }

  /** After the last tick: TM_ISSUE = its issue cycle. */
  storeIssue(): void {
    this.c.get(this.tm).get(this.t).mem('i64_store', T.TM_ISSUE);
  }

  /** The class's unit uses in order: kind and cycles held. */
  private unitUses(rec: Uint8Array): { k: number; hold: number }[] {
    return [0, 1, 2].map((u) => ({ k: rec[T.TMC_UNITS + 2 * u]!, hold: rec[T.TMC_UNITS + 2 * u + 1]! })).filter((x) => x.k !== NO_UNIT);
  }

  /** Out of order: whether the class's dispatch is emitted inline (at most two uses of different kinds, each one cycle). */
  private inlineDispatch(rec: Uint8Array): boolean {
    const uses = this.unitUses(rec);
    if (uses.length > 2 || (uses.length === 2 && uses[0]!.k === uses[1]!.k)) return false;
    return uses.every((x) => x.hold === 1 && Math.max(1, this.v.unitCount[x.k]!) <= 2);
  }

  /**
   * Out of order, the core's dispatchOutOfOrder for a class with at most two
   * units of different kinds, each held one cycle, with the class folded in:
   * dispatch at t = max(clock, fetch) or later (a free reorder-buffer slot,
   * the width), issue at the first cycle from max(t + 1, sources) where each
   * unit has an instance free, retire in order. Sets clk to the dispatch cycle
   * and t to the issue cycle.
   */
  private dispatchInline(rec: Uint8Array): void {
    const c = this.c, v = this.v, tm = this.tm;
    const uops = rec[T.TMC_UOPS]!, n = Math.max(1, uops);
    const robMask = v.rob - 1;
    const o = this.ooo;
    // t = max(clk, fetch, retire of the youngest reorder-buffer slot to reuse)
    c.get(this.clk).get(this.fetch).get(this.clk).get(this.fetch).op(Op.i64_gt_u, Op.select).set(this.t);
    c.get(tm).mem('i32_load', T.TM_ROBPOS).set(o.pos);
    c.get(o.pos).i32(n - 1).op(Op.i32_add).i32(robMask).op(Op.i32_and).i32(3).op(Op.i32_shl).get(tm).op(Op.i32_add);
    c.mem('i64_load', T.TM_ROBR); this.maxT();
    c.get(tm).mem('i64_load32_u', T.TM_USED).set(this.used);
    this.bandwidth(uops);
    c.get(tm).get(this.used).mem('i64_store32', T.TM_USED);
    // the reservation maps start at the word of t + 1
    c.get(this.t).i64(1n).op(Op.i64_add).i64(6n).op(Op.i64_shr_u).get(tm).mem('i64_load', T.TM_RESWORD).op(Op.i64_ne);
    c.if(); c.get(tm).get(this.t).i64(1n).op(Op.i64_add).call(this.fns.slide); c.end();
    // the earliest issue: max(t + 1, sources)
    c.get(this.t).i64(1n).op(Op.i64_add).set(o.issue);
    c.get(this.src); this.maxT(o.issue);
    const kinds = this.unitUses(rec).map((x) => x.k);
    if (kinds.length === 1) {
      this.earliestInline(kinds[0]!, o.m[0]!, this.best[0]!);
      c.get(o.m[0]!).set(o.issue);
    } else if (kinds.length === 2) {
      // until both kinds have an instance free in the same cycle
      c.loop();
      this.earliestInline(kinds[0]!, o.m[0]!, this.best[0]!);
      this.earliestInline(kinds[1]!, o.m[1]!, this.best[1]!);
      c.get(o.m[0]!).get(o.m[1]!).get(o.m[0]!).get(o.m[1]!).op(Op.i64_gt_u, Op.select).tee(o.word).get(o.issue).op(Op.i64_gt_u);
      c.if(); c.get(o.word).set(o.issue); c.br(1); c.end();
      c.end();
    }
    for (let u = 0; u < kinds.length; u++) this.reserveInline(this.best[u]!);
    // retire in order, one cycle after the last result; the reorder-buffer slots take that cycle
    c.get(o.issue).i64(BigInt(rec[T.TMC_LAT_MAX]! + 1)).op(Op.i64_add).set(o.done);
    c.get(tm).mem('i64_load', T.TM_RETIRE); this.maxT(o.done);
    c.get(tm).get(o.done).mem('i64_store', T.TM_RETIRE);
    for (let j = 0; j < n; j++) {
      c.get(o.pos).i32(j).op(Op.i32_add).i32(robMask).op(Op.i32_and).i32(3).op(Op.i32_shl).get(tm).op(Op.i32_add);
      c.get(o.done).mem('i64_store', T.TM_ROBR);
    }
    c.get(tm).get(o.pos).i32(n).op(Op.i32_add).mem('i32_store', T.TM_ROBPOS);
    c.get(this.t).set(this.clk);
    c.get(o.issue).set(this.t);
  }

  /** Pushes tm + the byte offset of the issue cycle's word in an instance's reservation map. */
  private issueWord(): void {
    this.c.get(this.ooo.issue).i64(6n).op(Op.i64_shr_u).op(Op.i32_wrap_i64).i32(T.TM_RES_WORDS - 1).op(Op.i32_and).i32(3).op(Op.i32_shl).get(this.tm).op(Op.i32_add);
  }

  /** Pushes the i32 condition "cycle local x is inside the reservation maps". */
  private inMaps(x: number): void {
    this.c.get(x).i64(6n).op(Op.i64_shr_u).get(this.tm).mem('i64_load', T.TM_RESWORD).i64(BigInt(T.TM_RES_WORDS)).op(Op.i64_add).op(Op.i64_lt_u);
  }

  /**
   * The first cycle >= the issue local where unit kind k has an instance free,
   * into local m, and that instance (the first on a tie) into local best: in
   * the issue cycle's reservation word, or by the core's search past it; past
   * the maps every instance is free.
   */
  private earliestInline(k: number, m: number, best: number): void {
    const c = this.c, o = this.ooo, tm = this.tm;
    const first = this.v.unitFirst[k]!, count = Math.max(1, this.v.unitCount[k]!);
    c.get(o.issue).set(m);
    c.i32(first).set(best);
    this.inMaps(o.issue);
    c.if();
    for (let x = first; x < first + count; x++) {
      this.issueWord();
      c.mem('i64_load', T.TM_RES + x * T.TM_RES_WORDS * 8).i64(-1n).op(Op.i64_xor);
      c.i64(-1n).get(o.issue).i64(63n).op(Op.i64_and).op(Op.i64_shl).op(Op.i64_and).tee(o.word).op(Op.i64_eqz);
      c.if();
      c.get(tm).i32(x).get(o.issue).call(this.fns.firstFree).set(o.f[x - first]!);
      c.else();
      c.get(o.issue).i64(-64n).op(Op.i64_and).get(o.word).op(Op.i64_ctz).op(Op.i64_add).set(o.f[x - first]!);
      c.end();
    }
    c.get(o.f[0]!).set(m);
    for (let x = first + 1; x < first + count; x++) {
      c.get(o.f[x - first]!).get(m).op(Op.i64_lt_u);
      c.if(); c.get(o.f[x - first]!).set(m); c.i32(x).set(best); c.end();
    }
    c.end();
  }

  /** Reserves instance `best` (local) in the issue cycle when that is inside the maps; TM_RESMAX follows. */
  private reserveInline(best: number): void {
    const c = this.c, o = this.ooo;
    c.get(this.tm).mem('i64_load', T.TM_RESMAX).get(o.issue).op(Op.i64_lt_u);
    c.if(); c.get(this.tm).get(o.issue).mem('i64_store', T.TM_RESMAX); c.end();
    this.inMaps(o.issue);
    c.if();
    c.get(best).i32(T.TM_RES_WORDS * 8).op(Op.i32_mul);
    this.issueWord();
    c.op(Op.i32_add).set(o.addr);
    c.get(o.addr).get(o.addr).mem('i64_load', T.TM_RES);
    c.i64(1n).get(o.issue).i64(63n).op(Op.i64_and).op(Op.i64_shl).op(Op.i64_or).mem('i64_store', T.TM_RES);
    c.end();
  }

  /** The class of instruction i (its shifted form when it has one and shifts). */
  private classOf(i: Insn): number {
    const v = this.v;
    const shifted = (v.roles[i.op]! & T.ROLE_SHIFTED) !== 0 && i.b1 !== 0;
    return v.classIndex[2 * i.op + (shifted ? 1 : 0)]!;
  }

  /** The class record of instruction i. */
  private classRecord(i: Insn): Uint8Array {
    const cls = this.classOf(i);
    return this.v.classes.subarray(cls * T.TMC_SIZE, (cls + 1) * T.TMC_SIZE);
  }

  /** Stores max(value on the stack, t) at tm + at. */
  private maxOf(at: number): void {
    const c = this.c;
    c.set(this.s);
    c.get(this.tm);
    c.get(this.s).get(this.t).get(this.s).get(this.t).op(Op.i64_gt_u, Op.select);
    c.mem('i64_store', at);
  }

  /**
   * In order, the issue width (timing.ts bandwidth()): $used micro-ops went
   * from $clk on; moves t to the first cycle with room for all `uops` (up to
   * the width) and records them.
   */
  private bandwidth(uops: number): void {
    const c = this.c, w = BigInt(this.v.width), left = this.bt;
    // left = used > gone ? used - gone : 0, gone = (t - clk) * width
    c.get(this.t).get(this.clk).op(Op.i64_sub).i64(w).op(Op.i64_mul).set(this.s);
    c.get(this.used).get(this.s).op(Op.i64_sub).i64(0n).get(this.used).get(this.s).op(Op.i64_gt_u, Op.select).set(left);
    c.get(left).i64(w).op(Op.i64_ge_u);
    c.if();
    c.get(this.clk).get(this.used).i64(w).op(Op.i64_div_u, Op.i64_add).set(this.t);
    c.get(this.used).i64(w).op(Op.i64_rem_u).set(left);
    c.end();
    const m = BigInt(Math.min(uops, this.v.width));
    if (m > 0n) {
      // width - left < m
      c.i64(w).get(left).op(Op.i64_sub).i64(m).op(Op.i64_lt_u);
      c.if();
      c.get(this.t).i64(1n).op(Op.i64_add).set(this.t);
      c.i64(0n).set(left);
      c.end();
    }
    c.get(left).i64(BigInt(uops)).op(Op.i64_add).set(this.used);
  }
}
