// The user profile's mmap area: which pages between the break and the stack's
// guard gap are mapped. mmap places a mapping at the top of the highest gap
// it fits in (Linux's top-down allocator), munmap frees any page-aligned
// range, mremap shrinks, grows in place or moves (syscalls.ts). Guest RAM has
// no page tables: this is the bookkeeping that keeps mappings from
// overlapping each other or the break.

/** A mapped range [start, end), page-aligned. */
interface Range { start: bigint; end: bigint }

export class MmapArea {
  /** Mapped ranges, sorted by address, never touching (adjacent ones merge). */
  private ranges: Range[] = [];

  /** `top`: the area's end (the guard gap's start); `floor()`: the break, below which nothing is placed. */
  constructor(private readonly top: bigint, private readonly floor: () => bigint) {}

  /** The lowest mapped address (the break may grow up to it), or the area's top. */
  lowest(): bigint {
    return this.ranges.length ? this.ranges[0]!.start : this.top;
  }

  /** The start of a free range of `size` bytes, highest first, or null when none fits. */
  place(size: bigint): bigint | null {
    let hi = this.top;
    for (let i = this.ranges.length - 1; i >= -1; i--) {
      const lo = i >= 0 ? this.ranges[i]!.end : this.floor();
      if (hi >= lo + size) return hi - size;
      if (i >= 0) hi = this.ranges[i]!.start;
    }
    return null;
  }

  /** Marks [start, start + size) mapped. */
  map(start: bigint, size: bigint): void {
    this.ranges.push({ start, end: start + size });
    this.ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const merged: Range[] = [];
    for (const r of this.ranges) {
      const last = merged[merged.length - 1];
      if (last && r.start <= last.end) last.end = r.end > last.end ? r.end : last.end;
      else merged.push({ ...r });
    }
    this.ranges = merged;
  }

  /** Frees every mapped page of [start, start + size). */
  unmap(start: bigint, size: bigint): void {
    const end = start + size;
    const out: Range[] = [];
    for (const r of this.ranges) {
      if (r.end <= start || r.start >= end) { out.push(r); continue; }
      if (r.start < start) out.push({ start: r.start, end: start });
      if (r.end > end) out.push({ start: end, end: r.end });
    }
    this.ranges = out;
  }

  /** Whether every page of [start, start + size) is mapped. */
  mapped(start: bigint, size: bigint): boolean {
    return this.ranges.some((r) => r.start <= start && start + size <= r.end);
  }

  /** Whether no page of [start, start + size) is mapped and the range lies inside the area, above the break. */
  free(start: bigint, size: bigint): boolean {
    const end = start + size;
    if (start < this.floor() || end > this.top) return false;
    return this.ranges.every((r) => r.end <= start || r.start >= end);
  }
}
