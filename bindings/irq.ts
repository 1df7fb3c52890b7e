// Host side of interrupts and wake-ups: the same protocol the core follows
// (assembly/gic.ts), on the same words of the shared memory, with Atomics.
//
// A waker makes the work visible first (pending bit, event register), raises
// the target's C_WAKE_CLOCK to its own counter value, then bumps C_WAKE and
// notifies it. A CPU that left step() with EXIT_WFI/EXIT_WFE parks while
// C_WAKE still equals C_WFI_SEEN (see waitForWake).

import * as L from '../assembly/layout.ts';

export class IrqError extends Error {
  override name = 'IrqError';
}

function cpuCount(memory: WebAssembly.Memory): number {
  return new DataView(memory.buffer).getUint32(L.MACHINE_BASE + L.M_NCPUS, true);
}

function checkTarget(memory: WebAssembly.Memory, target: number): number {
  const n = cpuCount(memory);
  if (!Number.isInteger(target) || target < 0 || target >= n) {
    throw new IrqError(`target CPU ${target} does not exist (the machine has ${n})`);
  }
  return L.CPU_BASE + target * L.CPU_STRIDE;
}

/** Raises the target's wake clock to `clock`, bumps its C_WAKE and wakes a host thread parked on it. */
export function wakeCpu(memory: WebAssembly.Memory, target: number, clock: bigint): void {
  const base = checkTarget(memory, target);
  if (clock < 0n || clock >= 1n << 64n) throw new IrqError(`wake clock out of range: ${clock}`);
  const u64 = new BigUint64Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  const at = (base + L.C_WAKE_CLOCK) >> 3;
  let cur = Atomics.load(u64, at);
  while (cur < clock) {
    const seen = Atomics.compareExchange(u64, at, cur, clock);
    if (seen === cur) break;
    cur = seen;
  }
  Atomics.add(i32, (base + L.C_WAKE) >> 2, 1);
  Atomics.notify(i32, (base + L.C_WAKE) >> 2);
}

/**
 * Wakes, once, every CPU waiting in WFE on a reservation granule that the
 * host's write of Wasm addresses [from, to) touched (assembly/wfe-watch.ts);
 * the host carries no clock.
 */
export function wakeWatchers(memory: WebAssembly.Memory, from: number, to: number): void {
  const g0 = (from >>> L.WATCH_SHIFT) + 1, g1 = ((to - 1) >>> L.WATCH_SHIFT) + 1;
  const i32 = new Int32Array(memory.buffer);
  const n = cpuCount(memory);
  for (let c = 0; c < n; c++) {
    const at = (L.CPU_BASE + c * L.CPU_STRIDE + L.C_WFE_WATCH) >> 2;
    const w = Atomics.load(i32, at);
    if (w === 0 || (w & L.WATCH_WOKEN) !== 0 || w < g0 || w > g1) continue;
    if (Atomics.compareExchange(i32, at, w, w | L.WATCH_WOKEN) === w) wakeCpu(memory, c, 0n);
  }
}

/** Makes SGI `intid` (0..15) pending on CPU `target` and wakes it; `clock` is the sender's counter. */
export function sendSgi(memory: WebAssembly.Memory, target: number, intid: number, clock: bigint): void {
  const base = checkTarget(memory, target);
  if (!Number.isInteger(intid) || intid < 0 || intid > 15) throw new IrqError(`SGI INTID must be 0..15, got ${intid}`);
  if (clock < 0n || clock >= 1n << 64n) throw new IrqError(`wake clock out of range: ${clock}`);
  Atomics.or(new Int32Array(memory.buffer), (base + L.C_IRQ_PENDING) >> 2, 1 << intid);
  wakeCpu(memory, target, clock);
}

/** Sets CPU `target`'s event register (what SEV does for each CPU) and wakes it. */
export function sendEvent(memory: WebAssembly.Memory, target: number, clock: bigint): void {
  const base = checkTarget(memory, target);
  if (clock < 0n || clock >= 1n << 64n) throw new IrqError(`wake clock out of range: ${clock}`);
  Atomics.store(new Int32Array(memory.buffer), (base + L.C_EVENT) >> 2, 1);
  wakeCpu(memory, target, clock);
}

/**
 * Parks the calling thread while CPU `cpu` is idle: until its C_WAKE differs
 * from the C_WFI_SEEN it went idle with, or `timeoutMs` passes. Returns
 * whether it was woken (false: timed out). Only where Atomics.wait is allowed
 * (worker threads, Node's main thread).
 */
export function waitForWake(memory: WebAssembly.Memory, cpu: number, timeoutMs = Infinity): boolean {
  const base = checkTarget(memory, cpu);
  const i32 = new Int32Array(memory.buffer);
  const seen = Atomics.load(i32, (base + L.C_WFI_SEEN) >> 2);
  return Atomics.wait(i32, (base + L.C_WAKE) >> 2, seen, timeoutMs) !== 'timed-out';
}
