// The instruction-fetch model of Simner et al. (ESOP 2020), operationally,
// for a CPU without CTR_EL0.IDC or CTR_EL0.DIC:
//
// - Data accesses are sequentially consistent: one memory, every store in
//   order. Each code location keeps its writes in coherence order.
// - A write reaches the point of unification (PoU) at some time after it is
//   made (in order, per location), at the latest when a DC CVAU of the
//   location that was performed after it completes.
// - Every thread fetches through its own instruction cache. The writes it
//   may see at a location are those from the location's `floor` for the
//   thread to the latest: old instructions stay visible (fetches need not
//   be coherent with each other: CoFF) until an IC IVAU completes, which
//   raises every thread's floor to the write then at the PoU. A fetch may
//   see a write the PoU does not have yet (so another thread's IC without a
//   DC CVAU need not remove the older one: WRC-inst+po+dsb-ic-dsb-isb).
// - A DC CVAU is performed at some point between the later of its fetch and
//   the thread's last ordering point (DSB, DMB other than LD/ST, ISB) and its
//   execution, and after the thread's own earlier reads and writes of the
//   location; it cleans the writes made
//   until then. An address or control dependency on a load executed since
//   that point holds it at its execution (loads being sequentially
//   consistent, they are performed when they execute).
// - Fetching runs ahead of execution, in program order (the fetch of an
//   instruction never precedes the fetch of the one before it), following
//   predicted branches; a fetch never passes an ISB that has not executed,
//   so instructions after an ISB are fetched after it. A wrong prediction
//   is dropped (the run that fetched nothing past the branch covers it).
// - DC CVAU and IC IVAU complete at some time after they execute; DSB waits
//   for the thread's outstanding DCs and ICs, DMB for its DCs.
//
// A state is the whole machine; successors() lists every next state.

import { decode, depBit, execute, FLAGS, readRegs, setsFlags, writtenRegs, XZR, type Cpu } from './exec.ts';
import type { Program } from './program.ts';
import { findSysOp } from '../isa/sysregs.ts';
import { LitmusError } from './errors.ts';

export interface Fetched {
  readonly pc: number;
  /** the word fetched, or null when there is no code at pc */
  readonly word: number | null;
  /** a DC: how many writes every code location had when it was fetched (it cannot be performed earlier) */
  readonly lens?: readonly number[];
}

export interface Maint {
  readonly op: 'dc' | 'ic';
  /** code location, -1 for all */
  readonly loc: number;
  /** DC: the newest write it cleans */
  readonly upTo?: number;
}

export type ThreadStatus = 'run' | 'done' | 'fault';

export interface ThreadState {
  readonly pc: number;
  readonly regs: readonly bigint[];
  readonly nzcv: number;
  readonly queue: readonly Fetched[];
  /** where the next fetch is, -1 when fetching has stopped */
  readonly fetchPc: number;
  readonly pending: readonly Maint[];
  /** registers (bit FLAGS: NZCV) whose value depends on a load executed since the last ordering point */
  readonly taint: number;
  /** a branch on such a value executed since the last ordering point */
  readonly ctrl: boolean;
  readonly status: ThreadStatus;
  readonly fault?: string;
}

export interface CodeState {
  /** writes in coherence order; [0] is the initial instruction */
  readonly writes: readonly number[];
  /** index of the latest write at the PoU */
  readonly pou: number;
  /** per thread: the oldest write its instruction cache may still hold */
  readonly floor: readonly number[];
  /** the thread that made each write (-1: the initial instruction) */
  readonly writers: readonly number[];
  /** per thread: how many writes there were at its last ordering point */
  readonly mark: readonly number[];
  /** per thread: the newest write its data reads of the location have seen */
  readonly seen: readonly number[];
}

export interface State {
  readonly threads: readonly ThreadState[];
  readonly code: readonly CodeState[];
  readonly data: readonly bigint[];
}

export interface ModelOptions {
  /** how many instructions a thread may fetch ahead of execution */
  readonly fetchAhead: number;
  /** take register-only steps and fetches of unwritable code at once (default true) */
  readonly reduce?: boolean;
}

export const DEFAULT_FETCH_AHEAD = 8;

export function initialState(p: Program): State {
  const n = p.threads.length;
  return {
    threads: p.threads.map((t, i) => ({
      pc: t.base,
      regs: p.regsInit[i],
      nzcv: 0,
      queue: [],
      fetchPc: t.end === t.base ? -1 : t.base,
      pending: [],
      taint: 0,
      ctrl: false,
      status: t.end === t.base ? 'done' : 'run',
    })),
    code: p.codeInit.map((w) => ({
      writes: [w], pou: 0, floor: new Array<number>(n).fill(0), writers: [-1], mark: new Array<number>(n).fill(1), seen: new Array<number>(n).fill(0),
    })),
    data: p.dataInit,
  };
}

/** A state with every thread stopped: done or faulted. */
export function isFinal(s: State): boolean {
  return s.threads.every((t) => t.status !== 'run');
}

/** A string identifying the state, for memoisation. */
export function stateKey(s: State): string {
  const parts: string[] = [];
  for (const t of s.threads) {
    parts.push(
      `${t.pc}.${t.status}${t.fault ?? ''}.${t.nzcv}.${t.regs.map((r) => r.toString(36)).join(',')}.` +
        `${t.queue.map((q) => `${q.pc}:${q.word}${q.lens ? `[${q.lens.join(',')}]` : ''}`).join(',')}.${t.fetchPc}.${t.pending.map((m) => `${m.op}${m.loc}^${m.upTo ?? ''}`).join(',')}.${t.taint}${t.ctrl ? 'c' : ''}`,
    );
  }
  s.code.forEach((c, i) => {
    if (c.writes.length > 1 || c.pou !== 0) parts.push(`${i}:${c.writes.join(',')}/${c.writers.join(',')}/${c.pou}/${c.floor.join(',')}/${c.mark.join(',')}/${c.seen.join(',')}`);
  });
  parts.push(s.data.map((d) => d.toString(36)).join(','));
  return parts.join('|');
}

const with_ = <T>(a: readonly T[], i: number, v: T): T[] => {
  const b = a.slice();
  b[i] = v;
  return b;
};

const isIsb = (w: number | null): boolean => w !== null && decode(w).row?.id === 'ISB';

// predecoders of instructions that read or write memory, caches or barriers' state
const SHARED = new Set(['ldst_uimm', 'ldst_reg', 'ldst_imm9', 'ldr_lit', 'pair', 'excl', 'exclp', 'cas', 'casp', 'atomic', 'sys', 'sysreg', 'barrier', 'msr_imm']);

/** An instruction whose execution touches only its thread's registers and queue (or faults). */
function isLocal(w: number | null): boolean {
  if (w === null) return true;
  const row = decode(w).row;
  return !row || !SHARED.has(row.pd);
}

function isDc(w: number): boolean {
  const d = decode(w);
  if (d.row?.id !== 'SYS') return false;
  const op = findSysOp(d.f.op1, d.f.CRn, d.f.CRm, d.f.op2);
  return op?.kind === 'dc';
}

export class Model {
  constructor(
    readonly program: Program,
    readonly options: ModelOptions,
  ) {}

  successors(s: State): State[] {
    // A thread about to execute an instruction that touches only its own
    // registers (or faults) commutes with every other step and cannot be
    // disabled by any: taking it alone loses no final state.
    // Likewise a fetch of code no store can write: what it sees never changes.
    for (let i = 0; this.options.reduce !== false && i < s.threads.length; i++) {
      const t = s.threads[i];
      if (t.status !== 'run') continue;
      if (t.queue.length && isLocal(t.queue[0].word)) return this.executeHead(s, i);
      if (this.canFetch(t) && !this.program.writableCode.has(this.program.codeIndex(t.fetchPc))) {
        const out: State[] = [];
        this.fetches(s, i, out);
        return out;
      }
    }
    const out: State[] = [];
    s.threads.forEach((t, i) => {
      if (t.status === 'run') {
        this.fetches(s, i, out);
        out.push(...this.executeHead(s, i));
      }
      t.pending.forEach((_, j) => out.push(this.complete(s, i, j)));
    });
    // a write reaching the PoU matters only to a later IC
    if (this.program.icPossible) {
      s.code.forEach((c, l) => {
        if (c.pou < c.writes.length - 1) out.push({ ...s, code: with_(s.code, l, { ...c, pou: c.pou + 1 }) });
      });
    }
    return out;
  }

  private canFetch(t: ThreadState): boolean {
    return t.fetchPc >= 0 && t.queue.length < this.options.fetchAhead && !t.queue.some((q) => isIsb(q.word));
  }

  /** Every way thread i can fetch its next instruction. */
  private fetches(s: State, i: number, out: State[]): void {
    const t = s.threads[i];
    if (!this.canFetch(t)) return;
    const p = this.program;
    const img = p.threads[i];
    const pc = t.fetchPc;
    const l = p.codeIndex(pc);
    const push = (word: number | null, next: number): void => {
      const f: Fetched = word !== null && isDc(word) ? { pc, word, lens: s.code.map((c) => c.writes.length) } : { pc, word };
      out.push({
        ...s,
        threads: with_(s.threads, i, { ...t, queue: [...t.queue, f], fetchPc: next === img.end ? -1 : next }),
      });
    };
    if (l < 0) return push(null, -1);
    const c = s.code[l];
    const seen = new Set<number>();
    for (let k = c.floor[i]; k < c.writes.length; k++) {
      const w = c.writes[k];
      if (seen.has(w)) continue;
      seen.add(w);
      for (const next of this.nextFetches(t, pc, w)) push(w, next);
    }
  }

  /** Where fetching goes after word w at pc: both ways of a conditional branch, predicted targets of an indirect one. */
  private nextFetches(t: ThreadState, pc: number, w: number): number[] {
    const d = decode(w);
    const id = d.row?.id;
    const f = d.f;
    const rel = (imm: number, bits: number): number => pc + ((imm << (32 - bits)) >> (32 - bits)) * 4;
    switch (id) {
      case undefined:
        return [-1];
      case 'B': case 'BL':
        return [rel(f.imm26, 26)];
      case 'B_cond': case 'CBZ': case 'CBNZ':
        return [rel(f.imm19, 19), pc + 4];
      case 'TBZ': case 'TBNZ':
        return [rel(f.imm14, 14), pc + 4];
      case 'BR': case 'BLR': case 'RET': {
        // The register's value when the branch executes: known if nothing in
        // flight writes it, or if the last writer is a BL/BLR (the return
        // address); else any label or return point. Other predictions would
        // only be dropped as mispredicted.
        // (a MOV between registers or a MOVZ in flight passes a known value on).
        const vals: (bigint | null)[] = [...t.regs, 0n];
        for (const q of t.queue) {
          if (q.word === null) continue;
          const qd = decode(q.word);
          const qid = qd.row?.id;
          const g = qd.f;
          const written = writtenRegs(qd);
          let v: bigint | null = null;
          if (qid === 'BL' || qid === 'BLR') v = BigInt(q.pc + 4);
          else if (qid === 'ORR_reg' && g.Rn === XZR && g.imm6 === 0 && g.sf === 1) v = vals[g.Rm];
          else if (qid === 'MOVZ' && g.sf === 1) v = BigInt(g.imm16) << BigInt(16 * g.hw);
          for (const r of written) if (r !== XZR) vals[r] = written.length === 1 ? v : null;
        }
        const known = vals[f.Rn];
        if (known === null) return [...this.program.predictTargets];
        return known <= 0xffffffffn ? [Number(known)] : [-1];
      }
      case 'ERET': case 'SVC': case 'HVC': case 'SMC': case 'BRK': case 'HLT':
        return [-1];
    }
    return [pc + 4];
  }

  /** Thread i executes the instruction at the head of its queue, if it can (a DC CVAU in each way it may be performed). */
  private executeHead(s: State, i: number): State[] {
    const t = s.threads[i];
    const head = t.queue[0];
    if (!head) return [];
    const p = this.program;
    const img = p.threads[i];
    if (head.word === null) return [this.faulted(s, i, `instruction fetch from ${p.where(head.pc)}: no code there`)];
    const d = decode(head.word);
    const id = d.row?.id;
    if (id === 'DSB' && t.pending.length) return [];
    if (id === 'DMB' && t.pending.some((m) => m.op === 'dc')) return [];
    const regs = t.regs.slice();
    let data = s.data;
    let code = s.code;
    const cpu: Cpu = {
      pc: head.pc,
      nzcv: t.nzcv,
      reg: (n) => (n === XZR ? 0n : regs[n]),
      setReg: (n, v) => {
        if (n !== XZR) regs[n] = BigInt.asUintN(64, v);
      },
      load: (addr, bytes) => {
        const a = Number(addr);
        const l = addr < 0x100000000n ? p.codeIndex(a) : -1;
        if (l >= 0) {
          if (bytes !== 4) return `64-bit load from code at ${p.where(a)} is not modelled`;
          const c = code[l];
          const last = c.writes.length - 1;
          if (c.seen[i] !== last) code = with_(code, l, { ...c, seen: with_(c.seen, i, last) });
          return BigInt(c.writes[last] >>> 0);
        }
        const di = addr < 0x100000000n ? p.dataIndex(a) : -1;
        if (di < 0) return `load from unmapped address 0x${addr.toString(16)}`;
        return bytes === 4 ? data[di] & 0xffffffffn : data[di];
      },
      store: (addr, bytes, v) => {
        const a = Number(addr);
        const l = addr < 0x100000000n ? p.codeIndex(a) : -1;
        if (l >= 0) {
          if (bytes !== 4) return `64-bit store to code at ${p.where(a)} is not modelled`;
          if (!p.writableCode.has(l)) {
            throw new LitmusError('unsupported', `${p.threads[i].name} stores to code at ${p.where(a)}, an address no register, location or ADR of the test names`, p.test.file);
          }
          const c = code[l];
          code = with_(code, l, { ...c, writes: [...c.writes, Number(v & 0xffffffffn)], writers: [...c.writers, i] });
          return undefined;
        }
        const di = addr < 0x100000000n ? p.dataIndex(a) : -1;
        if (di < 0) return `store to unmapped address 0x${addr.toString(16)}`;
        data = with_(data, di, v);
        return undefined;
      },
    };
    const e = execute(d, cpu);
    if (e.kind === 'fault') return [this.faulted(s, i, `${e.message} at ${p.where(head.pc)}`)];
    const newPc = e.kind === 'branch' ? e.target : head.pc + 4;
    const queue = t.queue.slice(1);
    if (queue.length && queue[0].pc !== newPc) return []; // mispredicted: covered by not having fetched past it

    // dependencies on loads since the last ordering point
    let taint = t.taint;
    let ctrl = t.ctrl;
    const srcTaint = readRegs(d).some((r) => (t.taint & depBit(r)) !== 0);
    if (e.kind === 'branch' || id === 'B_cond' || id === 'CBZ' || id === 'CBNZ' || id === 'TBZ' || id === 'TBNZ') ctrl ||= srcTaint;
    const isLoad = /^(uimm|reg|unscaled|post|pre)_\d\d_01$|^LDR_lit|^LDAR/.test(id ?? '');
    for (const r of writtenRegs(d)) taint = (isLoad && r === d.f.Rt) || srcTaint ? taint | depBit(r) : taint & ~depBit(r);
    if (setsFlags(d)) taint = srcTaint ? taint | depBit(FLAGS) : taint & ~depBit(FLAGS);
    const ordering = id === 'DSB' || id === 'ISB' || (id === 'DMB' && (d.f.CRm & 3) === 3);
    if (ordering) {
      taint = 0;
      ctrl = false;
      code = code.map((c) => (c.mark[i] === c.writes.length ? c : { ...c, mark: with_(c.mark, i, c.writes.length) }));
    }

    const pendings: (readonly Maint[])[] = [];
    if (e.kind === 'maint') {
      const loc = e.addr === null ? -1 : e.addr < 0x100000000n ? p.codeIndex(Number(e.addr)) : -1;
      if (e.addr !== null && loc < 0) pendings.push(t.pending); // maintenance of a data location has no effect on fetches
      else if (e.op === 'ic') pendings.push([...t.pending, { op: 'ic', loc }]);
      else {
        const c = code[loc];
        const latest = c.writes.length - 1;
        const held = ctrl || (taint & depBit(d.f.Rt)) !== 0;
        const own = c.writers.lastIndexOf(i);
        const from = held ? latest : Math.max(c.mark[i] - 1, (head.lens?.[loc] ?? c.writes.length) - 1, own, c.seen[i], c.pou);
        for (let k = from; k <= latest; k++) pendings.push([...t.pending, { op: 'dc', loc, upTo: k }]);
      }
    } else pendings.push(t.pending);
    const done = newPc === img.end;
    const fetchPc = done ? -1 : queue.length ? t.fetchPc : newPc;
    return pendings.map((pending) => {
      const nt: ThreadState = {
        pc: newPc,
        regs,
        nzcv: cpu.nzcv,
        queue: done ? [] : queue,
        fetchPc,
        pending,
        taint,
        ctrl,
        status: done ? 'done' : 'run',
      };
      return { threads: with_(s.threads, i, nt), code, data };
    });
  }

  private faulted(s: State, i: number, message: string): State {
    const t = s.threads[i];
    return { ...s, threads: with_(s.threads, i, { ...t, queue: [], fetchPc: -1, status: 'fault', fault: message }) };
  }

  /** Thread i's j-th outstanding cache maintenance completes. */
  private complete(s: State, i: number, j: number): State {
    const t = s.threads[i];
    const m = t.pending[j];
    const threads = with_(s.threads, i, { ...t, pending: t.pending.filter((_, k) => k !== j) });
    const locs = m.loc < 0 ? s.code.map((_, k) => k) : [m.loc];
    const code = s.code.slice();
    for (const l of locs) {
      const c = code[l];
      if (m.op === 'dc') code[l] = { ...c, pou: Math.max(c.pou, m.upTo ?? c.writes.length - 1) };
      else code[l] = { ...c, floor: c.floor.map((f) => Math.max(f, c.pou)) };
    }
    return { ...s, threads, code };
  }
}
