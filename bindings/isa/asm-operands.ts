// Operands of the assembler: registers by name, shifted and extended
// registers, immediates and memory addresses, with the checks that tell
// which register forms an operand position accepts.

export class AsmError extends Error {
  override name = 'AsmError';
  constructor(
    message: string,
    /** the label a failed fixup refers to */
    readonly label?: string,
    /** the distance in bytes that did not fit */
    readonly distance?: bigint,
  ) {
    super(message);
  }
}

/** A general register by name: x0..x30, w0..w30, xzr, wzr, sp, wsp, fp (x29), lr (x30). */
export type Reg = string;

export interface RegInfo {
  readonly n: number; //     encoding (31 for sp and the zero register)
  readonly sf: 0 | 1; //     1 for 64-bit names
  readonly sp: boolean; //   sp or wsp
  readonly zr: boolean; //   xzr or wzr
}

export function regInfo(name: string): RegInfo | null {
  const s = name.trim().toLowerCase();
  if (s === 'sp') return { n: 31, sf: 1, sp: true, zr: false };
  if (s === 'wsp') return { n: 31, sf: 0, sp: true, zr: false };
  if (s === 'xzr') return { n: 31, sf: 1, sp: false, zr: true };
  if (s === 'wzr') return { n: 31, sf: 0, sp: false, zr: true };
  if (s === 'fp') return { n: 29, sf: 1, sp: false, zr: false };
  if (s === 'lr') return { n: 30, sf: 1, sp: false, zr: false };
  const m = s.match(/^([xw])(\d{1,2})$/);
  if (!m) return null;
  const n = Number(m[2]);
  if (n > 30 || String(n) !== m[2]) return null;
  return { n, sf: m[1] === 'x' ? 1 : 0, sp: false, zr: false };
}

export function isReg(v: unknown): v is Reg {
  return typeof v === 'string' && regInfo(v) !== null;
}

/**
 * A register operand where 31 means the zero register (`sp` rejected) or,
 * with allowSp, the stack pointer (then the zero register is rejected).
 * `sf` requires a width.
 */
export function reg(name: Reg, opts: { sp?: boolean; sf?: 0 | 1; what?: string } = {}): RegInfo {
  const r = regInfo(name);
  const what = opts.what ?? 'register';
  if (!r) throw new AsmError(`${what}: '${name}' is not a general register`);
  if (opts.sp && r.zr) throw new AsmError(`${what}: '${name}' cannot be the zero register here (31 means sp)`);
  if (!opts.sp && r.sp) throw new AsmError(`${what}: '${name}' cannot be sp here (31 means the zero register)`);
  if (opts.sf !== undefined && r.sf !== opts.sf) {
    throw new AsmError(`${what}: '${name}' must be a ${opts.sf ? '64-bit (x)' : '32-bit (w)'} register`);
  }
  return r;
}

export type Shift = 'lsl' | 'lsr' | 'asr' | 'ror';
export type Extend = 'uxtb' | 'uxth' | 'uxtw' | 'uxtx' | 'sxtb' | 'sxth' | 'sxtw' | 'sxtx';
export const SHIFT_NAMES: readonly Shift[] = ['lsl', 'lsr', 'asr', 'ror'];
export const EXTEND_NAMES: readonly Extend[] = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'];

export interface ShiftedReg {
  readonly reg: Reg;
  readonly shift: Shift;
  readonly amount: number;
}
export interface ExtendedReg {
  readonly reg: Reg;
  /** `lsl` stands for uxtx/uxtw next to sp */
  readonly extend: Extend | 'lsl';
  readonly amount?: number;
}
export interface ShiftedImm {
  readonly imm: number;
  readonly lsl: 0 | 12;
}

/** The second source of add/sub/logical instructions. */
export type Operand = Reg | number | bigint | ShiftedImm | ShiftedReg | ExtendedReg;

export const shifted = (r: Reg, shift: Shift, amount: number): ShiftedReg => ({ reg: r, shift, amount });
export const extended = (r: Reg, extend: Extend | 'lsl', amount = 0): ExtendedReg => ({ reg: r, extend, amount });
export const imm12 = (imm: number, lsl: 0 | 12 = 0): ShiftedImm => ({ imm, lsl });

/** A memory address: base plus immediate (offset, pre- or post-indexed) or base plus register. */
export type Mem =
  | { readonly base: Reg; readonly offset?: number; readonly mode?: 'offset' | 'pre' | 'post' }
  | { readonly base: Reg; readonly index: Reg; readonly extend?: 'lsl' | 'uxtw' | 'sxtw' | 'sxtx'; readonly amount?: number };

/** [base, #offset] */
export const mem = (base: Reg, offset = 0): Mem => ({ base, offset, mode: 'offset' });
/** [base, #offset]! */
export const pre = (base: Reg, offset: number): Mem => ({ base, offset, mode: 'pre' });
/** [base], #offset */
export const post = (base: Reg, offset: number): Mem => ({ base, offset, mode: 'post' });
/** [base, index{, extend #amount}] */
export const memReg = (base: Reg, index: Reg, extend?: 'lsl' | 'uxtw' | 'sxtw' | 'sxtx', amount?: number): Mem => ({
  base, index, extend, amount,
});

export function isMem(v: unknown): v is Mem {
  return typeof v === 'object' && v !== null && 'base' in v;
}

export const CONDITIONS = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'] as const;
export type Cond = (typeof CONDITIONS)[number] | 'cs' | 'cc';

export function condCode(c: string): number {
  const s = c.toLowerCase();
  if (s === 'cs') return 2;
  if (s === 'cc') return 3;
  const i = (CONDITIONS as readonly string[]).indexOf(s);
  if (i < 0) throw new AsmError(`'${c}' is not a condition`);
  return i;
}

/** Checks an integer immediate against [lo, hi]. */
export function checkImm(v: number, lo: number, hi: number, what: string): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new AsmError(`${what} ${v} is out of range [${lo}, ${hi}]`);
  return v;
}
