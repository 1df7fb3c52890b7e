// Disassembly of branches, exception generation and system instructions.

import { sext } from './bits.ts';
import { CONDS, type Printer, immHex, pcrel, r, x } from './disasm-fmt.ts';
import { BARRIER_OPTIONS, PSTATE_FIELDS, PSTATE_ONE_BIT, findSysOp, sysregName } from './sysregs.ts';

const bcond: Printer = (row, f, ctx) => `b.${CONDS[f.cond]} ${pcrel(ctx, sext(f.imm19, 19) * 4)}`;

const exc: Printer = (row, f) => {
  if (row.mn.startsWith('dcps')) return f.imm16 ? `${row.mn} ${immHex(f.imm16)}` : row.mn;
  return `${row.mn} ${immHex(f.imm16)}`;
};

/** Hint numbers LLVM prints by name (without optional architecture features). */
const HINT_NAMES: Record<number, string> = {
  0: 'nop', 1: 'yield', 2: 'wfe', 3: 'wfi', 4: 'sev', 5: 'sevl', 6: 'dgh', 20: 'csdb',
};

const hint: Printer = (row, f) => {
  const n = (f.CRm << 3) | f.op2;
  return HINT_NAMES[n] ?? `hint #${n}`;
};

const barrier: Printer = (row, f) => {
  const { CRm } = f;
  switch (row.id) {
    case 'CLREX':
      return CRm === 15 ? 'clrex' : `clrex #${CRm}`;
    case 'ISB':
      return CRm === 15 ? 'isb' : `isb #${CRm}`;
    case 'DSB':
      if (CRm === 0) return 'ssbb';
      if (CRm === 4) return 'pssbb';
      return `dsb ${BARRIER_OPTIONS[CRm] ?? `#${CRm}`}`;
    case 'DMB':
      return `dmb ${BARRIER_OPTIONS[CRm] ?? `#${CRm}`}`;
    default:
      return row.mn;
  }
};

const msrImm: Printer = (row, f) => {
  const { op1, CRm, op2 } = f;
  const key = (op1 << 3) | op2;
  const name = PSTATE_FIELDS.get(key);
  if (name && !(PSTATE_ONE_BIT.has(key) && CRm > 1)) return `msr ${name}, #${CRm}`;
  // LLVM prints the remaining PSTATE encodings as MSR to a generic register with op0 = 0
  return `msr S0_${op1}_C4_C${CRm}_${op2}, xzr`;
};

const sys: Printer = (row, f) => {
  const { op1, CRn, CRm, op2, Rt } = f;
  const ops = `#${op1}, c${CRn}, c${CRm}, #${op2}`;
  if (row.id === 'SYSL') return `sysl ${x(Rt)}, ${ops}`;
  const alias = findSysOp(op1, CRn, CRm, op2);
  // aliases without a register operand print without it, whatever Rt holds
  if (alias) return `${alias.kind} ${alias.name}${alias.reg ? `, ${x(Rt)}` : ''}`;
  return `sys ${ops}${Rt === 31 ? '' : `, ${x(Rt)}`}`;
};

const sysreg: Printer = (row, f) => {
  const { o0, op1, CRn, CRm, op2, Rt } = f;
  const write = row.id === 'MSR_reg';
  const name = sysregName(2 + o0, op1, CRn, CRm, op2, write);
  return write ? `msr ${name}, ${x(Rt)}` : `mrs ${x(Rt)}, ${name}`;
};

const branchReg: Printer = (row, f) => (row.id === 'RET' && f.Rn === 30 ? 'ret' : `${row.mn} ${x(f.Rn)}`);

const eret: Printer = (row) => row.mn;

const branchImm: Printer = (row, f, ctx) => `${row.mn} ${pcrel(ctx, sext(f.imm26, 26) * 4)}`;

const cbz: Printer = (row, f, ctx) => `${row.mn} ${r(f.sf, f.Rt)}, ${pcrel(ctx, sext(f.imm19, 19) * 4)}`;

const tbz: Printer = (row, f, ctx) =>
  `${row.mn} ${r(f.b5, f.Rt)}, #${(f.b5 << 5) | f.b40}, ${pcrel(ctx, sext(f.imm14, 14) * 4)}`;

export const SYS_PRINTERS: Record<string, Printer> = {
  bcond, exc, hint, barrier, msr_imm: msrImm, sys, sysreg, branch_reg: branchReg, eret,
  branch_imm: branchImm, cbz, tbz,
};
