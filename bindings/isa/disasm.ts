// A64 disassembler over the encoding table, printing what LLVM 14 prints
// (`llvm-mc -disassemble` without a pc, `llvm-objdump -d` with one), with a
// single space after the mnemonic.
//
// Conventions where LLVM has none of its own:
//   - unallocated words print as `.inst 0x12345678` (0x0000xxxx as `udf #imm16`,
//     as LLVM does);
//   - allocated words outside the integer subset (table rows marked unimpl)
//     print as `.inst 0x12345678 // (simd/fp)` with the row's description.

import { hex8 } from './bits.ts';
import { DP_PRINTERS } from './disasm-dp.ts';
import type { Ctx, Printer } from './disasm-fmt.ts';
import { LDST_PRINTERS } from './disasm-ldst.ts';
import { SYS_PRINTERS } from './disasm-sys.ts';
import { extractFields, findRow, ROWS, type Row } from './pattern.ts';

const PRINTERS: Record<string, Printer> = { ...DP_PRINTERS, ...LDST_PRINTERS, ...SYS_PRINTERS };

for (const row of ROWS) {
  if (!row.unimpl && !PRINTERS[row.pd]) throw new Error(`disassembler: no printer for predecoder ${row.pd} (${row.id})`);
}

export type Symbolizer = (addr: bigint) => string | null;

/** The row a word decodes to and the text, or no row when the word is unallocated. */
export function decodeText(word: number, pc?: bigint, symbolize?: Symbolizer): { row?: Row; text: string } {
  const w = word >>> 0;
  const row = findRow(w);
  if (!row) return { text: w >>> 16 === 0 ? `udf #${w & 0xffff}` : `.inst ${hex8(w)}` };
  if (row.unimpl) return { row, text: `.inst ${hex8(w)} // ${row.mn}` };
  const ctx: Ctx = { word: w, pc, symbolize };
  const text = PRINTERS[row.pd](row, extractFields(row, w), ctx);
  // the table's patterns allow it but the fields are reserved (logical immediates)
  if (text === null) return { text: `.inst ${hex8(w)}` };
  return { row, text };
}

/**
 * The instruction as LLVM prints it: relative targets (`b #16`) without `pc`,
 * absolute ones (`b 0x400120`) with it, followed by ` <sym+0x10>` when
 * `symbolize` names the target.
 */
export function disassemble(word: number, pc?: bigint, symbolize?: Symbolizer): string {
  return decodeText(word, pc, symbolize).text;
}

/** Whether the core decodes the word as an instruction it implements. */
export function isImplemented(word: number): boolean {
  const d = decodeText(word);
  return d.row !== undefined && !d.row.unimpl;
}
