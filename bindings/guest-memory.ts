// Host access to guest RAM, bounds-checked against the accessible window:
// every read or write outside [lo, hi), or into the guard hole (the user
// stack's guard gap, assembly/layout.ts M_GUARD_LO), throws GuestAccessError
// and touches nothing. A write that reaches a page holding translated code moves the
// machine's code epoch, and one into a granule a CPU waits on in WFE wakes
// that CPU, as a guest store would (assembly/icache.ts, wfe-watch.ts); one
// into a page of registered text tells onTextWrite (the Machine keeps its
// copy of the text words with it, bindings/patch/text-shadow.ts).

import * as L from '../assembly/layout.ts';
import { wakeWatchers } from './irq.ts';

export class GuestAccessError extends Error {
  override name = 'GuestAccessError';
  constructor(
    readonly address: bigint,
    readonly length: number,
    readonly window: [bigint, bigint],
    /** The guard hole the access touches, when that is why it was refused. */
    readonly guard?: [bigint, bigint],
  ) {
    super(
      guard
        ? `guest access 0x${BigInt.asUintN(64, address).toString(16)}+${length} touches the guard gap ` +
            `0x${guard[0].toString(16)}..0x${guard[1].toString(16)}`
        : `guest access 0x${BigInt.asUintN(64, address).toString(16)}+${length} is outside guest RAM ` +
            `0x${window[0].toString(16)}..0x${window[1].toString(16)}`,
    );
  }
}

export class GuestMemory {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly words: Int32Array;
  /** Called after a write that reaches a page of registered text (PAGE_TEXT), with the guest range written. */
  onTextWrite: ((addr: bigint, len: number) => void) | null = null;
  private guardLo = 0n;
  private guardHi = 0n;

  /**
   * @param memory the machine's shared memory
   * @param ramOffset Wasm offset of the first RAM byte
   * @param base guest address of the first RAM byte
   * @param size RAM bytes
   * @param lo lowest accessible guest address (>= base)
   */
  constructor(
    readonly memory: WebAssembly.Memory,
    readonly ramOffset: number,
    readonly base: bigint,
    readonly size: number,
    readonly lo: bigint = base,
  ) {
    this.bytes = new Uint8Array(memory.buffer, ramOffset, size);
    this.view = new DataView(memory.buffer, ramOffset, size);
    this.words = new Int32Array(memory.buffer, ramOffset, size / 4); // size may be 2^31
    const m = new DataView(memory.buffer, L.MACHINE_BASE, L.MACHINE_SIZE);
    this.guardLo = m.getBigUint64(L.M_GUARD_LO, true);
    this.guardHi = m.getBigUint64(L.M_GUARD_HI, true);
  }

  /** The guard hole [lo, hi) inside the window, or null. */
  get guard(): [bigint, bigint] | null {
    return this.guardHi > this.guardLo ? [this.guardLo, this.guardHi] : null;
  }

  /**
   * Makes [lo, hi) a hole in the window for the CPUs and for this host view
   * alike: every access touching it faults (the machine block's M_GUARD_LO,
   * M_GUARD_HI). Set before the CPUs run; other host views made later see it.
   */
  setGuard(lo: bigint, hi: bigint): void {
    if (hi < lo || lo < this.lo || hi > this.hi) {
      throw new GuestAccessError(lo, Number(hi - lo), [this.lo, this.hi]);
    }
    const m = new DataView(this.memory.buffer, L.MACHINE_BASE, L.MACHINE_SIZE);
    m.setBigUint64(L.M_GUARD_LO, hi > lo ? lo : 0n, true);
    m.setBigUint64(L.M_GUARD_HI, hi > lo ? hi : 0n, true);
    this.guardLo = hi > lo ? lo : 0n;
    this.guardHi = hi > lo ? hi : 0n;
  }

  private inGuard(addr: bigint, len: number): boolean {
    return len > 0 && this.guardHi > this.guardLo && addr < this.guardHi && addr + BigInt(len) > this.guardLo;
  }

  get hi(): bigint {
    return this.base + BigInt(this.size);
  }

  /** Offset into `bytes` of [addr, addr+len), or throws. */
  offset(addr: bigint, len: number): number {
    if (!Number.isInteger(len) || len < 0 || addr < this.lo || addr + BigInt(len) > this.hi) {
      throw new GuestAccessError(addr, len, [this.lo, this.hi]);
    }
    if (this.inGuard(addr, len)) throw new GuestAccessError(addr, len, [this.lo, this.hi], [this.guardLo, this.guardHi]);
    return Number(addr - this.base);
  }

  contains(addr: bigint, len: number): boolean {
    return Number.isInteger(len) && len >= 0 && addr >= this.lo && addr + BigInt(len) <= this.hi && !this.inGuard(addr, len);
  }

  read(addr: bigint, len: number): Uint8Array {
    const o = this.offset(addr, len);
    return this.bytes.slice(o, o + len);
  }

  write(addr: bigint, data: Uint8Array): void {
    const o = this.offset(addr, data.length);
    this.bytes.set(data, o);
    this.noteWrite(o, data.length);
  }

  fill(addr: bigint, len: number, value: number): void {
    const o = this.offset(addr, len);
    this.bytes.fill(value, o, o + len);
    this.noteWrite(o, len);
  }

  /** Moves the code epoch when [o, o+len) of RAM touches a code page; wakes WFE waiters on a watched one. */
  private noteWrite(o: number, len: number): void {
    if (len === 0) return;
    const machine = new DataView(this.memory.buffer, L.MACHINE_BASE, L.MACHINE_SIZE);
    const codemap = machine.getUint32(L.M_CODEMAP, true);
    if (codemap === 0) return;
    const map = new Uint8Array(this.memory.buffer, codemap);
    let marks = 0;
    for (let p = o >>> L.CODE_PAGE_SHIFT; p <= (o + len - 1) >>> L.CODE_PAGE_SHIFT; p++) marks |= Atomics.load(map, p);
    if (marks & L.PAGE_CODE) Atomics.add(new Int32Array(this.memory.buffer, L.MACHINE_BASE + L.M_CODE_EPOCH, 1), 0, 1);
    if (marks & L.PAGE_WATCH) wakeWatchers(this.memory, this.ramOffset + o, this.ramOffset + o + len);
    if (marks & L.PAGE_TEXT) this.onTextWrite?.(this.base + BigInt(o), len);
  }

  u32(addr: bigint): number {
    return this.view.getUint32(this.offset(addr, 4), true);
  }

  u64(addr: bigint): bigint {
    return this.view.getBigUint64(this.offset(addr, 8), true);
  }

  setU32(addr: bigint, v: number): void {
    const o = this.offset(addr, 4);
    this.view.setUint32(o, v >>> 0, true);
    this.noteWrite(o, 4);
  }

  setU64(addr: bigint, v: bigint): void {
    const o = this.offset(addr, 8);
    this.view.setBigUint64(o, BigInt.asUintN(64, v), true);
    this.noteWrite(o, 8);
  }

  /** Atomic (sequentially consistent) load of the aligned u64 at `addr`. */
  atomicU64(addr: bigint): bigint {
    return BigInt.asUintN(64, Atomics.load(this.dwords(addr), 0));
  }

  /** Atomic store of the aligned u64 at `addr` (a guest's acquire load of it sees what was written before). */
  atomicSetU64(addr: bigint, v: bigint): void {
    Atomics.store(this.dwords(addr), 0, BigInt.asIntN(64, v));
    this.noteWrite(this.offset(addr, 8), 8);
  }

  private dwords(addr: bigint): BigInt64Array {
    const o = this.offset(addr, 8);
    if (o % 8 !== 0) throw new RangeError(`atomic u64 access at 0x${addr.toString(16)} is not 8-byte aligned`);
    return new BigInt64Array(this.memory.buffer, this.ramOffset + o, 1);
  }

  /** A NUL-terminated string of at most `max` bytes (without the NUL). */
  cstring(addr: bigint, max = 4096): string {
    const start = this.offset(addr, 1);
    let limit = Math.min(this.size, start + max);
    if (this.guardHi > this.guardLo && addr < this.guardLo) limit = Math.min(limit, Number(this.guardLo - this.base));
    let end = start;
    while (end < limit && this.bytes[end] !== 0) end++;
    return new TextDecoder().decode(this.bytes.slice(start, end)); // slice: decoders refuse shared buffers
  }
}
