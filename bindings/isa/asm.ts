// An A64 assembler for trampolines and tests: a builder with labels and
// range-checked fixups (this file), and a text front end reading llvm syntax
// (asm-text.ts, re-exported here). Every word comes from the encoding table.
//
//   const a = new Assembler(0x400000n);
//   const loop = a.label('loop');
//   a.bind(loop).subs('x0', 'x0', 1, 'count down').bcond('ne', loop).ret();
//   const { bytes, words, labels, listing } = a.finish();

import { MASK64, hex } from './bits.ts';
import { disassemble } from './disasm.ts';
import { enc } from './encode.ts';
import * as A from './asm-enc.ts';
import * as L from './asm-ldst.ts';
import { AsmError, checkImm, condCode, isMem, reg, regInfo, type Mem, type Operand, type Reg } from './asm-operands.ts';
import { BARRIER_OPTIONS, PSTATE_FIELDS, PSTATE_ONE_BIT, parsePstateField, parseSysOp, parseSysreg } from './sysregs.ts';

export * from './asm-operands.ts';
export { movImmSeq } from './asm-enc.ts';
export { decodeBitMasks, encodeLogicalImm } from './bits.ts';

/** A branch or literal target: a label name, or an absolute address. */
export type Target = string | bigint;

/** One line per 32-bit word. */
export interface ListingLine {
  readonly addr: bigint;
  readonly word: number;
  /** the disassembly (targets as addresses with labels), `.word 0x..` or `.quad 0x..` (empty for a .quad's high word) */
  readonly text: string;
  /** the comment given with the instruction or directive */
  readonly comment?: string;
}

export interface Assembled {
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
  readonly labels: Map<string, bigint>;
  readonly listing: ListingLine[];
}

type FixupKind = 'b26' | 'b19' | 'b14' | 'adr' | 'adrp' | 'abs64' | 'abs32';

interface Fixup {
  readonly index: number; // word index
  readonly kind: FixupKind;
  readonly target: Target;
  readonly id?: string; //    row to encode
  readonly fields?: Record<string, number>;
  readonly what: string; //   mnemonic, for messages
}

// [min, max] byte distance, alignment and a description of each fixup range
const RANGES: Record<Exclude<FixupKind, 'abs64' | 'abs32'>, [bigint, bigint, bigint, string]> = {
  b26: [-(1n << 27n), (1n << 27n) - 4n, 4n, '±128 MiB'],
  b19: [-(1n << 20n), (1n << 20n) - 4n, 4n, '±1 MiB'],
  b14: [-(1n << 15n), (1n << 15n) - 4n, 4n, '±32 KiB'],
  adr: [-(1n << 20n), (1n << 20n) - 1n, 1n, '±1 MiB'],
  adrp: [-(1n << 32n), (1n << 32n) - 4096n, 4096n, '±4 GiB'],
};

const NOP = 0xd503201f;

export class Assembler {
  private readonly words: number[] = [];
  private readonly comments: (string | undefined)[] = [];
  private readonly data = new Map<number, string>(); // word index -> directive text
  private readonly bound = new Map<string, bigint>();
  private readonly declared = new Set<string>();
  private readonly fixups: Fixup[] = [];

  constructor(readonly base: bigint = 0n) {
    if (base % 4n !== 0n) throw new AsmError(`base address ${hex(base)} is not 4-byte aligned`);
  }

  /** Address of the next word. */
  get pc(): bigint {
    return (this.base + BigInt(this.words.length * 4)) & MASK64;
  }

  /**
   * Declares a label and returns its name (a fresh `.L<n>` name when none is
   * given); bind it later with bind(). Any name can also be used as a target
   * without declaring it first.
   */
  label(name?: string): string {
    let n = name;
    if (n === undefined) {
      let i = this.declared.size;
      while (this.declared.has(`.L${i}`)) i++;
      n = `.L${i}`;
    }
    if (this.declared.has(n)) throw new AsmError(`label '${n}' declared twice`, n);
    this.declared.add(n);
    return n;
  }

  /** Binds a label to the current address. */
  bind(name: string): this {
    return this.defineLabel(name, this.pc);
  }

  /** Binds a label to any address, e.g. a symbol outside this code that branches and literals refer to. */
  defineLabel(name: string, addr: bigint): this {
    if (!/^[A-Za-z_.$][\w.$]*$/.test(name)) throw new AsmError(`bad label name '${name}'`, name);
    if (this.bound.has(name)) throw new AsmError(`label '${name}' bound twice`, name);
    this.bound.set(name, addr & MASK64);
    return this;
  }

  /** Appends an instruction word. */
  emit(word: number, comment?: string): this {
    if (!Number.isInteger(word) || word < -(2 ** 31) || word >= 2 ** 32) throw new AsmError(`emit: ${word} is not a 32-bit word`);
    this.words.push(word >>> 0);
    this.comments.push(comment);
    return this;
  }

  /** .word: 32-bit data (a number, or a label's address, which must then fit in 32 bits). */
  word(v: number | Target, comment?: string): this {
    if (typeof v === 'string') {
      this.fixups.push({ index: this.words.length, kind: 'abs32', target: v, what: '.word' });
      this.data.set(this.words.length, '.word');
      return this.emit(0, comment);
    }
    const n = BigInt(v);
    if (n < -(1n << 31n) || n >= 1n << 32n) throw new AsmError(`.word ${v} does not fit in 32 bits`);
    this.data.set(this.words.length, '.word');
    return this.emit(Number(BigInt.asUintN(32, n)), comment);
  }

  /** .quad: 64-bit data, little-endian (a number, or a label's address). */
  quad(v: number | Target, comment?: string): this {
    let n = 0n;
    if (typeof v === 'string') this.fixups.push({ index: this.words.length, kind: 'abs64', target: v, what: '.quad' });
    else {
      n = BigInt(v);
      if (n < -(1n << 63n) || n >= 1n << 64n) throw new AsmError(`.quad ${v} does not fit in 64 bits`);
      n = BigInt.asUintN(64, n);
    }
    this.data.set(this.words.length, '.quad');
    this.data.set(this.words.length + 1, '');
    this.emit(Number(n & 0xffffffffn), comment);
    return this.emit(Number(n >> 32n));
  }

  /** Pads with `fill` (a nop by default) to a multiple of `bytes` (a power of two, at least 4). */
  align(bytes: number, fill = NOP): this {
    if (bytes < 4 || (bytes & (bytes - 1)) !== 0) throw new AsmError(`alignment ${bytes} must be a power of two >= 4`);
    while (this.pc % BigInt(bytes) !== 0n) this.emit(fill);
    return this;
  }

  /** Encodes a table row directly. */
  inst(id: string, fields: Record<string, number>, comment?: string): this {
    return this.emit(enc(id, fields), comment);
  }

  private fix(kind: FixupKind, target: Target, id: string, fields: Record<string, number>, what: string, comment?: string): this {
    this.fixups.push({ index: this.words.length, kind, target, id, fields, what });
    return this.emit(0, comment);
  }

  // ---- data processing --------------------------------------------------------------------

  movz(rd: Reg, imm16: number, shift = 0, c?: string): this { return this.emit(A.movWide('movz', rd, imm16, shift), c); }
  movn(rd: Reg, imm16: number, shift = 0, c?: string): this { return this.emit(A.movWide('movn', rd, imm16, shift), c); }
  movk(rd: Reg, imm16: number, shift = 0, c?: string): this { return this.emit(A.movWide('movk', rd, imm16, shift), c); }
  /** mov between registers (sp included) or of an immediate that one instruction can make. */
  mov(rd: Reg, src: Reg | number | bigint, c?: string): this { return this.emit(A.mov(rd, src), c); }
  /** Any 64-bit (or, for a w register, 32-bit) value in the fewest MOVZ/MOVN/MOVK/ORR instructions. */
  movImm64(rd: Reg, value: number | bigint, c?: string): this {
    A.movImmSeq(rd, value).forEach((w, i) => this.emit(w, i === 0 ? c : undefined));
    return this;
  }

  add(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.addSub('add', rd, rn, op), c); }
  adds(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.addSub('adds', rd, rn, op), c); }
  sub(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.addSub('sub', rd, rn, op), c); }
  subs(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.addSub('subs', rd, rn, op), c); }
  cmp(rn: Reg, op: Operand, c?: string): this { return this.emit(A.cmp(rn, op), c); }
  cmn(rn: Reg, op: Operand, c?: string): this { return this.emit(A.cmn(rn, op), c); }
  neg(rd: Reg, op: Operand, c?: string): this { return this.emit(A.neg(rd, op), c); }
  negs(rd: Reg, op: Operand, c?: string): this { return this.emit(A.neg(rd, op, true), c); }

  and(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.logical('and', rd, rn, op), c); }
  orr(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.logical('orr', rd, rn, op), c); }
  eor(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.logical('eor', rd, rn, op), c); }
  ands(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.logical('ands', rd, rn, op), c); }
  bic(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.logical('bic', rd, rn, op), c); }
  orn(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.logical('orn', rd, rn, op), c); }
  eon(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.logical('eon', rd, rn, op), c); }
  bics(rd: Reg, rn: Reg, op: Operand, c?: string): this { return this.emit(A.logical('bics', rd, rn, op), c); }
  tst(rn: Reg, op: Operand, c?: string): this { return this.emit(A.tst(rn, op), c); }
  mvn(rd: Reg, op: Operand, c?: string): this { return this.emit(A.mvn(rd, op), c); }

  /** Shift by an immediate (UBFM/SBFM/EXTR) or by a register (LSLV...). */
  lsl(rd: Reg, rn: Reg, by: number | Reg, c?: string): this { return this.shift('lsl', rd, rn, by, c); }
  lsr(rd: Reg, rn: Reg, by: number | Reg, c?: string): this { return this.shift('lsr', rd, rn, by, c); }
  asr(rd: Reg, rn: Reg, by: number | Reg, c?: string): this { return this.shift('asr', rd, rn, by, c); }
  ror(rd: Reg, rn: Reg, by: number | Reg, c?: string): this { return this.shift('ror', rd, rn, by, c); }
  private shift(op: 'lsl' | 'lsr' | 'asr' | 'ror', rd: Reg, rn: Reg, by: number | Reg, c?: string): this {
    if (typeof by === 'number') return this.emit(A.shiftImm(op, rd, rn, by), c);
    return this.emit(A.rrr(`${op.toUpperCase()}V`, rd, rn, by), c);
  }
  sbfm(rd: Reg, rn: Reg, immr: number, imms: number, c?: string): this { return this.emit(A.bitfield('sbfm', rd, rn, immr, imms), c); }
  bfm(rd: Reg, rn: Reg, immr: number, imms: number, c?: string): this { return this.emit(A.bitfield('bfm', rd, rn, immr, imms), c); }
  ubfm(rd: Reg, rn: Reg, immr: number, imms: number, c?: string): this { return this.emit(A.bitfield('ubfm', rd, rn, immr, imms), c); }
  ubfx(rd: Reg, rn: Reg, lsb: number, width: number, c?: string): this { return this.emit(A.bitfieldAlias('ubfx', rd, rn, lsb, width), c); }
  sbfx(rd: Reg, rn: Reg, lsb: number, width: number, c?: string): this { return this.emit(A.bitfieldAlias('sbfx', rd, rn, lsb, width), c); }
  ubfiz(rd: Reg, rn: Reg, lsb: number, width: number, c?: string): this { return this.emit(A.bitfieldAlias('ubfiz', rd, rn, lsb, width), c); }
  sbfiz(rd: Reg, rn: Reg, lsb: number, width: number, c?: string): this { return this.emit(A.bitfieldAlias('sbfiz', rd, rn, lsb, width), c); }
  bfi(rd: Reg, rn: Reg, lsb: number, width: number, c?: string): this { return this.emit(A.bitfieldAlias('bfi', rd, rn, lsb, width), c); }
  bfxil(rd: Reg, rn: Reg, lsb: number, width: number, c?: string): this { return this.emit(A.bitfieldAlias('bfxil', rd, rn, lsb, width), c); }
  bfc(rd: Reg, lsb: number, width: number, c?: string): this { return this.emit(A.bfc(rd, lsb, width), c); }
  extr(rd: Reg, rn: Reg, rm: Reg, lsb: number, c?: string): this { return this.emit(A.extr(rd, rn, rm, lsb), c); }
  /** sxtb, sxth, sxtw, uxtb, uxth */
  ext(op: 'sxtb' | 'sxth' | 'sxtw' | 'uxtb' | 'uxth', rd: Reg, rn: Reg, c?: string): this { return this.emit(A.extend(op, rd, rn), c); }

  udiv(rd: Reg, rn: Reg, rm: Reg, c?: string): this { return this.emit(A.rrr('UDIV', rd, rn, rm), c); }
  sdiv(rd: Reg, rn: Reg, rm: Reg, c?: string): this { return this.emit(A.rrr('SDIV', rd, rn, rm), c); }
  madd(rd: Reg, rn: Reg, rm: Reg, ra: Reg, c?: string): this { return this.emit(A.mulAdd('MADD', rd, rn, rm, ra), c); }
  msub(rd: Reg, rn: Reg, rm: Reg, ra: Reg, c?: string): this { return this.emit(A.mulAdd('MSUB', rd, rn, rm, ra), c); }
  mul(rd: Reg, rn: Reg, rm: Reg, c?: string): this { return this.madd(rd, rn, rm, zr(rd), c); }
  mneg(rd: Reg, rn: Reg, rm: Reg, c?: string): this { return this.msub(rd, rn, rm, zr(rd), c); }
  /** smaddl, smsubl, umaddl, umsubl, smulh, umulh (ra ignored for the last two) */
  mulLong(id: 'SMADDL' | 'SMSUBL' | 'UMADDL' | 'UMSUBL' | 'SMULH' | 'UMULH', rd: Reg, rn: Reg, rm: Reg, ra: Reg = 'xzr', c?: string): this {
    return this.emit(A.mulAdd(id, rd, rn, rm, ra), c);
  }
  smull(rd: Reg, rn: Reg, rm: Reg, c?: string): this { return this.mulLong('SMADDL', rd, rn, rm, 'xzr', c); }
  umull(rd: Reg, rn: Reg, rm: Reg, c?: string): this { return this.mulLong('UMADDL', rd, rn, rm, 'xzr', c); }
  /** adc, adcs, sbc, sbcs */
  adc(op: 'adc' | 'adcs' | 'sbc' | 'sbcs', rd: Reg, rn: Reg, rm: Reg, c?: string): this { return this.emit(A.rrr(op.toUpperCase(), rd, rn, rm), c); }
  /** rbit, rev16, rev, rev32, clz, cls */
  crc32(op: A.Crc32Op, rd: Reg, rn: Reg, rm: Reg, c?: string): this { return this.emit(A.crc32(op, rd, rn, rm), c); }
  bits(op: 'rbit' | 'rev16' | 'rev' | 'rev32' | 'clz' | 'cls', rd: Reg, rn: Reg, c?: string): this { return this.emit(A.dp1(op, rd, rn), c); }
  csel(rd: Reg, rn: Reg, rm: Reg, cond: string, c?: string): this { return this.emit(A.condSelect('csel', rd, rn, rm, cond), c); }
  csinc(rd: Reg, rn: Reg, rm: Reg, cond: string, c?: string): this { return this.emit(A.condSelect('csinc', rd, rn, rm, cond), c); }
  csinv(rd: Reg, rn: Reg, rm: Reg, cond: string, c?: string): this { return this.emit(A.condSelect('csinv', rd, rn, rm, cond), c); }
  csneg(rd: Reg, rn: Reg, rm: Reg, cond: string, c?: string): this { return this.emit(A.condSelect('csneg', rd, rn, rm, cond), c); }
  cset(rd: Reg, cond: string, c?: string): this { return this.emit(A.condAlias('cset', rd, cond), c); }
  csetm(rd: Reg, cond: string, c?: string): this { return this.emit(A.condAlias('csetm', rd, cond), c); }
  cinc(rd: Reg, rn: Reg, cond: string, c?: string): this { return this.emit(A.condAlias('cinc', rd, rn, cond), c); }
  cinv(rd: Reg, rn: Reg, cond: string, c?: string): this { return this.emit(A.condAlias('cinv', rd, rn, cond), c); }
  cneg(rd: Reg, rn: Reg, cond: string, c?: string): this { return this.emit(A.condAlias('cneg', rd, rn, cond), c); }
  ccmp(rn: Reg, op: Reg | number, nzcv: number, cond: string, c?: string): this { return this.emit(A.condCompare('ccmp', rn, op, nzcv, cond), c); }
  ccmn(rn: Reg, op: Reg | number, nzcv: number, cond: string, c?: string): this { return this.emit(A.condCompare('ccmn', rn, op, nzcv, cond), c); }

  // ---- loads and stores ------------------------------------------------------------------------

  /** ldr from an address, or from a literal (label or absolute address). */
  ldr(rt: Reg, src: Mem | Target, c?: string): this { return this.ldst('ldr', rt, src, c); }
  ldrsw(rt: Reg, src: Mem | Target, c?: string): this { return this.ldst('ldrsw', rt, src, c); }
  prfm(op: L.Prfop, src: Mem | Target, c?: string): this { return this.ldst('prfm', op, src, c); }
  str(rt: Reg, m: Mem, c?: string): this { return this.ldst('str', rt, m, c); }
  ldrb(rt: Reg, m: Mem, c?: string): this { return this.ldst('ldrb', rt, m, c); }
  strb(rt: Reg, m: Mem, c?: string): this { return this.ldst('strb', rt, m, c); }
  ldrh(rt: Reg, m: Mem, c?: string): this { return this.ldst('ldrh', rt, m, c); }
  strh(rt: Reg, m: Mem, c?: string): this { return this.ldst('strh', rt, m, c); }
  ldrsb(rt: Reg, m: Mem, c?: string): this { return this.ldst('ldrsb', rt, m, c); }
  ldrsh(rt: Reg, m: Mem, c?: string): this { return this.ldst('ldrsh', rt, m, c); }
  /** Any single-register load/store; literal forms for ldr, ldrsw and prfm. */
  ldst(op: L.LoadStoreOp, rt: Reg | L.Prfop, src: Mem | Target, c?: string): this {
    if (isMem(src)) return this.emit(L.loadStore(op, rt, src), c);
    if (op !== 'ldr' && op !== 'ldrsw' && op !== 'prfm') throw new AsmError(`${op}: no literal form`);
    let id: string;
    let Rt: number;
    if (op === 'prfm') [id, Rt] = ['PRFM_lit', L.prfopValue(rt)];
    else {
      const r = reg(String(rt), { what: op });
      if (op === 'ldrsw' && !r.sf) throw new AsmError('ldrsw: transfer register must be an x register');
      [id, Rt] = [op === 'ldrsw' ? 'LDRSW_lit' : r.sf ? 'LDR_lit_x' : 'LDR_lit_w', r.n];
    }
    return this.fix('b19', src, id, { Rt }, op, c);
  }
  /** ldur/stur... (unscaled) or ldtr/sttr... (unprivileged) with the ldr-style mnemonic. */
  ldstImm9(kind: 'unscaled' | 'unpriv', op: L.LoadStoreOp, rt: Reg | L.Prfop, m: Mem, c?: string): this {
    return this.emit(L.loadStoreImm9(kind, op, rt, m), c);
  }
  ldp(rt1: Reg, rt2: Reg, m: Mem, c?: string): this { return this.emit(L.loadStorePair('ldp', rt1, rt2, m), c); }
  stp(rt1: Reg, rt2: Reg, m: Mem, c?: string): this { return this.emit(L.loadStorePair('stp', rt1, rt2, m), c); }
  pair(op: L.PairOp, rt1: Reg, rt2: Reg, m: Mem, c?: string): this { return this.emit(L.loadStorePair(op, rt1, rt2, m), c); }
  ldxr(rt: Reg, m: Mem | Reg, c?: string): this { return this.emit(L.exclusive('ldxr', rt, m), c); }
  ldaxr(rt: Reg, m: Mem | Reg, c?: string): this { return this.emit(L.exclusive('ldaxr', rt, m), c); }
  stxr(ws: Reg, rt: Reg, m: Mem | Reg, c?: string): this { return this.emit(L.exclusive('stxr', rt, m, ws), c); }
  stlxr(ws: Reg, rt: Reg, m: Mem | Reg, c?: string): this { return this.emit(L.exclusive('stlxr', rt, m, ws), c); }
  ldar(rt: Reg, m: Mem | Reg, c?: string): this { return this.emit(L.exclusive('ldar', rt, m), c); }
  stlr(rt: Reg, m: Mem | Reg, c?: string): this { return this.emit(L.exclusive('stlr', rt, m), c); }
  /** Exclusive and ordered accesses by mnemonic: ldxr, stlxrb, ldar, stllrh... (rs: status of stxr/stlxr). */
  exclusive(mn: string, rt: Reg, m: Mem | Reg, rs?: Reg, c?: string): this { return this.emit(L.exclusive(mn, rt, m, rs), c); }
  /** ldxp, ldaxp, stxp, stlxp (rs: status of the stores). */
  exclusivePair(mn: string, rt: Reg, rt2: Reg, m: Mem | Reg, rs?: Reg, c?: string): this {
    return this.emit(L.exclusivePair(mn, rt, rt2, m, rs), c);
  }
  /** Any LSE atomic by mnemonic: ldaddal, stclrb, swpa, ... (rt = null for the st<op> forms). */
  atomic(mn: string, rs: Reg, rt: Reg | null, m: Mem | Reg, c?: string): this { return this.emit(L.atomic(mn, rs, rt, m), c); }
  cas(mn: string, rs: Reg, rt: Reg, m: Mem | Reg, c?: string): this { return this.emit(L.cas(mn, rs, rt, m), c); }
  casp(mn: string, rs: Reg, rs2: Reg, rt: Reg, rt2: Reg, m: Mem | Reg, c?: string): this {
    return this.emit(L.casp(mn, rs, rs2, rt, rt2, m), c);
  }

  // ---- PC-relative ---------------------------------------------------------------------------------

  adr(rd: Reg, target: Target, c?: string): this { return this.fix('adr', target, 'ADR', { Rd: reg(rd, { sf: 1, what: 'adr' }).n }, 'adr', c); }
  adrp(rd: Reg, target: Target, c?: string): this { return this.fix('adrp', target, 'ADRP', { Rd: reg(rd, { sf: 1, what: 'adrp' }).n }, 'adrp', c); }
  b(target: Target, c?: string): this { return this.fix('b26', target, 'B', {}, 'b', c); }
  bl(target: Target, c?: string): this { return this.fix('b26', target, 'BL', {}, 'bl', c); }
  bcond(cond: string, target: Target, c?: string): this { return this.fix('b19', target, 'B_cond', { cond: condCode(cond) }, `b.${cond}`, c); }
  cbz(rt: Reg, target: Target, c?: string): this { return this.cb('CBZ', rt, target, c); }
  cbnz(rt: Reg, target: Target, c?: string): this { return this.cb('CBNZ', rt, target, c); }
  private cb(id: string, rt: Reg, target: Target, c?: string): this {
    const r = reg(rt, { what: id.toLowerCase() });
    return this.fix('b19', target, id, { sf: r.sf, Rt: r.n }, id.toLowerCase(), c);
  }
  tbz(rt: Reg, bit: number, target: Target, c?: string): this { return this.tb('TBZ', rt, bit, target, c); }
  tbnz(rt: Reg, bit: number, target: Target, c?: string): this { return this.tb('TBNZ', rt, bit, target, c); }
  private tb(id: string, rt: Reg, bit: number, target: Target, c?: string): this {
    const r = reg(rt, { what: id.toLowerCase() });
    checkImm(bit, 0, r.sf ? 63 : 31, `${id.toLowerCase()}: bit`);
    return this.fix('b14', target, id, { b5: bit >> 5, b40: bit & 31, Rt: r.n }, id.toLowerCase(), c);
  }

  // ---- branches (register), exceptions, system ----------------------------------------------------

  br(rn: Reg, c?: string): this { return this.inst('BR', { Rn: reg(rn, { sf: 1, what: 'br' }).n }, c); }
  blr(rn: Reg, c?: string): this { return this.inst('BLR', { Rn: reg(rn, { sf: 1, what: 'blr' }).n }, c); }
  ret(rn: Reg = 'x30', c?: string): this { return this.inst('RET', { Rn: reg(rn, { sf: 1, what: 'ret' }).n }, c); }
  eret(c?: string): this { return this.inst('ERET', {}, c); }
  /** svc, hvc, smc, brk, hlt, dcps1..3 */
  exception(op: 'svc' | 'hvc' | 'smc' | 'brk' | 'hlt' | 'dcps1' | 'dcps2' | 'dcps3', imm16 = 0, c?: string): this {
    return this.inst(op.toUpperCase(), { imm16: checkImm(imm16, 0, 0xffff, `${op}: immediate`) }, c);
  }
  svc(imm16: number, c?: string): this { return this.exception('svc', imm16, c); }
  hvc(imm16: number, c?: string): this { return this.exception('hvc', imm16, c); }
  brk(imm16: number, c?: string): this { return this.exception('brk', imm16, c); }
  hint(n: number, c?: string): this {
    checkImm(n, 0, 127, 'hint');
    const named = ['NOP', 'YIELD', 'WFE', 'WFI', 'SEV', 'SEVL'][n];
    return named ? this.inst(named, {}, c) : this.inst('HINT', { CRm: n >> 3, op2: n & 7 }, c);
  }
  nop(c?: string): this { return this.hint(0, c); }
  /** dsb/dmb with an option name (ish, sy...) or number; isb and clrex with an optional number. */
  barrier(op: 'dsb' | 'dmb' | 'isb' | 'clrex', option: string | number = 15, c?: string): this {
    let CRm = typeof option === 'number' ? option : BARRIER_OPTIONS.indexOf(option.toLowerCase());
    if (typeof option === 'string' && op !== 'dsb' && op !== 'dmb') CRm = -1;
    if (CRm < 0) throw new AsmError(`${op}: unknown option ${option}`);
    return this.inst(op.toUpperCase(), { CRm: checkImm(CRm, 0, 15, `${op}: option`) }, c);
  }
  dsb(option: string | number, c?: string): this { return this.barrier('dsb', option, c); }
  dmb(option: string | number, c?: string): this { return this.barrier('dmb', option, c); }
  isb(c?: string): this { return this.barrier('isb', 15, c); }
  mrs(rt: Reg, sysreg: string, c?: string): this {
    const r = parseSysreg(sysreg, false);
    if (!r) throw new AsmError(`mrs: unknown or write-only system register ${sysreg}`);
    return this.inst('MRS', { o0: r.op0 - 2, op1: r.op1, CRn: r.CRn, CRm: r.CRm, op2: r.op2, Rt: reg(rt, { sf: 1, what: 'mrs' }).n }, c);
  }
  /** msr to a system register from rt, or to a PSTATE field (spsel, daifset, daifclr, pan) from an immediate. */
  msr(target: string, src: Reg | number, c?: string): this {
    if (typeof src === 'number') {
      const key = parsePstateField(target);
      if (key === null) throw new AsmError(`msr: unknown PSTATE field ${target}`);
      checkImm(src, 0, PSTATE_ONE_BIT.has(key) ? 1 : 15, `msr ${PSTATE_FIELDS.get(key)}: immediate`);
      return this.inst('MSR_imm', { op1: key >> 3, CRm: src, op2: key & 7 }, c);
    }
    const g = target.match(/^s0_([0-7])_c4_c(\d+)_([0-7])$/i);
    if (g && Number(g[2]) < 16) {
      // the PSTATE space printed as a register with op0 = 0 (as LLVM prints unnamed fields)
      if (reg(src, { sf: 1, what: 'msr' }).n !== 31) throw new AsmError(`msr ${target}: source must be xzr`);
      return this.inst('MSR_imm', { op1: Number(g[1]), CRm: Number(g[2]), op2: Number(g[3]) }, c);
    }
    const r = parseSysreg(target, true);
    if (!r) throw new AsmError(`msr: unknown or read-only system register ${target}`);
    return this.inst('MSR_reg', { o0: r.op0 - 2, op1: r.op1, CRn: r.CRn, CRm: r.CRm, op2: r.op2, Rt: reg(src, { sf: 1, what: 'msr' }).n }, c);
  }
  sys(op1: number, CRn: number, CRm: number, op2: number, rt: Reg = 'xzr', c?: string): this {
    checkImm(op1, 0, 7, 'sys: op1');
    checkImm(CRn, 0, 15, 'sys: CRn');
    checkImm(CRm, 0, 15, 'sys: CRm');
    checkImm(op2, 0, 7, 'sys: op2');
    return this.inst('SYS', { op1, CRn, CRm, op2, Rt: reg(rt, { sf: 1, what: 'sys' }).n }, c);
  }
  /** dc, ic, at, tlbi by operation name (dc zva, x0; ic iallu; tlbi vmalle1is). */
  sysOp(kind: 'dc' | 'ic' | 'at' | 'tlbi', op: string, rt?: Reg, c?: string): this {
    const o = parseSysOp(kind, op);
    if (!o) throw new AsmError(`${kind}: unknown operation ${op}`);
    if (o.reg !== (rt !== undefined)) throw new AsmError(`${kind} ${op}: ${o.reg ? 'needs' : 'takes no'} register`);
    return this.sys(o.op1, o.CRn, o.CRm, o.op2, rt ?? 'xzr', c);
  }

  // ---- result -------------------------------------------------------------------------------------

  private resolve(f: Fixup): void {
    const pc = (this.base + BigInt(f.index * 4)) & MASK64;
    let target: bigint;
    const label = typeof f.target === 'string' ? f.target : undefined;
    if (label !== undefined) {
      const t = this.bound.get(label);
      if (t === undefined) throw new AsmError(`${f.what}: label '${label}' is not bound`, label);
      target = t;
    } else target = f.target as bigint;
    if (f.kind === 'abs64' || f.kind === 'abs32') {
      if (f.kind === 'abs32' && target >= 1n << 32n) throw new AsmError(`.word: address ${hex(target)} does not fit in 32 bits`, label);
      this.words[f.index] = Number(target & 0xffffffffn);
      if (f.kind === 'abs64') this.words[f.index + 1] = Number((target >> 32n) & 0xffffffffn);
      return;
    }
    const [lo, hi, align, range] = RANGES[f.kind];
    const dist = BigInt.asIntN(64, f.kind === 'adrp' ? (target & ~0xfffn) - (pc & ~0xfffn) : target - pc);
    const name = label !== undefined ? `label '${label}'` : `address ${hex(target & MASK64)}`;
    if (dist < lo || dist > hi) {
      throw new AsmError(`${f.what}: ${name} is ${dist} bytes away, out of range (${range})`, label, dist);
    }
    if (dist % align !== 0n) throw new AsmError(`${f.what}: ${name} is ${dist} bytes away, not a multiple of ${align}`, label, dist);
    const fields = { ...f.fields };
    const n = Number(dist / align);
    if (f.kind === 'b26') fields.imm26 = n & 0x3ffffff;
    else if (f.kind === 'b19') fields.imm19 = n & 0x7ffff;
    else if (f.kind === 'b14') fields.imm14 = n & 0x3fff;
    else {
      fields.immlo = n & 3;
      fields.immhi = (n >> 2) & 0x7ffff;
    }
    this.words[f.index] = enc(f.id!, fields);
  }

  /** Resolves the fixups and returns the code; AsmError for unbound labels and out-of-range targets. */
  finish(): Assembled {
    for (const f of this.fixups) this.resolve(f);
    const words = Uint32Array.from(this.words);
    const bytes = new Uint8Array(words.length * 4);
    const view = new DataView(bytes.buffer);
    words.forEach((w, i) => view.setUint32(i * 4, w, true));
    const labels = new Map(this.bound);
    const end = this.base + BigInt(words.length * 4);
    // listing targets: a label's name at its address, name+0x.. inside this code after a label
    const inCode = [...labels].filter(([, a]) => a >= this.base && a <= end).sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const symbolize = (addr: bigint): string | null => {
      for (const [n, a] of labels) if (a === addr) return n;
      if (addr < this.base || addr >= end) return null;
      let best: [string, bigint] | undefined;
      for (const e of inCode) if (e[1] <= addr) best = e;
      return best ? `${best[0]}+0x${(addr - best[1]).toString(16)}` : null;
    };
    const listing: ListingLine[] = [];
    words.forEach((w, i) => {
      const addr = (this.base + BigInt(i * 4)) & MASK64;
      const d = this.data.get(i);
      let text: string;
      if (d === '.word') text = `.word ${hex(w)}`;
      else if (d === '.quad') text = `.quad ${hex((BigInt(words[i + 1]) << 32n) | BigInt(w))}`;
      else if (d === '') text = '';
      else text = disassemble(w, addr, symbolize);
      const comment = this.comments[i];
      listing.push(comment === undefined ? { addr, word: w, text } : { addr, word: w, text, comment });
    });
    return { bytes, words, labels, listing };
  }
}

function zr(r: Reg): Reg {
  return (regInfo(r)?.sf ?? 1) ? 'xzr' : 'wzr';
}

export { assemble } from './asm-text.ts';
