// The `trace` file of the function_graph tracer, in the kernel's layout with
// its default options (funcgraph-cpu, -overhead, -duration on; -proc, -abstime
// and -tail off):
//
//   # tracer: function_graph
//   #
//   # CPU  DURATION                  FUNCTION CALLS
//   # |     |   |                     |   |   |   |
//    0)               |  ksys_write() {
//    0)   0.292 us    |    fdget();
//    0) + 12.417 us   |  }
//
// Each CPU's events are read in timestamp order, and the CPUs are merged by
// timestamp (ties to the lower CPU). As in the kernel:
// - an entry whose next event on its CPU is its own return (same pid,
//   function and depth) is a leaf, printed as one "func();" line with the
//   duration of the return;
// - any other entry prints "func() {" with an empty duration column and is
//   remembered per CPU at its depth; a return prints "}" with its duration,
//   plus " /* func */" unless the entry remembered at its depth on that CPU
//   is its own (same function and task), which is not the case when the
//   entry is not in the trace or when another task used that depth on the
//   CPU in between;
// - when the task on a CPU changes, a context-switch block names both tasks.
// Durations are those the returns carry (return time - call time).

import type { GraphEntryEvent, GraphExitEvent, TraceContext } from '../events.ts';
import { lostLines, symbolName, taskComm } from './context.ts';
import { graphDuration, overheadMark } from './duration.ts';

type GraphEvent = GraphEntryEvent | GraphExitEvent;

/** Indentation per depth level, the kernel's TRACE_GRAPH_INDENT. */
const INDENT = 2;

/** Width of the task column of print_graph_proc. */
const PROCINFO_LENGTH = 14;

/** The duration column of an entry that has none ("{" lines). */
const NO_DURATION = `${' '.repeat(14)}|  `;

const DASHES = ` ${'-'.repeat(42)}\n`;

/** The header block of the function_graph tracer. */
export function graphTraceHeader(): string {
  return (
    '# tracer: function_graph\n' +
    '#\n' +
    '# CPU  DURATION                  FUNCTION CALLS\n' +
    '# |     |   |                     |   |   |   |\n'
  );
}

/** The duration column of a line with a duration: mark, space, the duration, "|  ". */
export function durationColumn(ns: number): string {
  return `${overheadMark(ns)} ${graphDuration(ns)}|  `;
}

/** Digits the CPU column needs: those of the highest CPU number. */
function cpuWidth(cpus: number): number {
  return String(Math.max(0, Math.floor(cpus) - 1)).length;
}

/** The CPU column: " N) ", N right-aligned to the width of the highest CPU number. */
function cpuColumn(cpu: number, width: number): string {
  return ` ${String(cpu).padStart(width)}) `;
}

/** A task as print_graph_proc prints it: "comm-pid" (comm cut to 7), centred in 14 columns. */
export function graphProc(ctx: TraceContext, pid: number): string {
  const text = `${taskComm(ctx, pid).slice(0, 7)}-${pid}`;
  const spaces = Math.max(0, PROCINFO_LENGTH - text.length);
  const before = Math.floor(spaces / 2);
  return ' '.repeat(before) + text + ' '.repeat(spaces - before);
}

/** The block printed when CPU `cpu` goes from task `prev` to task `next`. */
export function contextSwitchBlock(ctx: TraceContext, cpu: number, cpuDigits: number, prev: number, next: number): string {
  return `${DASHES}${cpuColumn(cpu, cpuDigits)}${graphProc(ctx, prev)} => ${graphProc(ctx, next)}\n${DASHES}\n`;
}

function indent(depth: number): string {
  return ' '.repeat(Math.max(0, Math.floor(depth)) * INDENT);
}

/** Each CPU's events, stably sorted by timestamp, by CPU number. */
function perCpuStreams(events: readonly GraphEvent[]): Map<number, GraphEvent[]> {
  const streams = new Map<number, GraphEvent[]>();
  for (const e of events) {
    let s = streams.get(e.cpu);
    if (!s) streams.set(e.cpu, (s = []));
    s.push(e);
  }
  for (const s of streams.values()) s.sort((a, b) => a.ts - b.ts);
  return new Map([...streams.entries()].sort((a, b) => a[0] - b[0]));
}

/** What a CPU remembers of an open "{" line at some depth. */
interface OpenEntry {
  ip: bigint;
  pid: number;
}

/** The whole `trace` file of a function_graph trace. */
export function formatGraphTrace(events: readonly GraphEvent[], ctx: TraceContext): string {
  const digits = cpuWidth(ctx.cpus);
  const streams = perCpuStreams(events);
  const next = new Map<number, number>([...streams.keys()].map((cpu) => [cpu, 0]));
  const lastPid = new Map<number, number>();
  const open = new Map<number, Map<number, OpenEntry>>();
  const name = (ip: bigint): string => symbolName(ctx.symbolize, ip);

  let out = graphTraceHeader() + lostLines(ctx);
  for (;;) {
    // The earliest unread event over all CPUs; the lower CPU on a tie.
    let cpu = -1;
    let best: GraphEvent | undefined;
    for (const [c, stream] of streams) {
      const e = stream[next.get(c)!];
      if (e && (!best || e.ts < best.ts)) {
        best = e;
        cpu = c;
      }
    }
    if (!best) break;
    const stream = streams.get(cpu)!;
    const i = next.get(cpu)!;
    const e = best;

    const prev = lastPid.get(cpu);
    if (prev !== undefined && prev !== e.pid) out += contextSwitchBlock(ctx, cpu, digits, prev, e.pid);
    lastPid.set(cpu, e.pid);

    let depths = open.get(cpu);
    if (!depths) open.set(cpu, (depths = new Map()));
    const head = cpuColumn(cpu, digits);

    if (e.type === 'graph-entry') {
      const ret = stream[i + 1];
      if (ret && ret.type === 'graph-exit' && ret.pid === e.pid && ret.ip === e.ip && ret.depth === e.depth) {
        depths.delete(e.depth);
        out += `${head}${durationColumn(ret.ts - ret.calltime)}${indent(e.depth)}${name(e.ip)}();\n`;
        next.set(cpu, i + 2);
      } else {
        depths.set(e.depth, { ip: e.ip, pid: e.pid });
        out += `${head}${NO_DURATION}${indent(e.depth)}${name(e.ip)}() {\n`;
        next.set(cpu, i + 1);
      }
    } else {
      const entry = depths.get(e.depth);
      const matched = entry !== undefined && entry.ip === e.ip && entry.pid === e.pid;
      depths.delete(e.depth);
      const brace = matched ? '}' : `} /* ${name(e.ip)} */`;
      out += `${head}${durationColumn(e.ts - e.calltime)}${indent(e.depth)}${brace}\n`;
      next.set(cpu, i + 1);
    }
  }
  return out;
}
