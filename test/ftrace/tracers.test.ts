// The tracers on the running kernel: the function tracer's text lines and
// their parents, function_graph nesting, set_graph_function, notrace over
// filter, two ops with different filters and kinds at once, a filter changed
// while the CPUs run, and the Perfetto document of a real trace.

import { describe, expect, it } from 'vitest';
import type { GraphCall, TraceEvent } from '../../bindings/ftrace/events.ts';
import { graphCalls, symbolName } from '../../bindings/ftrace/output/index.ts';
import type { TraceEventDocument } from '../../bindings/ftrace/output/perfetto.ts';
import { formatTrace, trace } from '../../bindings/ftrace/trace.ts';
import {
  bootTraced, callsPerRun, countByFunction, HB_FUNCS, missingExits, recordOfIp, recordsOfImage, reports, type HbSize,
} from '../util/ftrace.ts';

const SIZE: HbSize = { groups: 2, fds: 3, loops: 2, datasize: 32 };
const N = callsPerRun(SIZE);

/** One event line of the function tracer: TASK-PID [CPU] SECONDS: func <-parent */
const LINE = /^\s*(.+)-(\d+)\s+\[(\d{3})\]\s+(\d+)\.(\d{6}): (\S+) <-(\S+)$/;

interface Line {
  task: string;
  pid: number;
  cpu: number;
  us: number;
  func: string;
  parent: string;
}

function parseLines(text: string): { header: string[]; lines: Line[]; other: string[] } {
  const header: string[] = [];
  const lines: Line[] = [];
  const other: string[] = [];
  for (const l of text.split('\n')) {
    if (l === '') continue;
    if (l.startsWith('#')) {
      header.push(l);
      continue;
    }
    const m = LINE.exec(l);
    if (!m) {
      other.push(l);
      continue;
    }
    lines.push({ task: m[1]!.trim(), pid: Number(m[2]), cpu: Number(m[3]), us: Number(m[4]) * 1e6 + Number(m[5]), func: m[6]!, parent: m[7]! });
  }
  return { header, lines, other };
}

/** Every call lies inside its parent in time, on the same CPU and task, one level deeper. */
function expectNested(calls: readonly GraphCall[]): void {
  for (const c of calls) {
    if (c.parent === null) continue;
    const p = calls[c.parent]!;
    expect(p.cpu).toBe(c.cpu);
    expect(p.pid).toBe(c.pid);
    expect(c.depth).toBe(p.depth + 1);
    expect(c.start).toBeGreaterThanOrEqual(p.start);
    if (p.end !== null) {
      expect(c.end).not.toBeNull();
      expect(c.end!).toBeLessThanOrEqual(p.end);
    }
  }
}

describe('function tracer text', () => {
  // Catches: a wrong parent_ip (x9 not the caller's return address, or the
  // traced function's own return address), a wrong ip (symbolized as the
  // neighbour), task names or pids that do not match the task that made the
  // call, events dropped or duplicated between buffer and text.
  it('prints one line per call, fill_message and ksys_write <-sender, check_message <-receiver', async () => {
    const r = await trace({ tracer: 'function', filter: [...HB_FUNCS], cpus: 2, mode: 'deterministic', ...SIZE });
    const text = formatTrace(r);
    const { header, lines, other } = parseLines(text);
    expect(header[0]).toBe('# tracer: function');
    expect(header).toContain(`# entries-in-buffer/entries-written: ${3 * N}/${3 * N}   #P:2`);
    expect(other).toEqual([]);
    expect(lines).toHaveLength(3 * N);
    const parents = new Map<string, Set<string>>();
    const tasks = new Map<string, Set<string>>();
    for (const l of lines) {
      (parents.get(l.func) ?? parents.set(l.func, new Set()).get(l.func)!).add(l.parent);
      (tasks.get(l.func) ?? tasks.set(l.func, new Set()).get(l.func)!).add(l.task);
      expect(l.pid).toBeGreaterThan(0);
      expect(l.cpu).toBeLessThan(2);
    }
    expect(Object.fromEntries([...parents].map(([k, v]) => [k, [...v]]))).toEqual({
      fill_message: ['sender'], ksys_write: ['sender'], check_message: ['receiver'],
    });
    expect(Object.fromEntries([...tasks].map(([k, v]) => [k, [...v]]))).toEqual({
      fill_message: ['sender'], ksys_write: ['sender'], check_message: ['receiver'],
    });
    // each sender makes F x L calls of fill_message and of ksys_write; each receiver F x L checks
    const perPid = new Map<string, number>();
    for (const l of lines) perPid.set(`${l.func}:${l.pid}`, (perPid.get(`${l.func}:${l.pid}`) ?? 0) + 1);
    for (const [k, v] of perPid) expect(v, k).toBe(SIZE.fds * SIZE.loops);
    expect(perPid.size).toBe(3 * SIZE.groups * SIZE.fds);
    // a sender alternates fill_message, ksys_write (one CPU, one task: its lines are in program order)
    const senders = new Map<number, string[]>();
    for (const l of lines) if (l.task === 'sender') (senders.get(l.pid) ?? senders.set(l.pid, []).get(l.pid)!).push(l.func);
    for (const [pid, seq] of senders) {
      expect(seq, `sender ${pid}`).toEqual(Array.from({ length: seq.length }, (_, i) => (i % 2 ? 'ksys_write' : 'fill_message')));
    }
    // timestamps in order
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.us).toBeGreaterThanOrEqual(lines[i - 1]!.us);
  });
});

describe('function_graph', () => {
  // Catches: entries and exits that do not pair up (return stack pushed or
  // popped wrongly, depth counters that drift), a return hook that returns to
  // the wrong place (the guest would fail or messages break), exit events on
  // another task or CPU, children outside their parent's interval.
  it.each([
    { mode: 'deterministic', cpus: 2, image: 'pfe2' },
    { mode: 'threads', cpus: 4, image: 'pfe2' },
    { mode: 'threads', cpus: 2, image: 'pfe42' },
  ] as const)('$mode, $cpus CPUs, $image: every call inside its parent on the same task; ksys_write -> vfs_write -> pipe_write appears', async ({ mode, cpus, image }) => {
    const r = await trace({ tracer: 'function_graph', cpus, mode, image, ...SIZE });
    expect(r.lost).toBe(0);
    expect(r.workload.messages).toBe(N);
    const events = r.trace.events;
    expect(events.every((e) => e.type !== 'function')).toBe(true);
    const calls = graphCalls(events);
    expect(calls.length).toBeGreaterThan(10 * N);
    expectNested(calls);
    const name = (c: GraphCall) => symbolName(r.trace.context.symbolize, c.ip);
    // every return matches an entry: no call starts before the trace with a return in it
    const entries = events.filter((e) => e.type === 'graph-entry').length;
    expect(calls).toHaveLength(entries);
    // every entry has its return, unless its task never went on (task_exit, or running at the end)
    expect(missingExits(calls).map((c) => `${name(c)} depth ${c.depth} cpu ${c.cpu} pid ${c.pid} at ${c.start}`)).toEqual([]);
    const chains = calls.filter((c) => {
      if (name(c) !== 'pipe_write' || c.parent === null) return false;
      const v = calls[c.parent]!;
      return name(v) === 'vfs_write' && v.parent !== null && name(calls[v.parent]!) === 'ksys_write';
    });
    expect(chains).toHaveLength(N);
    // each traced function of the workload is entered exactly n times
    const count = (f: string) => calls.filter((c) => name(c) === f).length;
    for (const f of HB_FUNCS) expect(count(f), f).toBe(N);
    // durations are those of the exits
    for (const e of events) if (e.type === 'graph-exit') expect(e.ts).toBeGreaterThanOrEqual(e.calltime);
    // the text has one "func();" or "func() {" line per entry
    const text = formatTrace(r);
    expect(text.startsWith('# tracer: function_graph\n')).toBe(true);
    expect(text.split('\n').filter((l) => /\(\);$|\(\) \{$/.test(l))).toHaveLength(entries);
  });

  // Catches: set_graph_function not applied (other roots traced), applied to
  // the root only (callees missing), or a root bit left set after the root
  // returns (later unrelated calls of the same task traced).
  it('--graph-function ksys_write: only ksys_write and what it calls', async () => {
    const r = await trace({ tracer: 'function_graph', graphFunction: ['ksys_write'], cpus: 2, mode: 'deterministic', ...SIZE });
    const calls = graphCalls(r.trace.events);
    const name = (c: GraphCall) => symbolName(r.trace.context.symbolize, c.ip);
    const names = new Set(calls.map(name));
    for (const f of ['ksys_write', 'vfs_write', 'pipe_write']) expect(names.has(f), f).toBe(true);
    for (const f of ['check_message', 'fill_message', 'ksys_read', 'pipe_read', 'vfs_read', 'sender', 'receiver']) {
      expect(names.has(f), f).toBe(false);
    }
    expectNested(calls);
    const roots = calls.filter((c) => c.parent === null);
    expect(new Set(roots.map(name))).toEqual(new Set(['ksys_write']));
    expect(roots.every((c) => c.depth === 0)).toBe(true);
    expect(roots).toHaveLength(N);
    // every call belongs to a sender (the task in ksys_write)
    const comm = r.trace.context.comm;
    expect(new Set(calls.map((c) => comm.get(c.pid)))).toEqual(new Set(['sender']));
  });
});

describe('filters', () => {
  // Catches: notrace ignored when the filter also matches, or the notrace
  // function's site patched anyway.
  it('notrace beats the filter: pipe_* with notrace pipe_lock never shows pipe_lock', async () => {
    const r = await trace({ tracer: 'function', filter: ['pipe_*'], notrace: ['pipe_lock'], cpus: 2, mode: 'deterministic', ...SIZE });
    const by = countByFunction(r.trace.events, recordsOfImage('pfe2'));
    expect(by.has('pipe_lock')).toBe(false);
    expect(by.get('pipe_write')).toBe(N);
    expect(by.get('pipe_unlock')).toBeGreaterThan(0);
    expect(by.get('pipe_read')).toBeGreaterThanOrEqual(N);
    for (const f of by.keys()) expect(f.startsWith('pipe_'), f).toBe(true);
    const pipeFns = recordsOfImage('pfe2').filter((x) => x.fn.startsWith('pipe_'));
    expect(r.enabledSites).toBe(pipeFns.length - 1);
  });

  // Catches: the list function calling every ops on every patched site (one
  // ops's filter applied to the other), two ops of different kinds sharing
  // state, a profile ops that also writes events.
  it('two ops at once through the Ftrace API: events only for fill_message, profile hits only for check_message', async () => {
    const b = await bootTraced({ cpus: 2, mode: 'threads', ...SIZE });
    const { machine, ft, index } = b;
    let fn: ReturnType<typeof ft.register> | undefined;
    let prof: ReturnType<typeof ft.register> | undefined;
    machine.onPhase(({ args }) => {
      if (args[0] === 1n) {
        fn = ft.register({ kind: 'function', filter: ['fill_message'] });
        prof = ft.register({ kind: 'profile', filter: ['check_message'] });
        const states = ft.siteStates();
        expect(states.filter((s) => s !== 'disabled')).toHaveLength(2);
        expect(states[index.get('fill_message')!]).toBe('caller');
        expect(states[index.get('check_message')!]).toBe('caller');
      } else if (args[0] === 2n) {
        ft.unregister(fn!);
        ft.unregister(prof!);
      }
      return 0;
    });
    const res = await ft.run();
    expect(res.end).toBe('exit');
    expect(res.exitCode).toBe(0);
    expect(reports(res).messages).toBe(N);
    expect(ft.siteStates().every((s) => s === 'disabled')).toBe(true);
    const by = countByFunction(ft.events(), ft.records);
    expect(Object.fromEntries(by)).toEqual({ fill_message: N });
    const hits = ft.records.map((_, i) => ft.profileCells().reduce((s, cpu) => s + cpu[i]!.hits, 0n));
    const hit = ft.records.filter((_, i) => hits[i]! > 0n).map((x) => x.fn);
    expect(hit).toEqual(['check_message']);
    expect(hits[index.get('check_message')!]).toBe(BigInt(N));
    expect(machine.cmodx.counts.violation).toBe(0);
  });

  // Two function_graph ops share the CPUs' buffers (events carry no ops),
  // so their depths must agree on one nesting per task.
  // Catches: per-ops depth counters (vfs_write logged at depth 0 inside
  // ksys_write at depth 0), which break the pairing of entries and returns.
  it('two function_graph ops with different filters: one consistent nesting, every entry paired', async () => {
    const { machine, ft } = await bootTraced({ cpus: 2, mode: 'deterministic', ...SIZE });
    const live: ReturnType<typeof ft.register>[] = [];
    machine.onPhase(({ args }) => {
      if (args[0] === 1n) live.push(ft.register({ kind: 'function_graph', filter: ['ksys_write'] }), ft.register({ kind: 'function_graph', filter: ['vfs_write'] }));
      else if (args[0] === 2n) for (const o of live) ft.unregister(o);
      return 0;
    });
    const res = await ft.run();
    expect(res.exitCode).toBe(0);
    const events = ft.events();
    const calls = graphCalls(events);
    const sym = ft.symbolizer();
    const name = (c: GraphCall) => sym(c.ip)?.name;
    expect(calls).toHaveLength(events.filter((e) => e.type === 'graph-entry').length);
    expect(missingExits(calls).map((c) => `${name(c)} depth ${c.depth} pid ${c.pid}`)).toEqual([]);
    const vfs = calls.filter((c) => name(c) === 'vfs_write');
    expect(vfs).toHaveLength(N);
    for (const c of vfs) {
      expect(c.parent).not.toBeNull();
      expect(name(calls[c.parent!]!)).toBe('ksys_write');
    }
  });

  // Catches: setFilter that does not repatch (old site stays on, new one
  // never enabled), or hashes swapped non-atomically (a CPU seeing the new
  // filter and then the old one again: an old-filter event after a new one).
  it('setFilter while the CPUs run moves tracing from fill_message to check_message', async () => {
    const size: HbSize = { groups: 2, fds: 4, loops: 60, datasize: 32 };
    const n = callsPerRun(size);
    const b = await bootTraced({ cpus: 2, mode: 'deterministic', ...size });
    const { machine, ft, index } = b;
    let ops: ReturnType<typeof ft.register> | undefined;
    let switched = false;
    let statesAfter: readonly string[] = [];
    machine.onPhase(({ args }) => {
      if (args[0] === 1n) ops = ft.register({ kind: 'function', filter: ['fill_message'] });
      else if (args[0] === 2n) ft.unregister(ops!);
      return 0;
    });
    const rec = recordOfIp(ft.records);
    const timer = setInterval(() => {
      ft.drain();
      if (switched || !ops) return;
      const seen = ft.events().filter((e) => rec(e.ip)?.fn === 'fill_message').length;
      if (seen >= 50) {
        ft.setFilter(ops, ['check_message']);
        statesAfter = ft.siteStates();
        switched = true;
      }
    }, 1);
    machine.start();
    const res = await machine.exited;
    clearInterval(timer);
    ft.drain();
    expect(res.exitCode).toBe(0);
    expect(reports(res).messages).toBe(n);
    expect(switched).toBe(true);
    expect(statesAfter[index.get('fill_message')!]).toBe('disabled');
    expect(statesAfter[index.get('check_message')!]).toBe('caller');
    const events = ft.events();
    const by = countByFunction(events, ft.records);
    expect([...by.keys()].sort()).toEqual(['check_message', 'fill_message']);
    expect(by.get('fill_message')!).toBeGreaterThanOrEqual(50);
    expect(by.get('fill_message')!).toBeLessThan(n);
    expect(by.get('check_message')!).toBeGreaterThan(0);
    expect(by.get('check_message')!).toBeLessThanOrEqual(n);
    // per CPU, every fill_message event comes before every check_message event
    for (let cpu = 0; cpu < 2; cpu++) {
      const mine = events.filter((e: TraceEvent) => e.cpu === cpu);
      const lastFill = Math.max(-1, ...mine.map((e, i) => (rec(e.ip)?.fn === 'fill_message' ? i : -1)));
      const firstCheck = mine.findIndex((e) => rec(e.ip)?.fn === 'check_message');
      if (firstCheck >= 0) expect(lastFill, `cpu ${cpu}`).toBeLessThan(firstCheck);
    }
    expect(machine.cmodx.counts.violation).toBe(0);
  });
});

describe('Perfetto JSON of a function_graph trace', () => {
  // Catches: calls missing from the document or duplicated, ts/dur not
  // numbers or negative, names that stay raw addresses, metadata that does
  // not name the tasks.
  it('has one X event per call with ts and dur, names that are functions of the image, and task names', async () => {
    const r = await trace({ tracer: 'function_graph', filter: ['ksys_write', 'vfs_write', 'pipe_write', 'check_message'], cpus: 2, mode: 'deterministic', ...SIZE });
    const doc = JSON.parse(formatTrace(r, 'perfetto')) as TraceEventDocument;
    expect(Array.isArray(doc.traceEvents)).toBe(true);
    const x = doc.traceEvents.filter((e) => e.ph === 'X');
    const calls = graphCalls(r.trace.events);
    expect(x).toHaveLength(calls.length);
    const count = (f: string) => x.filter((e) => e.name === f).length;
    for (const f of ['ksys_write', 'vfs_write', 'pipe_write', 'check_message']) expect(count(f), f).toBe(N);
    for (const e of x) {
      expect(typeof e.ts).toBe('number');
      expect(Number.isFinite(e.ts)).toBe(true);
      expect(typeof e.dur).toBe('number');
      expect(e.dur!).toBeGreaterThanOrEqual(0);
      expect(e.name).not.toMatch(/^0x/);
    }
    // nesting survives: a pipe_write slice lies inside a vfs_write slice of the same thread
    const vfs = x.filter((e) => e.name === 'vfs_write');
    for (const p of x.filter((e) => e.name === 'pipe_write')) {
      const outer = vfs.find((v) => v.tid === p.tid && v.ts <= p.ts && v.ts + v.dur! >= p.ts + p.dur!);
      expect(outer, `pipe_write at ${p.ts}`).toBeDefined();
    }
    const threadNames = new Set(doc.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name));
    expect(threadNames.has('sender')).toBe(true);
    expect(threadNames.has('receiver')).toBe(true);
    expect(doc.otherData.cpus).toBe(2);
    expect(doc.otherData.lostEventsTotal).toBe(0);
  });
});

describe('Ftrace.events()', () => {
  // Its documented order: "per CPU in buffer order, CPUs one after the other".
  // Catches: events listed in drain order (each drain appending every CPU's
  // new events), which interleaves the CPUs in chunks that depend on host
  // timing, and any reordering within a CPU's buffer.
  it('lists the events per CPU, CPUs one after the other, after drains while the CPUs ran', async () => {
    const size: HbSize = { groups: 2, fds: 4, loops: 100, datasize: 32 };
    const { machine, ft } = await bootTraced({ cpus: 2, mode: 'deterministic', ...size }, { drainMs: 1 });
    let ops: ReturnType<typeof ft.register> | undefined;
    let drainsWithEvents = 0;
    machine.onPhase(({ args }) => {
      if (args[0] === 1n) ops = ft.register({ kind: 'function', filter: [...HB_FUNCS] });
      else if (args[0] === 2n) ft.unregister(ops!);
      return 0;
    });
    const timer = setInterval(() => {
      if (ft.drain() > 0) drainsWithEvents++;
    }, 1);
    machine.start();
    const res = await machine.exited;
    clearInterval(timer);
    ft.drain();
    expect(res.exitCode).toBe(0);
    expect(drainsWithEvents).toBeGreaterThan(1);
    const events = ft.events();
    expect(events).toHaveLength(3 * callsPerRun(size));
    const cpus = events.map((e) => e.cpu);
    const firstOutOfOrder = cpus.findIndex((c, i) => i > 0 && c < cpus[i - 1]!);
    expect(firstOutOfOrder, `event ${firstOutOfOrder} is CPU ${cpus[firstOutOfOrder]} after CPU ${cpus[firstOutOfOrder - 1]}`).toBe(-1);
    for (let cpu = 0; cpu < 2; cpu++) {
      const ts = events.filter((e) => e.cpu === cpu).map((e) => e.ts);
      for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThanOrEqual(ts[i - 1]!);
    }
  });
});

describe('deterministic replay through trace()', () => {
  // The ops go on and off inside the phase calls, so for one seed the patches
  // land at the same guest instruction and the trace repeats exactly.
  // Catches: registration that depends on host timing, events or guest work
  // that differ between two runs of one seed.
  it('the same seed gives the same events on every CPU and the same instruction count', async () => {
    const run = () => trace({ tracer: 'function_graph', filter: ['ksys_*', 'vfs_*', 'pipe_*'], cpus: 4, mode: 'deterministic', seed: 5, ...SIZE });
    const [a, b] = [await run(), await run()];
    expect(b.guestInstructions).toBe(a.guestInstructions);
    expect(b.events).toBe(a.events);
    const key = (e: TraceEvent) => `${e.type} ${e.pid} ${e.ts} ${e.ip} ${'depth' in e ? e.depth : ''}`;
    for (let cpu = 0; cpu < 4; cpu++) {
      expect(b.trace.events.filter((e) => e.cpu === cpu).map(key), `cpu ${cpu}`).toEqual(a.trace.events.filter((e) => e.cpu === cpu).map(key));
    }
    expect(b.perCpu).toEqual(a.perCpu);
  });
});
