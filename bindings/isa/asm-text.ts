// Text front end of the assembler: llvm-syntax lines, one instruction per
// line, `label:` definitions, `//` comments (kept as listing comments),
// `.word`, `.quad` (numbers or labels), `.inst`, `.align`/`.p2align` (power
// of two). Branch and literal targets are labels, or numbers taken as offsets
// from the instruction as llvm-mc takes them (`b #16`, `adrp x0, #4096`).

import { MASK64 } from './bits.ts';
import { Assembler, type Assembled, type Target } from './asm.ts';
import type { BitfieldAlias } from './asm-enc.ts';
import type { LoadStoreOp, PairOp } from './asm-ldst.ts';
import {
  AsmError, EXTEND_NAMES, SHIFT_NAMES, regInfo, type Extend, type Mem, type Operand, type Shift,
} from './asm-operands.ts';

/** Splits operands at top-level commas (commas inside [] stay). */
function splitOperands(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '' || out.length) out.push(cur.trim());
  return out;
}

function parseInt64(s: string): bigint | null {
  const m = s.trim().match(/^#?\s*([-+]?)\s*(0x[0-9a-f]+|0b[01]+|\d+)$/i);
  if (!m) return null;
  const v = BigInt(m[2]);
  return m[1] === '-' ? -v : v;
}

function imm(s: string | undefined, what: string): number {
  const v = s === undefined ? null : parseInt64(s);
  if (v === null) throw new AsmError(`${what}: expected an immediate, got '${s ?? ''}'`);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new AsmError(`${what}: ${v} too large`);
  return Number(v);
}

function bigImm(s: string | undefined, what: string): bigint {
  const v = s === undefined ? null : parseInt64(s);
  if (v === null) throw new AsmError(`${what}: expected an immediate, got '${s ?? ''}'`);
  return v;
}

const isImm = (s: string | undefined): boolean => s !== undefined && parseInt64(s) !== null;

function regOp(s: string | undefined, what: string): string {
  if (s === undefined || !regInfo(s)) throw new AsmError(`${what}: expected a register, got '${s ?? ''}'`);
  return s.toLowerCase();
}

/** `lsl #3`, `uxtw`, `sxtx #2`: [name, amount | undefined] */
function modifier(s: string): [string, number | undefined] | null {
  const m = s.trim().match(/^([a-z]+)(?:\s+(#?\s*[-+]?\w+))?$/i);
  if (!m) return null;
  const name = m[1].toLowerCase();
  if (!(SHIFT_NAMES as readonly string[]).includes(name) && !(EXTEND_NAMES as readonly string[]).includes(name)) return null;
  return [name, m[2] === undefined ? undefined : imm(m[2], name)];
}

/** The flexible second operand: `#imm{, lsl #12}`, `reg{, shift #n}`, `reg, extend {#n}`. */
function operand2(ops: string[], what: string): Operand {
  const [first, mod] = ops;
  if (ops.length > 2) throw new AsmError(`${what}: too many operands`);
  if (isImm(first)) {
    const v = bigImm(first, what);
    if (mod === undefined) return v;
    const m = modifier(mod);
    if (!m || m[0] !== 'lsl' || (m[1] !== 0 && m[1] !== 12)) throw new AsmError(`${what}: bad immediate shift '${mod}'`);
    return { imm: Number(v), lsl: m[1] };
  }
  const r = regOp(first, what);
  if (mod === undefined) return r;
  const m = modifier(mod);
  if (!m) throw new AsmError(`${what}: bad shift or extend '${mod}'`);
  const [name, amount] = m;
  if ((EXTEND_NAMES as readonly string[]).includes(name)) return { reg: r, extend: name as Extend, amount: amount ?? 0 };
  if (amount === undefined) throw new AsmError(`${what}: ${name} needs an amount`);
  // lsl of a register next to sp is an extend; addSub decides
  return { reg: r, shift: name as Shift, amount };
}

/** `[base]`, `[base, #off]`, `[base, #off]!`, `[base, index{, ext {#n}}]`, and `[base], #off` (post). */
function memory(ops: string[], what: string): Mem {
  const m = ops[0]?.match(/^\[(.*)\](!?)$/);
  if (!m) throw new AsmError(`${what}: expected a memory operand, got '${ops[0] ?? ''}'`);
  const parts = splitOperands(m[1]);
  const base = regOp(parts[0], `${what} base`);
  if (ops.length === 2) {
    if (parts.length !== 1 || m[2]) throw new AsmError(`${what}: bad post-indexed address`);
    return { base, offset: imm(ops[1], what), mode: 'post' };
  }
  if (ops.length > 2) throw new AsmError(`${what}: too many operands`);
  if (parts.length === 1) return { base, offset: 0, mode: m[2] ? 'pre' : 'offset' };
  if (isImm(parts[1])) {
    if (parts.length !== 2) throw new AsmError(`${what}: bad address`);
    return { base, offset: imm(parts[1], what), mode: m[2] ? 'pre' : 'offset' };
  }
  if (m[2]) throw new AsmError(`${what}: register offsets have no writeback`);
  const index = regOp(parts[1], `${what} index`);
  if (parts.length === 2) return { base, index };
  const mod = modifier(parts[2]);
  if (!mod || !['lsl', 'uxtw', 'sxtw', 'sxtx'].includes(mod[0]) || parts.length > 3) {
    throw new AsmError(`${what}: bad index extend '${parts[2]}'`);
  }
  return { base, index, extend: mod[0] as 'lsl', amount: mod[1] };
}

const isMemText = (s: string | undefined): boolean => s !== undefined && s.startsWith('[');

function count(ops: string[], n: number | number[], what: string): void {
  const ok = typeof n === 'number' ? ops.length === n : n.includes(ops.length);
  if (!ok) throw new AsmError(`${what}: expected ${typeof n === 'number' ? n : n.join(' or ')} operands, got ${ops.length}`);
}

const BITFIELD_ALIASES = ['ubfx', 'sbfx', 'ubfiz', 'sbfiz', 'bfi', 'bfxil'];
const LDST_OPS = ['ldr', 'str', 'ldrb', 'strb', 'ldrh', 'strh', 'ldrsb', 'ldrsh', 'ldrsw', 'prfm'];

/** Maps ldur/stur/ldtr/sttr... (and prfum) to [kind, ldr-style op]. */
function imm9Kind(mn: string): ['unscaled' | 'unpriv', LoadStoreOp] | null {
  if (mn === 'prfum') return ['unscaled', 'prfm'];
  const m = mn.match(/^(ld|st)(u|t)r(b|h|sb|sh|sw)?$/);
  if (!m) return null;
  const op = `${m[1]}r${m[3] ?? ''}`;
  return LDST_OPS.includes(op) ? [m[2] === 'u' ? 'unscaled' : 'unpriv', op as LoadStoreOp] : null;
}

class TextAssembler {
  constructor(readonly a: Assembler) {}

  /** A branch/literal target: a label, or an offset from this instruction. */
  private target(s: string | undefined, what: string, page = false): Target {
    if (s === undefined) throw new AsmError(`${what}: target missing`);
    const v = parseInt64(s);
    if (v !== null) return ((page ? this.a.pc & ~0xfffn : this.a.pc) + v) & MASK64;
    if (!/^[A-Za-z_.$][\w.$]*$/.test(s)) throw new AsmError(`${what}: bad target '${s}'`);
    return s;
  }

  line(mn: string, ops: string[], c?: string): void {
    const a = this.a;
    const r = (i: number): string => regOp(ops[i], mn);
    const n = (i: number): number => imm(ops[i], mn);
    switch (mn) {
      case 'add': case 'adds': case 'sub': case 'subs':
        return void a[mn](r(0), r(1), operand2(ops.slice(2), mn), c);
      case 'cmp': case 'cmn': case 'tst':
        return void a[mn](r(0), operand2(ops.slice(1), mn), c);
      case 'neg': case 'negs': case 'mvn':
        return void a[mn](r(0), operand2(ops.slice(1), mn), c);
      case 'and': case 'orr': case 'eor': case 'ands': case 'bic': case 'orn': case 'eon': case 'bics':
        return void a[mn](r(0), r(1), operand2(ops.slice(2), mn), c);
      case 'mov':
        count(ops, 2, mn);
        return void a.mov(r(0), isImm(ops[1]) ? bigImm(ops[1], mn) : r(1), c);
      case 'movz': case 'movn': case 'movk': {
        count(ops, [2, 3], mn);
        const m: [string, number | undefined] | null = ops[2] === undefined ? ['lsl', 0] : modifier(ops[2]);
        if (!m || m[0] !== 'lsl' || m[1] === undefined) throw new AsmError(`${mn}: bad shift '${ops[2]}'`);
        return void a[mn](r(0), n(1), m[1], c);
      }
      case 'lsl': case 'lsr': case 'asr': case 'ror':
        count(ops, 3, mn);
        return void a[mn](r(0), r(1), isImm(ops[2]) ? n(2) : r(2), c);
      case 'lslv': case 'lsrv': case 'asrv': case 'rorv':
        count(ops, 3, mn);
        return void a[mn.slice(0, 3) as 'lsl'](r(0), r(1), r(2), c);
      case 'sbfm': case 'bfm': case 'ubfm':
        count(ops, 4, mn);
        return void a[mn](r(0), r(1), n(2), n(3), c);
      case 'bfc':
        count(ops, 3, mn);
        return void a.bfc(r(0), n(1), n(2), c);
      case 'sxtb': case 'sxth': case 'sxtw': case 'uxtb': case 'uxth':
        count(ops, 2, mn);
        return void a.ext(mn, r(0), r(1), c);
      case 'extr':
        count(ops, 4, mn);
        return void a.extr(r(0), r(1), r(2), n(3), c);
      case 'udiv': case 'sdiv':
        count(ops, 3, mn);
        return void a[mn](r(0), r(1), r(2), c);
      case 'adc': case 'adcs': case 'sbc': case 'sbcs':
        count(ops, 3, mn);
        return void a.adc(mn, r(0), r(1), r(2), c);
      case 'ngc': case 'ngcs':
        count(ops, 2, mn);
        return void a.adc(mn === 'ngc' ? 'sbc' : 'sbcs', r(0), regInfo(r(0))!.sf ? 'xzr' : 'wzr', r(1), c);
      case 'crc32b': case 'crc32h': case 'crc32w': case 'crc32x':
      case 'crc32cb': case 'crc32ch': case 'crc32cw': case 'crc32cx':
        count(ops, 3, mn);
        return void a.crc32(mn, r(0), r(1), r(2), c);
      case 'rbit': case 'rev16': case 'rev': case 'rev32': case 'clz': case 'cls':
        count(ops, 2, mn);
        return void a.bits(mn, r(0), r(1), c);
      case 'csel': case 'csinc': case 'csinv': case 'csneg':
        count(ops, 4, mn);
        return void a[mn](r(0), r(1), r(2), ops[3], c);
      case 'cset': case 'csetm':
        count(ops, 2, mn);
        return void a[mn](r(0), ops[1], c);
      case 'cinc': case 'cinv': case 'cneg':
        count(ops, 3, mn);
        return void a[mn](r(0), r(1), ops[2], c);
      case 'ccmp': case 'ccmn':
        count(ops, 4, mn);
        return void a[mn](r(0), isImm(ops[1]) ? n(1) : r(1), n(2), ops[3], c);
      case 'madd': case 'msub':
        count(ops, 4, mn);
        return void a[mn](r(0), r(1), r(2), r(3), c);
      case 'mul': case 'mneg':
        count(ops, 3, mn);
        return void a[mn](r(0), r(1), r(2), c);
      case 'smaddl': case 'smsubl': case 'umaddl': case 'umsubl':
        count(ops, 4, mn);
        return void a.mulLong(mn.toUpperCase() as 'SMADDL', r(0), r(1), r(2), r(3), c);
      case 'smull': case 'umull': case 'smnegl': case 'umnegl': case 'smulh': case 'umulh': {
        count(ops, 3, mn);
        const id = { smull: 'SMADDL', umull: 'UMADDL', smnegl: 'SMSUBL', umnegl: 'UMSUBL', smulh: 'SMULH', umulh: 'UMULH' }[mn];
        return void a.mulLong(id as 'SMADDL', r(0), r(1), r(2), 'xzr', c);
      }
      case 'adr': case 'adrp':
        count(ops, 2, mn);
        return void a[mn](r(0), this.target(ops[1], mn, mn === 'adrp'), c);
      case 'b': case 'bl':
        count(ops, 1, mn);
        return void a[mn](this.target(ops[0], mn), c);
      case 'cbz': case 'cbnz':
        count(ops, 2, mn);
        return void a[mn](r(0), this.target(ops[1], mn), c);
      case 'tbz': case 'tbnz':
        count(ops, 3, mn);
        return void a[mn](r(0), n(1), this.target(ops[2], mn), c);
      case 'br': case 'blr':
        count(ops, 1, mn);
        return void a[mn](r(0), c);
      case 'ret':
        count(ops, [0, 1], mn);
        return void a.ret(ops.length ? r(0) : 'x30', c);
      case 'eret': case 'drps':
        count(ops, 0, mn);
        return void a.inst(mn.toUpperCase(), {}, c);
      case 'svc': case 'hvc': case 'smc': case 'brk': case 'hlt':
        count(ops, 1, mn);
        return void a.exception(mn, n(0), c);
      case 'dcps1': case 'dcps2': case 'dcps3':
        count(ops, [0, 1], mn);
        return void a.exception(mn, ops.length ? n(0) : 0, c);
      case 'nop': case 'yield': case 'wfe': case 'wfi': case 'sev': case 'sevl': case 'dgh': case 'csdb':
        count(ops, 0, mn);
        return void a.hint({ nop: 0, yield: 1, wfe: 2, wfi: 3, sev: 4, sevl: 5, dgh: 6, csdb: 20 }[mn], c);
      case 'hint':
        count(ops, 1, mn);
        return void a.hint(n(0), c);
      case 'ssbb': case 'pssbb':
        count(ops, 0, mn);
        return void a.barrier('dsb', mn === 'ssbb' ? 0 : 4, c);
      case 'sb':
        count(ops, 0, mn);
        return void a.inst('SB', {}, c);
      case 'dsb': case 'dmb':
        count(ops, 1, mn);
        return void a.barrier(mn, isImm(ops[0]) ? n(0) : ops[0], c);
      case 'isb': case 'clrex':
        count(ops, [0, 1], mn);
        if (ops.length && !isImm(ops[0]) && ops[0].toLowerCase() !== 'sy') throw new AsmError(`${mn}: bad option ${ops[0]}`);
        return void a.barrier(mn, ops.length && isImm(ops[0]) ? n(0) : 15, c);
      case 'mrs':
        count(ops, 2, mn);
        return void a.mrs(r(0), ops[1], c);
      case 'msr':
        count(ops, 2, mn);
        return void a.msr(ops[0], isImm(ops[1]) ? n(1) : r(1), c);
      case 'sys': case 'sysl': {
        const l = mn === 'sysl';
        count(ops, l ? 5 : [4, 5], mn);
        const [o1, cn, cm, o2] = l ? ops.slice(1) : ops;
        const cr = (s: string): number => {
          const m = s.match(/^c(\d+)$/i);
          if (!m || Number(m[1]) > 15) throw new AsmError(`${mn}: bad control register ${s}`);
          return Number(m[1]);
        };
        const f = { op1: imm(o1, mn), CRn: cr(cn), CRm: cr(cm), op2: imm(o2, mn) };
        if (!l) return void a.sys(f.op1, f.CRn, f.CRm, f.op2, ops.length === 5 ? r(4) : 'xzr', c);
        return void a.inst('SYSL', { ...f, Rt: regInfo(r(0))!.n }, c);
      }
      case 'dc': case 'ic': case 'at': case 'tlbi':
        count(ops, [1, 2], mn);
        return void a.sysOp(mn, ops[0], ops.length === 2 ? r(1) : undefined, c);
      case 'ldp': case 'stp': case 'ldpsw': case 'ldnp': case 'stnp':
        return void a.pair(mn as PairOp, r(0), r(1), memory(ops.slice(2), mn), c);
    }
    if (mn.startsWith('b.')) {
      count(ops, 1, mn);
      return void a.bcond(mn.slice(2), this.target(ops[0], mn), c);
    }
    if (BITFIELD_ALIASES.includes(mn)) {
      count(ops, 4, mn);
      return void a[mn as BitfieldAlias](r(0), r(1), n(2), n(3), c);
    }
    if (LDST_OPS.includes(mn)) {
      const rt = mn === 'prfm' ? ops[0] : r(0);
      if (isMemText(ops[1])) return void a.ldst(mn as LoadStoreOp, rt, memory(ops.slice(1), mn), c);
      count(ops, 2, mn);
      return void a.ldst(mn as LoadStoreOp, rt, this.target(ops[1], mn), c);
    }
    const k = imm9Kind(mn);
    if (k) return void a.ldstImm9(k[0], k[1], k[1] === 'prfm' ? ops[0] : r(0), memory(ops.slice(1), mn), c);
    if (/^(stxr|stlxr)[bh]?$/.test(mn)) {
      count(ops, 3, mn);
      return void a.exclusive(mn, r(1), memory([ops[2]], mn), r(0), c);
    }
    if (/^(ldxr|ldaxr|stllr|stlr|ldlar|ldar)[bh]?$/.test(mn)) {
      count(ops, 2, mn);
      return void a.exclusive(mn, r(0), memory([ops[1]], mn), undefined, c);
    }
    if (mn === 'stxp' || mn === 'stlxp') {
      count(ops, 4, mn);
      return void a.exclusivePair(mn, r(1), r(2), memory([ops[3]], mn), r(0), c);
    }
    if (mn === 'ldxp' || mn === 'ldaxp') {
      count(ops, 3, mn);
      return void a.exclusivePair(mn, r(0), r(1), memory([ops[2]], mn), undefined, c);
    }
    if (/^casp/.test(mn)) {
      count(ops, 5, mn);
      return void a.casp(mn, r(0), r(1), r(2), r(3), memory([ops[4]], mn), c);
    }
    if (/^cas/.test(mn)) {
      count(ops, 3, mn);
      return void a.cas(mn, r(0), r(1), memory([ops[2]], mn), c);
    }
    if (/^(ld|st)(add|clr|eor|set|smax|smin|umax|umin)|^swp/.test(mn)) {
      const st = mn.startsWith('st');
      count(ops, st ? 2 : 3, mn);
      return void a.atomic(mn, r(0), st ? null : r(1), memory([ops[st ? 1 : 2]], mn), c);
    }
    throw new AsmError(`unknown mnemonic '${mn}'`);
  }
}

/** Assembles llvm-syntax source at `base`; AsmError (with the line number) on the first problem. */
export function assemble(source: string, base = 0n): Assembled {
  const a = new Assembler(base);
  const t = new TextAssembler(a);
  source.split('\n').forEach((raw, i) => {
    try {
      const ci = raw.indexOf('//');
      const comment = ci >= 0 ? raw.slice(ci + 2).trim() || undefined : undefined;
      let text = (ci >= 0 ? raw.slice(0, ci) : raw).trim();
      let m: RegExpMatchArray | null;
      while ((m = text.match(/^([A-Za-z_.$][\w.$]*):\s*/))) {
        a.bind(m[1]);
        text = text.slice(m[0].length);
      }
      if (!text) return;
      const sp = text.search(/\s/);
      const mn = (sp < 0 ? text : text.slice(0, sp)).toLowerCase();
      const ops = sp < 0 ? [] : splitOperands(text.slice(sp + 1));
      if (mn.startsWith('.')) return directive(a, mn, ops, comment);
      t.line(mn, ops, comment);
    } catch (e) {
      if (e instanceof AsmError) throw new AsmError(`line ${i + 1}: ${e.message}`, e.label, e.distance);
      throw e;
    }
  });
  return a.finish();
}

function directive(a: Assembler, d: string, ops: string[], comment?: string): void {
  switch (d) {
    case '.word': case '.quad': case '.inst':
      if (!ops.length) throw new AsmError(`${d}: value missing`);
      for (const [k, o] of ops.entries()) {
        const v = parseInt64(o);
        const c = k === 0 ? comment : undefined;
        if (d === '.inst') a.emit(Number(BigInt.asUintN(32, v ?? bigImm(o, d))), c);
        else if (d === '.word') a.word(v ?? o, c);
        else a.quad(v ?? o, c);
      }
      return;
    case '.align': case '.p2align':
      count(ops, 1, d);
      a.align(2 ** imm(ops[0], d));
      return;
    case '.text': case '.globl': case '.global': case '.type': case '.size':
      return;
    default:
      throw new AsmError(`unknown directive ${d}`);
  }
}
