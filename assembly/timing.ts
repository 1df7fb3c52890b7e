// Cycle models: tick() is called by the execute loop for every instruction
// it is about to run (and by translated code for the instructions of a block
// it times in full: timing-memo.ts tmTickWord), with the decoded entry and
// the PC, and moves the CPU's
// modelled clock (C_CYCLES) to the cycle that instruction issues in (in
// order) or is dispatched in (out of order). It knows the instruction's
// operands from the operation's roles and its cost from its class, both in
// the timing area the host filled (timing-layout.ts, bindings/timing/).
//
// One tick does, in this order:
//   1. checks the previous instruction's prediction against this PC (the
//      actual next PC): a wrong one sends the fetch to the branch's issue
//      cycle + the mispredict penalty, and trains the predictor;
//   2. fetch: the same aligned fetch block as the previous instruction on the
//      straight line costs nothing more, any other block one cycle; fetch
//      never runs more than TM_FQUEUE cycles ahead of issue;
//   3. schedules the instruction: in order (TM_ROB = 0), it issues at the
//      first cycle where its sources are ready (less the read advance from
//      forwarding producers), a unit instance of each kind it needs is free,
//      its first write-back is not before the previous instruction's last
//      one (write-backs stay in program order), and the issue width has room
//      for all its micro-ops (up to the width);
//      out of order, it is dispatched in order (width, fetch, a free
//      reorder-buffer slot), issues at the first cycle after dispatch where
//      its sources are ready and its units are free (reserved per cycle, so
//      younger instructions use gaps older ones leave), and retires in order;
//      in both, no load issues before an older ordered load (exclusives,
//      atomics, load-acquire) has, no store before an older ordered store
//      (exclusives, atomics, store-release), and an ordered access not before
//      every older access of its kind (the order llvm-mca's load/store unit
//      keeps; plain loads and stores are taken not to alias);
//   4. records when its results are ready and predicts its next PC when it
//      is a branch (conditional: gshare; indirect: a target buffer; return: a
//      return stack; direct: always right).
//
// Faults and exceptions need nothing special: the instruction after them is
// the vector, which a pending prediction sees as a redirect.
//
// tick() returns TICK_RUN, or, before scheduling anything, TICK_TIMER when
// the clock has reached the virtual timer's deadline (the loop hands back so
// the IRQ is taken here) or TICK_HOST when it has reached the host's stop.

import {
  C_CNTVCT, C_CYCLE_STOP, C_CYCLES, C_DAIF, C_ICC_ACTIVE, DAIF_I, E_IMM, E_OP, E_RA, E_RD, E_RM, E_RN, E_B1,
} from './layout';
import {
  KIND_COND, KIND_DIRECT, KIND_INDIRECT, KIND_LOAD, KIND_RET, KIND_STORE, KIND_SYSTEM, ROLE_ATOMIC, ROLE_KIND_SHIFT, ROLE_ORDERED, ROLE_READ_NZCV, ROLE_READ_RA,
  ROLE_READ_RD, ROLE_READ_RM, ROLE_READ_RN, ROLE_SHIFTED, ROLE_WRITE_LR, ROLE_WRITE_NZCV, ROLE_WRITE_RA,
  ROLE_WRITE_RD, ROLE_WRITE_RM, ROLE_WRITE_RN, TMC_ADV_A, TMC_ADV_D, TMC_ADV_M, TMC_ADV_N, TMC_FIRST_WB,
  TMC_GROUP, TMC_LAT, TMC_LAT_BASE, TMC_LAT_FLAGS, TMC_LAT_LR, TMC_LAT_MAX, TMC_NO_UNIT, TMC_UNITS, TMC_UOPS,
  TM_BHT, TM_BHTMASK, TM_BRANCHES, TM_BRIDX, TM_BRKIND, TM_BRPC, TM_BRTIME, TM_BTB, TM_BTBMASK, TM_BUSY, TM_CLASS,
  TM_CLASSES, TM_FETCH, TM_FLUSHES, TM_FQUEUE, TM_FSHIFT, TM_GHR, TM_GROUP, TM_LASTPC, TM_LASTWB, TM_LIMIT,
  TM_LDBAR, TM_LDISSUE, TM_MISSES, TM_NZCV, TM_STBAR, TM_STISSUE, TM_PENALTY, TM_PRED, TM_RAS, TM_RASN, TM_RASTOP, TM_READY, TM_REDIRECT, TM_RES,
  TM_RES_WORDS, TM_RESMAX, TM_RESWORD, TM_UNITS_MAX, TM_RETIRE, TM_ROB, TM_ROBPOS, TM_ROBR, TM_ROLES, TM_TLIMIT, TM_UNIT_COUNT, TM_ISSUE, TM_UNIT_FIRST,
  TM_USED, TM_WIDTH,
} from './timing-layout';
import { deadline } from './gic';
import { materializeIfStale } from './timing-memo';
import { OP_BL, OP_BLR } from './ops';

export const TICK_RUN = 0;
export const TICK_TIMER = 1;
export const TICK_HOST = 2;

const NEVER: u64 = 0xffffffffffffffff;

@inline function max64(a: u64, b: u64): u64 { return a > b ? a : b; }

/**
 * Sets the cycle limits of the execute loop: the virtual timer's deadline when
 * it can interrupt (vectors present, PSTATE.I clear, nothing active), and the
 * host's stop. Both are in C_CYCLES units (the counter less C_CNTVCT).
 */
export function setLimits(st: usize, tm: usize, vectors: bool): void {
  const base = load<u64>(st + C_CNTVCT);
  const now = load<u64>(st + C_CYCLES);
  let t = NEVER;
  if (vectors && (load<u32>(st + C_DAIF) & DAIF_I) == 0 && load<u32>(st + C_ICC_ACTIVE) == 0) {
    const d = deadline(st);
    // a deadline already passed is the interrupt check's business, not the loop's
    if (d != NEVER && d > base + now) t = d - base;
  }
  const stop = load<u64>(st + C_CYCLE_STOP);
  let h = NEVER;
  if (stop != NEVER) h = stop > base ? stop - base : 0;
  store<u64>(tm + TM_TLIMIT, t);
  store<u64>(tm + TM_LIMIT, t < h ? t : h);
}

/** Ready cycle of slot `r` for a read that the class lets take `adv` cycles early from forwarding producers. */
@inline function readyFor(tm: usize, c: usize, r: u32, adv: usize): u64 {
  const t = load<u64>(tm + TM_READY + (<usize>r << 3));
  const a: u64 = load<u8>(tm + TM_GROUP + <usize>r) != 0 ? <u64>load<u8>(c + adv) : 0;
  return t > a ? t - a : 0;
}

@inline function setReady(tm: usize, r: u32, t: u64, group: u8): void {
  store<u64>(tm + TM_READY + (<usize>r << 3), t);
  store<u8>(tm + TM_GROUP + <usize>r, group);
}

/** Checks the pending prediction against the actual next PC and trains the predictor (translated code calls it too). */
export function resolve(tm: usize, kind: u32, pc: u64): void {
  store<u32>(tm + TM_BRKIND, 0);
  const from = load<u64>(tm + TM_BRPC);
  if (kind == KIND_SYSTEM) {
    if (pc != from + 4) {
      store<u64>(tm + TM_FLUSHES, load<u64>(tm + TM_FLUSHES) + 1);
      store<u64>(tm + TM_REDIRECT, load<u64>(tm + TM_BRTIME) + <u64>load<u32>(tm + TM_PENALTY));
    }
    return;
  }
  if (kind == KIND_COND) {
    const taken: u32 = pc != from + 4 ? 1 : 0;
    const p = tm + TM_BHT + <usize>load<u32>(tm + TM_BRIDX);
    const n = <u32>load<u8>(p);
    store<u8>(p, <u8>(taken ? (n < 3 ? n + 1 : 3) : (n > 0 ? n - 1 : 0)));
    store<u32>(tm + TM_GHR, ((load<u32>(tm + TM_GHR) << 1) | taken) & load<u32>(tm + TM_BHTMASK));
  } else if (kind == KIND_INDIRECT) {
    const b = tm + TM_BTB + ((<usize>(from >> 2) & <usize>load<u32>(tm + TM_BTBMASK)) << 4);
    store<u64>(b, from);
    store<u64>(b + 8, pc);
  }
  store<u64>(tm + TM_BRANCHES, load<u64>(tm + TM_BRANCHES) + 1);
  if (pc != load<u64>(tm + TM_PRED)) {
    store<u64>(tm + TM_MISSES, load<u64>(tm + TM_MISSES) + 1);
    store<u64>(tm + TM_REDIRECT, load<u64>(tm + TM_BRTIME) + <u64>load<u32>(tm + TM_PENALTY));
  }
}

@inline function rasPush(tm: usize, ret: u64): void {
  const top = load<u32>(tm + TM_RASTOP);
  store<u64>(tm + TM_RAS + ((<usize>top & (<usize>load<u32>(tm + TM_RASN) - 1)) << 3), ret);
  store<u32>(tm + TM_RASTOP, top + 1);
}

/**
 * Predicts the next PC of the branch (or system instruction) at pc, resolved
 * at cycle t; `target` is a direct or conditional branch's (translated code
 * calls it too).
 */
export function predict(tm: usize, pc: u64, kind: u32, op: u32, target: u64, t: u64): void {
  let pred: u64 = pc + 4;
  if (kind == KIND_DIRECT) {
    if (op == OP_BL) rasPush(tm, pc + 4);
    return; // the target is in the instruction: fetch follows it without a check
  }
  if (kind == KIND_COND) {
    const idx = (<u32>(pc >> 2) ^ load<u32>(tm + TM_GHR)) & load<u32>(tm + TM_BHTMASK);
    store<u32>(tm + TM_BRIDX, idx);
    if (load<u8>(tm + TM_BHT + <usize>idx) >= 2) pred = target;
  } else if (kind == KIND_INDIRECT) {
    const b = tm + TM_BTB + ((<usize>(pc >> 2) & <usize>load<u32>(tm + TM_BTBMASK)) << 4);
    if (load<u64>(b) == pc) pred = load<u64>(b + 8);
    if (op == OP_BLR) rasPush(tm, pc + 4);
  } else if (kind == KIND_RET) {
    const top = load<u32>(tm + TM_RASTOP) - 1;
    store<u32>(tm + TM_RASTOP, top);
    pred = load<u64>(tm + TM_RAS + ((<usize>top & (<usize>load<u32>(tm + TM_RASN) - 1)) << 3));
  }
  store<u32>(tm + TM_BRKIND, kind);
  store<u64>(tm + TM_PRED, pred);
  store<u64>(tm + TM_BRPC, pc);
  store<u64>(tm + TM_BRTIME, t);
}

// ---- units, in order: one free-again cycle per instance ----------------------------

/** The instance of unit kind k that is free first, as (free cycle << 8 | instance). */
@inline function firstFree(tm: usize, k: u32): u64 {
  const first = <u32>load<u8>(tm + TM_UNIT_FIRST + <usize>k);
  const n = <u32>load<u8>(tm + TM_UNIT_COUNT + <usize>k);
  let best = first;
  let bt = load<u64>(tm + TM_BUSY + (<usize>first << 3));
  for (let i = first + 1; i < first + n; i++) {
    const b = load<u64>(tm + TM_BUSY + (<usize>i << 3));
    if (b < bt) { bt = b; best = i; }
  }
  return (bt << 8) | <u64>best;
}

// ---- units, out of order: a reservation map per instance ----------------------------
//
// Bit (cycle & 63) of the instance's word (cycle >> 6) is set while it is
// reserved in that cycle. The words form a ring of TM_RES_WORDS: the live ones
// start at TM_RESWORD, the word of the cycle after the latest dispatch (no
// instruction issues before it), and cycles past the ring's end count as free
// and are not recorded.

@inline function resWord(tm: usize, inst: u32, w: u64): usize {
  return tm + TM_RES + ((<usize>inst * TM_RES_WORDS + (<usize>w & (TM_RES_WORDS - 1))) << 3);
}

/** The first cycle past the live words. */
@inline function resEnd(tm: usize): u64 {
  return (load<u64>(tm + TM_RESWORD) + TM_RES_WORDS) << 6;
}

/** Moves the live words to start at cycle `base`'s, clearing the words that come into the ring (a state materialized too). */
export function slideReservations(tm: usize, base: u64): void {
  const ow = load<u64>(tm + TM_RESWORD);
  const nw = base >> 6;
  store<u64>(tm + TM_RESWORD, nw);
  // the clock never runs back within a model's run; if it did, everything is forgotten
  let n: u64 = nw < ow || nw - ow >= <u64>TM_RES_WORDS ? <u64>TM_RES_WORDS : nw - ow;
  // only the words up to TM_RESMAX's can hold a reservation (the clock may have moved far on memos)
  const top = load<u64>(tm + TM_RESMAX) >> 6;
  if (nw >= ow) n = top < ow ? 0 : (top - ow + 1 < n ? top - ow + 1 : n);
  for (let inst: u32 = 0; inst < <u32>TM_UNITS_MAX; inst++) {
    for (let k: u64 = 0; k < n; k++) store<u64>(resWord(tm, inst, ow + k), 0);
  }
}

@inline function spanMask(off: u64, take: u64): u64 {
  return (take == 64 ? NEVER : ((<u64>1 << take) - 1)) << off;
}

/** The first cycle in [x, x + n) in which instance inst is reserved, or NEVER (`end`: resEnd). */
@inline function firstBusy(tm: usize, inst: u32, x: u64, n: u64, end: u64): u64 {
  const stop = x + n < end ? x + n : end;
  let r = NEVER;
  while (x < stop) {
    const off = x & 63;
    const take = 64 - off < stop - x ? 64 - off : stop - x;
    const b = load<u64>(resWord(tm, inst, x >> 6)) & spanMask(off, take);
    if (b != 0) { r = (x & ~(<u64>63)) + ctz(b); break; }
    x += take;
  }
  return r;
}

/** The first cycle >= x in which instance inst is not reserved. */
@inline function firstFreeCycle(tm: usize, inst: u32, x: u64, end: u64): u64 {
  while (x < end) {
    const b = ~load<u64>(resWord(tm, inst, x >> 6)) & (NEVER << (x & 63));
    if (b != 0) { x = (x & ~(<u64>63)) + ctz(b); break; }
    x = (x & ~(<u64>63)) + 64;
  }
  return x;
}

/** The first cycle >= x from which instance inst is free for n cycles. */
function nextFree(tm: usize, inst: u32, x: u64, n: u64, end: u64): u64 {
  x = firstFreeCycle(tm, inst, x, end);
  if (n <= 1) return x;
  let y = firstBusy(tm, inst, x, n, end);
  while (y != NEVER) {
    x = firstFreeCycle(tm, inst, y, end);
    y = firstBusy(tm, inst, x, n, end);
  }
  return x;
}

/**
 * The first cycle >= x in which some instance of unit kind k is free for
 * `cycles` cycles, as (cycle << 8 | the first such instance).
 */
@inline function earliest(tm: usize, k: u32, cycles: u64, x: u64, end: u64): u64 {
  const first = <u32>load<u8>(tm + TM_UNIT_FIRST + <usize>k);
  const n = <u32>load<u8>(tm + TM_UNIT_COUNT + <usize>k);
  let m = cycles <= 1 ? firstFreeCycle(tm, first, x, end) : nextFree(tm, first, x, cycles, end);
  let best = first;
  for (let inst = first + 1; inst < first + n; inst++) {
    const f = cycles <= 1 ? firstFreeCycle(tm, inst, x, end) : nextFree(tm, inst, x, cycles, end);
    if (f < m) { m = f; best = inst; }
  }
  return (m << 8) | <u64>best;
}

/** A free instance of unit kind k, not in `taken` (bit n: instance n), for `cycles` cycles from `cycle`; or -1. */
function freeInstance(tm: usize, k: u32, cycle: u64, cycles: u32, taken: u32, end: u64): i32 {
  const first = <u32>load<u8>(tm + TM_UNIT_FIRST + <usize>k);
  const n = <u32>load<u8>(tm + TM_UNIT_COUNT + <usize>k);
  for (let i = first; i < first + n; i++) {
    if ((taken & (1 << i)) == 0 && firstBusy(tm, i, cycle, cycles, end) == NEVER) return <i32>i;
  }
  return -1;
}

@inline function reserve(tm: usize, inst: u32, x: u64, cycles: u64, end: u64): void {
  // the latest cycle reserved, for the block memos (timing-canon.ts)
  if (x + cycles - 1 > load<u64>(tm + TM_RESMAX)) store<u64>(tm + TM_RESMAX, x + cycles - 1);
  if (cycles == 1) {
    // most uses: one bit
    if (x < end) {
      const w = resWord(tm, inst, x >> 6);
      store<u64>(w, load<u64>(w) | (<u64>1 << (x & 63)));
    }
    return;
  }
  const stop = x + cycles < end ? x + cycles : end;
  while (x < stop) {
    const off = x & 63;
    const take = 64 - off < stop - x ? 64 - off : stop - x;
    const w = resWord(tm, inst, x >> 6);
    store<u64>(w, load<u64>(w) | spanMask(off, take));
    x += take;
  }
}

/**
 * First cycle >= t at which each unit use of the class (a class may name a
 * kind twice: two micro-ops on two instances) has its own free instance, the
 * first free one of its kind for each use in turn; reserves them. Past the
 * reservation maps' end every unit is free, so there always is one.
 */
function issueOutOfOrder(tm: usize, c: usize, t: u64): u64 {
  const ka = <u32>load<u8>(c + TMC_UNITS), kb = <u32>load<u8>(c + TMC_UNITS + 2), kc = <u32>load<u8>(c + TMC_UNITS + 4);
  if (ka == TMC_NO_UNIT && kb == TMC_NO_UNIT && kc == TMC_NO_UNIT) return t;
  const ca = <u64>load<u8>(c + TMC_UNITS + 1), cb = <u64>load<u8>(c + TMC_UNITS + 3), cc = <u64>load<u8>(c + TMC_UNITS + 5);
  const end = resEnd(tm);
  if (kb == TMC_NO_UNIT && kc == TMC_NO_UNIT) {
    // one use: the cycle its kind first has an instance free is the issue
    const r = earliest(tm, ka, ca, t, end);
    const i = r >> 8;
    reserve(tm, <u32>(r & 0xff), i, ca, end);
    return i;
  }
  // with each kind named once, the first instance free at the cycle found is each use's choice
  const distinct = (ka == TMC_NO_UNIT || (ka != kb && ka != kc)) && (kb == TMC_NO_UNIT || kb != kc);
  let i = t;
  let ia: u64 = 0, ib: u64 = 0, ic: u64 = 0;
  for (;;) {
    // no cycle works before the first in which every use has some instance free
    let lb = i;
    if (ka != TMC_NO_UNIT) { ia = earliest(tm, ka, ca, i, end); lb = max64(lb, ia >> 8); }
    if (kb != TMC_NO_UNIT) { ib = earliest(tm, kb, cb, i, end); lb = max64(lb, ib >> 8); }
    if (kc != TMC_NO_UNIT) { ic = earliest(tm, kc, cc, i, end); lb = max64(lb, ic >> 8); }
    if (lb > i) { i = lb; continue; }
    if (distinct) {
      if (ka != TMC_NO_UNIT) reserve(tm, <u32>(ia & 0xff), i, ca, end);
      if (kb != TMC_NO_UNIT) reserve(tm, <u32>(ib & 0xff), i, cb, end);
      if (kc != TMC_NO_UNIT) reserve(tm, <u32>(ic & 0xff), i, cc, end);
      return i;
    }
    // a kind named twice: each use takes the first instance of its kind still free and not taken
    let taken: u32 = 0;
    let ok = true;
    for (let u = 0; u < 3 && ok; u++) {
      const k = <u32>load<u8>(c + TMC_UNITS + (<usize>u << 1));
      if (k == TMC_NO_UNIT) continue;
      const inst = freeInstance(tm, k, i, <u32>load<u8>(c + TMC_UNITS + (<usize>u << 1) + 1), taken, end);
      if (inst < 0) ok = false;
      else taken |= 1 << inst;
    }
    if (ok) break;
    i++;
  }
  let taken: u32 = 0;
  for (let u = 0; u < 3; u++) {
    const k = <u32>load<u8>(c + TMC_UNITS + (<usize>u << 1));
    if (k == TMC_NO_UNIT) continue;
    const cycles = <u32>load<u8>(c + TMC_UNITS + (<usize>u << 1) + 1);
    const inst = freeInstance(tm, k, i, cycles, taken, end);
    taken |= 1 << inst;
    reserve(tm, <u32>inst, i, cycles, end);
  }
  return i;
}

// ---- the tick ------------------------------------------------------------------------

export function tick(st: usize, tm: usize, e: usize, pc: u64): i32 {
  return tickAs(st, tm, e, pc, true);
}

/**
 * The tick; `predicts` false: a block's last instruction in translated code,
 * which leaves its prediction itself (timing-memo.ts tmTickWord): its issue
 * cycle goes to TM_ISSUE instead.
 */
@inline export function tickAs(st: usize, tm: usize, e: usize, pc: u64, predicts: bool): i32 {
  const prev = load<u64>(st + C_CYCLES);
  if (prev >= load<u64>(tm + TM_LIMIT)) return prev >= load<u64>(tm + TM_TLIMIT) ? TICK_TIMER : TICK_HOST;
  materializeIfStale(st, tm);

  // 1. the previous instruction's prediction, 2. fetch
  const bk = load<u32>(tm + TM_BRKIND);
  if (bk != 0) resolve(tm, bk, pc);
  const last = load<u64>(tm + TM_LASTPC);
  const fs = <u64>load<u32>(tm + TM_FSHIFT);
  let f = load<u64>(tm + TM_FETCH);
  if (pc != last + 4 || (pc >> fs) != (last >> fs)) f++;
  f = max64(f, load<u64>(tm + TM_REDIRECT));
  const fq = <u64>load<u32>(tm + TM_FQUEUE);
  if (prev > f + fq) f = prev - fq;
  store<u64>(tm + TM_FETCH, f);
  store<u64>(tm + TM_LASTPC, pc);

  // 3. schedule
  const op = <u32>load<u16>(e + E_OP);
  const roles = load<u32>(tm + TM_ROLES + (<usize>op << 2));
  let ci = <usize>op << 1;
  if ((roles & ROLE_SHIFTED) != 0 && load<u8>(e + E_B1) != 0) ci++;
  const c = tm + TM_CLASSES + (<usize>load<u8>(tm + TM_CLASS + ci) << 5);
  const uops = <u64>load<u8>(c + TMC_UOPS);
  const width = <u64>load<u32>(tm + TM_WIDTH);
  const rob = load<u32>(tm + TM_ROB);

  // sources
  let src: u64 = 0;
  if (roles & ROLE_READ_RN) src = max64(src, readyFor(tm, c, load<u8>(e + E_RN), TMC_ADV_N));
  if (roles & ROLE_READ_RM) src = max64(src, readyFor(tm, c, load<u8>(e + E_RM), TMC_ADV_M));
  if (roles & ROLE_READ_RA) src = max64(src, readyFor(tm, c, load<u8>(e + E_RA), TMC_ADV_A));
  if (roles & ROLE_READ_RD) src = max64(src, readyFor(tm, c, load<u8>(e + E_RD), TMC_ADV_D));
  if (roles & ROLE_READ_NZCV) src = max64(src, load<u64>(tm + TM_READY + (TM_NZCV << 3)));
  // memory order: no load passes an older ordered load, no store an older
  // ordered store, and an ordered access passes no older access of its kind
  const kind = (roles >> ROLE_KIND_SHIFT) & 7;
  const reads = kind == <u32>KIND_LOAD || (roles & ROLE_ATOMIC) != 0;
  const writes = kind == <u32>KIND_STORE || (roles & ROLE_ATOMIC) != 0;
  const ordered = (roles & ROLE_ORDERED) != 0;
  if (reads) {
    src = max64(src, load<u64>(tm + TM_LDBAR) + 1);
    if (ordered) src = max64(src, load<u64>(tm + TM_LDISSUE) + 1);
  }
  if (writes) {
    src = max64(src, load<u64>(tm + TM_STBAR) + 1);
    if (ordered) src = max64(src, load<u64>(tm + TM_STISSUE) + 1);
  }

  // the cycle the instruction enters the back end (issue in order, dispatch out of order)
  let t = max64(prev, f);
  let i: u64; // the cycle it issues in
  if (rob == 0) {
    t = max64(t, src);
    let ua: u64 = NEVER, ub: u64 = NEVER, uc: u64 = NEVER;
    const ka = <u32>load<u8>(c + TMC_UNITS);
    if (ka != TMC_NO_UNIT) { ua = firstFree(tm, ka); t = max64(t, ua >> 8); }
    const kb = <u32>load<u8>(c + TMC_UNITS + 2);
    if (kb != TMC_NO_UNIT) { ub = firstFree(tm, kb); t = max64(t, ub >> 8); }
    const kc = <u32>load<u8>(c + TMC_UNITS + 4);
    if (kc != TMC_NO_UNIT) { uc = firstFree(tm, kc); t = max64(t, uc >> 8); }
    const wb = load<u64>(tm + TM_LASTWB);
    const first = <u64>load<u8>(c + TMC_FIRST_WB);
    if (wb > t + first) t = wb - first;
    t = bandwidth(tm, prev, t, width, uops);
    if (ua != NEVER) store<u64>(tm + TM_BUSY + (<usize>(ua & 0xff) << 3), t + <u64>load<u8>(c + TMC_UNITS + 1));
    if (ub != NEVER) store<u64>(tm + TM_BUSY + (<usize>(ub & 0xff) << 3), t + <u64>load<u8>(c + TMC_UNITS + 3));
    if (uc != NEVER) store<u64>(tm + TM_BUSY + (<usize>(uc & 0xff) << 3), t + <u64>load<u8>(c + TMC_UNITS + 5));
    store<u64>(tm + TM_LASTWB, t + <u64>load<u8>(c + TMC_LAT_MAX));
    i = t;
  } else {
    t = dispatch(tm, c, prev, t, src, uops, width, rob);
    i = load<u64>(tm + TM_ISSUE);
  }
  store<u64>(st + C_CYCLES, t);
  if (reads) {
    store<u64>(tm + TM_LDISSUE, max64(load<u64>(tm + TM_LDISSUE), i));
    if (ordered) store<u64>(tm + TM_LDBAR, i);
  }
  if (writes) {
    store<u64>(tm + TM_STISSUE, max64(load<u64>(tm + TM_STISSUE), i));
    if (ordered) store<u64>(tm + TM_STBAR, i);
  }

  // 4. results
  const lat = i + <u64>load<u8>(c + TMC_LAT);
  const group = load<u8>(c + TMC_GROUP);
  if (roles & ROLE_WRITE_RD) setReady(tm, load<u8>(e + E_RD), lat, group);
  if (roles & ROLE_WRITE_RA) setReady(tm, load<u8>(e + E_RA), lat, group);
  if (roles & ROLE_WRITE_RM) setReady(tm, load<u8>(e + E_RM), lat, group);
  if (roles & ROLE_WRITE_RN) setReady(tm, load<u8>(e + E_RN), i + <u64>load<u8>(c + TMC_LAT_BASE), 0);
  if (roles & ROLE_WRITE_NZCV) setReady(tm, TM_NZCV, i + <u64>load<u8>(c + TMC_LAT_FLAGS), group);
  if (roles & ROLE_WRITE_LR) setReady(tm, 30, i + <u64>load<u8>(c + TMC_LAT_LR), 0);
  if (!predicts) store<u64>(tm + TM_ISSUE, i);
  else if (kind >= <u32>KIND_COND) predict(tm, pc, kind, op, load<u64>(e + E_IMM), i);
  return TICK_RUN;
}

/**
 * Out of order, from the cycle t the instruction may enter at (after prev,
 * fetched) and the cycle src its sources and memory order allow it to issue
 * at: dispatches it in order (a free reorder-buffer slot for each micro-op,
 * the width), issues it (issueOutOfOrder) and retires it in order. Returns
 * the dispatch cycle and stores the issue cycle at TM_ISSUE.
 */
@inline function dispatch(tm: usize, c: usize, prev: u64, t: u64, src: u64, uops: u64, width: u64, rob: u32): u64 {
  // a free reorder-buffer slot for each micro-op: the youngest one to be reused has retired
  const pos = load<u32>(tm + TM_ROBPOS);
  const mask = rob - 1;
  const n: i32 = uops == 0 ? 1 : <i32>uops;
  t = max64(t, load<u64>(tm + TM_ROBR + (<usize>((pos + <u32>n - 1) & mask) << 3)));
  t = bandwidth(tm, prev, t, width, uops);
  if ((t + 1) >> 6 != load<u64>(tm + TM_RESWORD)) slideReservations(tm, t + 1);
  const i = issueOutOfOrder(tm, c, max64(t + 1, src));
  const done = max64(load<u64>(tm + TM_RETIRE), i + <u64>load<u8>(c + TMC_LAT_MAX) + 1);
  store<u64>(tm + TM_RETIRE, done);
  for (let k = 0; k < n; k++) store<u64>(tm + TM_ROBR + (<usize>((pos + <u32>k) & mask) << 3), done);
  store<u32>(tm + TM_ROBPOS, pos + <u32>n);
  store<u64>(tm + TM_ISSUE, i);
  return t;
}

/**
 * The issue (dispatch) width: `used` micro-ops went from cycle prev on; the
 * instruction goes at t or, when the width is taken there, at the first cycle
 * with room. Returns its cycle and records the micro-ops from it on.
 */
@inline function bandwidth(tm: usize, prev: u64, t: u64, width: u64, uops: u64): u64 {
  const used = <u64>load<u32>(tm + TM_USED);
  const gone = (t - prev) * width; // slots of the cycles from prev to t
  let left: u64 = used > gone ? used - gone : 0; // micro-ops still waiting at t
  if (left >= width) {
    t = prev + used / width;
    left = used % width;
  }
  // an instruction goes only into a cycle where its micro-ops (up to the width) all fit
  if (width - left < (uops < width ? uops : width)) {
    t++;
    left = 0;
  }
  store<u32>(tm + TM_USED, <u32>(left + uops));
  return t;
}
