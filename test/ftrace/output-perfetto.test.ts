// Chrome trace-event JSON for ui.perfetto.dev: complete events for graph
// calls, instant events for function events, metadata names, idle tasks per
// CPU, unfinished calls, ordering, lost events, JSON round trip.

import { describe, expect, it } from 'vitest';
import type { Symbolizer, TraceContext, TraceEvent } from '../../bindings/ftrace/events.ts';
import { IDLE_TID_BASE, toTraceEventJson, type TraceEventJson } from '../../bindings/ftrace/output/index.ts';

const NAMES = ['ksys_write', 'fdget', 'vfs_write', 'do_idle', 'cpuidle_enter'];
const BASE = 0xffff_8000_8020_0000n;
const symbolize: Symbolizer = (addr) => {
  const i = Number((addr - BASE) / 0x100n);
  return addr >= BASE && i < NAMES.length ? { name: NAMES[i]!, offset: (addr - BASE) % 0x100n } : undefined;
};
const at = (name: string): bigint => BASE + BigInt(NAMES.indexOf(name)) * 0x100n + 4n;

const ctx: TraceContext = {
  symbolize,
  comm: new Map([
    [12, 'sender'],
    [13, 'receiver'],
  ]),
  cpus: 2,
  lost: [0, 4],
};

const events: TraceEvent[] = [
  { type: 'graph-entry', cpu: 0, pid: 12, ts: 1000, ip: at('ksys_write'), depth: 0 },
  { type: 'graph-entry', cpu: 0, pid: 12, ts: 1100, ip: at('fdget'), depth: 1 },
  { type: 'graph-exit', cpu: 0, pid: 12, ts: 1392, ip: at('fdget'), depth: 1, calltime: 1100 },
  { type: 'graph-entry', cpu: 0, pid: 12, ts: 1500, ip: at('vfs_write'), depth: 1 },
  { type: 'graph-exit', cpu: 0, pid: 12, ts: 13_917, ip: at('vfs_write'), depth: 1, calltime: 1500 },
  { type: 'graph-exit', cpu: 0, pid: 12, ts: 104_417, ip: at('ksys_write'), depth: 0, calltime: 1000 },
  { type: 'graph-entry', cpu: 1, pid: 0, ts: 500, ip: at('do_idle'), depth: 0 },
  { type: 'graph-entry', cpu: 1, pid: 0, ts: 600, ip: at('cpuidle_enter'), depth: 1 },
  { type: 'graph-exit', cpu: 1, pid: 0, ts: 90_600, ip: at('cpuidle_enter'), depth: 1, calltime: 600 },
  { type: 'graph-entry', cpu: 0, pid: 0, ts: 200_000, ip: at('do_idle'), depth: 0 },
  { type: 'function', cpu: 1, pid: 13, ts: 150_000, ip: at('vfs_write'), parentIp: at('ksys_write') },
  { type: 'graph-entry', cpu: 1, pid: 13, ts: 150_500, ip: 0x1234n, depth: 0 },
  { type: 'graph-exit', cpu: 1, pid: 13, ts: 250_000, ip: 0x1234n, depth: 0, calltime: 150_500 },
];

const doc = toTraceEventJson(events, ctx);
const of = (ph: string): TraceEventJson[] => doc.traceEvents.filter((e) => e.ph === ph);

describe('toTraceEventJson', () => {
  it('turns calls into complete events with ts and dur in microseconds', () => {
    const vfs = of('X').find((e) => e.name === 'vfs_write')!;
    expect(vfs).toEqual({
      name: 'vfs_write', cat: 'function', ph: 'X', ts: 1.5, dur: 12.417, pid: 12, tid: 12, args: { cpu: 0, depth: 1 },
    });
    const outer = of('X').find((e) => e.name === 'ksys_write')!;
    expect(outer.ts).toBe(1);
    expect(outer.dur).toBeCloseTo(103.417, 9);
    expect(of('X').find((e) => e.pid === 13)!.name).toBe('0x1234');
    expect(of('X')).toHaveLength(7);
  });

  it('ends unfinished calls at the end of the trace and flags them', () => {
    const unfinished = of('X').filter((e) => e.args?.unfinished === true);
    expect(unfinished.map((e) => [e.name, e.tid, e.ts, e.dur])).toEqual([
      ['do_idle', IDLE_TID_BASE + 1, 0.5, 249.5],
      ['do_idle', IDLE_TID_BASE + 0, 200, 50],
    ]);
    expect(of('X').filter((e) => e.args?.unfinished !== undefined)).toHaveLength(2);
  });

  it('gives the idle task of each CPU its own thread in process 0', () => {
    const idle = of('X').filter((e) => e.pid === 0);
    expect(new Set(idle.map((e) => e.tid))).toEqual(new Set([IDLE_TID_BASE, IDLE_TID_BASE + 1]));
    for (const e of idle) expect(e.tid).toBe(IDLE_TID_BASE + Number(e.args!.cpu));
  });

  it('turns function events into thread-scoped instant events', () => {
    expect(of('i')).toEqual([
      { name: 'vfs_write', cat: 'function', ph: 'i', s: 't', ts: 150, pid: 13, tid: 13, args: { parent: 'ksys_write', cpu: 1 } },
    ]);
  });

  it('names every process and thread from comm', () => {
    const names = of('M').map((e) => [e.name, e.pid, e.tid, e.args!.name]);
    expect(names).toEqual([
      ['process_name', 0, IDLE_TID_BASE, '<idle>'],
      ['thread_name', 0, IDLE_TID_BASE, '<idle>/0'],
      ['thread_name', 0, IDLE_TID_BASE + 1, '<idle>/1'],
      ['process_name', 12, 12, 'sender'],
      ['thread_name', 12, 12, 'sender'],
      ['process_name', 13, 13, 'receiver'],
      ['thread_name', 13, 13, 'receiver'],
    ]);
  });

  it('sorts the events by ts, metadata first, enclosing slices before their children on a tie', () => {
    const ts = doc.traceEvents.map((e) => e.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    const firstTimed = doc.traceEvents.findIndex((e) => e.ph !== 'M');
    expect(doc.traceEvents.slice(0, firstTimed).every((e) => e.ph === 'M')).toBe(true);
    expect(doc.traceEvents.slice(firstTimed).some((e) => e.ph === 'M')).toBe(false);
    const tie = toTraceEventJson(
      [
        { type: 'graph-entry', cpu: 0, pid: 12, ts: 100, ip: at('fdget'), depth: 1 },
        { type: 'graph-exit', cpu: 0, pid: 12, ts: 200, ip: at('fdget'), depth: 1, calltime: 100 },
        { type: 'graph-exit', cpu: 0, pid: 12, ts: 300, ip: at('ksys_write'), depth: 0, calltime: 100 },
      ],
      ctx,
    ).traceEvents.filter((e) => e.ph === 'X');
    expect(tie.map((e) => e.name)).toEqual(['ksys_write', 'fdget']);
  });

  it('records the CPU count and lost events in otherData', () => {
    expect(doc.displayTimeUnit).toBe('ns');
    expect(doc.otherData).toEqual({ source: 'patchlab ftrace', cpus: 2, lostEvents: [0, 4], lostEventsTotal: 4 });
  });

  it('survives a JSON round trip unchanged', () => {
    const text = JSON.stringify(doc);
    expect(JSON.parse(text)).toEqual(doc);
  });

  it('ends a call whose return was lost where a later call of the task shows it over', () => {
    const out = toTraceEventJson(
      [
        { type: 'graph-entry', cpu: 0, pid: 12, ts: 100, ip: at('ksys_write'), depth: 0 },
        { type: 'graph-entry', cpu: 0, pid: 12, ts: 200, ip: at('fdget'), depth: 1 },
        { type: 'graph-entry', cpu: 0, pid: 12, ts: 300, ip: at('vfs_write'), depth: 1 },
        { type: 'graph-exit', cpu: 0, pid: 12, ts: 400, ip: at('vfs_write'), depth: 1, calltime: 300 },
        { type: 'graph-exit', cpu: 0, pid: 12, ts: 500, ip: at('ksys_write'), depth: 0, calltime: 100 },
        { type: 'graph-entry', cpu: 1, pid: 13, ts: 9000, ip: at('ksys_write'), depth: 0 },
      ],
      ctx,
    );
    const fdget = out.traceEvents.find((e) => e.name === 'fdget')!;
    expect([fdget.ts, fdget.dur, fdget.args!.unfinished]).toEqual([0.2, 0.1, true]);
  });
});
