// WFE waiting for the exclusive monitor to be cleared: a CPU idle in WFE
// while it holds a reservation is woken when another CPU's run (interpreted
// or translated) breaks the reservation, or when the host writes into its
// granule, and not otherwise; the watch ends when the CPU runs again.

import { describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.ts';
import { DATA, El1Rig, li, RAM_BASE } from './util/el1.ts';

/** CPU 0: reserve the word at DATA, wait in WFE, then report it in x5 and leave. */
const WAITER = `
  ${li('x1', DATA)}
  ldaxr w2, [x1]
  wfe
  ldr w5, [x1]
  hvc #0`;
const OTHER = RAM_BASE + 0x1000n;

function pageMark(r: El1Rig, addr: bigint): number {
  const dv = new DataView(r.memory.buffer);
  const map = dv.getUint32(L.MACHINE_BASE + L.M_CODEMAP, true);
  return dv.getUint8(map + Number((addr - RAM_BASE) >> BigInt(L.CODE_PAGE_SHIFT)));
}

function waiting(storer: string): El1Rig {
  const r = new El1Rig(2);
  r.load(WAITER);
  r.load(storer, OTHER);
  r.cpus[1].pc = OTHER;
  expect(r.step(0)).toBe(L.EXIT_WFE);
  return r;
}

describe('WFE on a reservation', () => {
  it('is woken by another CPU\'s store to the reserved word, with no SEV, and the waker\'s clock', () => {
    const r = waiting(`${li('x1', DATA)}\n mov w3, #7\n str w3, [x1]\n hvc #0`);
    const [c0, c1] = r.cpus;
    expect(r.step(1, 1)).toBe(L.EXIT_BUDGET);
    expect(c0.wfeWatch).toBe(Number(((DATA - RAM_BASE) + BigInt(r.mem.ramOffset)) >> BigInt(L.WATCH_SHIFT)) + 1);
    expect(pageMark(r, DATA) & L.PAGE_WATCH).toBe(L.PAGE_WATCH);
    const seen = c0.wfiSeen;
    expect(c0.wake).toBe(seen);
    expect(r.step(1)).toBe(L.EXIT_HVC);
    expect(c0.wake).toBe(seen + 1);
    expect(c0.wfeWatch & L.WATCH_WOKEN).toBe(L.WATCH_WOKEN);
    // the storer's counter when its run ended (here at the HVC)
    expect(c0.wakeClock).toBe(c1.insns);
    expect(c1.insns).toBe(4n);
    expect(r.step(0)).toBe(L.EXIT_HVC);
    expect(c0.x(5)).toBe(7n);
    // running again ended the watch and cleared the page's mark
    expect(c0.wfeWatch).toBe(0);
    expect(pageMark(r, DATA) & L.PAGE_WATCH).toBe(0);
  });

  it('wakes when a store breaks the reservation, not for one that leaves the reserved bytes as they were', () => {
    const r = waiting(`
      ${li('x1', DATA)}
      mov w3, #9
      str w3, [x1, #4]
      str wzr, [x1]
      hvc #0
      stp w3, w3, [x1, #-4]
      hvc #0`);
    const c0 = r.cpus[0];
    const seen = c0.wfiSeen;
    expect(r.step(1)).toBe(L.EXIT_HVC); // next word, and the reserved word rewritten with what it held
    expect(c0.wake).toBe(seen);
    expect(r.step(1)).toBe(L.EXIT_HVC); // a pair store starting before the word reaches into it
    expect(c0.wake).toBe(seen + 1);
    expect(r.step(0)).toBe(L.EXIT_HVC);
    expect(c0.x(5)).toBe(9n);
  });

  it('wakes once per watch: further stores do not bump the wake word again', () => {
    const r = waiting(`${li('x1', DATA)}\n str w1, [x1]\n str w1, [x1, #4]\n hvc #0\n str w1, [x1]\n hvc #0`);
    const seen = r.cpus[0].wfiSeen;
    expect(r.step(1)).toBe(L.EXIT_HVC);
    expect(r.cpus[0].wake).toBe(seen + 1);
    expect(r.step(1)).toBe(L.EXIT_HVC); // another run storing there: the CPU has not run yet
    expect(r.cpus[0].wake).toBe(seen + 1);
  });

  it('is woken by exclusive, ordered and atomic stores too', () => {
    for (const store of ['stlr w3, [x1]', 'ldadd w3, w4, [x1]', 'swp w3, w4, [x1]', 'cas w4, w3, [x1]', 'ldxr w4, [x1]\n stxr w6, w3, [x1]']) {
      const r = waiting(`${li('x1', DATA)}\n mov w3, #1\n ${store}\n hvc #0`);
      const seen = r.cpus[0].wfiSeen;
      expect(r.step(1), store).toBe(L.EXIT_HVC);
      expect(r.cpus[0].wake, store).toBe(seen + 1);
    }
  });

  it('is woken by a store from translated code', () => {
    // CPU 1 runs a loop storing to another granule of the page until it is translated,
    // then the same translated loop, entered at its head, is pointed at the reserved word.
    const r = new El1Rig(2);
    r.load(WAITER);
    const labels = r.load(`
      ${li('x4', DATA + 0x100n)}
      ${li('x6', 1000n)}
    loop:
      add x5, x5, #1
      str w5, [x4]
      cmp x5, x6
      b.ne loop
      hvc #0`, OTHER);
    const [c0, c1] = r.cpus;
    c1.pc = OTHER;
    expect(r.step(1, 600)).toBe(L.EXIT_BUDGET);
    expect(r.core.jit.stats.regions).toBeGreaterThan(0);
    expect(r.step(0)).toBe(L.EXIT_WFE);
    const seen = c0.wfiSeen;
    const regions = r.core.jit.stats.regions;
    c1.pc = labels.get('loop')!;
    c1.setX(4, DATA);
    expect(r.step(1, 4)).toBe(L.EXIT_BUDGET); // one pass of the loop's block, from its translation
    expect(r.core.jit.stats.regions).toBe(regions);
    expect(c0.wake).toBe(seen + 1);
    expect(r.step(0)).toBe(L.EXIT_HVC);
    expect(c0.x(5)).toBe(c1.x(5));
  });

  it('is woken by the host writing the word through GuestMemory', () => {
    const r = waiting('hvc #0');
    const seen = r.cpus[0].wfiSeen;
    r.mem.setU32(DATA + 0x80n, 1); // another granule
    expect(r.cpus[0].wake).toBe(seen);
    r.mem.setU32(DATA, 3);
    expect(r.cpus[0].wake).toBe(seen + 1);
    expect(r.step(0)).toBe(L.EXIT_HVC);
    expect(r.cpus[0].x(5)).toBe(3n);
  });

  it('publishes no watch without a reservation, and completes at once when the reservation is already lost', () => {
    const r = new El1Rig(1);
    r.load(`wfe\n hvc #0`);
    expect(r.step(0)).toBe(L.EXIT_WFE);
    expect(r.cpus[0].wfeWatch).toBe(0);
    const q = new El1Rig(1);
    q.load(`${li('x1', DATA)}\n ldaxr w2, [x1]\n str w1, [x1]\n wfe\n hvc #0`);
    expect(q.step(0)).toBe(L.EXIT_HVC);
    expect(q.cpus[0].wfeWatch).toBe(0);
    expect(pageMark(q, DATA) & L.PAGE_WATCH).toBe(0);
  });

  it('keeps the page marked while another CPU still watches it', () => {
    const r = new El1Rig(3);
    r.load(WAITER);
    r.load(`${li('x1', DATA + 8n)}\n ldaxr w2, [x1]\n wfe\n hvc #0`, RAM_BASE + 0x800n);
    r.load(`${li('x1', DATA)}\n stp x1, x1, [x1]\n hvc #0`, OTHER);
    r.cpus[1].pc = RAM_BASE + 0x800n;
    r.cpus[2].pc = OTHER;
    expect(r.step(0)).toBe(L.EXIT_WFE);
    expect(r.step(1)).toBe(L.EXIT_WFE);
    const seen1 = r.cpus[1].wfiSeen;
    expect(r.step(2)).toBe(L.EXIT_HVC); // both watch the same granule: both woken
    expect(r.cpus[1].wake).toBe(seen1 + 1);
    expect(r.step(0)).toBe(L.EXIT_HVC);
    expect(pageMark(r, DATA) & L.PAGE_WATCH).toBe(L.PAGE_WATCH); // CPU 1 has not run yet
    expect(r.step(1)).toBe(L.EXIT_HVC);
    expect(pageMark(r, DATA) & L.PAGE_WATCH).toBe(0);
  });
});
