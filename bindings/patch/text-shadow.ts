// The host's copy of the words of registered text, and the PAGE_TEXT marks
// that make guest stores there go into the core's store log.
//
// The copy is what each text word held before the guest stores the log has
// not yet been read for: the store log gives the words as they are after a
// store, the copy the words they replaced. It is taken when a range is
// registered (the image's executable segments at load, code ranges added at
// run time) and kept up to date with every change: guest stores as the log
// is read (guest-stores.ts), host patches and other host writes into text
// (bindings/machine/machine.ts).

import * as L from '../../assembly/layout.ts';
import type { GuestMemory } from '../guest-memory.ts';

interface ShadowRange {
  /** First word's guest address (4-byte aligned) and one past the last word. */
  start: bigint;
  end: bigint;
  words: Uint32Array;
}

export class TextShadow {
  private readonly ranges: ShadowRange[] = [];

  constructor(private readonly mem: GuestMemory) {}

  /**
   * Registers [start, end) (widened to whole words) as text: copies its words,
   * lists the range for the core (stores elsewhere are not logged) and marks
   * its pages, and the page before each, PAGE_TEXT.
   */
  add(start: bigint, end: bigint): void {
    const s = start & ~3n, e = (end + 3n) & ~3n;
    if (e <= s) return;
    const words = new Uint32Array(Number((e - s) >> 2n));
    const o = Number(s - this.mem.base) >>> 2;
    for (let k = 0; k < words.length; k++) words[k] = Atomics.load(this.mem.words, o + k) >>> 0;
    this.ranges.push({ start: s, end: e, words });
    this.listRange(s, e);
    const map = this.pageMap();
    const first = Number((s - this.mem.base) >> BigInt(L.CODE_PAGE_SHIFT));
    const last = Number((e - 1n - this.mem.base) >> BigInt(L.CODE_PAGE_SHIFT));
    for (let q = Math.max(0, first - 1); q <= last; q++) Atomics.or(map, q, L.PAGE_TEXT);
  }

  /** Whether the word at `addr` (4-byte aligned) is registered text. */
  has(addr: bigint): boolean {
    return this.find(addr) !== undefined;
  }

  /** The word the copy holds at `addr`, or undefined when it is not text. */
  word(addr: bigint): number | undefined {
    const r = this.find(addr);
    return r ? r.words[Number((addr - r.start) >> 2n)] : undefined;
  }

  /** Sets the copy's word at `addr` (every range holding it). */
  set(addr: bigint, word: number): void {
    for (const r of this.ranges) if (addr >= r.start && addr < r.end) r.words[Number((addr - r.start) >> 2n)] = word >>> 0;
  }

  /** Copies again, from memory, the text words [addr, addr + len) overlaps. */
  refresh(addr: bigint, len: number): void {
    if (len <= 0) return;
    const s = addr & ~3n, e = (addr + BigInt(len) + 3n) & ~3n;
    for (const r of this.ranges) {
      const lo = s > r.start ? s : r.start, hi = e < r.end ? e : r.end;
      for (let a = lo; a < hi; a += 4n) r.words[Number((a - r.start) >> 2n)] = Atomics.load(this.mem.words, Number(a - this.mem.base) >>> 2) >>> 0;
    }
  }

  /** Copies every registered word again from memory. */
  refreshAll(): void {
    for (const r of this.ranges) this.refresh(r.start, Number(r.end - r.start));
  }

  private find(addr: bigint): ShadowRange | undefined {
    for (const r of this.ranges) if (addr >= r.start && addr < r.end) return r;
    return undefined;
  }

  /** Adds [s, e) to the core's table of text ranges (layout.ts M_TEXT_RANGES): entry first, then the count. */
  private listRange(s: bigint, e: bigint): void {
    const u32 = new Uint32Array(this.mem.memory.buffer);
    const countAt = (L.MACHINE_BASE + L.M_TEXT_COUNT) >> 2;
    const n = Atomics.load(u32, countAt);
    if (n >= L.TEXT_RANGES) {
      Atomics.store(u32, countAt, L.TEXT_RANGES_ALL);
      return;
    }
    const at = ((L.MACHINE_BASE + L.M_TEXT_RANGES) >> 2) + 2 * n;
    Atomics.store(u32, at, this.mem.ramOffset + Number(s - this.mem.base));
    Atomics.store(u32, at + 1, this.mem.ramOffset + Number(e - this.mem.base));
    Atomics.store(u32, countAt, n + 1);
  }

  private pageMap(): Uint8Array {
    const codemap = new DataView(this.mem.memory.buffer).getUint32(L.MACHINE_BASE + L.M_CODEMAP, true);
    return new Uint8Array(this.mem.memory.buffer, codemap);
  }
}
