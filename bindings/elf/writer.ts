/**
 * Minimal writer for static ELF64 AArch64 executables (ET_EXEC), meant for
 * generated code.
 *
 * File layout: ELF header, program headers (one PT_LOAD per segment, sorted by
 * address), segment data (each placed at a file offset congruent to its
 * address modulo 0x1000), optional `__patchable_function_entries`, `.symtab`
 * and `.strtab`, `.shstrtab`, then the section header table.
 *
 * Sections: one PROGBITS section per segment with file data (named `.text`
 * for executable, `.data` for writable, `.rodata` otherwise, unless a name is
 * given; repeated names get a `.N` suffix) and a NOBITS `.bss` section for the
 * zero-filled tail when `memSize` exceeds the data length. In a non-writable
 * segment the file-backed part of that tail is zero-padded up to the next page
 * boundary (so the segment's p_filesz can exceed `data.length`): qemu-user
 * before 8.1 faults when it has to zero-fill a partial page of a non-writable
 * segment. When `patchableEntries` is given, a non-allocated
 * `__patchable_function_entries` section holds them as u64 values. Symbols are written with LOCAL symbols
 * first (as ELF requires), otherwise in the given order.
 */
import { ElfError, hex } from './errors.ts';
import { EM_AARCH64, ET_EXEC, PATCHABLE_SECTION, PT_LOAD, SHN_ABS, SHT_NOBITS, SHT_PROGBITS,
  SHT_STRTAB, SHT_SYMTAB, type SegmentFlags } from './types.ts';

export const PAGE_SIZE = 0x1000;

export type IntLike = bigint | number;

export interface WriteSegment {
  vaddr: IntLike;
  data: Uint8Array;
  /** Memory size; defaults to `data.length`. The tail is zero-filled. */
  memSize?: IntLike;
  flags: Partial<SegmentFlags>;
  /** Name of the section covering the file data. */
  name?: string;
}

export interface WriteSymbol {
  name: string;
  value: IntLike;
  size?: IntLike;
  type?: 'FUNC' | 'OBJECT' | 'NOTYPE';
  binding?: 'LOCAL' | 'GLOBAL' | 'WEAK';
}

export interface WriteElfOptions {
  entry: IntLike;
  segments: WriteSegment[];
  symbols?: WriteSymbol[];
  /** Addresses to store in a `__patchable_function_entries` section. */
  patchableEntries?: IntLike[];
}

const U64_END = 1n << 64n;
const TYPE_CODES = { NOTYPE: 0, OBJECT: 1, FUNC: 2 } as const;
const BINDING_CODES = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;

function bad(message: string): never {
  throw new ElfError('BAD_WRITER_INPUT', message);
}

function toU64(v: IntLike, what: string): bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) bad(`${what} ${v} is not a non-negative safe integer`);
    return BigInt(v);
  }
  if (typeof v !== 'bigint' || v < 0n || v >= U64_END) bad(`${what} ${String(v)} is not a 64-bit unsigned value`);
  return v;
}

function checkName(name: string, what: string): Uint8Array {
  if (typeof name !== 'string' || name === '' || name.includes('\0')) bad(`${what} name ${JSON.stringify(name)} is invalid`);
  return new TextEncoder().encode(name);
}

interface OutSection {
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: number;
  size: bigint;
  link: number;
  info: number;
  align: number;
  entSize: number;
  bytes?: Uint8Array;
}

/** String table builder; offset 0 is the empty string. */
class StrTab {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private length = 1;
  private readonly seen = new Map<string, number>();
  add(name: string): number {
    const known = this.seen.get(name);
    if (known !== undefined) return known;
    const enc = new TextEncoder().encode(name);
    const off = this.length;
    this.parts.push(enc, new Uint8Array(1));
    this.length += enc.length + 1;
    this.seen.set(name, off);
    return off;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

const align = (v: number, a: number): number => Math.ceil(v / a) * a;

export function writeElf(options: WriteElfOptions): Uint8Array {
  const entry = toU64(options.entry, 'entry');
  if (!Array.isArray(options.segments) || options.segments.length === 0) bad('at least one segment is required');
  if (options.segments.length > 0x7f00) bad('too many segments');
  const segs = options.segments.map((s, i) => {
    if (!(s.data instanceof Uint8Array)) bad(`segment ${i}: data is not a Uint8Array`);
    const vaddr = toU64(s.vaddr, `segment ${i} vaddr`);
    const fileSize = BigInt(s.data.length);
    const memSize = s.memSize === undefined ? fileSize : toU64(s.memSize, `segment ${i} memSize`);
    if (memSize < fileSize) bad(`segment ${i}: memSize ${hex(memSize)} is smaller than the data (${hex(fileSize)})`);
    if (vaddr + memSize > U64_END) bad(`segment ${i}: ${hex(vaddr)}+${hex(memSize)} overflows 64 bits`);
    if (s.name !== undefined) checkName(s.name, `segment ${i} section`);
    const flags = { r: s.flags?.r === true, w: s.flags?.w === true, x: s.flags?.x === true };
    return { index: i, vaddr, memSize, data: s.data, flags, name: s.name, offset: 0, fileSize: s.data.length };
  }).sort((a, b) => (a.vaddr < b.vaddr ? -1 : a.vaddr > b.vaddr ? 1 : a.index - b.index));
  for (let k = 1; k < segs.length; k++) {
    const a = segs[k - 1]!;
    const b = segs[k]!;
    if (a.memSize > 0n && b.memSize > 0n && a.vaddr + a.memSize > b.vaddr) {
      bad(`segments ${a.index} and ${b.index} overlap`);
    }
  }
  const isCode = (addr: bigint): boolean => segs.some((s) =>
    s.flags.x && addr >= s.vaddr && addr + 4n <= s.vaddr + BigInt(s.data.length) && (addr & 3n) === 0n);
  if (!isCode(entry)) bad(`entry ${hex(entry)} is not an aligned address inside executable segment data`);

  // Segment data placement.
  let cur = 64 + 56 * segs.length;
  for (const s of segs) {
    const want = Number(s.vaddr % BigInt(PAGE_SIZE));
    s.offset = cur + ((want - (cur % PAGE_SIZE) + PAGE_SIZE) % PAGE_SIZE);
    if (!s.flags.w && s.memSize > BigInt(s.data.length)) {
      // Zero-pad the file data to the page end so that no partial page of a
      // non-writable segment has to be zero-filled at load time.
      const page = BigInt(PAGE_SIZE);
      const pageEnd = ((s.vaddr + BigInt(s.data.length) + page - 1n) / page) * page;
      const limit = s.vaddr + s.memSize;
      s.fileSize = Number((pageEnd < limit ? pageEnd : limit) - s.vaddr);
    }
    cur = s.offset + s.fileSize;
  }

  // Sections.
  const shstr = new StrTab();
  const sections: OutSection[] = [];
  const used = new Map<string, number>();
  const uniqueName = (base: string): string => {
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    return n === 0 ? base : `${base}.${n}`;
  };
  for (const s of segs) {
    const flags = 2n | (s.flags.w ? 1n : 0n) | (s.flags.x ? 4n : 0n);
    if (s.data.length > 0) {
      const base = s.name ?? (s.flags.x ? '.text' : s.flags.w ? '.data' : '.rodata');
      sections.push({ name: uniqueName(base), type: SHT_PROGBITS, flags, addr: s.vaddr, offset: s.offset,
        size: BigInt(s.data.length), link: 0, info: 0, align: s.flags.x && s.vaddr % 4n === 0n ? 4 : 1, entSize: 0 });
    }
    const bss = s.memSize - BigInt(s.data.length);
    if (bss > 0n) {
      sections.push({ name: uniqueName('.bss'), type: SHT_NOBITS, flags, addr: s.vaddr + BigInt(s.data.length),
        offset: s.offset + s.data.length, size: bss, link: 0, info: 0, align: 1, entSize: 0 });
    }
  }
  const sectionOf = (v: bigint): number => {
    const k = sections.findIndex((sec) => (sec.flags & 2n) !== 0n && v >= sec.addr && v < sec.addr + sec.size);
    return k < 0 ? SHN_ABS : k + 1;
  };

  if (options.patchableEntries !== undefined) {
    const entries = options.patchableEntries.map((e, i) => toU64(e, `patchable entry ${i}`));
    const bytes = new Uint8Array(entries.length * 8);
    const dv = new DataView(bytes.buffer);
    entries.forEach((e, i) => {
      if (!isCode(e)) bad(`patchable entry ${hex(e)} is not an aligned address inside executable segment data`);
      dv.setBigUint64(i * 8, e, true);
    });
    sections.push({ name: PATCHABLE_SECTION, type: SHT_PROGBITS, flags: 0n, addr: 0n, offset: 0,
      size: BigInt(bytes.length), link: 0, info: 0, align: 8, entSize: 0, bytes });
  }

  if (options.symbols !== undefined) {
    const strtab = new StrTab();
    const syms = options.symbols.map((sym, i) => {
      checkName(sym.name, `symbol ${i}`);
      const type = sym.type ?? 'NOTYPE';
      const binding = sym.binding ?? 'GLOBAL';
      if (!(type in TYPE_CODES)) bad(`symbol ${i}: unknown type ${String(type)}`);
      if (!(binding in BINDING_CODES)) bad(`symbol ${i}: unknown binding ${String(binding)}`);
      return { name: sym.name, value: toU64(sym.value, `symbol ${i} value`),
        size: toU64(sym.size ?? 0, `symbol ${i} size`), type, binding };
    });
    const ordered = [...syms.filter((s) => s.binding === 'LOCAL'), ...syms.filter((s) => s.binding !== 'LOCAL')];
    const firstGlobal = 1 + syms.filter((s) => s.binding === 'LOCAL').length;
    const bytes = new Uint8Array((ordered.length + 1) * 24);
    const dv = new DataView(bytes.buffer);
    ordered.forEach((s, i) => {
      const o = (i + 1) * 24;
      dv.setUint32(o, strtab.add(s.name), true);
      dv.setUint8(o + 4, (BINDING_CODES[s.binding] << 4) | TYPE_CODES[s.type]);
      dv.setUint16(o + 6, sectionOf(s.value), true);
      dv.setBigUint64(o + 8, s.value, true);
      dv.setBigUint64(o + 16, s.size, true);
    });
    const symIndex = sections.length + 1;
    sections.push({ name: '.symtab', type: SHT_SYMTAB, flags: 0n, addr: 0n, offset: 0, size: BigInt(bytes.length),
      link: symIndex + 1, info: firstGlobal, align: 8, entSize: 24, bytes });
    const strBytes = strtab.bytes();
    sections.push({ name: '.strtab', type: SHT_STRTAB, flags: 0n, addr: 0n, offset: 0, size: BigInt(strBytes.length),
      link: 0, info: 0, align: 1, entSize: 0, bytes: strBytes });
  }
  const shstrSection: OutSection = { name: '.shstrtab', type: SHT_STRTAB, flags: 0n, addr: 0n, offset: 0,
    size: 0n, link: 0, info: 0, align: 1, entSize: 0 };
  sections.push(shstrSection);
  const nameOffsets = sections.map((sec) => shstr.add(sec.name));
  shstrSection.bytes = shstr.bytes();
  shstrSection.size = BigInt(shstrSection.bytes.length);

  // Place non-segment section contents after the segment data.
  for (const sec of sections) {
    if (!sec.bytes) continue;
    cur = align(cur, sec.align);
    sec.offset = cur;
    cur += sec.bytes.length;
  }
  const shoff = align(cur, 8);
  const shnum = sections.length + 1;
  const total = shoff + shnum * 64;

  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  dv.setUint16(16, ET_EXEC, true);
  dv.setUint16(18, EM_AARCH64, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, entry, true);
  dv.setBigUint64(32, 64n, true);
  dv.setBigUint64(40, BigInt(shoff), true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, segs.length, true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, shnum, true);
  dv.setUint16(62, shnum - 1, true);

  segs.forEach((s, i) => {
    const p = 64 + i * 56;
    dv.setUint32(p, PT_LOAD, true);
    dv.setUint32(p + 4, (s.flags.x ? 1 : 0) | (s.flags.w ? 2 : 0) | (s.flags.r ? 4 : 0), true);
    dv.setBigUint64(p + 8, BigInt(s.offset), true);
    dv.setBigUint64(p + 16, s.vaddr, true);
    dv.setBigUint64(p + 24, s.vaddr, true);
    dv.setBigUint64(p + 32, BigInt(s.fileSize), true);
    dv.setBigUint64(p + 40, s.memSize, true);
    dv.setBigUint64(p + 48, BigInt(PAGE_SIZE), true);
    out.set(s.data, s.offset);
  });
  sections.forEach((sec, i) => {
    if (sec.bytes) out.set(sec.bytes, sec.offset);
    const o = shoff + (i + 1) * 64;
    dv.setUint32(o, nameOffsets[i]!, true);
    dv.setUint32(o + 4, sec.type, true);
    dv.setBigUint64(o + 8, sec.flags, true);
    dv.setBigUint64(o + 16, sec.addr, true);
    dv.setBigUint64(o + 24, BigInt(sec.offset), true);
    dv.setBigUint64(o + 32, sec.size, true);
    dv.setUint32(o + 40, sec.link, true);
    dv.setUint32(o + 44, sec.info, true);
    dv.setBigUint64(o + 48, BigInt(sec.align), true);
    dv.setBigUint64(o + 56, BigInt(sec.entSize), true);
  });
  return out;
}
