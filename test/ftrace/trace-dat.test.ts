// trace.dat read back by the real trace-cmd: one function line per traced
// call with patchlab's names, graph lines nested as patchlab's graph text,
// per-CPU counts as traceJson's, lost events shown as dropped, and a file
// with a broken page size refused (so trace-cmd reads what was written).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatTrace, toTraceDat, trace, type TraceResult } from '../../bindings/ftrace/trace.ts';
import { functionSymbolName } from '../../bindings/ftrace/output/context.ts';

const HAVE = spawnSync('trace-cmd', ['--help'], { encoding: 'utf8' }).error === undefined;
if (!HAVE) console.warn('trace-dat.test: skipping: trace-cmd not found in PATH (apt-get install trace-cmd)');
const DIR = HAVE ? mkdtempSync(join(tmpdir(), 'tracedat-')) : '';
afterAll(() => { if (DIR) rmSync(DIR, { recursive: true, force: true }); });
const SIZE = { mode: 'deterministic', cpus: 2, groups: 1, fds: 2, loops: 2 } as const;

function report(bytes: Uint8Array, name: string, args: string[] = []) {
  const file = join(DIR, name);
  writeFileSync(file, bytes);
  return spawnSync('trace-cmd', ['report', ...args, file], { encoding: 'utf8' });
}

/** Graph lines per CPU as "indent text", a leaf "f();" as its opening and closing lines. */
function graphTokens(rows: { cpu: number; body: string }[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const { cpu, body } of rows) {
    const m = /^(\s*)(.*?)\s*$/.exec(body)!;
    const ind = m[1]!.length;
    const list = out.get(cpu) ?? [];
    out.set(cpu, list);
    const leaf = /^(\S+)\(\);$/.exec(m[2]!);
    if (leaf) list.push(`${ind} ${leaf[1]} {`, `${ind} }`);
    else list.push(`${ind} ${m[2]!.replace('() {', ' {')}`);
  }
  return out;
}

describe.skipIf(!HAVE)('trace-cmd report reads patchlab trace.dat', () => {
  let fn: TraceResult;
  it('function: one line per call, names, parents, CPUs and µs (rounded) as patchlab\'s events', async () => {
    fn = await trace({ tracer: 'function', filter: ['fill_message', 'ksys_write', 'check_message'], ...SIZE });
    const r = report(toTraceDat(fn), 'function.dat', ['-O', 'parent=1']);
    expect(r.status, r.stderr).toBe(0);
    const got = r.stdout.split('\n').filter((l) => l.includes(' function: ')).map((l) => {
      const m = /-(\d+)\s+\[(\d+)\]\s+(\d+)\.(\d+): function:\s+(\S+) <-- (\S+)$/.exec(l)!;
      return `${Number(m[2])} ${m[1]} ${Number(m[3]) * 1e6 + Number(m[4])} ${m[5]} ${m[6]}`;
    });
    const { events, context } = fn.trace;
    const want = events.filter((e) => e.type === 'function').map((e) =>
      `${e.cpu} ${e.pid} ${Math.floor((e.ts + 500) / 1000)} ${functionSymbolName(context.symbolize, e.ip)} ${functionSymbolName(context.symbolize, e.parentIp)}`);
    expect(want.length).toBeGreaterThan(10);
    expect([...got].sort()).toEqual([...want].sort());
    for (const c of fn.perCpu) expect(got.filter((g) => g.startsWith(`${c.cpu} `)).length).toBe(c.events);
  });

  it('formatTrace refuses the binary format (toTraceDat writes it)', () => {
    expect(() => formatTrace(fn, 'trace-dat')).toThrow(/toTraceDat/);
  });

  it('--stat reads the file without complaint', () => {
    const r = report(toTraceDat(fn), 'stat.dat', ['--stat']);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/error|fail|bad/i);
  });

  it('a page size of 0 in the header makes trace-cmd fail', () => {
    const bad = toTraceDat(fn).slice();
    new DataView(bad.buffer).setUint32(14, 0, true);
    expect(report(bad, 'bad.dat').status).not.toBe(0);
  });

  it('function_graph: lines nest as patchlab\'s graph text', async () => {
    const g = await trace({ tracer: 'function_graph', filter: ['ksys_write', 'vfs_write', 'fill_message'], ...SIZE });
    const r = report(toTraceDat(g), 'graph.dat');
    expect(r.status, r.stderr).toBe(0);
    const theirs = graphTokens(r.stdout.split('\n').filter((l) => /funcgraph_(entry|exit):/.test(l)).map((l) => ({
      cpu: Number(/\[(\d+)\]/.exec(l)![1]), body: l.slice(l.indexOf('|') + 1),
    })));
    const ours = graphTokens(formatTrace(g).split('\n').filter((l) => /^\s*\d+\).*\|/.test(l)).map((l) => ({
      cpu: Number(/^\s*(\d+)\)/.exec(l)![1]), body: l.slice(l.indexOf('|') + 1),
    })));
    expect(ours.size).toBe(2);
    expect(theirs).toEqual(ours);
  });

  it('lost events (tiny --buffer-kb) show as dropped, with the counts of perCpu', async () => {
    const l = await trace({ tracer: 'function', ...SIZE, groups: 2, fds: 4, loops: 10, bufferKb: 4 });
    const r = report(toTraceDat(l), 'lost.dat');
    expect(r.status, r.stderr).toBe(0);
    const lost = l.perCpu.filter((c) => c.lost > 0);
    expect(lost.length).toBeGreaterThan(0);
    for (const c of lost) expect(r.stdout).toContain(`CPU:${c.cpu} [${c.lost} EVENTS DROPPED]`);
  });

  it('a gap over 2^27 ns goes through a TIME_EXTEND and keeps its time', () => {
    const ctx = { symbolize: (a: bigint) => ({ name: 'fill_message', offset: a - 0x1000n }), comm: new Map([[7, 'sender']]), cpus: 1, lost: [0] };
    const ev = (ts: number) => ({ type: 'function' as const, cpu: 0, pid: 7, ts, ip: 0x1004n, parentIp: 0n });
    const bytes = toTraceDat({ trace: { events: [ev(1_000_000), ev(1_000_000 + 3 * 2 ** 27), ev(5_000_000_123)], context: ctx } } as unknown as TraceResult);
    const r = report(bytes, 'extend.dat');
    expect(r.status, r.stderr).toBe(0);
    const ts = r.stdout.split('\n').filter((x) => x.includes('function:')).map((x) => /(\d+\.\d+):/.exec(x)![1]);
    expect(ts).toEqual(['0.001000', '0.403653', '5.000000']);
  });
});
