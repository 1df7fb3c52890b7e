// From a parsed test to what the model runs: every thread's code assembled
// with the project's A64 assembler at its own base address, labels resolved,
// memory locations placed, and the initial registers and memory computed.

import { AsmError, assemble } from '../isa/asm.ts';
import type { LitmusTest, Observable, Prop, Value } from './ast.ts';
import { observableName } from './ast.ts';
import { decode, writtenRegs } from './exec.ts';
import { LitmusError } from './errors.ts';
import { findSysOp } from '../isa/sysregs.ts';

/** Where thread N's code starts: CODE_BASE + N * CODE_STRIDE. */
export const CODE_BASE = 0x10000;
export const CODE_STRIDE = 0x1000;
/** Where data locations start, 8 bytes each. */
export const DATA_BASE = 0x100000;

export interface ThreadImage {
  readonly name: string;
  readonly base: number;
  /** address after the last instruction: reaching it ends the thread */
  readonly end: number;
  readonly words: Uint32Array;
  readonly labels: ReadonlyMap<string, number>;
}

export interface Program {
  readonly test: LitmusTest;
  readonly threads: readonly ThreadImage[];
  /** initial word of every code location, indexed as codeIndex() says */
  readonly codeInit: readonly number[];
  readonly dataNames: readonly string[];
  readonly dataInit: readonly bigint[];
  /** X0..X30 of every thread */
  readonly regsInit: readonly (readonly bigint[])[];
  /** where an indirect branch may be predicted to go: labels and return points */
  readonly predictTargets: readonly number[];
  /**
   * Code locations a store may write: those whose address the initial state
   * holds (in a register or a location) or an ADR/ADRP computes. The others
   * always hold their first instruction; a store to one is refused.
   */
  readonly writableCode: ReadonlySet<number>;
  /** whether an IC can run at all (in the code or in a register as data): else the PoU never matters */
  readonly icPossible: boolean;
  /** what every outcome shows: the condition's locations and `locations [...]` */
  readonly observables: readonly Observable[];
  codeIndex(addr: number): number;
  dataIndex(addr: number): number;
  /** a condition value as a number */
  value(v: Value): bigint;
  /** label of a code address, for messages (`P1:L0`, or `P1+0x8`) */
  where(addr: number): string;
}

/** herd7 writes PC-relative offsets as `.+12`; the assembler takes `#12`. */
function herdToLlvm(text: string): string {
  return text.replace(/(^|[\s,])\.\s*([+-])\s*(\d+|0x[0-9a-fA-F]+)/g, (_m, pre: string, sign: string, n: string) => `${pre}#${sign === '-' ? '-' : ''}${n}`);
}

function assembleThread(test: LitmusTest, index: number): ThreadImage {
  const t = test.threads[index];
  const base = CODE_BASE + index * CODE_STRIDE;
  const src = t.lines.map((l) => herdToLlvm(l.text)).join('\n');
  try {
    const a = assemble(src, BigInt(base));
    if (a.words.length * 4 > CODE_STRIDE) throw new LitmusError('unsupported', `${t.name} has more than ${CODE_STRIDE / 4} instructions`, test.file, t.lines[0]?.line);
    const labels = new Map([...a.labels].map(([k, v]) => [k, Number(v)] as const));
    return { name: t.name, base, end: base + a.words.length * 4, words: a.words, labels };
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    const m = /^line (\d+): (.*)$/s.exec(e.message);
    const line = m ? t.lines[Number(m[1]) - 1]?.line : t.lines[0]?.line;
    throw new LitmusError('parse', `${t.name}: ${m ? m[2] : e.message}`, test.file, line, 'an A64 instruction');
  }
}

function assembleWord(text: string, file: string, line: number): number {
  try {
    const a = assemble(herdToLlvm(text), 0n);
    if (a.words.length !== 1) throw new AsmError(`'${text}' is ${a.words.length} words`);
    return a.words[0];
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    throw new LitmusError('parse', `instr:"${text}": ${e.message.replace(/^line \d+: /, '')}`, file, line, 'one A64 instruction');
  }
}

function propObservables(p: Prop | undefined, out: Observable[]): void {
  if (!p) return;
  if (p.op === 'and' || p.op === 'or') p.args.forEach((a) => propObservables(a, out));
  else if (p.op === 'not') propObservables(p.arg, out);
  else if (p.op === 'eq') out.push(p.lhs);
}

function propValues(p: Prop | undefined, out: Value[]): void {
  if (!p) return;
  if (p.op === 'and' || p.op === 'or') p.args.forEach((a) => propValues(a, out));
  else if (p.op === 'not') propValues(p.arg, out);
  else if (p.op === 'eq') out.push(p.rhs);
}

const REG = /^([XW])(\d+)$/;

export function regNumber(name: string): { n: number; w: boolean } | null {
  const m = REG.exec(name);
  if (!m || Number(m[2]) > 30) return null;
  return { n: Number(m[2]), w: m[1] === 'W' };
}

export function buildProgram(test: LitmusTest): Program {
  if (test.handlers.length) {
    throw new LitmusError('unsupported', `fault handlers (${test.handlers.map((h) => h.name).join(', ')}) are not modelled`, test.file, test.handlers[0].lines[0]?.line);
  }
  if (test.unmodelled.length) {
    throw new LitmusError('unsupported', `${test.unmodelled[0].text}: address translation is not modelled`, test.file, test.unmodelled[0].line);
  }
  const threads = test.threads.map((_, i) => assembleThread(test, i));
  const codeInit: number[] = [];
  const codeStart: number[] = [];
  for (const t of threads) {
    codeStart.push(codeInit.length);
    codeInit.push(...t.words);
  }
  const codeIndex = (addr: number): number => {
    const ti = Math.floor((addr - CODE_BASE) / CODE_STRIDE);
    const t = threads[ti];
    if (!t || addr % 4 !== 0 || addr < t.base || addr >= t.end) return -1;
    return codeStart[ti] + (addr - t.base) / 4;
  };

  // data locations, in order of first mention
  const dataNames: string[] = [];
  const dataOf = (name: string): number => {
    let i = dataNames.indexOf(name);
    if (i < 0) i = dataNames.push(name) - 1;
    return DATA_BASE + 8 * i;
  };
  const cond: Observable[] = [];
  propObservables(test.condition.prop, cond);
  propObservables(test.filter, cond);
  const condValues: Value[] = [];
  propValues(test.condition.prop, condValues);
  for (const e of test.init) if (e.target.kind === 'mem') dataOf(e.target.name);
  for (const e of test.init) if (e.value.kind === 'loc') dataOf(e.value.name);
  for (const o of [...cond, ...test.locations]) if (o.kind === 'mem') dataOf(o.name);
  for (const v of condValues) if (v.kind === 'loc') dataOf(v.name);

  const checkThread = (n: number, line: number, what: string): void => {
    if (n >= threads.length) throw new LitmusError('parse', `${what}: there is no thread P${n}`, test.file, line, `a thread P0..P${threads.length - 1}`);
  };
  const value = (v: Value, line: number): bigint => {
    switch (v.kind) {
      case 'int': return BigInt.asUintN(64, v.value);
      case 'loc': return BigInt(dataOf(v.name));
      case 'instr': return BigInt(assembleWord(v.text, test.file, line));
      case 'label': {
        checkThread(v.thread, line, `label P${v.thread}:${v.label}`);
        const a = threads[v.thread].labels.get(v.label);
        if (a === undefined) throw new LitmusError('parse', `P${v.thread} has no label '${v.label}'`, test.file, line, `one of ${[...threads[v.thread].labels.keys()].join(', ') || '(no labels)'}`);
        return BigInt(a);
      }
    }
  };

  const regsInit = threads.map(() => new Array<bigint>(31).fill(0n));
  const dataInitMap = new Map<string, bigint>();
  for (const e of test.init) {
    const v = value(e.value, e.line);
    if (e.target.kind === 'reg') {
      checkThread(e.target.thread, e.line, observableName(e.target));
      const r = regNumber(e.target.reg);
      if (!r) throw new LitmusError('parse', `bad register '${e.target.reg}'`, test.file, e.line, 'X0..X30 or W0..W30');
      regsInit[e.target.thread][r.n] = r.w ? v & 0xffffffffn : v;
    } else {
      dataInitMap.set(e.target.name, v);
    }
  }
  for (const o of [...cond, ...test.locations]) {
    if (o.kind !== 'reg') continue;
    checkThread(o.thread, test.condition.line, observableName(o));
    if (!regNumber(o.reg)) throw new LitmusError('parse', `bad register '${o.reg}'`, test.file, test.condition.line, 'X0..X30 or W0..W30');
  }
  const dataInit = dataNames.map((n) => dataInitMap.get(n) ?? 0n);
  // evaluate condition values now, so that a bad one is an error before the run
  for (const v of condValues) value(v, test.condition.line);

  const predict = new Set<number>();
  for (const t of threads) {
    for (const a of t.labels.values()) predict.add(a);
    t.words.forEach((w, i) => {
      if (writtenRegs(decode(w)).includes(30)) predict.add(t.base + 4 * i + 4);
    });
  }
  const seen = new Set<string>();
  const observables = [...cond, ...test.locations].filter((o) => {
    const k = observableName(o);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const isIc = (w: number): boolean => {
    const d = decode(w);
    return d.row?.id === 'SYS' && d.f.op1 !== undefined && findSysOp(d.f.op1, d.f.CRn, d.f.CRm, d.f.op2)?.kind === 'ic';
  };
  const icPossible = codeInit.some(isIc) || regsInit.some((rs) => rs.some((v) => v <= 0xffffffffn && isIc(Number(v)))) ||
    dataInit.some((v) => v <= 0xffffffffn && isIc(Number(v)));
  const writableCode = new Set<number>();
  const named = (v: bigint): void => {
    const l = v <= 0xffffffffn ? codeIndex(Number(v)) : -1;
    if (l >= 0) writableCode.add(l);
  };
  regsInit.forEach((rs) => rs.forEach(named));
  dataInit.forEach(named);
  threads.forEach((t) => t.words.forEach((w, k) => {
    const d = decode(w);
    const pc = BigInt(t.base + 4 * k);
    const off = d.row?.id === 'ADR' || d.row?.id === 'ADRP' ? BigInt.asIntN(21, BigInt((d.f.immhi << 2) | d.f.immlo)) : null;
    if (off !== null) named(d.row?.id === 'ADR' ? pc + off : (pc & ~0xfffn) + (off << 12n));
  }));
  return {
    test,
    threads,
    codeInit,
    writableCode,
    icPossible,
    dataNames,
    dataInit,
    regsInit,
    predictTargets: [...predict].sort((a, b) => a - b),
    observables,
    codeIndex,
    dataIndex: (addr) => {
      const i = (addr - DATA_BASE) / 8;
      return Number.isInteger(i) && i >= 0 && i < dataNames.length ? i : -1;
    },
    value: (v) => value(v, test.condition.line),
    where: (addr) => {
      for (const t of threads) {
        for (const [l, a] of t.labels) if (a === addr) return `${t.name}:${l}`;
        if (addr >= t.base && addr < t.base + CODE_STRIDE) return `${t.name}+0x${(addr - t.base).toString(16)}`;
      }
      return `0x${addr.toString(16)}`;
    },
  };
}
