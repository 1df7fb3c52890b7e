// Function calls of a function_graph trace: entries paired with their
// returns per (cpu, pid), with a stack of open calls for each task.
//
// - An entry at depth d first closes, as unfinished (end null), any open
//   call of the task at depth >= d: their returns are not in the trace.
// - A return pairs with the nearest open call of the same function and
//   depth; open calls above it are left unfinished.
// - A return with no open call (its entry was before the trace or lost)
//   still makes a call, from the calltime it carries to its own time; calls
//   already made within that interval at the same level become its
//   children.
// Calls are listed in the order they were opened (orphan returns at their
// return); `parent` indexes the same array.

import type { GraphCall, GraphEntryEvent, GraphExitEvent, TraceEvent } from '../events.ts';

type GraphEvent = GraphEntryEvent | GraphExitEvent;

function isGraphEvent(e: TraceEvent): e is GraphEvent {
  return e.type === 'graph-entry' || e.type === 'graph-exit';
}

/** The graph events in processing order: by timestamp, ties by CPU, else in their given order. */
function ordered(events: readonly TraceEvent[]): GraphEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .filter((x): x is { e: GraphEvent; i: number } => isGraphEvent(x.e))
    .sort((a, b) => a.e.ts - b.e.ts || a.e.cpu - b.e.cpu || a.i - b.i)
    .map((x) => x.e);
}

/** The calls of a function_graph trace (function events are ignored). */
export function graphCalls(events: readonly TraceEvent[]): GraphCall[] {
  const calls: GraphCall[] = [];
  /** Open calls (indices into `calls`) per task, innermost last. */
  const stacks = new Map<string, number[]>();
  /** Calls per task in creation order, with the time of the event that made each. */
  const byTask = new Map<string, { index: number; at: number }[]>();

  for (const e of ordered(events)) {
    const key = `${e.cpu}:${e.pid}`;
    let stack = stacks.get(key);
    if (!stack) stacks.set(key, (stack = []));
    let mine = byTask.get(key);
    if (!mine) byTask.set(key, (mine = []));
    const top = (): number | null => (stack!.length > 0 ? stack![stack!.length - 1]! : null);

    if (e.type === 'graph-entry') {
      while (stack.length > 0 && calls[top()!]!.depth >= e.depth) stack.pop();
      const index = calls.length;
      calls.push({ cpu: e.cpu, pid: e.pid, ip: e.ip, depth: e.depth, start: e.ts, end: null, parent: top() });
      stack.push(index);
      mine.push({ index, at: e.ts });
      continue;
    }

    let at = -1;
    for (let k = stack.length - 1; k >= 0; k--) {
      const c = calls[stack[k]!]!;
      if (c.ip === e.ip && c.depth === e.depth) {
        at = k;
        break;
      }
    }
    if (at >= 0) {
      calls[stack[at]!]!.end = e.ts;
      stack.length = at;
      continue;
    }

    // A return whose entry is not in the trace.
    while (stack.length > 0 && calls[top()!]!.depth >= e.depth) stack.pop();
    const parent = top();
    const start = Math.min(e.calltime, e.ts);
    const index = calls.length;
    // A call made before `start` started before it: stop there.
    for (let k = mine.length - 1; k >= 0 && mine[k]!.at >= start; k--) {
      const c = calls[mine[k]!.index]!;
      if (c.parent === parent && c.depth > e.depth && c.start >= start) c.parent = index;
    }
    calls.push({ cpu: e.cpu, pid: e.pid, ip: e.ip, depth: e.depth, start, end: e.ts, parent });
    mine.push({ index, at: e.ts });
  }
  return calls;
}
