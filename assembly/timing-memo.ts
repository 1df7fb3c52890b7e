// Block memos of the cycle models. Translated code runs a block's ticks once
// for each state the model enters the block in, and afterwards only looks up
// what they did: the clock's advance, the state the block leaves and when its
// last instruction issued (for its prediction). The clock at the end is past
// every clock check inside the block, so a block whose end stays below the
// cycle limit cannot reach it; otherwise translated code ticks it in full. The translated side is
// bindings/jit/timing-memo.ts; what a state is, timing-canon.ts.
//
// The redirect a mispredicted branch left for the block is not in the state:
// the translated code resolves the prediction first and keys the memo by
// (block id, state, redirect - clock). Nothing else the ticks read is left
// out: the predictor's tables only decide that redirect and are kept in place.
//
// States are interned per CPU: records in TM_ARENA (u32 payload bytes, u32
// hash, the payload), found through the open-addressed TM_SINDEX; a state's
// id is its record's offset / 8 + 1. A memo record per (block id, key) is
// direct-mapped in TM_MEMO, and each block's latest one is also at its id in
// TM_MEMO1 (a constant address in the block's code, next to the records of
// its region's other blocks). When the arena or the index fills, states and
// memos are all forgotten and interning starts over (TM_MEMO_FLUSHES).
//
// While translated code runs on memos, the area is stale and TM_CANON names
// the state that stands for it; tick() and the translated code's full path
// materialize it first. C_CYCLES moves only by ticks, so the clock a state is
// relative to is always C_CYCLES.

import { C_CYCLES, C_JIT_SCRATCH } from './layout';
import {
  TM_ARENA, TM_ARENA_BYTES, TM_ARENA_TOP, TM_CANON, TM_ISSUE, TM_MEMO, TM_MEMO1, TM_MEMO1_N, TM_MEMO_BYTES, TM_MEMO_CANONS,
  TM_MEMO_FAILS, TM_MEMO_FLUSHES, TM_MEMO_MISSES, TM_MEMO_N, TM_MEMO_SHIFT, TM_NSTATES, TM_ROB, TM_S0,
  TM_S0_COPY, TM_SCRATCH, TM_SINDEX, TM_SINDEX_N,
} from './timing-layout';
import { canonInOrder, canonOutOfOrder, materializeInOrder, materializeOutOfOrder } from './timing-canon';
import { tickAs } from './timing';
import { decodeWord } from './generated/decode';
import { setTag } from './predecode';

/** Multipliers of the memo's hash (translated code computes the same: bindings/jit/timing-memo.ts). */
export const MEMO_HASH_BLOCK: u32 = 0x9e3779b1;
export const MEMO_HASH_KEY: u32 = 0x85ebca77;

@inline function recordAt(tm: usize, id: u32): usize {
  return tm + TM_ARENA + ((<usize>id - 1) << 3);
}

@inline function recordBytes(r: usize): usize {
  return 8 + <usize>load<u32>(r);
}

/** Frames the area's canonical state at clock clk as a record at r; false when it has none. */
function canonRecord(tm: usize, clk: u64, r: usize): bool {
  const p = r + 8;
  const n = load<u32>(tm + TM_ROB) == 0 ? canonInOrder(tm, clk, p) : canonOutOfOrder(tm, clk, p);
  if (n == 0) return false;
  let h: u64 = 0x9e3779b97f4a7c15 ^ <u64>n;
  for (let k: usize = 0; k < n; k += 8) {
    h = (h ^ load<u64>(p + k)) * 0xff51afd7ed558ccd;
    h ^= h >> 29;
  }
  store<u32>(r, <u32>n);
  store<u32>(r + 4, <u32>(h ^ (h >> 32)));
  return true;
}

@inline function sameRecord(a: usize, b: usize): bool {
  const n = recordBytes(a);
  if (load<u64>(a) != load<u64>(b)) return false; // length and hash
  for (let k: usize = 8; k < n; k += 8) if (load<u64>(a + k) != load<u64>(b + k)) return false;
  return true;
}

@inline function copyRecord(dst: usize, src: usize): void {
  const n = recordBytes(src);
  for (let k: usize = 0; k < n; k += 8) store<u64>(dst + k, load<u64>(src + k));
}

/** Forgets every state and memo. */
function forget(tm: usize): void {
  memory.fill(tm + TM_SINDEX, 0, <usize>TM_SINDEX_N << 2);
  memory.fill(tm + TM_MEMO, 0, <usize>TM_MEMO_N * <usize>TM_MEMO_BYTES);
  memory.fill(tm + TM_MEMO1, 0, <usize>TM_MEMO1_N * <usize>TM_MEMO_BYTES);
  store<u32>(tm + TM_NSTATES, 0);
  store<u32>(tm + TM_ARENA_TOP, 0);
  store<u32>(tm + TM_MEMO_FLUSHES, load<u32>(tm + TM_MEMO_FLUSHES) + 1);
}

/** The id of the record at `src` (not one of the arena's), interned when new; full tables are emptied first. */
function intern(tm: usize, src: usize): u32 {
  const mask: u32 = TM_SINDEX_N - 1;
  const bytes = recordBytes(src);
  if (load<u32>(tm + TM_NSTATES) + 1 >= <u32>(TM_SINDEX_N >> 1) || <usize>load<u32>(tm + TM_ARENA_TOP) + bytes > <usize>TM_ARENA_BYTES) forget(tm);
  let h = load<u32>(src + 4) & mask;
  for (;;) {
    const slot = tm + TM_SINDEX + (<usize>h << 2);
    const id = load<u32>(slot);
    if (id == 0) {
      const top = load<u32>(tm + TM_ARENA_TOP);
      const nid = (top >> 3) + 1;
      copyRecord(recordAt(tm, nid), src);
      store<u32>(tm + TM_ARENA_TOP, top + <u32>bytes);
      store<u32>(slot, nid);
      store<u32>(tm + TM_NSTATES, load<u32>(tm + TM_NSTATES) + 1);
      return nid;
    }
    if (sameRecord(recordAt(tm, id), src)) return id;
    h = (h + 1) & mask;
  }
  return 0; // not reached: the index is never more than half full
}

/**
 * The id of the area's canonical state at clock clk, interned; 0 when it has
 * none (translated code calls it where the area is the state).
 */
export function tmCanon(tm: usize, clk: u64): u32 {
  store<u64>(tm + TM_MEMO_CANONS, load<u64>(tm + TM_MEMO_CANONS) + 1);
  const r = tm + TM_SCRATCH;
  if (!canonRecord(tm, clk, r)) {
    store<u64>(tm + TM_MEMO_FAILS, load<u64>(tm + TM_MEMO_FAILS) + 1);
    return 0;
  }
  return intern(tm, r);
}

/** Writes state `id` (relative to clock clk) into the area. */
export function tmMaterialize(tm: usize, id: u32, clk: u64): void {
  const p = recordAt(tm, id) + 8;
  if (load<u32>(tm + TM_ROB) == 0) materializeInOrder(tm, p, clk);
  else materializeOutOfOrder(tm, p, clk);
  store<u32>(tm + TM_CANON, 0);
}

/** Before the interpreter ticks: the area made the state again when translated code left it stale. */
@inline export function materializeIfStale(st: usize, tm: usize): void {
  const id = load<u32>(tm + TM_CANON);
  if (id != 0) tmMaterialize(tm, id, load<u64>(st + C_CYCLES));
}

/** The memo record's address for (block id, key). */
@inline function memoAt(tm: usize, block: u32, key: u32): usize {
  const h = (block * MEMO_HASH_BLOCK ^ key * MEMO_HASH_KEY) >> (32 - TM_MEMO_SHIFT);
  return tm + TM_MEMO + <usize>h * TM_MEMO_BYTES;
}

/**
 * After a block's full ticks from state s0 (redirect code r, clock clk0) up
 * to clock clk: interns the state it left and records the memo. Returns the
 * exit state's id (0: it has no canonical form, the area is the state); TM_S0
 * holds s0's id afterwards (a new one when the tables were emptied
 * meanwhile). r = 255: a redirect the key cannot hold (no memo).
 */
export function tmEnd(tm: usize, clk: u64, block: u32, s0: u32, r: u32, clk0: u64): u32 {
  store<u64>(tm + TM_MEMO_MISSES, load<u64>(tm + TM_MEMO_MISSES) + 1);
  copyRecord(tm + TM_S0_COPY, recordAt(tm, s0));
  const out = tm + TM_SCRATCH;
  if (!canonRecord(tm, clk, out)) {
    store<u64>(tm + TM_MEMO_FAILS, load<u64>(tm + TM_MEMO_FAILS) + 1);
    store<u32>(tm + TM_S0, s0);
    return 0;
  }
  const flushes = load<u32>(tm + TM_MEMO_FLUSHES);
  const s1 = intern(tm, out);
  // emptied meanwhile: s1 is the first state after it, s0 comes back second
  if (load<u32>(tm + TM_MEMO_FLUSHES) != flushes) s0 = intern(tm, tm + TM_S0_COPY);
  store<u32>(tm + TM_S0, s0);
  // the last instruction issues at or after the block's end (its dispatch, out of order)
  const delta = clk - clk0, issue = load<u64>(tm + TM_ISSUE), after = issue - clk;
  if (r < 255 && delta <= 0xffff && issue >= clk && after <= 0xffff && s0 < 0x1000000) {
    const key = s0 | (r << 24);
    const m = memoAt(tm, block, key);
    store<u32>(m, block);
    store<u32>(m + 4, key);
    store<u32>(m + 8, s1);
    store<u16>(m + 12, <u16>delta);
    store<u16>(m + 14, <u16>after);
    // and as the block's latest
    const l = tm + TM_MEMO1 + (<usize>(block & (TM_MEMO1_N - 1))) * TM_MEMO_BYTES;
    for (let k: usize = 0; k < <usize>TM_MEMO_BYTES; k += 8) store<u64>(l + k, load<u64>(m + k));
  }
  return s1;
}

/**
 * Translated code's full ticks (a block's memo missed, or an early exit rolls
 * the timing back), one instruction at a time: the tick of `word` at pc,
 * decoded into the CPU's scratch entry (the word the block was translated
 * from, so the ticks follow the code that runs). `last` (nonzero): the
 * block's last instruction, whose prediction the block's code leaves; its
 * issue cycle goes to TM_ISSUE. Returns tick()'s TICK_*: not TICK_RUN when
 * the clock reached the limit before it (nothing ticked).
 */
export function tmTickWord(st: usize, tm: usize, word: u32, pc: u64, last: i32): i32 {
  const e = st + C_JIT_SCRATCH;
  setTag(e, pc, word);
  decodeWord(word, pc, e);
  return tickAs(st, tm, e, pc, last == 0);
}
