// The core's exported surface. Everything else (workers, ELF, host calls,
// the patch API's validation) lives in TypeScript; the state this code works
// on is laid out in layout.ts.

import { CACHE_BASE, CACHE_BYTES, CPU_BASE, CPU_STRIDE } from './layout';
import { clearBlocks, clearDecoded } from './icache';
import { deadline, irqSignaled } from './gic';
import { initCondTable } from './alu';
import { decodeWord } from './generated/decode';
import { setTag } from './predecode';

export { step } from './step';
export { setJitOwner } from './cpu';
export { notePatch, patchWord } from './patch';
export { logTextStore as textStore } from './store-log';
// the cycle models' calls from translated code (timing.ts)
export { resolve as tmResolve, predict as tmPredict } from './timing';
export { tmCanon, tmMaterialize, tmEnd, tmTickWord } from './timing-memo';
export { ROW_COUNT } from './generated/decode';

/** Prepares the machine block's read-only tables; safe to call from every instance. */
export function init(): void {
  initCondTable();
}

/** Empties one CPU's decoded-instruction cache and forgets its translated blocks. */
export function flushCache(cpu: i32): void {
  const cache = <usize>CACHE_BASE + <usize>cpu * <usize>CACHE_BYTES;
  clearDecoded(cache);
  clearBlocks(cache);
}

/**
 * Decodes one word into the entry at `e` (any scratch area the caller owns):
 * the encoding-table row index + 1, or 0 when the word is unallocated.
 */
export function decodeInto(w: u32, pc: u64, e: usize): i32 {
  setTag(e, pc, w);
  return decodeWord(w, pc, e);
}

/** Counter value at which CPU `cpu`'s virtual timer asserts its interrupt; u64 max when disabled or masked. */
export function timerDeadline(cpu: i32): u64 {
  return deadline(<usize>CPU_BASE + <usize>cpu * <usize>CPU_STRIDE);
}

/** 1 when CPU `cpu`'s interface signals an interrupt (a pending SGI or the timer, nothing active), else 0. */
export function irqPending(cpu: i32): i32 {
  return irqSignaled(<usize>CPU_BASE + <usize>cpu * <usize>CPU_STRIDE, 0) ? 1 : 0;
}
