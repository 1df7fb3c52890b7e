// Disassembly of the load/store sections.

import { sext } from './bits.ts';
import { type Printer, memOff, pcrel, r, w, xsp } from './disasm-fmt.ts';
import { prfopName } from './sysregs.ts';

const SIZE_SUFFIX = ['b', 'h', '', ''];

function prfop(rt: number): string {
  return prfopName(rt) ?? `#${rt}`;
}

/** The transfer register of a single-register load/store of `size` and `opc`. */
function ldstReg(size: number, opc: number, rt: number): string {
  if (size === 3 && opc === 2) return prfop(rt);
  // opc 10 loads sign-extend to 64 bits; otherwise 64-bit only for size 11
  return r(opc === 2 || (size === 3 && opc < 2) ? 1 : 0, rt);
}

// ---- exclusive and ordered -----------------------------------------------------------

const excl: Printer = (row, f) => {
  const { size, Rs, Rn, Rt } = f;
  const mn = row.mn + SIZE_SUFFIX[size];
  const t = r(size === 3 ? 1 : 0, Rt);
  if (row.id === 'STXR' || row.id === 'STLXR') return `${mn} ${w(Rs)}, ${t}, [${xsp(Rn)}]`;
  return `${mn} ${t}, [${xsp(Rn)}]`;
};

const exclp: Printer = (row, f) => {
  const { sz, Rs, Rt2, Rn, Rt } = f;
  const pair = `${r(sz, Rt)}, ${r(sz, Rt2)}, [${xsp(Rn)}]`;
  return row.id === 'STXP' || row.id === 'STLXP' ? `${row.mn} ${w(Rs)}, ${pair}` : `${row.mn} ${pair}`;
};

const cas: Printer = (row, f) => {
  const { size, Rs, Rn, Rt } = f;
  const sf = size === 3 ? 1 : 0;
  return `${row.mn}${SIZE_SUFFIX[size]} ${r(sf, Rs)}, ${r(sf, Rt)}, [${xsp(Rn)}]`;
};

const casp: Printer = (row, f) => {
  const { sz, Rs, Rn, Rt } = f;
  return `${row.mn} ${r(sz, Rs)}, ${r(sz, Rs + 1)}, ${r(sz, Rt)}, ${r(sz, Rt + 1)}, [${xsp(Rn)}]`;
};

// ---- literal, pairs, single registers ------------------------------------------------

const ldrLit: Printer = (row, f, ctx) => {
  const { opc, imm19, Rt } = f;
  const t = opc === 3 ? prfop(Rt) : r(opc === 0 ? 0 : 1, Rt);
  return `${row.mn} ${t}, ${pcrel(ctx, sext(imm19, 19) * 4)}`;
};

const pair: Printer = (row, f) => {
  const { opc, idx, imm7, Rt2, Rn, Rt } = f;
  const sf = opc === 0 ? 0 : 1;
  const imm = sext(imm7, 7) * (opc === 2 ? 8 : 4);
  const regs = `${r(sf, Rt)}, ${r(sf, Rt2)}`;
  if (idx === 1) return `${row.mn} ${regs}, [${xsp(Rn)}], #${imm}`;
  if (idx === 3) return `${row.mn} ${regs}, [${xsp(Rn)}, #${imm}]!`;
  return `${row.mn} ${regs}, ${memOff(Rn, imm)}`;
};

const ldstImm9: Printer = (row, f) => {
  const { size, opc, imm9, idx, Rn, Rt } = f;
  const imm = sext(imm9, 9);
  const t = ldstReg(size, opc, Rt);
  if (idx === 1) return `${row.mn} ${t}, [${xsp(Rn)}], #${imm}`;
  if (idx === 3) return `${row.mn} ${t}, [${xsp(Rn)}, #${imm}]!`;
  return `${row.mn} ${t}, ${memOff(Rn, imm)}`;
};

const ldstUimm: Printer = (row, f) => {
  const { size, opc, imm12, Rn, Rt } = f;
  return `${row.mn} ${ldstReg(size, opc, Rt)}, ${memOff(Rn, imm12 << size)}`;
};

const ldstRegOff: Printer = (row, f) => {
  const { size, opc, Rm, option, S, Rn, Rt } = f;
  const xm = (option & 3) === 3;
  const m = r(xm ? 1 : 0, Rm);
  let ext: string;
  if (option === 3) ext = S ? `, lsl #${size}` : '';
  else ext = `, ${['', '', 'uxtw', '', '', '', 'sxtw', 'sxtx'][option]}${S ? ` #${size}` : ''}`;
  return `${row.mn} ${ldstReg(size, opc, Rt)}, [${xsp(Rn)}, ${m}${ext}]`;
};

// ---- atomic memory operations ---------------------------------------------------------

const atomic: Printer = (row, f) => {
  const { size, A, R, Rs, Rn, Rt } = f;
  const sf = size === 3 ? 1 : 0;
  const order = (A ? 'a' : '') + (R ? 'l' : '');
  if (Rt === 31 && !A && row.id !== 'SWP') {
    return `st${row.mn.slice(2)}${R ? 'l' : ''}${SIZE_SUFFIX[size]} ${r(sf, Rs)}, [${xsp(Rn)}]`;
  }
  const text = `${row.mn}${order}${SIZE_SUFFIX[size]} ${r(sf, Rs)}, ${r(sf, Rt)}, [${xsp(Rn)}]`;
  return A && Rt === 31 ? `${text} // acquire semantics dropped since destination is zero` : text;
};

export const LDST_PRINTERS: Record<string, Printer> = {
  excl, exclp, cas, casp, ldr_lit: ldrLit, pair, ldst_imm9: ldstImm9, ldst_uimm: ldstUimm,
  ldst_reg: ldstRegOff, atomic,
};
