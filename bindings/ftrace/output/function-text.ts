// The `trace` file of the function tracer, in the kernel's layout with the
// irq-info option off:
//
//   # tracer: function
//   #
//   # entries-in-buffer/entries-written: N/M   #P:CPUS
//   #
//   #           TASK-PID     CPU#     TIMESTAMP  FUNCTION
//   #              | |         |         |         |
//   CPU:1 [LOST 3 EVENTS]
//             sender-12      [001]      1.234568: fill_message <-ksys_write
//
// Each event line is the kernel's trace_print_context ("%16s-%-7d ",
// "[%03d] ", " %5lu.%06lu", ": ") followed by "func <-parent". The
// timestamp goes through the kernel's ns2usecs, which rounds to the nearest
// microsecond. The kernel prints a CPU's lost-event line before the first
// event read after the loss; here every such line follows the header.

import type { FunctionEvent, TraceContext } from '../events.ts';
import { functionSymbolName, lostLines, taskComm, totalLost } from './context.ts';

/** The header block of the function tracer for `entries` printed events. */
export function functionTraceHeader(entries: number, ctx: TraceContext): string {
  return (
    '# tracer: function\n' +
    '#\n' +
    `# entries-in-buffer/entries-written: ${entries}/${entries + totalLost(ctx)}   #P:${ctx.cpus}\n` +
    '#\n' +
    '#           TASK-PID     CPU#     TIMESTAMP  FUNCTION\n' +
    '#              | |         |         |         |\n'
  );
}

/** A timestamp in ns as the kernel prints it: seconds in 5 columns, a point, 6 digits of microseconds. */
export function formatTimestamp(ns: number): string {
  const usecs = Math.floor((Math.max(0, Math.floor(ns)) + 500) / 1000);
  const secs = Math.floor(usecs / 1_000_000);
  const rem = usecs % 1_000_000;
  return `${String(secs).padStart(5)}.${String(rem).padStart(6, '0')}`;
}

/** The context columns of one event line, up to and including the ": " before the function. */
export function contextColumns(ctx: TraceContext, pid: number, cpu: number, ts: number): string {
  const cpuStr = String(cpu).padStart(3, '0');
  return `${taskComm(ctx, pid).padStart(16)}-${String(pid).padEnd(7)} [${cpuStr}]  ${formatTimestamp(ts)}: `;
}

/** One event line, with its newline. */
export function formatFunctionLine(e: FunctionEvent, ctx: TraceContext): string {
  let line = contextColumns(ctx, e.pid, e.cpu, e.ts) + functionSymbolName(ctx.symbolize, e.ip);
  if (e.parentIp !== 0n) line += ` <-${functionSymbolName(ctx.symbolize, e.parentIp)}`;
  return `${line}\n`;
}

/** The events in output order: by timestamp, ties by CPU, else in their given order. */
export function sortFunctionEvents(events: readonly FunctionEvent[]): FunctionEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.ts - b.e.ts || a.e.cpu - b.e.cpu || a.i - b.i)
    .map((x) => x.e);
}

/** The whole `trace` file of a function trace. */
export function formatFunctionTrace(events: readonly FunctionEvent[], ctx: TraceContext): string {
  const sorted = sortFunctionEvents(events);
  let out = functionTraceHeader(sorted.length, ctx) + lostLines(ctx);
  for (const e of sorted) out += formatFunctionLine(e, ctx);
  return out;
}
