// The `user` profile's address space: a static AArch64 Linux-style ELF loaded
// into guest RAM at its link addresses, a Linux-style initial stack (argc,
// argv, envp, auxv), and the break.
//
// Guest address map (RAM from address 0; the first 64 KiB are not mapped, so
// NULL and small offsets from it fault):
//
//   0x0000_0000 .. 0x0000_ffff   unmapped
//   0x0001_0000 .. image end     free, then the ELF's PT_LOAD segments (typically at 0x400000;
//                                a static-pie image, ET_DYN, is placed with its lowest segment there)
//   brk start   .. brk            heap grown by brk(2)
//   mmap low    .. mmap top      anonymous mmap(2) regions, allocated downwards
//   guard       .. stack limit   the stack guard gap (STACK_GUARD_GAP): no access, as
//                                Linux's stack_guard_gap below a stack that reached its
//                                rlimit; a stack that overflows faults there (SIGSEGV)
//   stack limit .. RAM end       the stack (STACK_SIZE, qemu-aarch64's and Linux's default
//                                8 MiB RLIMIT_STACK), initial SP just below the strings

import type { ElfImage } from '../elf/index.ts';
import { GuestMemory } from '../guest-memory.ts';

export const NULL_GUARD = 0x10000n;
export const STACK_SIZE = 8n << 20n;
/** Linux's default stack_guard_gap: 256 pages. */
export const STACK_GUARD_GAP = 1n << 20n;
export const PAGE_SIZE = 4096n;
/** Where the lowest segment of a position-independent (ET_DYN) image goes. */
export const PIE_BASE = 0x400000n;

export class LoadError extends Error {
  override name = 'LoadError';
  readonly code = 'load';
  constructor(message: string, readonly address?: bigint) {
    super(message);
  }
}

const AT = {
  NULL: 0n, PHDR: 3n, PHENT: 4n, PHNUM: 5n, PAGESZ: 6n, BASE: 7n, FLAGS: 8n, ENTRY: 9n,
  UID: 11n, EUID: 12n, GID: 13n, EGID: 14n, HWCAP: 16n, CLKTCK: 17n, SECURE: 23n,
  RANDOM: 25n, HWCAP2: 26n, EXECFN: 31n,
} as const;

// HWCAP bits the core supports: FP and ASIMD are absent (integer core);
// CPUID (MRS emulation of ID registers) absent; CRC32 and ATOMICS (LSE) present.
const HWCAP_CRC32 = 1n << 7n;
const HWCAP_ATOMICS = 1n << 8n;

const alignUp = (v: bigint, a: bigint): bigint => (v + a - 1n) & ~(a - 1n);
const alignDown = (v: bigint, a: bigint): bigint => v & ~(a - 1n);

export interface UserLayout {
  /** Added to the ELF's addresses: 0 for ET_EXEC, where an ET_DYN image was placed otherwise. */
  loadBias: bigint;
  entry: bigint;
  sp: bigint;
  brkStart: bigint;
  mmapTop: bigint;
  /** The guard gap [guardLo, stackLimit): every access faults. */
  guardLo: bigint;
  stackLimit: bigint;
  ramEnd: bigint;
}

/**
 * Loads `image` (parsed from `file`) into guest RAM and builds the initial
 * stack. Nothing is written when the image cannot be loaded: a dynamically
 * linked program (it names an interpreter), or a segment that does not fit.
 * A static-pie image is placed at PIE_BASE and not relocated: as under Linux,
 * its own start-up code applies its relocations.
 */
export function loadUserImage(
  mem: GuestMemory,
  file: Uint8Array,
  image: ElfImage,
  args: readonly string[],
  env: readonly string[],
  random: Uint8Array,
): UserLayout {
  if (image.interpreter !== null) {
    throw new LoadError(
      `the program is dynamically linked (interpreter ${image.interpreter}); the user profile runs static programs only`,
    );
  }
  const ramEnd = mem.hi;
  const mib = (v: bigint | number): string => `${Number(v) / 2 ** 20} MiB`;
  if (ramEnd - NULL_GUARD < STACK_SIZE + STACK_GUARD_GAP + PAGE_SIZE) {
    throw new LoadError(
      `guest RAM of ${mib(mem.size)} is too small for the user profile: the stack takes ${mib(STACK_SIZE)} ` +
        `and its guard gap ${mib(STACK_GUARD_GAP)} (use --ram 16M or more)`,
    );
  }
  const stackLimit = ramEnd - STACK_SIZE;
  const guardLo = stackLimit - STACK_GUARD_GAP;
  let loadBias = 0n;
  if (image.type === 'DYN') {
    // Keep every segment's address congruent to its file offset modulo its alignment.
    let align = PAGE_SIZE;
    let lowest = image.segments[0].vaddr;
    for (const s of image.segments) {
      if (s.align > align) align = s.align;
      if (s.vaddr < lowest) lowest = s.vaddr;
    }
    loadBias = alignUp(PIE_BASE, align) - alignDown(lowest, align);
  }
  let imageEnd = 0n;
  for (const s of image.segments) {
    const start = s.vaddr + loadBias;
    const end = start + s.memSize;
    if (start < NULL_GUARD || end > guardLo) {
      const hex = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
      throw new LoadError(
        `segment ${hex(start)}..${hex(end)} is outside the loadable range ` +
          `${hex(NULL_GUARD)}..${hex(guardLo)} (guest RAM ${mib(mem.size)})`,
        BigInt.asUintN(64, start),
      );
    }
    if (end > imageEnd) imageEnd = end;
  }
  for (const s of image.segments) {
    const start = s.vaddr + loadBias;
    mem.write(start, s.data);
    if (s.memSize > s.fileSize) mem.fill(start + BigInt(s.data.length), Number(s.memSize - BigInt(s.data.length)), 0);
  }

  // Program headers, for AT_PHDR: where the first segment maps the file's header area.
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const phoff = dv.getBigUint64(0x20, true);
  const phnum = BigInt(dv.getUint16(0x38, true));
  const first = image.segments.find((s) => BigInt(s.offset) <= phoff && phoff + phnum * 56n <= BigInt(s.offset) + s.fileSize);
  const phdr = first ? first.vaddr + loadBias + (phoff - BigInt(first.offset)) : 0n;
  const entry = image.entry + loadBias;

  // Strings at the top of the stack, then the vectors below them.
  const enc = new TextEncoder();
  let top = ramEnd - 16n;
  const pushBytes = (b: Uint8Array): bigint => {
    top -= BigInt(b.length);
    mem.write(top, b);
    return top;
  };
  const pushString = (s: string): bigint => pushBytes(enc.encode(s + '\0'));
  const execfn = pushString(args[0] ?? '');
  const argPtrs = args.map(pushString);
  const envPtrs = env.map(pushString);
  top = alignDown(top, 16n);
  const randomPtr = pushBytes(random.subarray(0, 16));
  top = alignDown(top, 16n);

  const auxv: [bigint, bigint][] = [
    [AT.PHDR, phdr], [AT.PHENT, 56n], [AT.PHNUM, phnum], [AT.PAGESZ, PAGE_SIZE], [AT.BASE, 0n],
    [AT.FLAGS, 0n], [AT.ENTRY, entry], [AT.UID, 0n], [AT.EUID, 0n], [AT.GID, 0n], [AT.EGID, 0n],
    [AT.HWCAP, HWCAP_CRC32 | HWCAP_ATOMICS], [AT.CLKTCK, 100n], [AT.SECURE, 0n], [AT.RANDOM, randomPtr],
    [AT.HWCAP2, 0n], [AT.EXECFN, execfn], [AT.NULL, 0n],
  ];
  const words: bigint[] = [BigInt(args.length), ...argPtrs, 0n, ...envPtrs, 0n];
  for (const [k, v] of auxv) words.push(k, v);
  let sp = top - BigInt(words.length) * 8n;
  sp = alignDown(sp, 16n);
  const block = new DataView(new ArrayBuffer(words.length * 8));
  words.forEach((w, i) => block.setBigUint64(i * 8, w, true));
  mem.write(sp, new Uint8Array(block.buffer));

  mem.setGuard(guardLo, stackLimit);
  const brkStart = alignUp(imageEnd, PAGE_SIZE);
  return { loadBias, entry, sp, brkStart, mmapTop: alignDown(guardLo, PAGE_SIZE), guardLo, stackLimit, ramEnd };
}

/** Symbolizes a guest address of an image loaded `loadBias` above its link-time addresses. */
export function placedSymbolizer(image: ElfImage, loadBias: bigint): (addr: bigint) => ReturnType<ElfImage['symbolize']> {
  return loadBias === 0n ? (addr) => image.symbolize(addr) : (addr) => image.symbolize(addr - loadBias);
}
