// Canonical states of the cycle models, for the block memos (timing-memo.ts):
// the area's running state relative to the clock (C_CYCLES), with every value
// that can no longer delay anything cut down to "now", so that two states
// that time every later instruction alike are the same bytes. Each form
// writes a record's payload (timing-memo.ts frames it) and can materialize it
// back into the area at a clock: the area then holds a state that times every
// later instruction as the one canonicalized did.
//
// Why the cuts are exact, in order (the clock is the issue cycle of the
// latest instruction; nothing later issues before it):
//   - a register ready at or before the clock is as good as ready forever,
//     whatever its forwarding group;
//   - a unit instance free at or before the clock is free, and the instances
//     of one kind are interchangeable (a tick takes the first free one of the
//     kind), so only their sorted free cycles matter;
//   - the latest write-back at or before the clock delays nothing;
//   - the latest load or store issue (ordered or not) matters only when it is
//     the clock itself (a later access goes at least one cycle after it);
//   - fetch more than TM_FQUEUE behind the clock is clamped to that distance
//     by the next tick, fetch block or not (and a tick never leaves it ahead).
// Out of order (the clock is the latest dispatch; nothing later issues before
// the cycle after it):
//   - registers, loads and stores as in order, at or before the clock;
//   - reorder-buffer slots retired at or before the clock are free; the others
//     are the youngest micro-ops (retire cycles grow with dispatch order), kept
//     newest first; the reorder buffer's position is only a base and stays out;
//   - the latest retire cycle at or before the clock delays nothing;
//   - reservations at or before the clock are past; those after it are kept as
//     TM_CANON_WINDOW cycles of bits per instance, sorted within each kind. A
//     state with a reservation further out (TM_RESMAX) has no canonical form:
//     the caller falls back to the full ticks.
//
// In-order payload (64 bytes):
//
//   | bytes  | what                                                        |
//   |--------|-------------------------------------------------------------|
//   | 0..35  | each slot's ready cycle - clock (0: ready), bit 7: group    |
//   | 36..51 | each unit instance's free cycle - clock, sorted in its kind |
//   | 52     | latest write-back - clock (0: not after the clock)          |
//   | 53     | TM_USED                                                     |
//   | 54     | fetch - clock + 128                                         |
//   | 55     | bits 0..3: latest load issue, store issue, ordered load,    |
//   |        | ordered store == the clock                                  |
//   | 56..63 | PC of the latest instruction                                |
//
// Out-of-order payload (OOO_FIXED bytes, then the variable parts):
//
//   | bytes   | what                                                       |
//   |---------|------------------------------------------------------------|
//   | 0..71   | u16 per slot: ready - clock (0: ready), bit 15: group      |
//   | 72..81  | u16 latest load issue, store issue, ordered load, ordered  |
//   |         | store, latest retire, each - clock (0: not after it)       |
//   | 82, 83  | TM_USED; fetch - clock + 128                               |
//   | 88..95  | PC of the latest instruction                               |
//   | 96..111 | per instance: reservation words kept (0..16)               |
//   | 112..   | those words (u64, bit 0 = the cycle after the clock), then |
//   |         | u16 in-flight micro-ops, then u16 each's retire - clock,   |
//   |         | newest first                                               |

import {
  TM_BUSY, TM_FETCH, TM_FQUEUE, TM_GROUP, TM_LASTPC, TM_LASTWB, TM_LDBAR, TM_LDISSUE, TM_READY, TM_RES, TM_RES_WORDS,
  TM_RESMAX, TM_RESWORD, TM_RETIRE, TM_ROB, TM_ROBPOS, TM_ROBR, TM_STBAR, TM_STISSUE, TM_UNIT_COUNT,
  TM_UNIT_FIRST, TM_UNITS_MAX, TM_USED, TM_RECORD_MAX, TM_CANON_WINDOW, TM_WINDOWS,
} from './timing-layout';
import { slideReservations } from './timing';

const SLOTS: usize = 36;
const UNITS: usize = <usize>TM_UNITS_MAX;
/** Reservation words of the window (TM_CANON_WINDOW cycles). */
const WIN: usize = <usize>TM_CANON_WINDOW >> 6;
const OOO_FIXED: usize = 112;
/** Bytes an instance's window takes in TM_WINDOWS. */
const WIN_BYTES: usize = WIN << 3;

@inline function rel(t: u64, clk: u64): u64 {
  return t > clk ? t - clk : 0;
}

/**
 * fetch - clock + 128, cut at TM_FQUEUE + 1 behind: from there on the next
 * tick clamps fetch to the queue's distance whether or not it opens a fetch
 * block.
 */
@inline function fetchByte(tm: usize, clk: u64): u8 {
  const fq = <i64>load<u32>(tm + TM_FQUEUE) + 1;
  let d = <i64>load<u64>(tm + TM_FETCH) - <i64>clk;
  if (d < -fq) d = -fq;
  return <u8>(d + 128);
}

// ---- in order --------------------------------------------------------------------

export const IN_ORDER_BYTES: usize = 64;

/** Writes the in-order payload of the area's state at clock clk at p; returns its length. */
export function canonInOrder(tm: usize, clk: u64, p: usize): usize {
  for (let r: usize = 0; r < SLOTS; r++) {
    const t = load<u64>(tm + TM_READY + (r << 3));
    store<u8>(p + r, t > clk ? <u8>(t - clk) | (load<u8>(tm + TM_GROUP + r) != 0 ? 0x80 : 0) : 0);
  }
  for (let i: usize = 0; i < UNITS; i++) store<u8>(p + 36 + i, 0);
  for (let k: usize = 0; k < UNITS; k++) {
    const first = <usize>load<u8>(tm + TM_UNIT_FIRST + k);
    const n = <usize>load<u8>(tm + TM_UNIT_COUNT + k);
    // insertion sort of the kind's free cycles
    for (let i = first; i < first + n; i++) {
      const v = <u8>rel(load<u64>(tm + TM_BUSY + (i << 3)), clk);
      let j = i;
      while (j > first && load<u8>(p + 36 + j - 1) > v) {
        store<u8>(p + 36 + j, load<u8>(p + 36 + j - 1));
        j--;
      }
      store<u8>(p + 36 + j, v);
    }
  }
  store<u8>(p + 52, <u8>rel(load<u64>(tm + TM_LASTWB), clk));
  store<u8>(p + 53, <u8>load<u32>(tm + TM_USED));
  store<u8>(p + 54, fetchByte(tm, clk));
  let b: u8 = 0;
  if (load<u64>(tm + TM_LDISSUE) == clk) b |= 1;
  if (load<u64>(tm + TM_STISSUE) == clk) b |= 2;
  if (load<u64>(tm + TM_LDBAR) == clk) b |= 4;
  if (load<u64>(tm + TM_STBAR) == clk) b |= 8;
  store<u8>(p + 55, b);
  store<u64>(p + 56, load<u64>(tm + TM_LASTPC));
  return IN_ORDER_BYTES;
}

export function materializeInOrder(tm: usize, p: usize, clk: u64): void {
  for (let r: usize = 0; r < SLOTS; r++) {
    const b = load<u8>(p + r);
    store<u64>(tm + TM_READY + (r << 3), clk + <u64>(b & 0x7f));
    store<u8>(tm + TM_GROUP + r, b >> 7);
  }
  for (let i: usize = 0; i < UNITS; i++) store<u64>(tm + TM_BUSY + (i << 3), clk + <u64>load<u8>(p + 36 + i));
  store<u64>(tm + TM_LASTWB, clk + <u64>load<u8>(p + 52));
  store<u32>(tm + TM_USED, <u32>load<u8>(p + 53));
  store<u64>(tm + TM_FETCH, clk + <u64>load<u8>(p + 54) - 128);
  const b = load<u8>(p + 55);
  // not the clock: one before it (the clock is at least 1 then: the values start at 0)
  store<u64>(tm + TM_LDISSUE, b & 1 ? clk : clk - 1);
  store<u64>(tm + TM_STISSUE, b & 2 ? clk : clk - 1);
  store<u64>(tm + TM_LDBAR, b & 4 ? clk : clk - 1);
  store<u64>(tm + TM_STBAR, b & 8 ? clk : clk - 1);
  store<u64>(tm + TM_LASTPC, load<u64>(p + 56));
}

// ---- out of order ----------------------------------------------------------------

@inline function resAt(tm: usize, inst: usize, w: u64): u64 {
  return load<u64>(tm + TM_RES + ((inst * <usize>TM_RES_WORDS + (<usize>w & (<usize>TM_RES_WORDS - 1))) << 3));
}

/** Window word k of instance inst: the bits of cycles clk + 1 + 64k .. clk + 64 + 64k. */
@inline function windowWord(tm: usize, inst: usize, clk: u64, k: u64): u64 {
  const x = clk + 1 + (k << 6);
  const s = x & 63, w = x >> 6;
  const lo = resAt(tm, inst, w) >> s;
  return s == 0 ? lo : lo | (resAt(tm, inst, w + 1) << (64 - s));
}

@inline function windowLess(a: usize, b: usize, words: usize): bool {
  for (let k: usize = 0; k < words; k++) {
    const x = load<u64>(a + (k << 3)), y = load<u64>(b + (k << 3));
    if (x != y) return x < y;
  }
  return false;
}

/** A u16 field of a value relative to the clock; false when it does not fit. */
@inline function rel16(p: usize, t: u64, clk: u64): bool {
  const v = rel(t, clk);
  store<u16>(p, <u16>v);
  return v <= 0xffff;
}

/**
 * Writes the out-of-order payload of the area's state at clock clk at p;
 * returns its length, or 0 when the state has no canonical form (a
 * reservation past the window, a cycle too far ahead for 16 bits).
 */
export function canonOutOfOrder(tm: usize, clk: u64, p: usize): usize {
  const resmax = load<u64>(tm + TM_RESMAX);
  if (resmax > clk + <u64>TM_CANON_WINDOW) return 0;
  // the window words that can hold a reservation
  const words: usize = resmax > clk ? <usize>((resmax - clk - 1) >> 6) + 1 : 0;
  for (let r: usize = 0; r < SLOTS; r++) {
    const v = rel(load<u64>(tm + TM_READY + (r << 3)), clk);
    if (v > 0x7fff) return 0;
    store<u16>(p + (r << 1), <u16>v | (v != 0 && load<u8>(tm + TM_GROUP + r) != 0 ? 0x8000 : 0));
  }
  if (!rel16(p + 72, load<u64>(tm + TM_LDISSUE), clk)) return 0;
  if (!rel16(p + 74, load<u64>(tm + TM_STISSUE), clk)) return 0;
  if (!rel16(p + 76, load<u64>(tm + TM_LDBAR), clk)) return 0;
  if (!rel16(p + 78, load<u64>(tm + TM_STBAR), clk)) return 0;
  if (!rel16(p + 80, load<u64>(tm + TM_RETIRE), clk)) return 0;
  store<u8>(p + 82, <u8>load<u32>(tm + TM_USED));
  store<u8>(p + 83, fetchByte(tm, clk));
  store<u32>(p + 84, 0);
  store<u64>(p + 88, load<u64>(tm + TM_LASTPC));
  // reservation windows, sorted within each kind
  for (let k: usize = 0; k < UNITS; k++) {
    const first = <usize>load<u8>(tm + TM_UNIT_FIRST + k);
    const n = <usize>load<u8>(tm + TM_UNIT_COUNT + k);
    for (let i = first; i < first + n; i++) {
      // insertion sort: window i sinks below the larger ones before it
      const w = tm + TM_WINDOWS + i * WIN_BYTES;
      for (let q: usize = 0; q < words; q++) store<u64>(w + (q << 3), windowWord(tm, i, clk, q));
      for (let j = i; j > first; j--) {
        const a = tm + TM_WINDOWS + j * WIN_BYTES, b = a - WIN_BYTES;
        if (!windowLess(a, b, words)) break;
        for (let q: usize = 0; q < words << 3; q += 8) {
          const t = load<u64>(a + q);
          store<u64>(a + q, load<u64>(b + q));
          store<u64>(b + q, t);
        }
      }
    }
  }
  let q = p + OOO_FIXED;
  const instances = <usize>unitInstances(tm);
  for (let i: usize = 0; i < UNITS; i++) {
    const w = tm + TM_WINDOWS + i * WIN_BYTES;
    let n: usize = 0;
    if (i < instances) {
      n = words;
      while (n > 0 && load<u64>(w + ((n - 1) << 3)) == 0) n--;
      for (let k: usize = 0; k < n; k++) { store<u64>(q, load<u64>(w + (k << 3))); q += 8; }
    }
    store<u8>(p + 96 + i, <u8>n);
  }
  // in-flight micro-ops, newest first (room for all of them, or no canonical form)
  const rob = load<u32>(tm + TM_ROB), pos = load<u32>(tm + TM_ROBPOS);
  if (q - p + 2 + (<usize>rob << 1) + 8 > <usize>TM_RECORD_MAX - 8) return 0;
  const cnt = q;
  q += 2;
  let m: u32 = 0;
  while (m < rob) {
    const t = load<u64>(tm + TM_ROBR + (<usize>((pos - 1 - m) & (rob - 1)) << 3));
    if (t <= clk) break;
    if (t - clk > 0xffff) return 0;
    store<u16>(q, <u16>(t - clk));
    q += 2;
    m++;
  }
  store<u16>(cnt, <u16>m);
  // pad to 8 bytes with zeros
  while (((q - p) & 7) != 0) { store<u8>(q, 0); q++; }
  return q - p;
}

/** Unit instances of the model (they are numbered from 0 kind by kind). */
@inline function unitInstances(tm: usize): u32 {
  let n: u32 = 0;
  for (let k: usize = 0; k < UNITS; k++) n += <u32>load<u8>(tm + TM_UNIT_COUNT + k);
  return n;
}

export function materializeOutOfOrder(tm: usize, p: usize, clk: u64): void {
  // what the stale area may still hold after the clock: retire cycles up to its latest, reservations up to TM_RESMAX
  const staleRetire = load<u64>(tm + TM_RETIRE) > clk;
  const oldMax = load<u64>(tm + TM_RESMAX);
  for (let r: usize = 0; r < SLOTS; r++) {
    const v = load<u16>(p + (r << 1));
    store<u64>(tm + TM_READY + (r << 3), clk + <u64>(v & 0x7fff));
    store<u8>(tm + TM_GROUP + r, <u8>(v >> 15));
  }
  store<u64>(tm + TM_LDISSUE, clk + <u64>load<u16>(p + 72));
  store<u64>(tm + TM_STISSUE, clk + <u64>load<u16>(p + 74));
  store<u64>(tm + TM_LDBAR, clk + <u64>load<u16>(p + 76));
  store<u64>(tm + TM_STBAR, clk + <u64>load<u16>(p + 78));
  store<u64>(tm + TM_RETIRE, clk + <u64>load<u16>(p + 80));
  store<u32>(tm + TM_USED, <u32>load<u8>(p + 82));
  store<u64>(tm + TM_FETCH, clk + <u64>load<u8>(p + 83) - 128);
  store<u64>(tm + TM_LASTPC, load<u64>(p + 88));
  // reservations: the maps start at the cycle after the clock; the state's words, shifted to it, over the stale ones
  slideReservations(tm, clk + 1);
  const x = clk + 1, s = x & 63, w0 = x >> 6;
  const stale: usize = oldMax > clk ? <usize>((oldMax >> 6) - w0) + 1 : 0;
  let q = p + OOO_FIXED;
  const instances = <usize>unitInstances(tm);
  let most: usize = 0;
  for (let i: usize = 0; i < instances; i++) {
    const n = <usize>load<u8>(p + 96 + i);
    if (n > most) most = n;
    const words = n + (s != 0 && n != 0 ? 1 : 0);
    const upto = words > stale ? words : stale;
    let prev: u64 = 0;
    for (let k: usize = 0; k < upto; k++) {
      const cur: u64 = k < n ? load<u64>(q + (k << 3)) : 0;
      const word = s == 0 ? cur : (cur << s) | (prev >> (64 - s));
      store<u64>(tm + TM_RES + ((i * <usize>TM_RES_WORDS + (<usize>(w0 + <u64>k) & (<usize>TM_RES_WORDS - 1))) << 3), word);
      prev = cur;
    }
    q += n << 3;
  }
  // no reservation past the words kept (the window's first word starts at the cycle after the clock)
  store<u64>(tm + TM_RESMAX, clk + (<u64>most << 6));
  // the reorder buffer: free slots (those the stale area has after the clock made so), then the in-flight micro-ops
  const rob = load<u32>(tm + TM_ROB), pos = load<u32>(tm + TM_ROBPOS);
  if (staleRetire) for (let k: u32 = 0; k < rob; k++) store<u64>(tm + TM_ROBR + (<usize>k << 3), clk);
  const m = <u32>load<u16>(q);
  q += 2;
  for (let k: u32 = 0; k < m; k++) {
    store<u64>(tm + TM_ROBR + (<usize>((pos - 1 - k) & (rob - 1)) << 3), clk + <u64>load<u16>(q));
    q += 2;
  }
}
