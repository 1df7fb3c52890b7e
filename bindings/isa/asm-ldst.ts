// Load/store encoders of the assembler (everything but PC-relative literals).

import { enc } from './encode.ts';
import { AsmError, checkImm, reg, regInfo, type Mem, type Reg } from './asm-operands.ts';
import { parsePrfop } from './sysregs.ts';

/** A prefetch operation: its name (pldl1keep...) or number. */
export type Prfop = string | number;

export function prfopValue(op: Prfop): number {
  if (typeof op === 'number') return checkImm(op, 0, 31, 'prfm: operation');
  const v = parsePrfop(op) ?? (/^#?\d+$/.test(op) ? Number(op.replace('#', '')) : null);
  if (v === null || v > 31) throw new AsmError(`prfm: unknown prefetch operation ${op}`);
  return v;
}

export type LoadStoreOp =
  | 'ldr' | 'str' | 'ldrb' | 'strb' | 'ldrh' | 'strh' | 'ldrsb' | 'ldrsh' | 'ldrsw' | 'prfm';

/** size and opc of a single-register load/store, from the mnemonic and the register width. */
export function sizeOpc(op: LoadStoreOp, sf: 0 | 1): [size: number, opc: number] {
  switch (op) {
    case 'str': return [sf ? 3 : 2, 0];
    case 'ldr': return [sf ? 3 : 2, 1];
    case 'strb': return [0, 0];
    case 'ldrb': return [0, 1];
    case 'strh': return [1, 0];
    case 'ldrh': return [1, 1];
    case 'ldrsb': return [0, sf ? 2 : 3];
    case 'ldrsh': return [1, sf ? 2 : 3];
    case 'ldrsw': return [2, 2];
    case 'prfm': return [3, 2];
  }
}

/** The transfer register: its encoding and width, checked against the mnemonic. */
function transferReg(op: LoadStoreOp, rt: Reg | Prfop): { n: number; sf: 0 | 1 } {
  if (op === 'prfm') return { n: prfopValue(rt), sf: 1 };
  const r = reg(String(rt), { what: op });
  const wOnly = op === 'ldrb' || op === 'strb' || op === 'ldrh' || op === 'strh';
  if (wOnly && r.sf) throw new AsmError(`${op}: transfer register must be a w register`);
  if (op === 'ldrsw' && !r.sf) throw new AsmError('ldrsw: transfer register must be an x register');
  return r;
}

/** The table's row id of a single-register form: uimm_11_01 is ldr x (unsigned offset). */
function ldstId(kind: string, size: number, opc: number): string {
  return `${kind}_${size.toString(2).padStart(2, '0')}_${opc.toString(2).padStart(2, '0')}`;
}

function imm9(v: number, what: string): number {
  return checkImm(v, -256, 255, `${what}: offset`) & 0x1ff;
}

/**
 * A single-register load/store. Offsets that are multiples of the access size
 * in [0, 4095 * size] use the unsigned-offset form, other offsets in
 * [-256, 255] the unscaled form (ldur...), as llvm-mc does.
 */
export function loadStore(op: LoadStoreOp, rt: Reg | Prfop, m: Mem): number {
  const t = transferReg(op, rt);
  const [size, opc] = sizeOpc(op, t.sf);
  const rn = reg(m.base, { sp: true, sf: 1, what: `${op} base` });
  if ('index' in m) {
    const ix = regInfo(m.index);
    if (!ix || ix.sp) throw new AsmError(`${op}: bad index register ${m.index}`);
    const ext = m.extend ?? 'lsl';
    const option = { uxtw: 2, lsl: 3, sxtw: 6, sxtx: 7 }[ext];
    if (option === undefined) throw new AsmError(`${op}: bad extend ${ext}`);
    if (ix.sf !== ((option & 1) as 0 | 1)) throw new AsmError(`${op}: index ${m.index} does not match ${ext}`);
    const amount = m.amount;
    if (amount !== undefined && amount !== 0 && amount !== size) throw new AsmError(`${op}: shift amount must be 0 or ${size}`);
    // byte accesses encode an explicit "#0" as S = 1
    const S = amount === undefined ? 0 : size === 0 ? 1 : amount === size ? 1 : 0;
    if (ext === 'lsl' && amount === undefined && m.extend === 'lsl') throw new AsmError(`${op}: lsl needs an amount`);
    return enc(ldstId('reg', size, opc), { Rm: ix.n, option, S, Rn: rn.n, Rt: t.n });
  }
  const off = m.offset ?? 0;
  const mode = m.mode ?? 'offset';
  if (mode === 'pre' || mode === 'post') {
    if (op === 'prfm') throw new AsmError('prfm: no pre- or post-indexed form');
    return enc(ldstId(mode, size, opc), { imm9: imm9(off, op), Rn: rn.n, Rt: t.n });
  }
  const scale = 1 << size;
  if (off >= 0 && off % scale === 0 && off / scale <= 4095) {
    return enc(ldstId('uimm', size, opc), { imm12: off / scale, Rn: rn.n, Rt: t.n });
  }
  if (off >= -256 && off <= 255) return enc(ldstId('unscaled', size, opc), { imm9: off & 0x1ff, Rn: rn.n, Rt: t.n });
  throw new AsmError(`${op}: offset ${off} is neither a multiple of ${scale} in [0, ${4095 * scale}] nor in [-256, 255]`);
}

/** ldur/stur... (unscaled) and ldtr/sttr... (unprivileged): base plus a signed 9-bit offset. */
export function loadStoreImm9(kind: 'unscaled' | 'unpriv', op: LoadStoreOp, rt: Reg | Prfop, m: Mem): number {
  if ('index' in m || (m.mode && m.mode !== 'offset')) throw new AsmError(`${op}: only [base, #imm] addressing`);
  if (kind === 'unpriv' && op === 'prfm') throw new AsmError('no unprivileged prefetch');
  const t = transferReg(op, rt);
  const [size, opc] = sizeOpc(op, t.sf);
  const rn = reg(m.base, { sp: true, sf: 1, what: `${op} base` });
  return enc(ldstId(kind, size, opc), { imm9: imm9(m.offset ?? 0, op), Rn: rn.n, Rt: t.n });
}

export type PairOp = 'ldp' | 'stp' | 'ldpsw' | 'ldnp' | 'stnp';

export function loadStorePair(op: PairOp, rt1: Reg, rt2: Reg, m: Mem): number {
  const t1 = reg(rt1, { what: op });
  const t2 = reg(rt2, { sf: t1.sf, what: op });
  if (op === 'ldpsw' && !t1.sf) throw new AsmError('ldpsw: registers must be x registers');
  if ('index' in m) throw new AsmError(`${op}: no register offset form`);
  const rn = reg(m.base, { sp: true, sf: 1, what: `${op} base` });
  const mode = m.mode ?? 'offset';
  const scale = op === 'ldpsw' || !t1.sf ? 4 : 8;
  const off = m.offset ?? 0;
  if (off % scale !== 0) throw new AsmError(`${op}: offset ${off} is not a multiple of ${scale}`);
  const imm7 = checkImm(off / scale, -64, 63, `${op}: scaled offset`) & 0x7f;
  const w = op === 'ldpsw' ? 'LDPSW' : `${op.replace('n', '').toUpperCase()}_${t1.sf ? 'x' : 'w'}`;
  let id: string;
  if (op === 'ldnp' || op === 'stnp') {
    if (mode !== 'offset') throw new AsmError(`${op}: only the offset form`);
    id = `${op.toUpperCase()}_${t1.sf ? 'x' : 'w'}`;
  } else id = `${w}_${mode === 'offset' ? 'off' : mode}`;
  return enc(id, { imm7, Rt2: t2.n, Rn: rn.n, Rt: t1.n });
}

function baseOnly(m: Mem | Reg, what: string): number {
  if (typeof m === 'string') return reg(m, { sp: true, sf: 1, what }).n;
  if ('index' in m || (m.offset ?? 0) !== 0 || (m.mode ?? 'offset') !== 'offset') throw new AsmError(`${what}: address must be [xn|sp]`);
  return reg(m.base, { sp: true, sf: 1, what }).n;
}

const SUFFIX_SIZE: Record<string, number> = { b: 0, h: 1 };

/** Exclusive and ordered single-register accesses: ldxr, ldaxr, ldar, ldlar, stlr, stllr (+b/h). */
export function exclusive(mn: string, rt: Reg, m: Mem | Reg, rs?: Reg): number {
  const mm = mn.match(/^(stxr|stlxr|ldxr|ldaxr|stllr|stlr|ldlar|ldar)([bh]?)$/);
  if (!mm) throw new AsmError(`unknown exclusive/ordered access ${mn}`);
  const t = reg(rt, { what: mn });
  const size = mm[2] ? SUFFIX_SIZE[mm[2]] : t.sf ? 3 : 2;
  if (mm[2] && t.sf) throw new AsmError(`${mn}: transfer register must be a w register`);
  const fields: Record<string, number> = { size, Rn: baseOnly(m, mn), Rt: t.n };
  if (mm[1] === 'stxr' || mm[1] === 'stlxr') {
    if (rs === undefined) throw new AsmError(`${mn}: status register missing`);
    fields.Rs = reg(rs, { sf: 0, what: `${mn} status` }).n;
  }
  return enc(mm[1].toUpperCase(), fields);
}

/** stxp/stlxp (with status rs) and ldxp/ldaxp. */
export function exclusivePair(mn: string, rt: Reg, rt2: Reg, m: Mem | Reg, rs?: Reg): number {
  const id = mn.toUpperCase();
  if (!['STXP', 'STLXP', 'LDXP', 'LDAXP'].includes(id)) throw new AsmError(`unknown exclusive pair ${mn}`);
  const t = reg(rt, { what: mn });
  const t2 = reg(rt2, { sf: t.sf, what: mn });
  const fields: Record<string, number> = { sz: t.sf, Rt2: t2.n, Rn: baseOnly(m, mn), Rt: t.n };
  if (id.startsWith('ST')) {
    if (rs === undefined) throw new AsmError(`${mn}: status register missing`);
    fields.Rs = reg(rs, { sf: 0, what: `${mn} status` }).n;
  }
  return enc(id, fields);
}

/** cas{a}{l}{b|h} rs, rt, [xn] */
export function cas(mn: string, rs: Reg, rt: Reg, m: Mem | Reg): number {
  const mm = mn.match(/^cas(a?)(l?)([bh]?)$/);
  if (!mm) throw new AsmError(`unknown compare-and-swap ${mn}`);
  const s = reg(rs, { what: mn });
  const t = reg(rt, { sf: s.sf, what: mn });
  if (mm[3] && s.sf) throw new AsmError(`${mn}: registers must be w registers`);
  const size = mm[3] ? SUFFIX_SIZE[mm[3]] : s.sf ? 3 : 2;
  return enc(`CAS${mm[1].toUpperCase()}${mm[2].toUpperCase()}`, { size, Rs: s.n, Rn: baseOnly(m, mn), Rt: t.n });
}

/** casp{a}{l} rs, rs+1, rt, rt+1, [xn] */
export function casp(mn: string, rs: Reg, rs2: Reg, rt: Reg, rt2: Reg, m: Mem | Reg): number {
  const mm = mn.match(/^casp(a?)(l?)$/);
  if (!mm) throw new AsmError(`unknown compare-and-swap pair ${mn}`);
  const s = reg(rs, { what: mn });
  const t = reg(rt, { sf: s.sf, what: mn });
  const s2 = regInfo(rs2);
  const t2 = regInfo(rt2);
  if (s.n % 2 || t.n % 2) throw new AsmError(`${mn}: first registers of the pairs must be even`);
  if (!s2 || s2.sf !== s.sf || s2.sp || s2.n !== s.n + 1 || !t2 || t2.sf !== s.sf || t2.sp || t2.n !== t.n + 1) {
    throw new AsmError(`${mn}: registers must be consecutive pairs`);
  }
  return enc(`CASP${mm[1].toUpperCase()}${mm[2].toUpperCase()}`, { sz: s.sf, Rs: s.n, Rn: baseOnly(m, mn), Rt: t.n });
}

const ATOMIC_OPS = ['add', 'clr', 'eor', 'set', 'smax', 'smin', 'umax', 'umin'];

/** ld<op>{a}{l}{b|h} rs, rt, [xn]; st<op>{l}{b|h} rs, [xn] (rt omitted); swp{a}{l}{b|h} rs, rt, [xn]. */
export function atomic(mn: string, rs: Reg, rt: Reg | null, m: Mem | Reg): number {
  const mm = mn.match(/^(ld|st)(add|clr|eor|set|smax|smin|umax|umin)(a?)(l?)([bh]?)$/) ?? mn.match(/^(swp)()(a?)(l?)([bh]?)$/);
  if (!mm) throw new AsmError(`unknown atomic ${mn}`);
  const [, kind, op, a, l, suffix] = mm;
  if (kind === 'st' && a) throw new AsmError(`${mn}: no acquire form of st${op}`);
  if ((kind === 'st') !== (rt === null)) throw new AsmError(`${mn}: wrong number of operands`);
  const s = reg(rs, { what: mn });
  const t = rt === null ? { n: 31, sf: s.sf } : reg(rt, { sf: s.sf, what: mn });
  if (suffix && s.sf) throw new AsmError(`${mn}: registers must be w registers`);
  const size = suffix ? SUFFIX_SIZE[suffix] : s.sf ? 3 : 2;
  const id = kind === 'swp' ? 'SWP' : `LD${op.toUpperCase()}`;
  if (kind !== 'swp' && !ATOMIC_OPS.includes(op)) throw new AsmError(`unknown atomic ${mn}`);
  return enc(id, { size, A: a ? 1 : 0, R: l ? 1 : 0, Rs: s.n, Rn: baseOnly(m, mn), Rt: t.n });
}
