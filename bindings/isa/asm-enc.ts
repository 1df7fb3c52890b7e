// Encoders of the assembler that need no labels: operands in, one word (or a
// short sequence) out, choosing the encoding llvm-mc chooses for the same
// source line. Every word is built by enc() from the table.

import { encodeLogicalImm, isMovzImm } from './bits.ts';
import { enc } from './encode.ts';
import {
  AsmError, EXTEND_NAMES, SHIFT_NAMES, checkImm, condCode, reg, regInfo, type Operand, type Reg, type RegInfo,
} from './asm-operands.ts';

const size = (sf: number): number => (sf ? 64 : 32);

function sameWidth(a: RegInfo, b: RegInfo, what: string): void {
  if (a.sf !== b.sf) throw new AsmError(`${what}: registers of different widths`);
}

function toBig(v: number | bigint, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isSafeInteger(v)) throw new AsmError(`${what}: ${v} is not an integer`);
  return BigInt(v);
}

/** An immediate as the value of a register of `width` bits (accepting signed or unsigned spellings). */
function regValue(v: number | bigint, width: 32 | 64, what: string): bigint {
  const b = toBig(v, what);
  if (b < -(1n << BigInt(width - 1)) || b >= 1n << BigInt(width)) throw new AsmError(`${what}: ${b} does not fit in ${width} bits`);
  return BigInt.asUintN(width, b);
}

// ---- add/sub ---------------------------------------------------------------------------

export type AddSubOp = 'add' | 'adds' | 'sub' | 'subs';

function addSubId(op: AddSubOp, form: 'imm' | 'shift' | 'ext'): string {
  return `${op.toUpperCase()}_${form}`;
}

export function addSub(op: AddSubOp, rdName: Reg, rnName: Reg, operand: Operand): number {
  const S = op.endsWith('s');
  const what = op;
  const rdi = regInfo(rdName);
  const rni = regInfo(rnName);
  if (!rdi || !rni) throw new AsmError(`${what}: '${rdi ? rnName : rdName}' is not a general register`);
  sameWidth(rdi, rni, what);
  const sf = rdi.sf;
  const immediate = typeof operand === 'number' || typeof operand === 'bigint' || (typeof operand === 'object' && 'imm' in operand);
  // register forms: the shifted form reads the zero register at 31, the extended form sp
  const shiftedForm = !immediate && (typeof operand === 'string' || 'shift' in operand) && !((!S && rdi.sp) || rni.sp);
  const rd = reg(rdName, { sp: !S && !shiftedForm, what });
  const rn = reg(rnName, { sp: !shiftedForm, what });
  if (immediate) {
    let v: bigint;
    let sh: number;
    if (typeof operand === 'object') {
      v = toBig(operand.imm, what);
      sh = operand.lsl === 12 ? 1 : 0;
      if (v < 0n || v > 4095n) throw new AsmError(`${what}: immediate ${v} is out of range [0, 4095]`);
    } else {
      v = toBig(operand, what);
      if (v < 0n) {
        // llvm-mc turns add #-n into sub #n (and back)
        const flipped = (op.startsWith('add') ? 'sub' : 'add') + (S ? 's' : '');
        return addSub(flipped as AddSubOp, rdName, rnName, -v);
      }
      sh = 0;
      if (v > 4095n) {
        if ((v & 0xfffn) !== 0n || v >> 12n > 4095n) throw new AsmError(`${what}: immediate ${v} is not a 12-bit value, optionally shifted by 12`);
        v >>= 12n;
        sh = 1;
      }
    }
    return enc(addSubId(op, 'imm'), { sf, sh, imm12: Number(v), Rn: rn.n, Rd: rd.n });
  }
  const viaSp = (!S && rd.sp) || rn.sp;
  if (typeof operand === 'string' || 'shift' in operand) {
    const rmName = typeof operand === 'string' ? operand : operand.reg;
    const shift = typeof operand === 'string' ? 'lsl' : operand.shift;
    const amount = typeof operand === 'string' ? 0 : operand.amount;
    if (viaSp) {
      if (shift !== 'lsl') throw new AsmError(`${what}: only lsl may shift a register added to sp`);
      return addSub(op, rdName, rnName, { reg: rmName, extend: 'lsl', amount });
    }
    const rm = reg(rmName, { sf, what });
    const t = SHIFT_NAMES.indexOf(shift);
    if (t < 0 || t > 2) throw new AsmError(`${what}: shift ${shift} not allowed`);
    checkImm(amount, 0, size(sf) - 1, `${what}: shift amount`);
    return enc(addSubId(op, 'shift'), { sf, shift: t, Rm: rm.n, imm6: amount, Rn: rn.n, Rd: rd.n });
  }
  // extended register
  const ext = operand.extend;
  const option = ext === 'lsl' ? (sf ? 3 : 2) : EXTEND_NAMES.indexOf(ext);
  if (option < 0) throw new AsmError(`${what}: unknown extend ${ext}`);
  if (ext === 'lsl' && !viaSp) throw new AsmError(`${what}: lsl of an extended register needs sp as an operand`);
  const rm = reg(operand.reg, { sf: sf && (option & 3) === 3 ? 1 : 0, what });
  const amount = checkImm(operand.amount ?? 0, 0, 4, `${what}: extend amount`);
  return enc(addSubId(op, 'ext'), { sf, Rm: rm.n, option, imm3: amount, Rn: rn.n, Rd: rd.n });
}

const zrOf = (r: Reg): Reg => ((regInfo(r)?.sf ?? 1) ? 'xzr' : 'wzr');

export const cmp = (rn: Reg, op: Operand): number => addSub('subs', zrOf(rn), rn, op);
export const cmn = (rn: Reg, op: Operand): number => addSub('adds', zrOf(rn), rn, op);
export const neg = (rd: Reg, op: Operand, s = false): number => addSub(s ? 'subs' : 'sub', rd, zrOf(rd), op);

// ---- logical ------------------------------------------------------------------------------

export type LogicalOp = 'and' | 'orr' | 'eor' | 'ands' | 'bic' | 'orn' | 'eon' | 'bics';
const LOGICAL_BASE: Record<LogicalOp, [base: string, invert: boolean]> = {
  and: ['AND', false], orr: ['ORR', false], eor: ['EOR', false], ands: ['ANDS', false],
  bic: ['AND', true], orn: ['ORR', true], eon: ['EOR', true], bics: ['ANDS', true],
};

export function logical(op: LogicalOp, rdName: Reg, rnName: Reg, operand: Operand): number {
  const [base, invert] = LOGICAL_BASE[op];
  if (typeof operand === 'number' || typeof operand === 'bigint') {
    const rd = reg(rdName, { sp: base !== 'ANDS', what: op });
    const rn = reg(rnName, { what: op });
    sameWidth(rd, rn, op);
    const width = size(rd.sf) as 32 | 64;
    let v = regValue(operand, width, op);
    if (invert) v = BigInt.asUintN(width, ~v);
    const li = encodeLogicalImm(v, width);
    if (!li) throw new AsmError(`${op}: ${operand} is not encodable as a logical immediate`);
    return enc(`${base}_imm`, { sf: rd.sf, ...li, Rn: rn.n, Rd: rd.n });
  }
  if (typeof operand === 'object' && !('shift' in operand)) throw new AsmError(`${op}: operand must be a register or an immediate`);
  const rd = reg(rdName, { what: op });
  const rn = reg(rnName, { sf: rd.sf, what: op });
  const rm = reg(typeof operand === 'string' ? operand : operand.reg, { sf: rd.sf, what: op });
  const shift = typeof operand === 'string' ? 0 : SHIFT_NAMES.indexOf(operand.shift);
  const amount = typeof operand === 'string' ? 0 : checkImm(operand.amount, 0, size(rd.sf) - 1, `${op}: shift amount`);
  const id = { and: 'AND', orr: 'ORR', eor: 'EOR', ands: 'ANDS', bic: 'BIC', orn: 'ORN', eon: 'EON', bics: 'BICS' }[op];
  return enc(`${id}_reg`, { sf: rd.sf, shift, Rm: rm.n, imm6: amount, Rn: rn.n, Rd: rd.n });
}

export const tst = (rn: Reg, op: Operand): number => logical('ands', zrOf(rn), rn, op);
export const mvn = (rd: Reg, op: Operand): number => logical('orn', rd, zrOf(rd), op);

// ---- moves -----------------------------------------------------------------------------------

export function movWide(op: 'movz' | 'movn' | 'movk', rdName: Reg, imm16: number, shift = 0): number {
  const rd = reg(rdName, { what: op });
  checkImm(imm16, 0, 0xffff, `${op}: immediate`);
  if (shift % 16 !== 0 || shift < 0 || shift >= size(rd.sf)) throw new AsmError(`${op}: shift ${shift} must be 0${rd.sf ? ', 16, 32 or 48' : ' or 16'}`);
  return enc(op.toUpperCase(), { sf: rd.sf, hw: shift / 16, imm16, Rd: rd.n });
}

/** The single instruction llvm-mc uses for `mov rd, #value`, or null when there is none. */
export function movImmOne(rdName: Reg, value: number | bigint): number | null {
  const rd = regInfo(rdName);
  if (!rd) throw new AsmError(`mov: '${rdName}' is not a general register`);
  const width = size(rd.sf) as 32 | 64;
  const v = regValue(value, width, 'mov');
  // MOVZ/MOVN write the zero register at 31, ORR (immediate) writes sp
  if (!rd.sp) {
    for (const [op, x] of [['movz', v], ['movn', BigInt.asUintN(width, ~v)]] as const) {
      if (!isMovzImm(x, width)) continue;
      let hw = 0;
      while (hw * 16 < width && (x & ~(0xffffn << BigInt(hw * 16))) !== 0n) hw++;
      if (x === 0n) hw = 0;
      return movWide(op, rdName, Number((x >> BigInt(hw * 16)) & 0xffffn), hw * 16);
    }
  }
  const li = rd.zr ? null : encodeLogicalImm(v, width);
  return li ? enc('ORR_imm', { sf: rd.sf, ...li, Rn: 31, Rd: rd.n }) : null;
}

/** A shortest MOVZ/MOVN + MOVK sequence (or one ORR) giving rd the value. */
export function movImmSeq(rdName: Reg, value: number | bigint): number[] {
  const one = movImmOne(rdName, value);
  if (one !== null) return [one];
  const rd = reg(rdName, { what: 'mov' });
  const width = size(rd.sf) as 32 | 64;
  const v = regValue(value, width, 'mov');
  const halves: number[] = [];
  for (let i = 0; i < width / 16; i++) halves.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  const zeros = halves.filter((h) => h === 0).length;
  const ones = halves.filter((h) => h === 0xffff).length;
  const inverted = ones > zeros;
  const skip = inverted ? 0xffff : 0;
  const out: number[] = [];
  halves.forEach((h, i) => {
    if (h === skip) return;
    if (out.length === 0) out.push(movWide(inverted ? 'movn' : 'movz', rdName, inverted ? h ^ 0xffff : h, i * 16));
    else out.push(movWide('movk', rdName, h, i * 16));
  });
  return out;
}

/** mov between registers (ORR, or ADD #0 when sp is involved) or of an immediate that fits one instruction. */
export function mov(rdName: Reg, src: Reg | number | bigint): number {
  if (typeof src === 'string') {
    const rd = reg(rdName, { sp: true, what: 'mov' });
    const rs = regInfo(src);
    if (!rs) throw new AsmError(`mov: '${src}' is not a general register`);
    sameWidth(rd, rs, 'mov');
    if (rd.sp || rs.sp) return addSub('add', rdName, src, 0);
    return logical('orr', rdName, zrOf(rdName), src);
  }
  const w = movImmOne(rdName, src);
  if (w === null) throw new AsmError(`mov: ${src} needs more than one instruction (use movImm64)`);
  return w;
}

// ---- bitfield and shifts ------------------------------------------------------------------------

export function bitfield(op: 'sbfm' | 'bfm' | 'ubfm', rdName: Reg, rnName: Reg, immr: number, imms: number): number {
  const rd = reg(rdName, { what: op });
  const rn = reg(rnName, { sf: rd.sf, what: op });
  const top = size(rd.sf) - 1;
  checkImm(immr, 0, top, `${op}: immr`);
  checkImm(imms, 0, top, `${op}: imms`);
  return enc(op.toUpperCase(), { sf: rd.sf, N: rd.sf, immr, imms, Rn: rn.n, Rd: rd.n });
}

function field(rdName: Reg, lsb: number, width: number, what: string): number {
  const bits = size(reg(rdName, { what }).sf);
  checkImm(lsb, 0, bits - 1, `${what}: lsb`);
  checkImm(width, 1, bits - lsb, `${what}: width`);
  return bits;
}

export type BitfieldAlias = 'sbfx' | 'ubfx' | 'sbfiz' | 'ubfiz' | 'bfi' | 'bfxil';

export function bitfieldAlias(op: BitfieldAlias, rd: Reg, rn: Reg, lsb: number, width: number): number {
  const bits = field(rd, lsb, width, op);
  const base = op.startsWith('s') ? 'sbfm' : op.startsWith('u') ? 'ubfm' : 'bfm';
  if (op === 'sbfx' || op === 'ubfx' || op === 'bfxil') return bitfield(base, rd, rn, lsb, lsb + width - 1);
  return bitfield(base, rd, rn, (bits - lsb) % bits, width - 1);
}

export const bfc = (rd: Reg, lsb: number, width: number): number => bitfieldAlias('bfi', rd, zrOf(rd), lsb, width);

export function shiftImm(op: 'lsl' | 'lsr' | 'asr' | 'ror', rd: Reg, rn: Reg, amount: number): number {
  const bits = size(reg(rd, { what: op }).sf);
  checkImm(amount, 0, bits - 1, `${op}: shift amount`);
  if (op === 'lsl') return bitfield('ubfm', rd, rn, (bits - amount) % bits, bits - 1 - amount);
  if (op === 'ror') return extr(rd, rn, rn, amount);
  return bitfield(op === 'lsr' ? 'ubfm' : 'sbfm', rd, rn, amount, bits - 1);
}

export function extend(op: 'sxtb' | 'sxth' | 'sxtw' | 'uxtb' | 'uxth', rdName: Reg, rnName: Reg): number {
  const rd = reg(rdName, { what: op });
  const rn = reg(rnName, { sf: 0, what: op });
  if (op.startsWith('u') && rd.sf) throw new AsmError(`${op}: destination must be a w register`);
  if (op === 'sxtw' && !rd.sf) throw new AsmError('sxtw: destination must be an x register');
  const imms = { b: 7, h: 15, w: 31 }[op[3] as 'b' | 'h' | 'w'];
  return enc(op.startsWith('s') ? 'SBFM' : 'UBFM', { sf: rd.sf, N: rd.sf, immr: 0, imms, Rn: rn.n, Rd: rd.n });
}

export function extr(rdName: Reg, rnName: Reg, rmName: Reg, lsb: number): number {
  const rd = reg(rdName, { what: 'extr' });
  const rn = reg(rnName, { sf: rd.sf, what: 'extr' });
  const rm = reg(rmName, { sf: rd.sf, what: 'extr' });
  checkImm(lsb, 0, size(rd.sf) - 1, 'extr: lsb');
  return enc('EXTR', { sf: rd.sf, N: rd.sf, Rm: rm.n, imms: lsb, Rn: rn.n, Rd: rd.n });
}

// ---- data processing, register ------------------------------------------------------------------

/** Three same-width registers: dp2 (udiv, lslv...), adc family, csel family (with a condition). */
export function rrr(id: string, rdName: Reg, rnName: Reg, rmName: Reg, extra: Record<string, number> = {}): number {
  const rd = reg(rdName, { what: id });
  const rn = reg(rnName, { sf: rd.sf, what: id });
  const rm = reg(rmName, { sf: rd.sf, what: id });
  return enc(id, { sf: rd.sf, Rm: rm.n, Rn: rn.n, Rd: rd.n, ...extra });
}

export type Crc32Op = 'crc32b' | 'crc32h' | 'crc32w' | 'crc32x' | 'crc32cb' | 'crc32ch' | 'crc32cw' | 'crc32cx';

/** CRC32B/H/W/X and CRC32CB/CH/CW/CX: Wd, Wn, and Wm (Xm for the X forms). */
export function crc32(op: Crc32Op, rdName: Reg, rnName: Reg, rmName: Reg): number {
  const rd = reg(rdName, { sf: 0, what: op });
  const rn = reg(rnName, { sf: 0, what: op });
  const rm = reg(rmName, { sf: op.endsWith('x') ? 1 : 0, what: op });
  return enc(op.toUpperCase(), { Rm: rm.n, Rn: rn.n, Rd: rd.n });
}

export function dp1(op: 'rbit' | 'rev16' | 'rev' | 'rev32' | 'clz' | 'cls', rdName: Reg, rnName: Reg): number {
  const rd = reg(rdName, { what: op });
  const rn = reg(rnName, { sf: rd.sf, what: op });
  let id: string = op.toUpperCase();
  if (op === 'rev') id = rd.sf ? 'REV_x' : 'REV_w';
  if (op === 'rev32' && !rd.sf) throw new AsmError('rev32: registers must be x registers');
  const sf = id === 'REV_w' || id === 'REV_x' || id === 'REV32' ? undefined : rd.sf;
  return enc(id, { sf, Rn: rn.n, Rd: rd.n });
}

export function condSelect(op: 'csel' | 'csinc' | 'csinv' | 'csneg', rd: Reg, rn: Reg, rm: Reg, cond: string): number {
  return rrr(op.toUpperCase(), rd, rn, rm, { cond: condCode(cond) });
}

export function condAlias(op: 'cset' | 'csetm' | 'cinc' | 'cinv' | 'cneg', rd: Reg, rnOrCond: string, cond?: string): number {
  const c = cond ?? rnOrCond;
  const code = condCode(c);
  if ((code & 0xe) === 0xe) throw new AsmError(`${op}: condition ${c} not allowed`);
  const inv = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'][code ^ 1];
  const src = op === 'cset' || op === 'csetm' ? zrOf(rd) : rnOrCond;
  const base = { cset: 'csinc', csetm: 'csinv', cinc: 'csinc', cinv: 'csinv', cneg: 'csneg' }[op] as 'csinc';
  return condSelect(base, rd, src, src, inv);
}

export function condCompare(op: 'ccmp' | 'ccmn', rnName: Reg, operand: Reg | number, nzcv: number, cond: string): number {
  const rn = reg(rnName, { what: op });
  checkImm(nzcv, 0, 15, `${op}: nzcv`);
  const id = op.toUpperCase();
  if (typeof operand === 'number') {
    checkImm(operand, 0, 31, `${op}: immediate`);
    return enc(`${id}_imm`, { sf: rn.sf, imm5: operand, cond: condCode(cond), Rn: rn.n, nzcv });
  }
  const rm = reg(operand, { sf: rn.sf, what: op });
  return enc(`${id}_reg`, { sf: rn.sf, Rm: rm.n, cond: condCode(cond), Rn: rn.n, nzcv });
}

/** madd/msub and the long forms; mul-style aliases pass Ra = the zero register. */
export function mulAdd(id: string, rdName: Reg, rnName: Reg, rmName: Reg, raName: Reg): number {
  const rd = reg(rdName, { what: id });
  const long = !['MADD', 'MSUB', 'SMULH', 'UMULH'].includes(id);
  const src = long ? 0 : rd.sf;
  if ((long || id === 'SMULH' || id === 'UMULH') && !rd.sf) throw new AsmError(`${id.toLowerCase()}: destination must be an x register`);
  const rn = reg(rnName, { sf: src as 0 | 1, what: id });
  const rm = reg(rmName, { sf: src as 0 | 1, what: id });
  const ra = reg(raName, { sf: rd.sf, what: id });
  return enc(id, { sf: rd.sf, Rm: rm.n, Ra: id.endsWith('MULH') ? undefined : ra.n, Rn: rn.n, Rd: rd.n });
}
