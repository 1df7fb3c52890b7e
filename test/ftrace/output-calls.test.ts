// graphCalls: entries paired with returns per (cpu, pid), nesting, calls
// without a return, returns without an entry, and a randomized round trip.

import { describe, expect, it } from 'vitest';
import type { GraphCall, GraphEntryEvent, GraphExitEvent, TraceEvent } from '../../bindings/ftrace/events.ts';
import { graphCalls } from '../../bindings/ftrace/output/index.ts';

const ip = (n: number): bigint => 0xffff_8000_8000_0000n + BigInt(n) * 0x100n + 4n;
const enter = (cpu: number, pid: number, ts: number, fn: number, depth: number): GraphEntryEvent => ({
  type: 'graph-entry', cpu, pid, ts, ip: ip(fn), depth,
});
const leave = (cpu: number, pid: number, ts: number, fn: number, depth: number, calltime: number): GraphExitEvent => ({
  type: 'graph-exit', cpu, pid, ts, ip: ip(fn), depth, calltime,
});

/** Checks that every call lies inside its parent, of the same task, one level up or more. */
function expectNested(calls: readonly GraphCall[]): void {
  for (const c of calls) {
    if (c.parent === null) continue;
    const p = calls[c.parent]!;
    expect(p.cpu).toBe(c.cpu);
    expect(p.pid).toBe(c.pid);
    expect(p.depth).toBeLessThan(c.depth);
    expect(c.start).toBeGreaterThanOrEqual(p.start);
    if (p.end !== null && c.end !== null) expect(c.end).toBeLessThanOrEqual(p.end);
  }
}

describe('graphCalls', () => {
  it('pairs entries with returns and links children to their parent', () => {
    const calls = graphCalls([
      enter(0, 12, 100, 1, 0),
      enter(0, 12, 200, 2, 1),
      leave(0, 12, 300, 2, 1, 200),
      enter(0, 12, 400, 3, 1),
      enter(0, 12, 450, 4, 2),
      leave(0, 12, 500, 4, 2, 450),
      leave(0, 12, 600, 3, 1, 400),
      leave(0, 12, 700, 1, 0, 100),
    ]);
    expect(calls).toEqual([
      { cpu: 0, pid: 12, ip: ip(1), depth: 0, start: 100, end: 700, parent: null },
      { cpu: 0, pid: 12, ip: ip(2), depth: 1, start: 200, end: 300, parent: 0 },
      { cpu: 0, pid: 12, ip: ip(3), depth: 1, start: 400, end: 600, parent: 0 },
      { cpu: 0, pid: 12, ip: ip(4), depth: 2, start: 450, end: 500, parent: 2 },
    ]);
    expectNested(calls);
  });

  it('keeps separate stacks for tasks sharing a CPU and for CPUs sharing a pid', () => {
    const calls = graphCalls([
      enter(0, 12, 100, 1, 0),
      enter(0, 13, 150, 2, 0),
      enter(0, 12, 200, 3, 1),
      enter(1, 0, 210, 5, 0),
      enter(0, 0, 220, 6, 0),
      leave(0, 13, 250, 2, 0, 150),
      leave(0, 12, 300, 3, 1, 200),
      leave(1, 0, 320, 5, 0, 210),
      leave(0, 12, 400, 1, 0, 100),
    ]);
    const byIp = new Map(calls.map((c) => [c.ip, c]));
    expect(byIp.get(ip(3))!.parent).toBe(calls.indexOf(byIp.get(ip(1))!));
    expect(byIp.get(ip(2))!).toMatchObject({ pid: 13, parent: null, end: 250 });
    expect(byIp.get(ip(5))!).toMatchObject({ cpu: 1, pid: 0, parent: null, end: 320 });
    expect(byIp.get(ip(6))!).toMatchObject({ cpu: 0, pid: 0, parent: null, end: null });
    expectNested(calls);
  });

  it('leaves calls whose return never came unfinished', () => {
    const calls = graphCalls([enter(0, 12, 100, 1, 0), enter(0, 12, 200, 2, 1), leave(0, 12, 300, 2, 1, 200), enter(0, 12, 400, 3, 1)]);
    expect(calls.map((c) => [c.end, c.parent])).toEqual([
      [null, null],
      [300, 0],
      [null, 0],
    ]);
  });

  it('closes open calls at or below the depth of a new entry, and above a matching return, as unfinished', () => {
    const calls = graphCalls([
      enter(0, 12, 100, 1, 0),
      enter(0, 12, 200, 2, 1), // its return is lost
      enter(0, 12, 300, 3, 1), // a sibling, not a child of 2
      enter(0, 12, 350, 4, 2), // its return is lost
      leave(0, 12, 500, 1, 0, 100),
    ]);
    expect(calls.map((c) => [c.ip, c.end, c.parent])).toEqual([
      [ip(1), 500, null],
      [ip(2), null, 0],
      [ip(3), null, 0],
      [ip(4), null, 2],
    ]);
  });

  it('makes a call of a return without entry, from its calltime, adopting the calls inside it', () => {
    const calls = graphCalls([
      enter(0, 12, 1000, 3, 1),
      leave(0, 12, 1100, 3, 1, 1000),
      enter(0, 12, 1200, 4, 1),
      enter(0, 12, 1250, 5, 2),
      leave(0, 12, 1300, 5, 2, 1250),
      leave(0, 12, 1400, 4, 1, 1200),
      leave(0, 12, 2000, 2, 0, 500), // entered before the trace
      enter(0, 12, 2100, 6, 0),
      leave(0, 12, 2200, 6, 0, 2100),
    ]);
    const orphan = calls.findIndex((c) => c.ip === ip(2));
    expect(calls[orphan]).toEqual({ cpu: 0, pid: 12, ip: ip(2), depth: 0, start: 500, end: 2000, parent: null });
    const parentOf = (fn: number): number | null => calls.find((c) => c.ip === ip(fn))!.parent;
    expect(parentOf(3)).toBe(orphan);
    expect(parentOf(4)).toBe(orphan);
    expect(parentOf(5)).toBe(calls.findIndex((c) => c.ip === ip(4)));
    expect(parentOf(6)).toBeNull();
    expectNested(calls);
  });

  it('ignores function tracer events', () => {
    const events: TraceEvent[] = [
      { type: 'function', cpu: 0, pid: 12, ts: 50, ip: ip(9), parentIp: ip(8) },
      enter(0, 12, 100, 1, 0),
      leave(0, 12, 200, 1, 0, 100),
    ];
    expect(graphCalls(events)).toHaveLength(1);
  });

  it('recovers randomly generated call trees of interleaved tasks exactly', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 20; round++) {
      const expected: GraphCall[] = [];
      const events: TraceEvent[] = [];
      const tasks = [
        { cpu: 0, pid: 12 },
        { cpu: 0, pid: 13 },
        { cpu: 1, pid: 12 },
        { cpu: 1, pid: 0 },
      ];
      // Each task runs its own tree; time advances per task so that tasks interleave.
      for (const t of tasks) {
        let ts = rand(50);
        const build = (depth: number, parent: number | null): void => {
          const fn = rand(30);
          const index = expected.length;
          const call: GraphCall = { cpu: t.cpu, pid: t.pid, ip: ip(fn), depth, start: ts, end: null, parent };
          expected.push(call);
          events.push(enter(t.cpu, t.pid, ts, fn, depth));
          ts += 1 + rand(100);
          const children = depth < 5 ? rand(4) : 0;
          for (let k = 0; k < children; k++) build(depth + 1, index);
          call.end = ts;
          events.push(leave(t.cpu, t.pid, ts, fn, depth, call.start));
          ts += 1 + rand(100);
        };
        for (let k = 0; k < 3; k++) build(0, null);
      }
      const calls = graphCalls(events);
      expectNested(calls);
      const key = (c: GraphCall, all: readonly GraphCall[]): string => {
        const p = c.parent === null ? null : all[c.parent]!;
        return `${c.cpu}/${c.pid}/${c.ip}/${c.depth}/${c.start}/${c.end}<-${p ? `${p.ip}@${p.start}` : '-'}`;
      };
      expect(calls.map((c) => key(c, calls)).sort()).toEqual(expected.map((c) => key(c, expected)).sort());
    }
  });
});
