// A one-segment ELF around assembled code, for tests that build a program in place.

import { writeElf } from '../../bindings/elf/index.ts';

/** An ELF whose single segment holds `code` at `base`, which is also the entry; `writable` for code that rewrites itself. */
export function codeElf(code: Uint8Array, base: bigint, writable = false): Uint8Array {
  return writeElf({ entry: base, segments: [{ vaddr: base, data: code, flags: { r: true, w: writable, x: true } }] });
}
