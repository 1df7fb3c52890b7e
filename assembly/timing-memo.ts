// Block memos of the in-order model. Translated code runs a block's ticks
// once for each state the model enters the block in, and afterwards only
// looks up what they did: the clock's advance and the state the block leaves.
//
// A state here is canonical: the area's running state relative to the clock,
// with every value that can no longer delay anything cut down to "now". In
// order, the clock (C_CYCLES) is the issue cycle of the latest instruction and
// no later instruction issues before it, so
//   - a register ready at or before the clock is as good as ready forever
//     (whatever its forwarding group);
//   - a unit instance free at or before the clock is free, and the instances
//     of one kind are interchangeable (the tick takes the first that is free
//     first), so only their sorted free cycles matter;
//   - the latest write-back at or before the clock delays nothing;
//   - the latest load or store issue (ordered or not) matters only when it is
//     the clock itself (a later access goes at least one cycle after it);
//   - fetch is never more than TM_FQUEUE behind the clock, nor ahead of it.
// What is left fits TM_STATE_BYTES:
//
//   | bytes  | what                                                        |
//   |--------|-------------------------------------------------------------|
//   | 0..35  | each slot's ready cycle - clock (0: ready), bit 7: group    |
//   | 36..51 | each unit instance's free cycle - clock (0: free), sorted   |
//   |        | within its kind                                             |
//   | 52     | latest write-back - clock (0: not after the clock)          |
//   | 53     | TM_USED                                                     |
//   | 54     | fetch - clock + 128                                         |
//   | 55     | bit 0..3: latest load issue, store issue, ordered load,     |
//   |        | ordered store == the clock                                  |
//   | 56..63 | PC of the latest instruction                                |
//
// The redirect a mispredicted branch left for the block is not in the state:
// the translated code resolves the prediction first and keys the memo by
// (block, state, redirect - clock). Nothing else the ticks read is left out:
// the predictor's tables only decide that redirect and are kept in place.
//
// States are interned per CPU (TM_STATES, TM_SINDEX); a memo record per
// (block id, state, redirect) is direct-mapped in TM_MEMO. When the states
// fill their table, states and memos are all forgotten and interning starts
// over (TM_MEMO_FLUSHES). While translated code runs on memos, the area is
// stale and TM_CANON names the state that stands for it; tick() and the
// translated code's full path materialize it first. C_CYCLES moves only by
// ticks, so the clock a state is relative to is always C_CYCLES.

import { C_CYCLES } from './layout';
import {
  TM_BUSY, TM_CANON, TM_FETCH, TM_GROUP, TM_LASTCLK, TM_LASTPC, TM_LASTWB, TM_LDBAR, TM_LDISSUE, TM_MEMO,
  TM_MEMO_CANONS, TM_MEMO_FLUSHES, TM_MEMO_MISSES, TM_MEMO_N, TM_MEMO_SHIFT, TM_NSTATES, TM_READY, TM_S0, TM_S0_COPY,
  TM_SINDEX, TM_SINDEX_N, TM_STATE_BYTES, TM_STATES, TM_STATES_MAX, TM_STBAR, TM_STISSUE, TM_UNIT_COUNT, TM_UNIT_FIRST,
  TM_UNITS_MAX, TM_USED,
} from './timing-layout';

const SLOTS: usize = 36;
const S_BUSY: usize = 36;
const S_LASTWB: usize = 52;
const S_USED: usize = 53;
const S_FETCH: usize = 54;
const S_LDST: usize = 55;
const S_LASTPC: usize = 56;

/** Multipliers of the memo's hash (translated code computes the same: bindings/jit/timing-memo.ts). */
export const MEMO_HASH_BLOCK: u32 = 0x9e3779b1;
export const MEMO_HASH_KEY: u32 = 0x85ebca77;

@inline function stateAt(tm: usize, id: u32): usize {
  return tm + TM_STATES + <usize>id * TM_STATE_BYTES;
}

@inline function rel(t: u64, clk: u64): u8 {
  return t > clk ? <u8>(t - clk) : 0;
}

/** Writes the canonical form of the area's state at clock clk into state 0 (the scratch). */
function canonInto(tm: usize, clk: u64): void {
  const s = stateAt(tm, 0);
  for (let r: usize = 0; r < SLOTS; r++) {
    const t = load<u64>(tm + TM_READY + (r << 3));
    store<u8>(s + r, t > clk ? <u8>(t - clk) | (load<u8>(tm + TM_GROUP + r) != 0 ? 0x80 : 0) : 0);
  }
  for (let i: usize = 0; i < <usize>TM_UNITS_MAX; i++) store<u8>(s + S_BUSY + i, 0);
  for (let k: usize = 0; k < <usize>TM_UNITS_MAX; k++) {
    const first = <usize>load<u8>(tm + TM_UNIT_FIRST + k);
    const n = <usize>load<u8>(tm + TM_UNIT_COUNT + k);
    // insertion sort of the kind's free cycles
    for (let i = first; i < first + n; i++) {
      const v = rel(load<u64>(tm + TM_BUSY + (i << 3)), clk);
      let j = i;
      while (j > first && load<u8>(s + S_BUSY + j - 1) > v) {
        store<u8>(s + S_BUSY + j, load<u8>(s + S_BUSY + j - 1));
        j--;
      }
      store<u8>(s + S_BUSY + j, v);
    }
  }
  store<u8>(s + S_LASTWB, rel(load<u64>(tm + TM_LASTWB), clk));
  store<u8>(s + S_USED, <u8>load<u32>(tm + TM_USED));
  store<u8>(s + S_FETCH, <u8>(load<u64>(tm + TM_FETCH) - clk + 128));
  let b: u8 = 0;
  if (load<u64>(tm + TM_LDISSUE) == clk) b |= 1;
  if (load<u64>(tm + TM_STISSUE) == clk) b |= 2;
  if (load<u64>(tm + TM_LDBAR) == clk) b |= 4;
  if (load<u64>(tm + TM_STBAR) == clk) b |= 8;
  store<u8>(s + S_LDST, b);
  store<u64>(s + S_LASTPC, load<u64>(tm + TM_LASTPC));
}

@inline function stateHash(s: usize): u32 {
  let h: u32 = 0x811c9dc5;
  for (let k: usize = 0; k < <usize>TM_STATE_BYTES; k += 4) h = (h ^ load<u32>(s + k)) * 0x01000193;
  return h ^ (h >> 15);
}

@inline function sameState(a: usize, b: usize): bool {
  for (let k: usize = 0; k < <usize>TM_STATE_BYTES; k += 8) if (load<u64>(a + k) != load<u64>(b + k)) return false;
  return true;
}

@inline function copyState(dst: usize, src: usize): void {
  for (let k: usize = 0; k < <usize>TM_STATE_BYTES; k += 8) store<u64>(dst + k, load<u64>(src + k));
}

/** Forgets every state and memo. */
function forget(tm: usize): void {
  memory.fill(tm + TM_SINDEX, 0, TM_SINDEX_N << 2);
  memory.fill(tm + TM_MEMO, 0, TM_MEMO_N << 4);
  store<u32>(tm + TM_NSTATES, 0);
  store<u32>(tm + TM_MEMO_FLUSHES, load<u32>(tm + TM_MEMO_FLUSHES) + 1);
}

/** The id of the state at `src` (not a state slot of its own), interned when new; a full table is emptied first. */
function intern(tm: usize, src: usize): u32 {
  const mask: u32 = TM_SINDEX_N - 1;
  let n = load<u32>(tm + TM_NSTATES);
  if (n + 1 >= <u32>TM_STATES_MAX) { forget(tm); n = 0; }
  let h = stateHash(src) & mask;
  for (;;) {
    const slot = tm + TM_SINDEX + (<usize>h << 2);
    const id = load<u32>(slot);
    if (id == 0) {
      n++;
      copyState(stateAt(tm, n), src);
      store<u32>(slot, n);
      store<u32>(tm + TM_NSTATES, n);
      return n;
    }
    if (sameState(stateAt(tm, id), src)) return id;
    h = (h + 1) & mask;
  }
  return 0; // not reached: the index is never full
}

/** The canonical state of the area at clock clk, interned (translated code calls it where the area is the state). */
export function tmCanon(tm: usize, clk: u64): u32 {
  store<u64>(tm + TM_MEMO_CANONS, load<u64>(tm + TM_MEMO_CANONS) + 1);
  canonInto(tm, clk);
  return intern(tm, stateAt(tm, 0));
}

/** Writes state id (relative to clock clk) into the area: every value the state keeps, at the clock. */
export function tmMaterialize(tm: usize, id: u32, clk: u64): void {
  const s = stateAt(tm, id);
  for (let r: usize = 0; r < SLOTS; r++) {
    const b = load<u8>(s + r);
    store<u64>(tm + TM_READY + (r << 3), clk + <u64>(b & 0x7f));
    store<u8>(tm + TM_GROUP + r, b >> 7);
  }
  for (let i: usize = 0; i < <usize>TM_UNITS_MAX; i++) store<u64>(tm + TM_BUSY + (i << 3), clk + <u64>load<u8>(s + S_BUSY + i));
  store<u64>(tm + TM_LASTWB, clk + <u64>load<u8>(s + S_LASTWB));
  store<u32>(tm + TM_USED, <u32>load<u8>(s + S_USED));
  store<u64>(tm + TM_FETCH, clk + <u64>load<u8>(s + S_FETCH) - 128);
  const b = load<u8>(s + S_LDST);
  // not the clock: one before it (the clock is at least 1 then: the values start at 0)
  store<u64>(tm + TM_LDISSUE, b & 1 ? clk : clk - 1);
  store<u64>(tm + TM_STISSUE, b & 2 ? clk : clk - 1);
  store<u64>(tm + TM_LDBAR, b & 4 ? clk : clk - 1);
  store<u64>(tm + TM_STBAR, b & 8 ? clk : clk - 1);
  store<u64>(tm + TM_LASTPC, load<u64>(s + S_LASTPC));
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
  return tm + TM_MEMO + (<usize>h << 4);
}

/**
 * After a block's full ticks from state s0 (redirect code r, clock clk0) up
 * to clock clk: interns the state it left and records the memo. Returns the
 * exit state's id; TM_S0 holds s0's id afterwards (a new one when the tables
 * were emptied meanwhile). r = 255: a redirect the key cannot hold (no memo).
 */
export function tmEnd(tm: usize, clk: u64, block: u32, s0: u32, r: u32, clk0: u64): u32 {
  store<u64>(tm + TM_MEMO_MISSES, load<u64>(tm + TM_MEMO_MISSES) + 1);
  copyState(tm + TM_S0_COPY, stateAt(tm, s0));
  const flushes = load<u32>(tm + TM_MEMO_FLUSHES);
  canonInto(tm, clk);
  const s1 = intern(tm, stateAt(tm, 0));
  if (load<u32>(tm + TM_MEMO_FLUSHES) != flushes) {
    // s1 is the first state after the emptying; s0 comes back second
    s0 = intern(tm, tm + TM_S0_COPY);
  }
  store<u32>(tm + TM_S0, s0);
  const delta = clk - clk0, dlimit = load<u64>(tm + TM_LASTCLK) - clk0;
  if (r < 255 && delta <= 0xffff && dlimit <= 0xffff) {
    const key = s0 | (r << 24);
    const m = memoAt(tm, block, key);
    store<u32>(m, block);
    store<u32>(m + 4, key);
    store<u32>(m + 8, s1);
    store<u32>(m + 12, <u32>delta | (<u32>dlimit << 16));
  }
  return s1;
}
