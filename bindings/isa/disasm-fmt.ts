// Operand formatting shared by the disassembler sections, following the
// conventions of LLVM's AArch64 printer.

import { MASK64 } from './bits.ts';
import type { Fields, Row } from './pattern.ts';

export interface Ctx {
  readonly word: number;
  readonly pc?: bigint;
  readonly symbolize?: (addr: bigint) => string | null;
}

/** A section printer: the text, or null when the fields make the word unallocated. */
export type Printer = (row: Row, f: Fields, ctx: Ctx) => string | null;

/** General register n of an instruction with 64-bit (sf = 1) or 32-bit operands; 31 is the zero register. */
export function r(sf: number | boolean, n: number): string {
  if (n === 31) return sf ? 'xzr' : 'wzr';
  return (sf ? 'x' : 'w') + n;
}

/** As r(), with 31 naming the stack pointer. */
export function rsp(sf: number | boolean, n: number): string {
  if (n === 31) return sf ? 'sp' : 'wsp';
  return (sf ? 'x' : 'w') + n;
}

export const x = (n: number): string => r(1, n);
export const w = (n: number): string => r(0, n);
/** A base register of an address: Xn or SP. */
export const xsp = (n: number): string => rsp(1, n);

export const CONDS = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'] as const;
export const SHIFTS = ['lsl', 'lsr', 'asr', 'ror'] as const;
export const EXTENDS = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'] as const;

/** An immediate in LLVM's hex form (#0 for zero, #0x1f otherwise). */
export function immHex(v: number | bigint): string {
  const b = BigInt(v);
  return b === 0n ? '#0' : '#0x' + b.toString(16);
}

/** The address `pc + offset` as llvm-objdump prints it, with the symbol when known. */
export function address(ctx: Ctx, target: bigint): string {
  const t = target & MASK64;
  let s = '0x' + t.toString(16);
  const sym = ctx.symbolize?.(t);
  if (sym) s += ` <${sym}>`;
  return s;
}

/** A PC-relative target: `#offset` without a pc (llvm-mc), the absolute address with one (llvm-objdump). */
export function pcrel(ctx: Ctx, offset: number): string {
  if (ctx.pc === undefined) return `#${offset}`;
  return address(ctx, ctx.pc + BigInt(offset));
}

/** `[base]`, or `[base, #imm]` when imm is not zero. */
export function memOff(rn: number, imm: number): string {
  return imm === 0 ? `[${xsp(rn)}]` : `[${xsp(rn)}, #${imm}]`;
}
