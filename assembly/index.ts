// The core's exported surface. Everything else (workers, ELF, host calls,
// patching) lives in TypeScript; the state this code works on is laid out in
// layout.ts.

import { BT_ENTRIES, BT_ENTRY, BT_OFFSET, CACHE_BASE, CACHE_BYTES, CACHE_ENTRIES, CACHE_ENTRY, E_TAG } from './layout';
import { initCondTable } from './alu';
import { decodeWord } from './generated/decode';
import { setTag } from './predecode';

export { step, setJitOwner } from './cpu';
export { ROW_COUNT } from './generated/decode';

/** Prepares the machine block's read-only tables; safe to call from every instance. */
export function init(): void {
  initCondTable();
}

/** Empties one CPU's decoded-instruction cache and forgets its translated blocks. */
export function flushCache(cpu: i32): void {
  const base = <usize>CACHE_BASE + <usize>cpu * <usize>CACHE_BYTES;
  for (let i: usize = 0; i < <usize>CACHE_ENTRIES; i++) store<u64>(base + i * <usize>CACHE_ENTRY, <u64>-1, E_TAG);
  const bt = base + <usize>BT_OFFSET;
  for (let i: usize = 0; i < <usize>BT_ENTRIES; i++) {
    store<u64>(bt + i * <usize>BT_ENTRY, <u64>-1);
    store<u64>(bt + i * <usize>BT_ENTRY + 8, 0);
  }
}

/**
 * Decodes one word into the entry at `e` (any scratch area the caller owns):
 * the encoding-table row index + 1, or 0 when the word is unallocated.
 */
export function decodeInto(w: u32, pc: u64, e: usize): i32 {
  setTag(e, pc, w);
  return decodeWord(w, pc, e);
}
