// Oops-style fault reports: what a kernel engineer expects to see when a CPU
// dies. The exception, the faulting instruction disassembled at
// symbol+offset, the registers, and the last instructions executed
// (reconstructed from the core's ring of taken branches).

import * as L from '../assembly/layout.ts';
import { CpuState, REG_NAMES } from './core.ts';
import { describeEsr, esrClass } from './esr.ts';
import type { GuestMemory } from './guest-memory.ts';

export type FaultKind =
  | 'undefined-instruction'
  | 'data-abort'
  | 'instruction-abort'
  | 'pc-alignment'
  | 'breakpoint';

export interface Fault {
  kind: FaultKind;
  cpu: number;
  pc: bigint;
  /** Faulting data address (data aborts) or PC (instruction aborts, alignment). */
  address?: bigint;
  /** The instruction word at pc, when readable. */
  word?: number;
  /** The Linux signal a user process would receive. */
  signal: 'SIGSEGV' | 'SIGILL' | 'SIGTRAP' | 'SIGBUS';
  /** The full multi-line report. */
  report: string;
}

export const SIGNAL_NUMBERS = { SIGILL: 4, SIGTRAP: 5, SIGBUS: 7, SIGSEGV: 11 } as const;

export type Disassembler = (word: number, pc: bigint, symbolize?: (addr: bigint) => string | null) => string;
export type Symbolizer = (addr: bigint) => { name: string; offset: bigint } | null;

const hex64 = (v: bigint): string => v.toString(16).padStart(16, '0');
const hex32 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

export function formatAddr(addr: bigint, symbolize?: Symbolizer): string {
  const s = symbolize?.(addr);
  const base = `0x${addr.toString(16)}`;
  return s ? `${base} <${s.name}+0x${s.offset.toString(16)}>` : base;
}

/** Maps a core exit reason to a fault kind, or null when the exit is not a fault. */
export function faultKind(exit: number): FaultKind | null {
  switch (exit) {
    case L.EXIT_UNDEF: return 'undefined-instruction';
    case L.EXIT_DATA_ABORT: return 'data-abort';
    case L.EXIT_FETCH_ABORT: return 'instruction-abort';
    case L.EXIT_PC_ALIGN: return 'pc-alignment';
    case L.EXIT_BRK: return 'breakpoint';
    default: return null;
  }
}

const SIGNALS: Record<FaultKind, Fault['signal']> = {
  'undefined-instruction': 'SIGILL',
  'data-abort': 'SIGSEGV',
  'instruction-abort': 'SIGSEGV',
  'pc-alignment': 'SIGBUS',
  breakpoint: 'SIGTRAP',
};

/**
 * The instructions leading to the PC, newest last: the straight run from the
 * last taken branch's target to the PC, then the runs before it.
 */
export function recentPath(cpu: CpuState, pc: bigint, max = 16): bigint[] {
  const ring = cpu.branchRing();
  const path: bigint[] = [];
  let end = pc;
  for (let i = ring.length - 1; i >= 0 && path.length < max; i--) {
    const [from, to] = ring[i];
    if (to > end || end - to > 4n * BigInt(max)) break; // ring does not connect (host edited the PC)
    for (let a = end; a >= to && path.length < max; a -= 4n) path.push(a);
    end = from;
  }
  if (path.length === 0) path.push(pc);
  return path.reverse();
}

/** Return addresses found by walking the x29 frame-record chain (at most `max`). */
export function backtrace(cpu: CpuState, mem: GuestMemory, max = 16, pc = cpu.pc): bigint[] {
  const out: bigint[] = [pc];
  let fp = cpu.x(29);
  // A leaf function has no frame record of its own yet: its caller is in x30.
  if (cpu.x(30) !== 0n && (!mem.contains(fp, 16) || mem.u64(fp + 8n) !== cpu.x(30))) out.push(cpu.x(30));
  const seen = new Set<bigint>();
  while (out.length < max && fp !== 0n && (fp & 7n) === 0n && mem.contains(fp, 16) && !seen.has(fp)) {
    seen.add(fp);
    const lr = mem.u64(fp + 8n);
    if (lr === 0n) break;
    out.push(lr);
    const next = mem.u64(fp);
    if (next <= fp) break; // frames live at increasing addresses
    fp = next;
  }
  return out;
}

export function buildFault(
  cpu: CpuState,
  mem: GuestMemory,
  opts: { disassemble?: Disassembler; symbolize?: Symbolizer },
): Fault | null {
  const kind = faultKind(cpu.exit);
  if (!kind) return null;
  const pc = cpu.pc;
  const word = mem.contains(pc, 4) && (pc & 3n) === 0n ? mem.u32(pc) : undefined;
  const lines: string[] = [];
  const where = formatAddr(pc, opts.symbolize);
  let address: bigint | undefined;
  const kernel = cpu.el !== 0 || cpu.vbar !== 0n;
  switch (kind) {
    case 'undefined-instruction':
      if (kernel && esrClass(cpu.syndrome) === L.EC_ILLEGAL) {
        lines.push(`Internal error: illegal execution state (after an illegal ERET) at ${where} [CPU ${cpu.index}]`);
      } else {
        lines.push(`Internal error: undefined instruction: ${hex32(cpu.excWord)} at ${where} [CPU ${cpu.index}]`);
      }
      break;
    case 'breakpoint':
      lines.push(`Internal error: BRK #0x${cpu.excInfo.toString(16)} at ${where} [CPU ${cpu.index}]`);
      break;
    case 'data-abort': {
      address = cpu.far;
      const info = cpu.excInfo;
      const guard = mem.guard;
      const inGuard = guard !== null && address < guard[1] && address + 16n > guard[0];
      const what = info & L.FAULT_ALIGN ? 'alignment fault' : inGuard ? 'stack guard gap: stack overflow' : 'outside guest RAM';
      lines.push(
        `Unable to handle guest ${info & L.FAULT_WRITE ? 'write' : 'read'} at address 0x${hex64(address)} (${what}) ` +
          `at ${where} [CPU ${cpu.index}]`,
      );
      break;
    }
    case 'instruction-abort':
      address = cpu.far;
      lines.push(`Unable to fetch instruction at 0x${hex64(pc)}: PC ${mem.guard && pc >= mem.guard[0] && pc < mem.guard[1] ? 'in the stack guard gap' : 'outside guest RAM'} [CPU ${cpu.index}]`);
      break;
    case 'pc-alignment':
      address = cpu.far;
      lines.push(`PC alignment fault: PC 0x${hex64(pc)} is not a multiple of 4 [CPU ${cpu.index}]`);
      break;
  }
  // With a vector table, a fault reaches the host only when the CPU could not take it:
  // it happened on the first instruction of the vector it would have entered.
  if (cpu.vbar !== 0n) {
    const off = pc - cpu.vbar;
    lines.push(`The exception cannot be taken: it recurs at its own vector (VBAR_EL1 0x${hex64(cpu.vbar)} + 0x${off.toString(16)})`);
    lines.push(`Last exception entered from ELR_EL1 ${formatAddr(cpu.elr, opts.symbolize)}, SPSR_EL1 0x${hex32(cpu.spsr)}`);
  }
  // Kernel profile: the syndrome and fault address as ESR_EL1/FAR_EL1 would hold them.
  if (kernel) {
    const far = kind === 'data-abort' || kind === 'instruction-abort' || kind === 'pc-alignment' ? `  FAR 0x${hex64(cpu.far)}` : '';
    lines.push(`ESR 0x${hex32(cpu.syndrome)} [${describeEsr(cpu.syndrome)}]${far}`);
  }
  lines.push(...stateLines(cpu, mem, pc, word, kernel, opts));
  // Linux sends SIGBUS (BUS_ADRALN) for an alignment fault on a data access, SIGSEGV for the others.
  const signal = kind === 'data-abort' && cpu.excInfo & L.FAULT_ALIGN ? 'SIGBUS' : SIGNALS[kind];
  return { kind, cpu: cpu.index, pc, address, word, signal, report: lines.join('\n') };
}

const EXIT_INSN: Record<number, string> = { [L.EXIT_SVC]: 'SVC', [L.EXIT_HVC]: 'HVC', [L.EXIT_HLT]: 'HLT' };

/**
 * The oops of an exception the image has no vector for: an SVC or HVC taken
 * at EL1 (or HLT with halting debug off) by a kernel image whose VBAR_EL1 is
 * still 0. Names the instruction and its function, the vector the CPU would
 * have entered, the syndrome ESR_EL1 would hold, decoded, then the state.
 * Linux would die() with the same: the image is treated as having run an
 * undefined instruction (SIGILL).
 */
export function unhandledException(
  cpu: CpuState,
  mem: GuestMemory,
  opts: { disassemble?: Disassembler; symbolize?: Symbolizer },
): Fault {
  const exit = cpu.exit;
  const insn = EXIT_INSN[exit] ?? `exit ${exit}`;
  // SVC and HVC leave the PC past the instruction (the preferred return address); HLT leaves it on it.
  const at = exit === L.EXIT_SVC || exit === L.EXIT_HVC ? cpu.pc - 4n : cpu.pc;
  const word = mem.contains(at, 4) && (at & 3n) === 0n ? mem.u32(at) : undefined;
  const imm = cpu.excInfo & 0xffff;
  const esr = exit === L.EXIT_SVC ? ((L.EC_SVC64 << 26) | (1 << 25) | imm) >>> 0 : exit === L.EXIT_HVC ? ((0x16 << 26) | (1 << 25) | imm) >>> 0 : (1 << 25) >>> 0;
  const el = cpu.el;
  const offset = el === 0 ? 0x400 : cpu.spsel ? 0x200 : 0;
  const vector = el === 0 ? 'lower EL using AArch64, synchronous' : `current EL with SP_EL${cpu.spsel ? 1 : 0}, synchronous`;
  const esrText = exit === L.EXIT_HVC ? `EC 0x16 (HVC instruction), IL 1, imm16 0x${imm.toString(16).padStart(4, '0')}` : describeEsr(esr);
  const lines = [
    `Internal error: ${insn}${exit === L.EXIT_HLT ? '' : ` #0x${imm.toString(16)}`} at EL${el} with no vector table at ` +
      `${formatAddr(at, opts.symbolize)} [CPU ${cpu.index}]`,
    `The exception would enter VBAR_EL1 + 0x${offset.toString(16)} (${vector}), but VBAR_EL1 is 0`,
    `ESR 0x${hex32(esr)} [${esrText}]  ELR 0x${hex64(exit === L.EXIT_HLT ? at : cpu.pc)}`,
    ...stateLines(cpu, mem, at, word, true, opts),
  ];
  return { kind: 'undefined-instruction', cpu: cpu.index, pc: at, word, signal: 'SIGILL', report: lines.join('\n') };
}

/** The registers, the frame-pointer call trace and the last instructions, as the report's tail. */
function stateLines(
  cpu: CpuState,
  mem: GuestMemory,
  pc: bigint,
  word: number | undefined,
  kernel: boolean,
  opts: { disassemble?: Disassembler; symbolize?: Symbolizer },
): string[] {
  const symText = (a: bigint): string | null => {
    const s = opts.symbolize?.(a);
    return s ? (s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name) : null;
  };
  const dis = (w: number, a: bigint): string => (opts.disassemble ? opts.disassemble(w, a, symText) : `.inst 0x${hex32(w)}`);
  const lines: string[] = [];
  if (word !== undefined) lines.push(`pc : ${formatAddr(pc, opts.symbolize)}: ${hex32(word)}  ${dis(word, pc)}`);
  lines.push(`lr : ${formatAddr(cpu.x(30), opts.symbolize)}`);
  const n = cpu.nzcv;
  const flags = `${n & 0x80000000 ? 'N' : 'n'}${n & 0x40000000 ? 'Z' : 'z'}${n & 0x20000000 ? 'C' : 'c'}${n & 0x10000000 ? 'V' : 'v'}`;
  const mode = kernel && cpu.el !== 0 ? `EL${cpu.el}${cpu.spsel ? 'h' : 't'} daif 0x${cpu.daif.toString(16)}` : `EL${cpu.el}`;
  lines.push(`sp : ${hex64(cpu.sp)}  pstate: ${flags} ${mode}`);
  for (let r = 30; r >= 0; r -= 3) {
    const row: string[] = [];
    for (let k = r; k > r - 3 && k >= 0; k--) row.push(`${REG_NAMES[k].padStart(3)}: ${hex64(cpu.x(k))}`);
    lines.push(row.join(' '));
  }
  lines.push('Call trace (frame pointers):');
  for (const frame of backtrace(cpu, mem, 16, pc)) lines.push(`  ${formatAddr(frame, opts.symbolize)}`);
  lines.push('Last instructions:');
  for (const a of recentPath(cpu, pc)) {
    const w = mem.contains(a, 4) ? mem.u32(a) : undefined;
    const mark = a === pc ? '>' : ' ';
    const text = w === undefined ? '(not in RAM)' : `${hex32(w)}  ${dis(w, a)}`;
    lines.push(`${mark} ${formatAddr(a, opts.symbolize)}: ${text}`);
  }
  return lines;
}
