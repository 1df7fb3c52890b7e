export { ElfError, ELF_ERROR_CODES, type ElfErrorCode, type ElfErrorDetails } from './errors.ts';
export { parseElf, type ParseElfOptions } from './elf.ts';
export { isMappingSymbol } from './symbols.ts';
export {
  EM_AARCH64,
  PATCHABLE_SECTION,
  SHN_ABS,
  SHN_COMMON,
  SHN_UNDEF,
  SHN_XINDEX,
  type AddressRange,
  type ElfImage,
  type ElfSection,
  type ElfSegment,
  type ElfSymbol,
  type ElfSymbolBinding,
  type ElfSymbolType,
  type SegmentFlags,
  type SymbolizedAddress,
} from './types.ts';
export {
  writeElf,
  PAGE_SIZE,
  type IntLike,
  type WriteElfOptions,
  type WriteSegment,
  type WriteSymbol,
} from './writer.ts';
