/**
 * Error type raised by the ELF reader and writer.
 *
 * Every problem found in a malformed file is reported as an `ElfError` with a
 * machine-readable `code`; the parser never lets a `RangeError`/`TypeError`
 * escape for bad input.
 */

/** All error codes, in a stable order (useful for exhaustive tests). */
export const ELF_ERROR_CODES = [
  /** The file ends before the ELF header, program header table or section header table ends. */
  'TRUNCATED',
  /** The first four bytes are not `\x7fELF`. */
  'BAD_MAGIC',
  /** EI_CLASS is not ELFCLASS64. */
  'NOT_ELF64',
  /** EI_DATA is not ELFDATA2LSB. */
  'NOT_LITTLE_ENDIAN',
  /** EI_VERSION or e_version is not EV_CURRENT (1). */
  'BAD_VERSION',
  /** e_machine is not EM_AARCH64 (183). */
  'NOT_AARCH64',
  /** e_type is neither ET_EXEC nor ET_DYN. */
  'NOT_EXECUTABLE',
  /** Inconsistent ELF header field (e_ehsize, e_shentsize, extended numbering...). */
  'BAD_HEADER',
  /** Inconsistent program header table (entry size, count). */
  'BAD_PROGRAM_HEADER',
  /** A segment's file range, sizes, alignment or address range is invalid. */
  'BAD_SEGMENT',
  /** No PT_LOAD program header. */
  'NO_LOADABLE_SEGMENT',
  /** Two PT_LOAD segments share addresses. */
  'OVERLAPPING_SEGMENTS',
  /** The entry point is not a 4-byte aligned address inside an executable segment. */
  'BAD_ENTRY',
  /** A section header is invalid (file range, indices, string table link). */
  'BAD_SECTION_HEADER',
  /** A name offset is outside its string table, or a string table is not NUL terminated. */
  'BAD_STRING_TABLE',
  /** A symbol table has a bad entry size, size, link, or symbol section index. */
  'BAD_SYMBOL_TABLE',
  /** `__patchable_function_entries` has a bad size or an entry outside executable code. */
  'BAD_PATCHABLE_ENTRIES',
  /** `writeElf` was given an invalid description. */
  'BAD_WRITER_INPUT',
] as const;

export type ElfErrorCode = (typeof ELF_ERROR_CODES)[number];

export interface ElfErrorDetails {
  /** File offset of the offending structure or field, when there is one. */
  offset?: number;
  /** The offending value, when there is one. */
  value?: bigint;
}

export class ElfError extends Error {
  readonly code: ElfErrorCode;
  readonly offset: number | undefined;
  readonly value: bigint | undefined;

  constructor(code: ElfErrorCode, message: string, details: ElfErrorDetails = {}) {
    super(`ELF: ${message}`);
    this.name = 'ElfError';
    this.code = code;
    this.offset = details.offset;
    this.value = details.value;
  }
}

/** Formats a bigint or number as `0x...` for error messages. */
export function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}
