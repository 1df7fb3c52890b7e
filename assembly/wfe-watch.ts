// WFE waiting on an exclusive reservation.
//
// The architecture sends a CPU an event when its exclusive monitor is
// cleared, so `LDAXR; WFE` (Linux's smp_cond_load_acquire, the ticket locks
// of older kernels) sleeps until another CPU's store breaks the reservation,
// with no SEV. Here the monitor compares values (system.ts): a reservation is
// broken when the reserved bytes no longer hold what the exclusive load saw.
//
// A CPU that goes idle in WFE while it holds a reservation publishes a watch:
// the reservation's 64-byte granule in its C_WFE_WATCH, and PAGE_WATCH in the
// page map for the granule's page and the page before it. Every store already
// tests its page's byte for code pages (noteStore, and the translator's
// stores); one into a watched page only raises the storer's C_WATCH_HIT, a
// plain store (a call there would slow the execute loop). When the storer's
// run ends, step() calls flushHits, which wakes every watching CPU whose
// reservation is now broken, as an SGI wakes its target, with the storer's
// counter as the waker's clock. A watch ends when its CPU runs again
// (unwatch, at step() entry or when the WFE completes at once), clearing the
// page marks no other watch needs.
//
// Watch words and page marks use sequentially consistent atomics, so a
// watcher and an unwatcher cannot leave a watched page unmarked. A store and
// a CPU going idle can still pass each other on two threads (the store and
// the mark test are plain accesses): a host that runs CPUs on several
// threads bounds the park (WFE_BACKSTOP_MS). With one thread stepping every
// CPU nothing races and no wake-up is missed.

import { C_WATCH_HIT, C_WFE_WATCH, PAGE_WATCH, WATCH_SHIFT, WATCH_WOKEN } from './layout';
import { cpuBlock, cpuCount, monitorLost, reservation, wake } from './gic';
import { pageIndex, pageMapByte } from './icache';
import { counter } from './system';

/** Page of a watch word (without its WOKEN flag). */
@inline function watchedPage(w: u32): usize { return pageIndex(<usize>((w & ~WATCH_WOKEN) - 1) << WATCH_SHIFT); }

/** Publishes that the CPU of state block st waits in WFE on its reservation at Wasm address p. */
export function watch(st: usize, p: usize): void {
  atomic.store<u32>(st + C_WFE_WATCH, <u32>(p >> WATCH_SHIFT) + 1);
  const q = pageIndex(p);
  atomic.or<u8>(pageMapByte(q), PAGE_WATCH);
  if (q > 0) atomic.or<u8>(pageMapByte(q - 1), PAGE_WATCH);
}

/** Whether a watch still needs page q marked: one on page q, or on q + 1 (a store from q can reach it). */
function pageNeeded(q: usize): bool {
  const n = cpuCount();
  for (let c: u32 = 0; c < n; c++) {
    const w = atomic.load<u32>(cpuBlock(c) + C_WFE_WATCH);
    if (w == 0) continue;
    const wq = watchedPage(w);
    if (wq == q || wq == q + 1) return true;
  }
  return false;
}

/** Clears page q's mark, then sets it again if a watch (maybe one being published now) needs it. */
function release(q: usize): void {
  atomic.and<u8>(pageMapByte(q), ~(<u8>PAGE_WATCH));
  if (pageNeeded(q)) atomic.or<u8>(pageMapByte(q), PAGE_WATCH);
}

/** Ends the CPU's watch, if any: it is running again. */
export function unwatch(st: usize): void {
  const w = atomic.xchg<u32>(st + C_WFE_WATCH, 0);
  if (w == 0) return;
  const q = watchedPage(w);
  release(q);
  if (q > 0) release(q - 1);
}

/**
 * The run of the CPU of state block st stored into watched pages: wakes,
 * once, every CPU idle in WFE whose reservation is now broken, with the
 * storer's counter as the waker's clock.
 */
export function flushHits(st: usize): void {
  store<u32>(st + C_WATCH_HIT, 0);
  const clock = counter(st, 0);
  const n = cpuCount();
  for (let c: u32 = 0; c < n; c++) {
    const t = cpuBlock(c);
    const w = atomic.load<u32>(t + C_WFE_WATCH);
    if (w == 0 || (w & WATCH_WOKEN) != 0 || t == st) continue;
    if (!monitorLost(t, reservation(t))) continue;
    if (atomic.cmpxchg<u32>(t + C_WFE_WATCH, w, w | WATCH_WOKEN) == w) wake(t, clock);
  }
}
