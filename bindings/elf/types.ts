/** Constants and result types of the ELF64 AArch64 reader. */

export const EM_AARCH64 = 183;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PT_TLS = 7;
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;
export const PATCHABLE_SECTION = '__patchable_function_entries';

export interface SegmentFlags {
  r: boolean;
  w: boolean;
  x: boolean;
}

export interface ElfSegment {
  vaddr: bigint;
  memSize: bigint;
  fileSize: bigint;
  /** File offset of the segment data. */
  offset: number;
  align: bigint;
  flags: SegmentFlags;
  /** The file-backed bytes (`fileSize` bytes, a subarray of the input). */
  data: Uint8Array;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  /** Symbolic name of `type` ('PROGBITS', 'NOBITS'...), or hex for unknown types. */
  typeName: string;
  addr: bigint;
  /** File offset (validated against the file; 0 for SHT_NULL entries). */
  offset: number;
  /** Size in bytes (0 for SHT_NULL entries, whose fields are undefined). */
  size: bigint;
  flags: { write: boolean; alloc: boolean; exec: boolean; raw: bigint };
  link: number;
  info: number;
  addrAlign: bigint;
  entSize: bigint;
}

export type ElfSymbolType =
  | 'NOTYPE' | 'OBJECT' | 'FUNC' | 'SECTION' | 'FILE' | 'COMMON' | 'TLS' | 'IFUNC' | 'OTHER';
export type ElfSymbolBinding = 'LOCAL' | 'GLOBAL' | 'WEAK' | 'UNIQUE' | 'OTHER';

export interface ElfSymbol {
  /** Index in the symbol table (the null symbol 0 is not listed). */
  index: number;
  name: string;
  value: bigint;
  size: bigint;
  type: ElfSymbolType;
  binding: ElfSymbolBinding;
  /** st_other & 3: 0 default, 1 internal, 2 hidden, 3 protected. */
  visibility: number;
  /** Raw st_shndx (SHN_UNDEF, a section index, or a reserved value such as SHN_ABS). */
  sectionIndex: number;
}

export interface AddressRange {
  /** First address. */
  start: bigint;
  /** One past the last address. */
  end: bigint;
}

export interface SymbolizedAddress {
  name: string;
  offset: bigint;
}

export interface ElfImage {
  type: 'EXEC' | 'DYN';
  entry: bigint;
  /** PT_LOAD segments in program header order. */
  segments: ElfSegment[];
  /** The PT_TLS segment, or null when there is none. */
  tlsSegment: ElfSegment | null;
  /** The program interpreter named by PT_INTERP (a dynamically linked program), or null. */
  interpreter: string | null;
  /** All section headers, including the null section 0. */
  sections: ElfSection[];
  /** Symbols of `.symtab` (or `.dynsym` when there is no `.symtab`), without the null symbol. */
  symbols: ElfSymbol[];
  /** Addresses stored in `__patchable_function_entries`, in file order. */
  patchableEntries: bigint[];
  /** Address ranges of executable PT_LOAD segments, sorted by address. */
  textRanges: AddressRange[];
  /**
   * Why the sections were dropped (parseElf's lenient mode: a damaged or
   * truncated section header table, string or symbol table); null otherwise.
   */
  sectionError: import('./errors.ts').ElfError | null;
  /**
   * Nearest FUNC/NOTYPE/IFUNC symbol at or below `addr` that covers it. A symbol
   * with a size covers `[value, value+size)`; a size-0 symbol (assembly label)
   * covers up to the next symbol address or the end of its segment, whichever
   * comes first. Undefined, absolute and AArch64 mapping symbols ($x, $d) are
   * ignored. Ties prefer sized FUNC symbols, then GLOBAL, WEAK, LOCAL.
   */
  symbolize(addr: bigint): SymbolizedAddress | null;
  /** Address of a defined symbol by name (GLOBAL preferred over WEAK over LOCAL). */
  symbolAddress(name: string): bigint | undefined;
  /** The PT_LOAD segment whose memory range contains `addr`. */
  segmentAt(addr: bigint): ElfSegment | undefined;
}
