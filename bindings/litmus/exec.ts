// What one fetched word does when a litmus thread executes it: the word is
// decoded with the project's A64 table (bindings/isa/) and its effect on the
// registers, flags and memory is computed here. Only the integer subset that
// litmus tests use is covered; anything else is an oops-style fault of the
// thread, never an exception of the host.

import { decodeBitMasks, MASK64, sextBig } from '../isa/bits.ts';
import { disassemble } from '../isa/disasm.ts';
import { extractFields, findRow, type Fields, type Row } from '../isa/pattern.ts';
import { findSysOp } from '../isa/sysregs.ts';

export const XZR = 31;

/** The decoded word, cached per value. */
export interface Decoded {
  readonly word: number;
  readonly row?: Row;
  readonly f: Fields;
  readonly text: string;
}

const cache = new Map<number, Decoded>();

export function decode(word: number): Decoded {
  const w = word >>> 0;
  let d = cache.get(w);
  if (!d) {
    const row = findRow(w);
    d = { word: w, row: row && !row.unimpl ? row : undefined, f: row ? extractFields(row, w) : {}, text: disassemble(w) };
    cache.set(w, d);
  }
  return d;
}

/** What the thread's CPU offers the instruction. */
export interface Cpu {
  readonly pc: number;
  reg(n: number): bigint; //          XZR reads as 0
  setReg(n: number, v: bigint): void; // XZR writes are dropped
  nzcv: number;
  load(addr: bigint, bytes: 4 | 8): bigint | string; //            the value, or a fault message
  store(addr: bigint, bytes: 4 | 8, v: bigint): string | undefined; // a fault message
}

/** The effect beyond registers and memory. */
export type Effect =
  | { readonly kind: 'next' }
  | { readonly kind: 'branch'; readonly target: number }
  | { readonly kind: 'isb' }
  | { readonly kind: 'dsb' }
  | { readonly kind: 'dmb' }
  | { readonly kind: 'maint'; readonly op: 'dc' | 'ic'; readonly addr: bigint | null } // null: every location
  | { readonly kind: 'fault'; readonly message: string };

const NEXT: Effect = { kind: 'next' };
const fault = (message: string): Effect => ({ kind: 'fault', message });

const mask = (sf: number): bigint => (sf ? MASK64 : 0xffffffffn);

function condHolds(cond: number, nzcv: number): boolean {
  const n = (nzcv >> 3) & 1, z = (nzcv >> 2) & 1, c = (nzcv >> 1) & 1, v = nzcv & 1;
  let r: boolean;
  switch (cond >> 1) {
    case 0: r = z === 1; break;
    case 1: r = c === 1; break;
    case 2: r = n === 1; break;
    case 3: r = v === 1; break;
    case 4: r = c === 1 && z === 0; break;
    case 5: r = n === v; break;
    case 6: r = n === v && z === 0; break;
    default: r = true;
  }
  return (cond & 1) === 1 && cond !== 15 ? !r : r;
}

/** x + y + carry in `bits` bits, with the NZCV flags of AddWithCarry. */
function addWithCarry(x: bigint, y: bigint, carry: bigint, sf: number): [bigint, number] {
  const bits = sf ? 64 : 32;
  const m = mask(sf);
  const u = (x & m) + (y & m) + carry;
  const s = sextBig(x & m, bits) + sextBig(y & m, bits) + carry;
  const r = u & m;
  const n = Number((r >> BigInt(bits - 1)) & 1n);
  const z = r === 0n ? 1 : 0;
  const c = u === r ? 0 : 1;
  const v = sextBig(r, bits) === s ? 0 : 1;
  return [r, (n << 3) | (z << 2) | (c << 1) | v];
}

function shiftReg(v: bigint, type: number, amount: number, sf: number): bigint {
  const bits = BigInt(sf ? 64 : 32);
  const m = mask(sf);
  const a = BigInt(amount);
  v &= m;
  switch (type) {
    case 0: return (v << a) & m;
    case 1: return v >> a;
    case 2: return BigInt.asUintN(Number(bits), sextBig(v, Number(bits)) >> a);
    default: return ((v >> a) | (v << (bits - a))) & m;
  }
}

function extendReg(v: bigint, option: number, shift: number, sf: number): bigint {
  const len = [8, 16, 32, 64][option & 3];
  let x = v & ((1n << BigInt(len)) - 1n);
  if (option & 4) x = BigInt.asUintN(64, sextBig(x, len));
  return (x << BigInt(shift)) & mask(sf);
}

const flagsOf = (r: bigint, sf: number): number =>
  (Number((r >> BigInt(sf ? 63 : 31)) & 1n) << 3) | ((r & mask(sf)) === 0n ? 4 : 0);

/** The registers an instruction writes (for branch prediction: is a register still in flight?). */
export function writtenRegs(d: Decoded): number[] {
  const id = d.row?.id ?? '';
  const f = d.f;
  if (id === 'BL' || id === 'BLR') return [30];
  if (/^(uimm|reg|unscaled|post|pre|unpriv)_/.test(id)) {
    const out = f.opc !== 0 ? [f.Rt] : [];
    if (/^(post|pre)_/.test(id)) out.push(f.Rn);
    return out;
  }
  if (/^(LDR_lit|LDAR|LDXR|LDAXR)/.test(id)) return [f.Rt];
  if (f.Rd !== undefined) return [f.Rd];
  return [];
}

/** Executes decoded word `d` on `cpu`. */
export function execute(d: Decoded, cpu: Cpu): Effect {
  const row = d.row;
  if (!row) return fault(`undefined instruction ${d.text}`);
  const f = d.f;
  const X = (n: number): bigint => cpu.reg(n);
  const SP = (n: number): bigint => cpu.reg(n); // the stack pointer is not modelled: SP reads as register 31 = 0
  const pc = BigInt(cpu.pc);
  const sf = f.sf ?? 1;
  const m = mask(sf);
  switch (row.id) {
    case 'NOP': case 'YIELD': case 'HINT':
      return NEXT;
    case 'ISB':
      return { kind: 'isb' };
    case 'DSB':
      return { kind: 'dsb' };
    case 'DMB':
      return { kind: 'dmb' };
    case 'SYS': {
      const op = findSysOp(f.op1, f.CRn, f.CRm, f.op2);
      const name = op ? `${op.kind} ${op.name}` : 'sys';
      if (name === 'dc cvau' || name === 'dc cvac' || name === 'dc civac') return { kind: 'maint', op: 'dc', addr: X(f.Rt) };
      if (name === 'ic ivau') return { kind: 'maint', op: 'ic', addr: X(f.Rt) };
      if (name === 'ic iallu' || name === 'ic ialluis') return { kind: 'maint', op: 'ic', addr: null };
      return fault(`unsupported system instruction ${d.text}`);
    }
    case 'MOVZ':
      cpu.setReg(f.Rd, BigInt(f.imm16) << BigInt(16 * f.hw));
      return NEXT;
    case 'MOVN':
      cpu.setReg(f.Rd, ~(BigInt(f.imm16) << BigInt(16 * f.hw)) & m);
      return NEXT;
    case 'MOVK': {
      const sh = BigInt(16 * f.hw);
      cpu.setReg(f.Rd, ((X(f.Rd) & ~(0xffffn << sh)) | (BigInt(f.imm16) << sh)) & m);
      return NEXT;
    }
    case 'ADD_imm': case 'ADDS_imm': case 'SUB_imm': case 'SUBS_imm': {
      const imm = BigInt(f.imm12) << BigInt(f.sh ? 12 : 0);
      const sub = row.id.startsWith('SUB');
      const [r, flags] = addWithCarry(SP(f.Rn), sub ? ~imm & m : imm, sub ? 1n : 0n, sf);
      if (row.id.endsWith('S_imm')) {
        cpu.nzcv = flags;
        cpu.setReg(f.Rd, r);
      } else cpu.setReg(f.Rd, r);
      return NEXT;
    }
    case 'ADD_shift': case 'ADDS_shift': case 'SUB_shift': case 'SUBS_shift':
    case 'ADD_ext': case 'ADDS_ext': case 'SUB_ext': case 'SUBS_ext': {
      const y = row.id.endsWith('_ext') ? extendReg(X(f.Rm), f.option, f.imm3, sf) : shiftReg(X(f.Rm), f.shift, f.imm6, sf);
      const sub = row.id.startsWith('SUB');
      const [r, flags] = addWithCarry(X(f.Rn), sub ? ~y & m : y, sub ? 1n : 0n, sf);
      if (row.id.includes('S_')) cpu.nzcv = flags;
      cpu.setReg(f.Rd, r);
      return NEXT;
    }
    case 'AND_imm': case 'ORR_imm': case 'EOR_imm': case 'ANDS_imm': {
      const imm = decodeBitMasks(f.N, f.immr, f.imms, sf ? 64 : 32);
      if (imm === null) return fault(`reserved logical immediate ${d.text}`);
      const a = X(f.Rn);
      const r = row.id === 'ORR_imm' ? a | imm : row.id === 'EOR_imm' ? a ^ imm : a & imm;
      if (row.id === 'ANDS_imm') cpu.nzcv = flagsOf(r, sf);
      cpu.setReg(f.Rd, r & m);
      return NEXT;
    }
    case 'AND_reg': case 'BIC_reg': case 'ORR_reg': case 'ORN_reg': case 'EOR_reg': case 'EON_reg': case 'ANDS_reg': case 'BICS_reg': {
      let y = shiftReg(X(f.Rm), f.shift, f.imm6, sf);
      if (row.id.startsWith('BIC') || row.id === 'ORN_reg' || row.id === 'EON_reg') y = ~y & m;
      const a = X(f.Rn) & m;
      const r = row.id.startsWith('ORR') || row.id === 'ORN_reg' ? a | y : row.id.startsWith('EOR') || row.id === 'EON_reg' ? a ^ y : a & y;
      if (row.id === 'ANDS_reg' || row.id === 'BICS_reg') cpu.nzcv = flagsOf(r, sf);
      cpu.setReg(f.Rd, r & m);
      return NEXT;
    }
    case 'CSEL': case 'CSINC': case 'CSINV': case 'CSNEG': {
      let r: bigint;
      if (condHolds(f.cond, cpu.nzcv)) r = X(f.Rn);
      else {
        const b = X(f.Rm);
        r = row.id === 'CSEL' ? b : row.id === 'CSINC' ? b + 1n : row.id === 'CSINV' ? ~b : -b;
      }
      cpu.setReg(f.Rd, r & m);
      return NEXT;
    }
    case 'ADR':
      cpu.setReg(f.Rd, BigInt.asUintN(64, pc + sextBig(BigInt((f.immhi << 2) | f.immlo), 21)));
      return NEXT;
    case 'ADRP':
      cpu.setReg(f.Rd, BigInt.asUintN(64, (pc & ~0xfffn) + (sextBig(BigInt((f.immhi << 2) | f.immlo), 21) << 12n)));
      return NEXT;
    case 'B': case 'BL': {
      if (row.id === 'BL') cpu.setReg(30, pc + 4n);
      return { kind: 'branch', target: Number(BigInt.asUintN(64, pc + sextBig(BigInt(f.imm26), 26) * 4n)) };
    }
    case 'B_cond':
      return condHolds(f.cond, cpu.nzcv) ? { kind: 'branch', target: Number(pc + sextBig(BigInt(f.imm19), 19) * 4n) } : NEXT;
    case 'CBZ': case 'CBNZ': {
      const zero = (X(f.Rt) & m) === 0n;
      return zero === (row.id === 'CBZ') ? { kind: 'branch', target: Number(pc + sextBig(BigInt(f.imm19), 19) * 4n) } : NEXT;
    }
    case 'TBZ': case 'TBNZ': {
      const bit = (X(f.Rt) >> BigInt((f.b5 << 5) | f.b40)) & 1n;
      return (bit === 0n) === (row.id === 'TBZ') ? { kind: 'branch', target: Number(pc + sextBig(BigInt(f.imm14), 14) * 4n) } : NEXT;
    }
    case 'BR': case 'BLR': case 'RET': {
      const target = X(f.Rn);
      if (row.id === 'BLR') cpu.setReg(30, pc + 4n);
      if (target > 0xffffffffn) return fault(`branch to ${target.toString(16)}`);
      return { kind: 'branch', target: Number(target) };
    }
  }
  return loadStore(row, f, d, cpu);
}

function loadStore(row: Row, f: Fields, d: Decoded, cpu: Cpu): Effect {
  const id = row.id;
  let addr: bigint;
  let writeback: bigint | undefined;
  const m = /^(uimm|reg|unscaled|post|pre)_(\d\d)_(\d\d)$/.exec(id);
  let size: number;
  let opc: number;
  if (m) {
    size = parseInt(m[2], 2);
    opc = parseInt(m[3], 2);
    const base = cpu.reg(f.Rn);
    if (m[1] === 'uimm') addr = base + BigInt(f.imm12 << size);
    else if (m[1] === 'reg') addr = base + extendReg(cpu.reg(f.Rm), f.option, f.S ? size : 0, 1);
    else {
      const off = sextBig(BigInt(f.imm9), 9);
      addr = m[1] === 'post' ? base : base + off;
      if (m[1] !== 'unscaled') writeback = base + off;
    }
  } else if (id === 'LDR_lit_w' || id === 'LDR_lit_x') {
    size = id.endsWith('x') ? 3 : 2;
    opc = 1;
    addr = BigInt(cpu.pc) + sextBig(BigInt(f.imm19), 19) * 4n;
  } else if (id === 'LDAR' || id === 'STLR') {
    // acquire/release: ordered anyway, the data side being sequentially consistent
    size = f.size;
    opc = id === 'LDAR' ? 1 : 0;
    addr = cpu.reg(f.Rn);
  } else {
    return fault(`unsupported instruction ${d.text}`);
  }
  if ((size !== 2 && size !== 3) || opc > 1) return fault(`unsupported access size in ${d.text}`);
  addr = BigInt.asUintN(64, addr);
  const bytes = size === 3 ? 8 : 4;
  if (opc === 0) {
    const err = cpu.store(addr, bytes, cpu.reg(f.Rt) & (bytes === 8 ? MASK64 : 0xffffffffn));
    if (err) return fault(err);
  } else {
    const v = cpu.load(addr, bytes);
    if (typeof v === 'string') return fault(v);
    cpu.setReg(f.Rt, v);
  }
  if (writeback !== undefined) cpu.setReg(f.Rn, BigInt.asUintN(64, writeback));
  return NEXT;
}

/** The registers an instruction reads (for dependency tracking); FLAGS stands for NZCV. */
export const FLAGS = -1;

/** A register's bit in a dependency mask: X0..X30 bits 0..30, NZCV bit 31, XZR none. */
export const depBit = (r: number): number => (r === FLAGS ? 1 << 31 : r === XZR ? 0 : 1 << r);

export function readRegs(d: Decoded): number[] {
  const id = d.row?.id ?? '';
  const f = d.f;
  const out: number[] = [];
  for (const k of ['Rn', 'Rm', 'Ra'] as const) if (f[k] !== undefined) out.push(f[k]);
  if (id === 'MOVK') out.push(f.Rd);
  if (/^(CBZ|CBNZ|TBZ|TBNZ|SYS)$/.test(id) || /^(uimm|reg|unscaled|post|pre)_\d\d_00$/.test(id)) out.push(f.Rt);
  if (/^(CSEL|CSINC|CSINV|CSNEG|B_cond|CCMP|CCMN|ADC|SBC)/.test(id)) out.push(FLAGS);
  return out;
}

/** Whether the instruction sets NZCV. */
export function setsFlags(d: Decoded): boolean {
  return /^(ADDS|SUBS|ANDS|BICS|ADCS|SBCS|CCMP|CCMN)/.test(d.row?.id ?? '');
}
