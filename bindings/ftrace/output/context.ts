// Reading a TraceContext the way the kernel's trace output does: task names
// (trace_find_cmdline), symbol names (%ps and the function tracer's
// seq_print_ip_sym), and the per-CPU lost-event lines.

import type { Symbolizer, TraceContext } from '../events.ts';

/** The kernel's TASK_COMM_LEN: a comm holds at most 15 characters and its NUL. */
export const TASK_COMM_LEN = 16;

/**
 * The name the kernel prints for `pid`: "<idle>" for 0, "<...>" for a pid
 * with no recorded comm, else the comm cut to TASK_COMM_LEN - 1 characters.
 */
export function taskComm(ctx: TraceContext, pid: number): string {
  if (pid === 0) return '<idle>';
  const comm = ctx.comm.get(pid);
  if (comm === undefined || comm === '') return '<...>';
  return comm.slice(0, TASK_COMM_LEN - 1);
}

/** The symbol name of `addr` alone, or undefined when no (named) symbol covers it. */
function lookup(symbolize: Symbolizer, addr: bigint): string | undefined {
  const sym = symbolize(addr);
  return sym && sym.name !== '' ? sym.name : undefined;
}

/** `addr` as the kernel's %ps prints it: the symbol name without offset, else 0x followed by hex. */
export function symbolName(symbolize: Symbolizer, addr: bigint): string {
  return lookup(symbolize, addr) ?? `0x${BigInt.asUintN(64, addr).toString(16)}`;
}

/**
 * `addr` as the function tracer prints it (seq_print_ip_sym without
 * sym-offset): "0" for a null address, the symbol name, else 0x and at
 * least 8 hex digits.
 */
export function functionSymbolName(symbolize: Symbolizer, addr: bigint): string {
  if (addr === 0n) return '0';
  return lookup(symbolize, addr) ?? `0x${BigInt.asUintN(64, addr).toString(16).padStart(8, '0')}`;
}

/** One "CPU:N [LOST M EVENTS]" line (with its newline) per CPU that dropped events, in CPU order. */
export function lostLines(ctx: TraceContext): string {
  let out = '';
  ctx.lost.forEach((n, cpu) => {
    if (n > 0) out += `CPU:${cpu} [LOST ${n} EVENTS]\n`;
  });
  return out;
}

/** Sum of ctx.lost. */
export function totalLost(ctx: TraceContext): number {
  return ctx.lost.reduce((a, n) => a + n, 0);
}
