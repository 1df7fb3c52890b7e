// The instruction-cache model.
//
// Each CPU's decoded-instruction cache and its translated blocks are its
// I-cache. In the coherent model a fetch always sees memory (the interpreter
// compares the cached word with RAM; translated regions leave when their
// words changed). In the architectural model a CPU keeps executing what it
// cached, counted in C_STALE when memory says otherwise, until the line has
// been invalidated (IC IVAU / IC IALLUIS by any CPU, IC IALLU by this one, or
// a host patch) *and* this CPU has taken a context synchronization event
// (ISB, exception entry, ERET): contextSync() below.

import {
  BT_ENTRIES, BT_ENTRY, BT_OFFSET, CACHE_ENTRIES, CACHE_ENTRY, C_CTX_SYNCS, C_INV_LOCAL, C_INV_SEEN, C_SYNC_REQ,
  C_WATCH_HIT,
  CODE_PAGE_SHIFT, E_TAG, ICACHE_LINE, INV_ALL, INV_RING, MACHINE_BASE, M_CODE_EPOCH, M_CODEMAP,
  M_INV_LOCK, M_INV_RING, M_INV_SEQ, M_RAM_OFFSET, PAGE_CODE, PAGE_TEXT, PAGE_WATCH,
} from './layout';
import { logTextStore } from './store-log';

/** Index in the page map of the page holding Wasm address p (an address in RAM). */
@inline export function pageIndex(p: usize): usize {
  return (p - <usize>load<u32>(MACHINE_BASE + M_RAM_OFFSET)) >> CODE_PAGE_SHIFT;
}

/** Wasm address of page q's byte in the page map (PAGE_CODE, PAGE_WATCH). */
@inline export function pageMapByte(q: usize): usize { return <usize>load<u32>(MACHINE_BASE + M_CODEMAP) + q; }

/**
 * Called after a guest store of `size` bytes to Wasm address p by the CPU of
 * state block st, executing the decoded entry e: a store into a code page
 * moves the code epoch; one into a watched page raises C_WATCH_HIT, and the
 * CPUs waiting in WFE on a reservation it broke are woken when the run ends
 * (wfe-watch.ts); one into a text page goes into the store log
 * (store-log.ts, with the entry's PC). Inlined into every store: nothing
 * more than the page byte's test for zero unless the page is marked (the
 * execute loop's speed depends on it).
 */
@inline export function noteStore(st: usize, e: usize, p: usize, size: u32): void {
  const mark = <u32>load<u8>(pageMapByte(pageIndex(p)));
  if (mark != 0) {
    if (mark & PAGE_CODE) atomic.add<u32>(MACHINE_BASE + M_CODE_EPOCH, 1);
    if (mark & PAGE_WATCH) store<u32>(st + C_WATCH_HIT, 1);
    if (mark & PAGE_TEXT) logTextStore(st, load<u64>(e + E_TAG), p, size);
  }
}

// The log's lock protocol: a writer takes M_INV_LOCK, stores its entries into
// the ring slots after M_INV_SEQ, publishes the new M_INV_SEQ and releases the
// lock; a CPU applying entries (contextSync) holds the lock while it reads
// them. Every writer, the CPUs' IC instructions and the host's patches
// (patch.ts) alike, goes through lockLog/appendLocked/unlockLog.

@inline function lockLog(): void {
  while (atomic.cmpxchg<u32>(MACHINE_BASE + M_INV_LOCK, 0, 1) != 0) {}
}

@inline function unlockLog(): void {
  atomic.store<u32>(MACHINE_BASE + M_INV_LOCK, 0);
}

/** Ring slot of log entry number s. */
@inline function ringSlot(s: u32): usize {
  return <usize>(MACHINE_BASE + M_INV_RING) + ((<usize>s & <usize>(INV_RING - 1)) << 3);
}

/** Appends an invalidation (a line address, or INV_ALL) to the machine's log. */
export function logInvalidation(line: u64): void {
  lockLog();
  const seq = atomic.load<u32>(MACHINE_BASE + M_INV_SEQ);
  store<u64>(ringSlot(seq), line);
  atomic.store<u32>(MACHINE_BASE + M_INV_SEQ, seq + 1);
  unlockLog();
}

/**
 * Appends the n entries of the u64 array at `lines` (n <= INV_RING) to the
 * log under one hold of the lock: a CPU sees all of them or none.
 */
export function logInvalidations(lines: usize, n: u32): void {
  lockLog();
  const seq = atomic.load<u32>(MACHINE_BASE + M_INV_SEQ);
  for (let k: u32 = 0; k < n; k++) store<u64>(ringSlot(seq + k), load<u64>(lines + (<usize>k << 3)));
  atomic.store<u32>(MACHINE_BASE + M_INV_SEQ, seq + n);
  unlockLog();
}

/** Empties the decoded-instruction cache of the CPU whose cache area is `cache`. */
export function clearDecoded(cache: usize): void {
  for (let i: usize = 0; i < <usize>CACHE_ENTRIES; i++) store<u64>(cache + i * <usize>CACHE_ENTRY + E_TAG, <u64>-1);
}

/** Forgets every translated block of the CPU whose cache area is `cache`. */
export function clearBlocks(cache: usize): void {
  const bt = cache + <usize>BT_OFFSET;
  for (let i: usize = 0; i < <usize>BT_ENTRIES; i++) {
    store<u64>(bt + i * <usize>BT_ENTRY, <u64>-1);
    store<u64>(bt + i * <usize>BT_ENTRY + 8, 0);
  }
}

/**
 * A context synchronization event on the CPU (state block st, cache area
 * cache): applies the invalidations logged since its last one. Cheap when
 * there are none.
 */
export function contextSync(st: usize, cache: usize): void {
  store<u32>(st + C_SYNC_REQ, 0);
  const seq = atomic.load<u32>(MACHINE_BASE + M_INV_SEQ);
  const seen = load<u32>(st + C_INV_SEEN);
  const local = load<u32>(st + C_INV_LOCAL) != 0; // IC IALLU on this CPU: all of its own lines
  if (!local && seq == seen) return;
  store<u32>(st + C_INV_LOCAL, 0);
  let all = local || seq - seen > <u32>INV_RING;
  if (!all) {
    lockLog();
    for (let s = seen; s != seq; s++) {
      const line = load<u64>(ringSlot(s));
      if (line == <u64>INV_ALL) { all = true; break; }
      for (let pc = line; pc < line + <u64>ICACHE_LINE; pc += 4) {
        const e = cache + ((<usize>(<u32>pc >> 2) & (CACHE_ENTRIES - 1)) << 5);
        if (load<u64>(e + E_TAG) == pc) store<u64>(e + E_TAG, <u64>-1);
      }
    }
    unlockLog();
  }
  if (all) clearDecoded(cache);
  // Translated regions may span any line: drop them all. The translator
  // reinstalls a region at its next request when its words still match.
  clearBlocks(cache);
  store<u32>(st + C_INV_SEEN, seq);
  store<u64>(st + C_CTX_SYNCS, load<u64>(st + C_CTX_SYNCS) + 1);
}
