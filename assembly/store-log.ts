// The log of guest stores into text (layout.ts, "guest stores into text").
//
// noteStore (icache.ts) and the translator's stores call logTextStore when
// the page they stored into is marked PAGE_TEXT; nothing else in the store
// path changes. Stores that do not reach a registered range are dropped
// here. The entry carries what the host needs to classify the store
// as a concurrent modification: the writer (CPU, PC), the bytes, the words
// they landed in as they are right after the store, and which CPUs were
// parked at that moment. The old words come from the host's copy of the text.

import {
  CPU_BASE, CPU_STRIDE, C_CPU_INDEX, C_EXIT, EXIT_STOP, EXIT_WFE, EXIT_WFI, MACHINE_BASE, M_NCPUS, M_RAM_BASE,
  M_RAM_OFFSET, M_SLOG_HEAD, M_SLOG_LOST, M_SLOG_TAIL, M_TEXT_COUNT, M_TEXT_RANGES, SLOG_BASE, SLOG_ENTRIES,
  SLOG_ENTRY, SLOG_WORDS, SL_ADDR, SL_CPU, SL_IDLE, SL_NWORDS, SL_PC, SL_SEQ, SL_SIZE, SL_WORDS, TEXT_RANGES,
} from './layout';

/**
 * Bit c set when CPU c is not executing: its last exit was WFI or WFE (its
 * thread parks it, or the scheduler skips it) or the machine's stop word
 * (paused or halted). step() clears C_EXIT at entry, so a CPU that runs
 * again after a wake-up is not counted as parked.
 */
function parkedCpus(): u64 {
  const n = load<u32>(MACHINE_BASE + M_NCPUS);
  let mask: u64 = 0;
  for (let c: u32 = 0; c < n; c++) {
    const exit = atomic.load<u32>(<usize>CPU_BASE + <usize>c * <usize>CPU_STRIDE + C_EXIT);
    if (exit == EXIT_WFI || exit == EXIT_WFE || exit == EXIT_STOP) mask |= <u64>1 << <u64>c;
  }
  return mask;
}

/** Whether [p, p + size) overlaps a registered text range (always, when there are too many to list). */
function reachesText(p: usize, size: u32): bool {
  const n = atomic.load<u32>(MACHINE_BASE + M_TEXT_COUNT);
  if (n > <u32>TEXT_RANGES) return true;
  const end = <u64>p + <u64>size;
  for (let i: u32 = 0; i < n; i++) {
    const r = <usize>(MACHINE_BASE + M_TEXT_RANGES) + (<usize>i << 3);
    if (<u64>p < <u64>load<u32>(r + 4) && end > <u64>load<u32>(r)) return true;
  }
  return false;
}

/**
 * Logs the store of `size` bytes at Wasm address p by the CPU of state block
 * st, at `pc`, when it reaches registered text. The store has been done.
 * When the log is full the store is counted in M_SLOG_LOST instead.
 */
export function logTextStore(st: usize, pc: u64, p: usize, size: u32): void {
  if (!reachesText(p, size)) return;
  let h: u32;
  while (true) {
    h = atomic.load<u32>(MACHINE_BASE + M_SLOG_HEAD);
    if (h - atomic.load<u32>(MACHINE_BASE + M_SLOG_TAIL) >= <u32>SLOG_ENTRIES) {
      atomic.add<u32>(MACHINE_BASE + M_SLOG_LOST, 1);
      return;
    }
    if (atomic.cmpxchg<u32>(MACHINE_BASE + M_SLOG_HEAD, h, h + 1) == h) break;
  }
  const e = <usize>SLOG_BASE + ((<usize>h & <usize>(SLOG_ENTRIES - 1)) * <usize>SLOG_ENTRY);
  const first = p & ~<usize>3;
  const nwords = <u32>((p + <usize>size + 3 - first) >> 2);
  store<u32>(e + SL_CPU, load<u32>(st + C_CPU_INDEX));
  store<u32>(e + SL_SIZE, size);
  store<u32>(e + SL_NWORDS, nwords);
  store<u64>(e + SL_ADDR, <u64>p - <u64>load<u32>(MACHINE_BASE + M_RAM_OFFSET) + load<u64>(MACHINE_BASE + M_RAM_BASE));
  store<u64>(e + SL_PC, pc);
  store<u64>(e + SL_IDLE, parkedCpus());
  const n = nwords < <u32>SLOG_WORDS ? nwords : <u32>SLOG_WORDS;
  for (let k: u32 = 0; k < n; k++) store<u32>(e + SL_WORDS + (<usize>k << 2), atomic.load<u32>(first + (<usize>k << 2)));
  atomic.store<u32>(e + SL_SEQ, h + 1);
}
