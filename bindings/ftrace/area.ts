// The ftrace data area: a block of guest RAM at the top, above the kernel's
// heap, that the host lays out (ops, hashes, per-CPU blocks, ring buffers,
// profile tables) and the guest's callbacks read and write. Allocation is a
// bump pointer; nothing is ever freed while the machine lives, so a CPU that
// still holds a pointer to an old filter hash or an unlinked ops reads memory
// that stays as it was.

export class FtraceAreaError extends Error {
  override name = 'FtraceAreaError';
}

export class FtraceArea {
  private next: bigint;

  /**
   * @param start first byte the area may use (above the kernel's heap)
   * @param end one past its last byte (the end of RAM)
   */
  constructor(readonly start: bigint, readonly end: bigint) {
    if (end <= start) throw new FtraceAreaError(`no room for ftrace data: the kernel's heap reaches 0x${start.toString(16)} and RAM ends at 0x${end.toString(16)}`);
    this.next = start;
  }

  /** `size` bytes aligned to `align` (a power of two); FtraceAreaError when the area is full. */
  alloc(size: number, align = 64): bigint {
    const a = BigInt(align);
    const p = (this.next + a - 1n) & ~(a - 1n);
    if (p + BigInt(size) > this.end) {
      throw new FtraceAreaError(
        `ftrace data area full: ${size} more bytes needed, ${this.end - p} left of ${this.end - this.start} (give the machine more RAM)`,
      );
    }
    this.next = p + BigInt(size);
    return p;
  }

  get used(): bigint {
    return this.next - this.start;
  }
}
