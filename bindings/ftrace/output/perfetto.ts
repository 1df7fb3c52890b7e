// A trace in the Chrome trace-event JSON format, which ui.perfetto.dev and
// chrome://tracing load:
//
//   { traceEvents: [...], displayTimeUnit: 'ns', otherData: {...} }
//
// - Every guest task is a process with one thread: pid = tid = its pid.
//   Each CPU has its own idle task, all with pid 0: they share process 0
//   and get the thread ids IDLE_TID_BASE + cpu (above any Linux pid).
// - function_graph calls (graphCalls) are complete events, ph 'X', with ts
//   and dur in microseconds and args { cpu, depth }. A call whose return is
//   not in the trace ends, with args.unfinished = true, where it is known
//   to have ended: at the first later call of the task at the same or a
//   shallower depth, at its parent's end, else at the end of the trace.
// - Function tracer events are thread-scoped instant events, ph 'i', s 't',
//   with args { parent, cpu }.
// - Metadata events, ph 'M', name each process and thread from comm.
// Events are sorted by ts (metadata first, at ts 0); otherData holds the
// CPU count and the events lost per CPU.

import type { GraphCall, TraceContext, TraceEvent } from '../events.ts';
import { symbolName, taskComm } from './context.ts';
import { graphCalls } from './graph-calls.ts';

/** Thread id of CPU n's idle task: IDLE_TID_BASE + n (Linux pids stay below 2^22). */
export const IDLE_TID_BASE = 0x4000_0000;

/** One event of the trace-event format. */
export interface TraceEventJson {
  name: string;
  ph: 'X' | 'i' | 'M';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  s?: 't';
  args?: Record<string, string | number | boolean>;
}

/** The document ui.perfetto.dev loads. */
export interface TraceEventDocument {
  traceEvents: TraceEventJson[];
  displayTimeUnit: 'ns';
  otherData: {
    source: string;
    cpus: number;
    /** Events lost per CPU (index = cpu). */
    lostEvents: number[];
    lostEventsTotal: number;
  };
}

/** The thread id of task `pid` running on `cpu`. */
export function traceTid(pid: number, cpu: number): number {
  return pid === 0 ? IDLE_TID_BASE + cpu : pid;
}

const usecs = (ns: number): number => ns / 1000;

/** End time of each call, the unfinished ones bounded as described above. */
function callEnds(calls: readonly GraphCall[], traceEnd: number): number[] {
  const ends: (number | undefined)[] = calls.map((c) => c.end ?? undefined);
  // Calls of each task in start order, for the next call that proves an unfinished one over.
  const byTask = new Map<string, number[]>();
  calls.forEach((c, i) => {
    const key = `${c.cpu}:${c.pid}`;
    let list = byTask.get(key);
    if (!list) byTask.set(key, (list = []));
    list.push(i);
  });
  const position = new Map<number, number>();
  for (const list of byTask.values()) {
    list.sort((a, b) => calls[a]!.start - calls[b]!.start || calls[a]!.depth - calls[b]!.depth || a - b);
    list.forEach((index, k) => position.set(index, k));
  }
  const endOf = (i: number): number => {
    const known = ends[i];
    if (known !== undefined) return known;
    const c = calls[i]!;
    let end = traceEnd;
    const list = byTask.get(`${c.cpu}:${c.pid}`)!;
    for (let k = position.get(i)! + 1; k < list.length; k++) {
      const later = calls[list[k]!]!;
      if (later.start >= c.start && later.depth <= c.depth && later !== c) {
        end = Math.min(end, later.start);
        break;
      }
    }
    if (c.parent !== null) end = Math.min(end, endOf(c.parent));
    end = Math.max(end, c.start);
    ends[i] = end;
    return end;
  };
  return calls.map((_, i) => endOf(i));
}

/** The trace as a Chrome trace-event document. */
export function toTraceEventJson(events: readonly TraceEvent[], ctx: TraceContext): TraceEventDocument {
  const name = (ip: bigint): string => symbolName(ctx.symbolize, ip);
  const traceEnd = events.reduce((m, e) => Math.max(m, e.ts), Number.NEGATIVE_INFINITY);
  const timed: TraceEventJson[] = [];
  const threads = new Map<string, { pid: number; tid: number; cpu: number }>();
  const seen = (pid: number, cpu: number): void => {
    const tid = traceTid(pid, cpu);
    threads.set(`${pid}:${tid}`, { pid, tid, cpu });
  };

  const calls = graphCalls(events);
  const ends = callEnds(calls, Number.isFinite(traceEnd) ? traceEnd : 0);
  calls.forEach((c, i) => {
    seen(c.pid, c.cpu);
    const args: Record<string, string | number | boolean> = { cpu: c.cpu, depth: c.depth };
    if (c.end === null) args.unfinished = true;
    timed.push({
      name: name(c.ip),
      cat: 'function',
      ph: 'X',
      ts: usecs(c.start),
      dur: usecs(ends[i]! - c.start),
      pid: c.pid,
      tid: traceTid(c.pid, c.cpu),
      args,
    });
  });
  for (const e of events) {
    if (e.type !== 'function') continue;
    seen(e.pid, e.cpu);
    timed.push({
      name: name(e.ip),
      cat: 'function',
      ph: 'i',
      s: 't',
      ts: usecs(e.ts),
      pid: e.pid,
      tid: traceTid(e.pid, e.cpu),
      args: { parent: name(e.parentIp), cpu: e.cpu },
    });
  }
  // By time; on a tie the longer (enclosing) slice first.
  timed.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));

  const meta: TraceEventJson[] = [];
  const sortedThreads = [...threads.values()].sort((a, b) => a.pid - b.pid || a.tid - b.tid);
  const processes = new Set<number>();
  for (const t of sortedThreads) {
    if (!processes.has(t.pid)) {
      processes.add(t.pid);
      meta.push({ name: 'process_name', ph: 'M', ts: 0, pid: t.pid, tid: t.tid, args: { name: taskComm(ctx, t.pid) } });
    }
    const threadName = t.pid === 0 ? `${taskComm(ctx, 0)}/${t.cpu}` : taskComm(ctx, t.pid);
    meta.push({ name: 'thread_name', ph: 'M', ts: 0, pid: t.pid, tid: t.tid, args: { name: threadName } });
  }

  const lostEvents = [...ctx.lost];
  return {
    traceEvents: [...meta, ...timed],
    displayTimeUnit: 'ns',
    otherData: {
      source: 'patchlab ftrace',
      cpus: ctx.cpus,
      lostEvents,
      lostEventsTotal: lostEvents.reduce((a, n) => a + n, 0),
    },
  };
}
