/**
 * Strict reader for ELF64 little-endian AArch64 executables (ET_EXEC, and
 * ET_DYN for static-pie).
 *
 * Every offset and size is checked against the file before it is read, and
 * every malformed input is reported as an {@link ElfError}. The returned image
 * references the input buffer (segment data are subarrays, nothing is copied).
 *
 * `__patchable_function_entries`: the u64 values are read as stored in the
 * file and interpreted as link-time addresses. This is exact for static
 * ET_EXEC images. Relocations are not applied: for ET_DYN (static-pie) the
 * values are only meaningful when the linker also stored the R_AARCH64_RELATIVE
 * addend in place (GNU ld does; linkers that leave the field zero produce an
 * image rejected with BAD_PATCHABLE_ENTRIES).
 */
import { ElfError, hex } from './errors.ts';
import { symbolLookup } from './symbols.ts';
import {
  EM_AARCH64, ET_DYN, ET_EXEC, PATCHABLE_SECTION, PT_INTERP, PT_LOAD, PT_TLS, SHN_LORESERVE, SHN_UNDEF, SHN_XINDEX,
  SHT_DYNSYM, SHT_NOBITS, SHT_NULL, SHT_PROGBITS, SHT_STRTAB, SHT_SYMTAB,
  type ElfImage, type ElfSection, type ElfSegment, type ElfSymbol, type ElfSymbolBinding, type ElfSymbolType,
} from './types.ts';

export * from './types.ts';
export { isMappingSymbol } from './symbols.ts';

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const PN_XNUM = 0xffff;
const U64_END = 1n << 64n;

const SECTION_TYPE_NAMES: Record<number, string> = {
  0: 'NULL', 1: 'PROGBITS', 2: 'SYMTAB', 3: 'STRTAB', 4: 'RELA', 5: 'HASH', 6: 'DYNAMIC',
  7: 'NOTE', 8: 'NOBITS', 9: 'REL', 10: 'SHLIB', 11: 'DYNSYM', 14: 'INIT_ARRAY',
  15: 'FINI_ARRAY', 16: 'PREINIT_ARRAY', 17: 'GROUP', 18: 'SYMTAB_SHNDX',
  0x6ffffff6: 'GNU_HASH', 0x6ffffffd: 'GNU_VERDEF', 0x6ffffffe: 'GNU_VERNEED',
  0x6fffffff: 'GNU_VERSYM', 0x70000003: 'AARCH64_ATTRIBUTES',
};
const SYMBOL_TYPES: Record<number, ElfSymbolType> = {
  0: 'NOTYPE', 1: 'OBJECT', 2: 'FUNC', 3: 'SECTION', 4: 'FILE', 5: 'COMMON', 6: 'TLS', 10: 'IFUNC',
};
const SYMBOL_BINDINGS: Record<number, ElfSymbolBinding> = {
  0: 'LOCAL', 1: 'GLOBAL', 2: 'WEAK', 10: 'UNIQUE',
};
const E_TYPE_NAMES: Record<number, string> = { 0: 'ET_NONE', 1: 'ET_REL', 4: 'ET_CORE' };


const utf8 = new TextDecoder();
const isPow2OrZero = (v: bigint): boolean => (v & (v - 1n)) === 0n;

/** NUL-terminated string table with bounded total decoding work. */
class StringTable {
  private readonly cache = new Map<number, string>();
  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
    private readonly budget: { left: number },
  ) {}

  get(offset: number, user: string): string {
    const cached = this.cache.get(offset);
    if (cached !== undefined) return cached;
    if (offset === 0 && this.data.length === 0) return '';
    if (offset >= this.data.length) {
      throw new ElfError('BAD_STRING_TABLE',
        `${user}: name offset ${hex(offset)} is outside ${this.what} (size ${hex(this.data.length)})`,
        { value: BigInt(offset) });
    }
    // The table is known to end with NUL, so a terminator is always found.
    const end = this.data.indexOf(0, offset);
    this.budget.left -= end - offset + 1;
    if (this.budget.left < 0) {
      throw new ElfError('BAD_STRING_TABLE', `${user}: total name length is implausibly large`);
    }
    const s = utf8.decode(this.data.slice(offset, end));
    this.cache.set(offset, s);
    return s;
  }
}

export interface ParseElfOptions {
  /**
   * 'strict' (the default): a damaged section header table, string table,
   * symbol table or `__patchable_function_entries` is an ElfError.
   * 'lenient': as qemu-aarch64 and Linux load a program, only the ELF and
   * program headers must be sound; when the sections are not, the image has
   * no sections, symbols or patchable entries and `sectionError` says why.
   */
  sections?: 'strict' | 'lenient';
}

export function parseElf(bytes: Uint8Array, opts: ParseElfOptions = {}): ElfImage {
  const lenient = opts.sections === 'lenient';
  let sectionError: ElfError | null = null;
  /** In lenient mode, keeps a section-table error for the image instead of throwing it. */
  const keep = (err: unknown): void => {
    if (!lenient || !(err instanceof ElfError)) throw err;
    sectionError = err;
  };
  const size = bytes.length;
  const sizeBig = BigInt(size);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const u64 = (o: number): bigint => dv.getBigUint64(o, true);
  const inFile = (off: bigint, len: bigint): boolean => off + len <= sizeBig;

  // --- ELF header -----------------------------------------------------------
  const magic = [0x7f, 0x45, 0x4c, 0x46];
  for (let i = 0; i < Math.min(4, size); i++) {
    if (bytes[i] !== magic[i]) {
      throw new ElfError('BAD_MAGIC', `bad magic byte ${hex(bytes[i]!)} at offset ${i} (not an ELF file)`,
        { offset: i, value: BigInt(bytes[i]!) });
    }
  }
  if (size < EHDR_SIZE) {
    throw new ElfError('TRUNCATED', `file size ${hex(size)} is smaller than the ELF header (0x40)`,
      { offset: 0, value: sizeBig });
  }
  if (bytes[4] !== 2) {
    throw new ElfError('NOT_ELF64', `EI_CLASS is ${bytes[4]}, expected 2 (ELFCLASS64)`,
      { offset: 4, value: BigInt(bytes[4]!) });
  }
  if (bytes[5] !== 1) {
    throw new ElfError('NOT_LITTLE_ENDIAN', `EI_DATA is ${bytes[5]}, expected 1 (little-endian)`,
      { offset: 5, value: BigInt(bytes[5]!) });
  }
  if (bytes[6] !== 1) {
    throw new ElfError('BAD_VERSION', `EI_VERSION is ${bytes[6]}, expected 1`, { offset: 6, value: BigInt(bytes[6]!) });
  }
  const eType = u16(16);
  if (eType !== ET_EXEC && eType !== ET_DYN) {
    const what = E_TYPE_NAMES[eType] ?? hex(eType);
    throw new ElfError('NOT_EXECUTABLE', `e_type is ${what}, expected ET_EXEC or ET_DYN`,
      { offset: 16, value: BigInt(eType) });
  }
  const machine = u16(18);
  if (machine !== EM_AARCH64) {
    throw new ElfError('NOT_AARCH64', `e_machine is ${machine}, expected ${EM_AARCH64} (EM_AARCH64)`,
      { offset: 18, value: BigInt(machine) });
  }
  const version = u32(20);
  if (version !== 1) {
    throw new ElfError('BAD_VERSION', `e_version is ${version}, expected 1`, { offset: 20, value: BigInt(version) });
  }
  const entry = u64(24);
  const phoff = u64(32);
  const shoff = u64(40);
  const ehsize = u16(52);
  const phentsize = u16(54);
  let phnum = u16(56);
  const shentsize = u16(58);
  let shnum = u16(60);
  let shstrndx = u16(62);
  if (ehsize !== EHDR_SIZE) {
    throw new ElfError('BAD_HEADER', `e_ehsize is ${ehsize}, expected 64`, { offset: 52, value: BigInt(ehsize) });
  }

  // --- Section header table location and extended numbering -----------------
  const phnumXnum = phnum === PN_XNUM;
  try {
    if (shoff === 0n) {
      if (shnum !== 0 || shstrndx !== 0) {
        throw new ElfError('BAD_HEADER', `e_shoff is 0 but e_shnum is ${shnum} and e_shstrndx is ${shstrndx}`,
          { offset: 40 });
      }
      if (phnum === PN_XNUM) {
        throw new ElfError('BAD_HEADER', 'e_phnum is PN_XNUM but there is no section header 0', { offset: 56 });
      }
    } else {
      if (shentsize !== SHDR_SIZE) {
        throw new ElfError('BAD_HEADER', `e_shentsize is ${shentsize}, expected 64`,
          { offset: 58, value: BigInt(shentsize) });
      }
      if (!inFile(shoff, BigInt(SHDR_SIZE))) {
        throw new ElfError('TRUNCATED',
          `section header table at ${hex(shoff)} exceeds file size ${hex(size)}`, { offset: 40, value: shoff });
      }
      const s0 = Number(shoff);
      if (shnum === 0) {
        const n = u64(s0 + 32);
        if (n === 0n || !inFile(shoff, n * BigInt(SHDR_SIZE))) {
          throw new ElfError('BAD_HEADER', `extended section count ${hex(n)} is invalid for file size ${hex(size)}`,
            { offset: s0 + 32, value: n });
        }
        shnum = Number(n);
      }
      if (shstrndx === SHN_XINDEX) shstrndx = u32(s0 + 40);
      if (phnum === PN_XNUM) phnum = u32(s0 + 44);
      if (!inFile(shoff, BigInt(shnum) * BigInt(SHDR_SIZE))) {
        throw new ElfError('TRUNCATED',
          `section header table ${hex(shoff)}+${hex(shnum * SHDR_SIZE)} exceeds file size ${hex(size)}`,
          { offset: 40, value: shoff });
      }
    }

  } catch (err) {
    if (phnumXnum) throw err; // the program header count lives in section header 0
    keep(err);
    shnum = 0;
    shstrndx = 0;
  }

  // --- Program headers ------------------------------------------------------
  if (phnum === 0) {
    throw new ElfError('NO_LOADABLE_SEGMENT', 'there are no program headers', { offset: 56 });
  }
  if (phentsize !== PHDR_SIZE) {
    throw new ElfError('BAD_PROGRAM_HEADER', `e_phentsize is ${phentsize}, expected 56`,
      { offset: 54, value: BigInt(phentsize) });
  }
  if (!inFile(phoff, BigInt(phnum) * BigInt(PHDR_SIZE))) {
    throw new ElfError('TRUNCATED',
      `program header table ${hex(phoff)}+${hex(phnum * PHDR_SIZE)} exceeds file size ${hex(size)}`,
      { offset: 32, value: phoff });
  }
  const segments: ElfSegment[] = [];
  const loadIndex: number[] = [];
  let tlsSegment: ElfSegment | null = null;
  let interpreter: string | null = null;
  for (let i = 0; i < phnum; i++) {
    const p = Number(phoff) + i * PHDR_SIZE;
    const pType = u32(p);
    const pFlags = u32(p + 4);
    const offset = u64(p + 8);
    const vaddr = u64(p + 16);
    const fileSize = u64(p + 32);
    const memSize = u64(p + 40);
    const align = u64(p + 48);
    const where = `program header ${i}`;
    // A segment without file bytes (all .bss) may name any offset: linkers put it past the end.
    if (fileSize !== 0n && !inFile(offset, fileSize)) {
      throw new ElfError('BAD_SEGMENT',
        `${where}: segment file range ${hex(offset)}+${hex(fileSize)} exceeds file size ${hex(size)}`,
        { offset: p + 8, value: offset });
    }
    if (pType === PT_INTERP) {
      if (interpreter !== null) throw new ElfError('BAD_PROGRAM_HEADER', `${where}: second PT_INTERP`, { offset: p });
      const name = bytes.subarray(Number(offset), Number(offset + fileSize));
      const end = name.indexOf(0);
      interpreter = new TextDecoder().decode(end >= 0 ? name.subarray(0, end) : name);
      continue;
    }
    if (pType !== PT_LOAD && pType !== PT_TLS) continue;
    if (fileSize > memSize) {
      throw new ElfError('BAD_SEGMENT', `${where}: file size ${hex(fileSize)} exceeds memory size ${hex(memSize)}`,
        { offset: p + 32, value: fileSize });
    }
    if (vaddr + memSize > U64_END) {
      throw new ElfError('BAD_SEGMENT', `${where}: address range ${hex(vaddr)}+${hex(memSize)} overflows 64 bits`,
        { offset: p + 16, value: vaddr });
    }
    if (!isPow2OrZero(align)) {
      throw new ElfError('BAD_SEGMENT', `${where}: alignment ${hex(align)} is not a power of two`,
        { offset: p + 48, value: align });
    }
    if (pType === PT_LOAD && align > 1n && vaddr % align !== offset % align) {
      throw new ElfError('BAD_SEGMENT',
        `${where}: file offset ${hex(offset)} and address ${hex(vaddr)} differ modulo alignment ${hex(align)}`,
        { offset: p + 8, value: offset });
    }
    const off = Number(offset);
    const seg: ElfSegment = {
      vaddr, memSize, fileSize, offset: off, align,
      flags: { r: (pFlags & 4) !== 0, w: (pFlags & 2) !== 0, x: (pFlags & 1) !== 0 },
      data: bytes.subarray(off, off + Number(fileSize)),
    };
    if (pType === PT_TLS) {
      if (tlsSegment) throw new ElfError('BAD_PROGRAM_HEADER', `${where}: second PT_TLS segment`, { offset: p });
      tlsSegment = seg;
    } else {
      segments.push(seg);
      loadIndex.push(i);
    }
  }
  if (segments.length === 0) {
    throw new ElfError('NO_LOADABLE_SEGMENT', `none of the ${phnum} program headers is PT_LOAD`);
  }
  // Sorted non-empty segments; overlap between any pair implies overlap between neighbours.
  const order = segments.map((_, k) => k).filter((k) => segments[k]!.memSize > 0n)
    .sort((a, b) => (segments[a]!.vaddr < segments[b]!.vaddr ? -1 : segments[a]!.vaddr > segments[b]!.vaddr ? 1 : a - b));
  for (let k = 1; k < order.length; k++) {
    const a = segments[order[k - 1]!]!;
    const b = segments[order[k]!]!;
    if (a.vaddr + a.memSize > b.vaddr) {
      throw new ElfError('OVERLAPPING_SEGMENTS',
        `program headers ${loadIndex[order[k - 1]!]} and ${loadIndex[order[k]!]}: segments ` +
        `${hex(a.vaddr)}+${hex(a.memSize)} and ${hex(b.vaddr)}+${hex(b.memSize)} overlap`, { value: b.vaddr });
    }
  }
  const sorted = order.map((k) => segments[k]!);
  const segmentAt = (addr: bigint): ElfSegment | undefined => {
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = sorted[mid]!;
      if (addr < s.vaddr) hi = mid - 1;
      else if (addr >= s.vaddr + s.memSize) lo = mid + 1;
      else return s;
    }
    return undefined;
  };
  /** True when the 4-byte instruction at `addr` is file-backed in an executable segment. */
  const isCode = (addr: bigint): boolean => {
    const s = segmentAt(addr);
    return s !== undefined && s.flags.x && addr + 4n <= s.vaddr + s.fileSize && (addr & 3n) === 0n;
  };
  if (!isCode(entry)) {
    throw new ElfError('BAD_ENTRY',
      `entry point ${hex(entry)} is not an aligned address inside an executable segment`, { offset: 24, value: entry });
  }
  const textRanges = sorted.filter((s) => s.flags.x).map((s) => ({ start: s.vaddr, end: s.vaddr + s.memSize }));

  let sections: ElfSection[] = [];
  let symbols: ElfSymbol[] = [];
  let patchableEntries: bigint[] = [];
  try {
    // --- Sections ---------------------------------------------------------------
    const budget = { left: 2 * size + (1 << 20) };
    const nameOffsets: number[] = [];
    for (let i = 0; i < shnum; i++) {
      const s = Number(shoff) + i * SHDR_SIZE;
      const type = u32(s + 4);
      const flags = u64(s + 8);
      const addr = u64(s + 16);
      let offset = u64(s + 24);
      let secSize = u64(s + 32);
      const addrAlign = u64(s + 48);
      const where = `section ${i}`;
      if (type === SHT_NULL) {
        offset = 0n;
        secSize = 0n;
      } else {
        if (type !== SHT_NOBITS && secSize !== 0n && !inFile(offset, secSize)) {
          throw new ElfError('BAD_SECTION_HEADER',
            `${where}: file range ${hex(offset)}+${hex(secSize)} exceeds file size ${hex(size)}`,
            { offset: s + 24, value: offset });
        }
        if ((flags & 2n) !== 0n && addr + secSize > U64_END) {
          throw new ElfError('BAD_SECTION_HEADER', `${where}: address range ${hex(addr)}+${hex(secSize)} overflows 64 bits`,
            { offset: s + 16, value: addr });
        }
        if (!isPow2OrZero(addrAlign)) {
          throw new ElfError('BAD_SECTION_HEADER', `${where}: alignment ${hex(addrAlign)} is not a power of two`,
            { offset: s + 48, value: addrAlign });
        }
      }
      nameOffsets.push(u32(s));
      sections.push({
        index: i, name: '', type, typeName: SECTION_TYPE_NAMES[type] ?? hex(type), addr,
        offset: Number(offset), size: secSize,
        flags: { write: (flags & 1n) !== 0n, alloc: (flags & 2n) !== 0n, exec: (flags & 4n) !== 0n, raw: flags },
        link: u32(s + 40), info: u32(s + 44), addrAlign, entSize: u64(s + 56),
      });
    }
    const sectionData = (sec: ElfSection): Uint8Array =>
      sec.type === SHT_NOBITS || sec.type === SHT_NULL
        ? bytes.subarray(0, 0) : bytes.subarray(sec.offset, sec.offset + Number(sec.size));
    const stringTable = (index: number, user: string): StringTable => {
      const sec = index < sections.length ? sections[index] : undefined;
      if (!sec || sec.type !== SHT_STRTAB) {
        throw new ElfError('BAD_SECTION_HEADER', `${user}: section ${index} is not a string table`,
          { value: BigInt(index) });
      }
      const data = sectionData(sec);
      if (data.length > 0 && (data[0] !== 0 || data[data.length - 1] !== 0)) {
        throw new ElfError('BAD_STRING_TABLE', `section ${index}: string table does not start and end with NUL`,
          { offset: sec.offset });
      }
      return new StringTable(data, `string table section ${index}`, budget);
    };
    if (shstrndx !== SHN_UNDEF) {
      const shstr = stringTable(shstrndx, 'e_shstrndx');
      for (const sec of sections) sec.name = shstr.get(nameOffsets[sec.index]!, `section ${sec.index}`);
    }

    // --- Symbols --------------------------------------------------------------
    let symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
    if (symtabs.length === 0) symtabs = sections.filter((s) => s.type === SHT_DYNSYM);
    if (symtabs.length > 1) {
      throw new ElfError('BAD_SYMBOL_TABLE', `sections ${symtabs[0]!.index} and ${symtabs[1]!.index} are both symbol tables`);
    }
    if (symtabs.length === 1) {
      const st = symtabs[0]!;
      const where = `symbol table section ${st.index}`;
      if (st.entSize !== BigInt(SYM_SIZE) || st.size % BigInt(SYM_SIZE) !== 0n) {
        throw new ElfError('BAD_SYMBOL_TABLE',
          `${where}: entry size ${hex(st.entSize)} / size ${hex(st.size)} do not match 24-byte entries`,
          { value: st.entSize });
      }
      const count = Number(st.size) / SYM_SIZE;
      if (st.info > count) {
        throw new ElfError('BAD_SYMBOL_TABLE', `${where}: first global index ${st.info} exceeds count ${count}`,
          { value: BigInt(st.info) });
      }
      if (st.link >= sections.length || sections[st.link]!.type !== SHT_STRTAB) {
        throw new ElfError('BAD_SYMBOL_TABLE', `${where}: sh_link ${st.link} is not a string table`,
          { value: BigInt(st.link) });
      }
      const strtab = stringTable(st.link, where);
      for (let j = 1; j < count; j++) {
        const o = st.offset + j * SYM_SIZE;
        const info = bytes[o + 4]!;
        const shndx = u16(o + 6);
        if (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE && shndx >= sections.length) {
          throw new ElfError('BAD_SYMBOL_TABLE', `${where}: symbol ${j} has section index ${shndx} >= ${sections.length}`,
            { offset: o + 6, value: BigInt(shndx) });
        }
        symbols.push({
          index: j,
          name: strtab.get(u32(o), `${where}: symbol ${j}`),
          value: u64(o + 8),
          size: u64(o + 16),
          type: SYMBOL_TYPES[info & 15] ?? 'OTHER',
          binding: SYMBOL_BINDINGS[info >> 4] ?? 'OTHER',
          visibility: bytes[o + 5]! & 3,
          sectionIndex: shndx,
        });
      }
    }

    // --- __patchable_function_entries ------------------------------------------
    for (const sec of sections) {
      if (sec.name !== PATCHABLE_SECTION) continue;
      const where = `section ${sec.index} (${PATCHABLE_SECTION})`;
      if (sec.type !== SHT_PROGBITS || sec.size % 8n !== 0n) {
        throw new ElfError('BAD_PATCHABLE_ENTRIES',
          `${where}: type ${sec.typeName} size ${hex(sec.size)} is not PROGBITS holding u64 entries`,
          { offset: sec.offset, value: sec.size });
      }
      for (let o = sec.offset; o < sec.offset + Number(sec.size); o += 8) {
        const addr = u64(o);
        if (!isCode(addr)) {
          throw new ElfError('BAD_PATCHABLE_ENTRIES',
            `${where}: entry ${hex(addr)} at file offset ${hex(o)} is not an aligned address in executable code`,
            { offset: o, value: addr });
        }
        patchableEntries.push(addr);
      }
    }

  } catch (err) {
    keep(err);
    sections = [];
    symbols = [];
    patchableEntries = [];
  }

  return {
    type: eType === ET_EXEC ? 'EXEC' : 'DYN',
    entry, segments, tlsSegment, interpreter, sections, symbols, patchableEntries, textRanges, sectionError,
    ...symbolLookup(symbols, segmentAt),
    segmentAt,
  };
}
