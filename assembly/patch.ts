// Host patching primitives: the store of an instruction word and the record
// of the change, for the host's patch API (bindings/patch/).
//
//   patchWord(p, expectedOld, newWord)  one word, compare-and-exchange
//   notePatch(n)                        code epoch + invalidation log, once per batch
//
// patchWord writes the word at Wasm address p with one atomic.cmpxchg: the
// word is written only if it still holds expectedOld, so a writer that
// changed it after the host validated the site (another host thread, or a
// guest store) is seen and its word is not overwritten. The host writes a
// batch word by word; when one is refused it puts the words it already wrote
// back, each with a cmpxchg from its new word to its old one (so a word
// another writer changed in the meantime stays as that writer left it), and
// then still calls notePatch for them, since a CPU may have fetched one of
// them in between.
//
// notePatch moves the code epoch (translated regions re-check their words)
// and appends the lines the host put into M_PATCH_LINES to the invalidation
// log, all under one hold of its lock, with the same protocol as IC IVAU
// (icache.ts); more than PATCH_LINES lines become one INV_ALL. Each CPU
// drops the lines at its next context synchronization.
//
// Both work in the host patch area of the machine block (layout.ts), which
// the patching host thread owns; the core's CPUs never call them.

import {
  INV_ALL, MACHINE_BASE, M_CODE_EPOCH, M_PATCH_LINES, M_PATCH_SEEN, M_RAM_OFFSET, M_RAM_SIZE, PATCH_LINES,
  PATCH_MISMATCH, PATCH_OUTSIDE, PATCH_WRITTEN,
} from './layout';
import { logInvalidation, logInvalidations } from './icache';

/**
 * Replaces the word at Wasm address p (4-byte aligned, in guest RAM) with
 * newWord if it holds expectedOld: PATCH_WRITTEN; PATCH_MISMATCH (nothing
 * written, the word found in M_PATCH_SEEN) if not; PATCH_OUTSIDE when p is
 * misaligned or outside RAM. Neither the epoch nor the log moves.
 */
export function patchWord(p: usize, expectedOld: u32, newWord: u32): i32 {
  const ram = <usize>load<u32>(MACHINE_BASE + M_RAM_OFFSET);
  if ((p & 3) != 0 || p < ram || p - ram >= <usize>load<u32>(MACHINE_BASE + M_RAM_SIZE)) return PATCH_OUTSIDE;
  const seen = atomic.cmpxchg<u32>(p, expectedOld, newWord);
  if (seen == expectedOld) return PATCH_WRITTEN;
  store<u32>(MACHINE_BASE + M_PATCH_SEEN, seen);
  return PATCH_MISMATCH;
}

/**
 * Records a host patch: moves the code epoch, then logs the n lines of
 * M_PATCH_LINES (or, for n > PATCH_LINES, one INV_ALL without reading
 * them). Returns the entries appended to the log.
 */
export function notePatch(n: u32): u32 {
  atomic.add<u32>(MACHINE_BASE + M_CODE_EPOCH, 1);
  if (n > <u32>PATCH_LINES) {
    logInvalidation(INV_ALL);
    return 1;
  }
  logInvalidations(MACHINE_BASE + M_PATCH_LINES, n);
  return n;
}
