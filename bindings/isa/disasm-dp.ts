// Disassembly of the data-processing sections (immediate and register),
// with LLVM's preferred aliases.

import { decodeBitMasks, isMovWideImm, isMovzImm, sext } from './bits.ts';
import { CONDS, EXTENDS, SHIFTS, type Ctx, type Printer, address, immHex, r, rsp } from './disasm-fmt.ts';

// ---- data processing, immediate ----------------------------------------------------

const adr: Printer = (row, f, ctx: Ctx) => {
  const imm = sext((f.immhi << 2) | f.immlo, 21);
  if (row.id === 'ADR') return `adr ${r(1, f.Rd)}, #${imm}`; // llvm-objdump prints ADR relative
  if (ctx.pc === undefined) return `adrp ${r(1, f.Rd)}, #${imm * 4096}`;
  return `adrp ${r(1, f.Rd)}, ${address(ctx, (ctx.pc & ~0xfffn) + BigInt(imm) * 4096n)}`;
};

const addsubImm: Printer = (row, f) => {
  const { sf, op, S, sh, imm12, Rn, Rd } = f;
  // LLVM notes the value of a shifted immediate in a comment
  const imm = sh ? `#${imm12}, lsl #12 // =${imm12 * 4096}` : `#${imm12}`;
  if (!op && !S && !sh && imm12 === 0 && (Rd === 31 || Rn === 31)) return `mov ${rsp(sf, Rd)}, ${rsp(sf, Rn)}`;
  if (S && Rd === 31) return `${op ? 'cmp' : 'cmn'} ${rsp(sf, Rn)}, ${imm}`;
  return `${row.mn} ${S ? r(sf, Rd) : rsp(sf, Rd)}, ${rsp(sf, Rn)}, ${imm}`;
};

const logImm: Printer = (row, f) => {
  const { sf, opc, N, immr, imms, Rn, Rd } = f;
  const size = sf ? 64 : 32;
  const v = decodeBitMasks(N, immr, imms, size);
  if (v === null) return null;
  if (opc === 1 && Rn === 31 && !isMovWideImm(v, size)) return `mov ${rsp(sf, Rd)}, #${BigInt.asIntN(size, v)}`;
  if (opc === 3 && Rd === 31) return `tst ${r(sf, Rn)}, ${immHex(v)}`;
  return `${row.mn} ${opc === 3 ? r(sf, Rd) : rsp(sf, Rd)}, ${r(sf, Rn)}, ${immHex(v)}`;
};

const movw: Printer = (row, f) => {
  const { sf, opc, hw, imm16, Rd } = f;
  const size = sf ? 64 : 32;
  const shift = BigInt(hw * 16);
  const lsl = hw ? `, lsl #${hw * 16}` : '';
  if (opc === 2 && !(imm16 === 0 && hw !== 0)) {
    return `mov ${r(sf, Rd)}, #${BigInt.asIntN(size, BigInt(imm16) << shift)}`;
  }
  if (opc === 0) {
    const v = BigInt.asUintN(size, ~(BigInt(imm16) << shift));
    if (!isMovzImm(v, size) && !(imm16 === 0 && hw !== 0)) return `mov ${r(sf, Rd)}, #${BigInt.asIntN(size, v)}`;
  }
  return `${row.mn} ${r(sf, Rd)}, #${imm16}${lsl}`;
};

const bfm: Printer = (row, f) => {
  const { sf, opc, immr, imms, Rn, Rd } = f;
  const size = sf ? 64 : 32;
  const top = size - 1;
  const d = r(sf, Rd);
  const n = r(sf, Rn);
  if (opc === 1) {
    if (imms < immr) return `bfi ${d}, ${n}, #${(size - immr) % size}, #${imms + 1}`;
    return `bfxil ${d}, ${n}, #${immr}, #${imms - immr + 1}`;
  }
  const signed = opc === 0;
  if (immr === 0) {
    let ext: string | null = null;
    if (imms === 7 && (signed || !sf)) ext = signed ? 'sxtb' : 'uxtb';
    else if (imms === 15 && (signed || !sf)) ext = signed ? 'sxth' : 'uxth';
    else if (imms === 31 && signed && sf) ext = 'sxtw';
    if (ext) return `${ext} ${d}, ${r(0, Rn)}`;
  }
  if (!signed && imms !== top && imms + 1 === immr) return `lsl ${d}, ${n}, #${top - imms}`;
  if (imms === top) return `${signed ? 'asr' : 'lsr'} ${d}, ${n}, #${immr}`;
  if (imms < immr) return `${signed ? 'sbfiz' : 'ubfiz'} ${d}, ${n}, #${size - immr}, #${imms + 1}`;
  return `${signed ? 'sbfx' : 'ubfx'} ${d}, ${n}, #${immr}, #${imms - immr + 1}`;
};

const extr: Printer = (row, f) => {
  const { sf, Rm, imms, Rn, Rd } = f;
  if (Rn === Rm) return `ror ${r(sf, Rd)}, ${r(sf, Rn)}, #${imms}`;
  return `extr ${r(sf, Rd)}, ${r(sf, Rn)}, ${r(sf, Rm)}, #${imms}`;
};

// ---- data processing, register ------------------------------------------------------

const DP2_NAMES: Record<number, string> = { 2: 'udiv', 3: 'sdiv', 8: 'lsl', 9: 'lsr', 10: 'asr', 11: 'ror' };

const dp2: Printer = (row, f) => {
  const { sf, Rm, opcode, Rn, Rd } = f;
  return `${DP2_NAMES[opcode]} ${r(sf, Rd)}, ${r(sf, Rn)}, ${r(sf, Rm)}`;
};

const crc32: Printer = (row, f) => `${row.mn} ${r(0, f.Rd)}, ${r(0, f.Rn)}, ${r(row.mn.endsWith('x'), f.Rm)}`;

const dp1: Printer = (row, f) => `${row.mn} ${r(f.sf, f.Rd)}, ${r(f.sf, f.Rn)}`;

function shifted(sf: number, Rm: number, shift: number, imm6: number): string {
  return shift === 0 && imm6 === 0 ? r(sf, Rm) : `${r(sf, Rm)}, ${SHIFTS[shift]} #${imm6}`;
}

const logReg: Printer = (row, f) => {
  const { sf, opc, shift, N, Rm, imm6, Rn, Rd } = f;
  const m = shifted(sf, Rm, shift, imm6);
  if (opc === 1 && Rn === 31) {
    if (!N && shift === 0 && imm6 === 0) return `mov ${r(sf, Rd)}, ${r(sf, Rm)}`;
    if (N) return `mvn ${r(sf, Rd)}, ${m}`;
  }
  if (opc === 3 && !N && Rd === 31) return `tst ${r(sf, Rn)}, ${m}`;
  return `${row.mn} ${r(sf, Rd)}, ${r(sf, Rn)}, ${m}`;
};

const addsubShift: Printer = (row, f) => {
  const { sf, op, S, shift, Rm, imm6, Rn, Rd } = f;
  const m = shifted(sf, Rm, shift, imm6);
  if (S && Rd === 31) return `${op ? 'cmp' : 'cmn'} ${r(sf, Rn)}, ${m}`;
  if (op && Rn === 31) return `${S ? 'negs' : 'neg'} ${r(sf, Rd)}, ${m}`;
  return `${row.mn} ${r(sf, Rd)}, ${r(sf, Rn)}, ${m}`;
};

const addsubExt: Printer = (row, f) => {
  const { sf, op, S, Rm, option, imm3, Rn, Rd } = f;
  const rm = r(sf && (option & 3) === 3 ? 1 : 0, Rm);
  // UXTX (UXTW for 32-bit) next to SP prints as LSL, or not at all without a shift
  let ext: string;
  const uxt = option === (sf ? 3 : 2);
  if (uxt && ((!S && Rd === 31) || Rn === 31)) ext = imm3 ? `, lsl #${imm3}` : '';
  else ext = `, ${EXTENDS[option]}${imm3 ? ` #${imm3}` : ''}`;
  const n = rsp(sf, Rn);
  if (S && Rd === 31) return `${op ? 'cmp' : 'cmn'} ${n}, ${rm}${ext}`;
  return `${row.mn} ${S ? r(sf, Rd) : rsp(sf, Rd)}, ${n}, ${rm}${ext}`;
};

const adc: Printer = (row, f) => {
  const { sf, op, S, Rm, Rn, Rd } = f;
  if (op && Rn === 31) return `${S ? 'ngcs' : 'ngc'} ${r(sf, Rd)}, ${r(sf, Rm)}`;
  return `${row.mn} ${r(sf, Rd)}, ${r(sf, Rn)}, ${r(sf, Rm)}`;
};

const ccmpReg: Printer = (row, f) =>
  `${row.mn} ${r(f.sf, f.Rn)}, ${r(f.sf, f.Rm)}, #${f.nzcv}, ${CONDS[f.cond]}`;

const ccmpImm: Printer = (row, f) => `${row.mn} ${r(f.sf, f.Rn)}, #${f.imm5}, #${f.nzcv}, ${CONDS[f.cond]}`;

const csel: Printer = (row, f) => {
  const { sf, op, Rm, cond, op2, Rn, Rd } = f;
  const d = r(sf, Rd);
  if (Rn === Rm && (cond & 0xe) !== 0xe) {
    const inv = CONDS[cond ^ 1];
    if (!op && op2) return Rn === 31 ? `cset ${d}, ${inv}` : `cinc ${d}, ${r(sf, Rn)}, ${inv}`;
    if (op && !op2) return Rn === 31 ? `csetm ${d}, ${inv}` : `cinv ${d}, ${r(sf, Rn)}, ${inv}`;
    if (op && op2) return `cneg ${d}, ${r(sf, Rn)}, ${inv}`;
  }
  return `${row.mn} ${d}, ${r(sf, Rn)}, ${r(sf, Rm)}, ${CONDS[cond]}`;
};

const MUL_ALIAS: Record<string, string> = {
  MADD: 'mul', MSUB: 'mneg', SMADDL: 'smull', SMSUBL: 'smnegl', UMADDL: 'umull', UMSUBL: 'umnegl',
};

const dp3: Printer = (row, f) => {
  const { sf, op31, Rm, Ra, Rn, Rd } = f;
  const long = op31 !== 0; // sources are W registers for the long forms
  const d = r(sf, Rd);
  if (row.id === 'SMULH' || row.id === 'UMULH') return `${row.mn} ${d}, ${r(1, Rn)}, ${r(1, Rm)}`;
  const srcs = `${r(long ? 0 : sf, Rn)}, ${r(long ? 0 : sf, Rm)}`;
  if (Ra === 31 && MUL_ALIAS[row.id]) return `${MUL_ALIAS[row.id]} ${d}, ${srcs}`;
  return `${row.mn} ${d}, ${srcs}, ${r(sf, Ra)}`;
};

export const DP_PRINTERS: Record<string, Printer> = {
  adr, addsub_imm: addsubImm, log_imm: logImm, movw, bfm, extr,
  dp2, crc32, dp1, log_reg: logReg, addsub_shift: addsubShift, addsub_ext: addsubExt, adc,
  ccmp_reg: ccmpReg, ccmp_imm: ccmpImm, csel, dp3,
};
