// The function tracer's `trace` file: header, lost-event lines, event line
// layout (the kernel's trace_print_context and print_fn_trace), ordering.

import { describe, expect, it } from 'vitest';
import type { FunctionEvent, Symbolizer, TraceContext } from '../../bindings/ftrace/events.ts';
import { formatFunctionTrace } from '../../bindings/ftrace/output/index.ts';

const SYMBOLS: readonly { name: string; start: bigint; size: bigint }[] = [
  { name: 'ksys_write', start: 0xffff_8000_8001_0000n, size: 0x200n },
  { name: 'fill_message', start: 0xffff_8000_8001_0200n, size: 0x100n },
  { name: 'vfs_write', start: 0xffff_8000_8001_0300n, size: 0x300n },
  { name: 'schedule', start: 0xffff_8000_8002_0000n, size: 0x400n },
];

const symbolize: Symbolizer = (addr) => {
  for (const s of SYMBOLS) if (addr >= s.start && addr < s.start + s.size) return { name: s.name, offset: addr - s.start };
  return undefined;
};

/** An address inside `name`, where a patched BL would sit. */
function at(name: string, off = 4n): bigint {
  const s = SYMBOLS.find((x) => x.name === name);
  if (!s) throw new Error(name);
  return s.start + off;
}

function ctx(over: Partial<TraceContext> = {}): TraceContext {
  return {
    symbolize,
    comm: new Map([
      [12, 'sender'],
      [13, 'receiver'],
      [40, 'a-very-long-task-name'],
    ]),
    cpus: 4,
    lost: [0, 0, 0, 0],
    ...over,
  };
}

function fn(cpu: number, pid: number, ts: number, func: string, parent: string): FunctionEvent {
  return { type: 'function', cpu, pid, ts, ip: at(func), parentIp: at(parent, 0x40n) };
}

/** The lines after the header block (6 lines). */
function body(text: string): string[] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  return lines.slice(6);
}

describe('formatFunctionTrace header', () => {
  it('prints the kernel header with entries, entries written and #P', () => {
    const text = formatFunctionTrace([fn(0, 12, 1000, 'vfs_write', 'ksys_write'), fn(1, 13, 2000, 'schedule', 'vfs_write')], ctx());
    const head = text.split('\n').slice(0, 6).join('\n') + '\n';
    expect(head).toBe(
      '# tracer: function\n' +
        '#\n' +
        '# entries-in-buffer/entries-written: 2/2   #P:4\n' +
        '#\n' +
        '#           TASK-PID     CPU#     TIMESTAMP  FUNCTION\n' +
        '#              | |         |         |         |\n',
    );
  });

  it('counts lost events in entries-written and prints one LOST line per CPU after the header', () => {
    const text = formatFunctionTrace([fn(0, 12, 1000, 'vfs_write', 'ksys_write')], ctx({ lost: [0, 7, 0, 3] }));
    const lines = text.split('\n');
    expect(lines[2]).toBe('# entries-in-buffer/entries-written: 1/11   #P:4');
    expect(lines[6]).toBe('CPU:1 [LOST 7 EVENTS]');
    expect(lines[7]).toBe('CPU:3 [LOST 3 EVENTS]');
    expect(lines[8]).toMatch(/vfs_write <-ksys_write$/);
    expect(lines.filter((l) => l.includes('LOST'))).toHaveLength(2);
  });

  it('prints an empty trace as the header alone', () => {
    const text = formatFunctionTrace([], ctx({ cpus: 2, lost: [0, 0] }));
    expect(text.split('\n')).toHaveLength(7);
    expect(text).toContain('# entries-in-buffer/entries-written: 0/0   #P:2\n');
  });
});

describe('formatFunctionTrace event lines', () => {
  it('uses the kernel layout "%16s-%-7d [%03d]  %5lu.%06lu: func <-parent"', () => {
    const [line] = body(formatFunctionTrace([fn(1, 12, 1_234_567_890, 'fill_message', 'ksys_write')], ctx()));
    // trace_print_context: "%16s-%-7d " then "[%03d] " then trace_print_time's " %5lu.%06lu"
    // (microseconds from ns2usecs, which rounds) then ": ".
    const kernel = `${'sender'.padStart(16)}-${'12'.padEnd(7)} ${'[001]'} ${' ' + '1'.padStart(5)}.${'234568'}: fill_message <-ksys_write`;
    expect(line).toBe(kernel);
    expect(line).toBe('          sender-12      [001]      1.234568: fill_message <-ksys_write');
  });

  it('rounds the timestamp to the nearest microsecond and widens seconds past 5 digits', () => {
    const events = [
      fn(0, 12, 1_000_000_499, 'vfs_write', 'ksys_write'),
      fn(0, 12, 1_000_000_500, 'vfs_write', 'ksys_write'),
      fn(0, 12, 999_999_999_500, 'vfs_write', 'ksys_write'),
      fn(0, 12, 123_456_000_001_000, 'vfs_write', 'ksys_write'),
    ];
    const stamps = body(formatFunctionTrace(events, ctx())).map((l) => l.slice(30, l.indexOf(': ')));
    expect(stamps).toEqual(['      1.000000', '      1.000001', '   1000.000000', '  123456.000001']);
  });

  it('names pid 0 <idle>, unknown pids <...>, cuts comm to 15 characters, lets wide pids and cpus widen', () => {
    const lines = body(
      formatFunctionTrace(
        [
          fn(0, 0, 1000, 'schedule', 'vfs_write'),
          fn(1, 99, 2000, 'schedule', 'vfs_write'),
          fn(2, 40, 3000, 'schedule', 'vfs_write'),
          fn(1234, 12345678, 4000, 'schedule', 'vfs_write'),
        ],
        ctx(),
      ),
    );
    expect(lines[0]).toBe('          <idle>-0       [000]      0.000001: schedule <-vfs_write');
    expect(lines[1]).toBe('           <...>-99      [001]      0.000002: schedule <-vfs_write');
    expect(lines[2]).toBe(' a-very-long-tas-40      [002]      0.000003: schedule <-vfs_write');
    expect(lines[3]).toBe('           <...>-12345678 [1234]      0.000004: schedule <-vfs_write');
  });

  it('prints an address with no symbol as 0x and 8+ hex digits, and no parent when the parent is 0', () => {
    const lines = body(
      formatFunctionTrace(
        [
          { type: 'function', cpu: 0, pid: 12, ts: 1000, ip: 0x1234n, parentIp: at('ksys_write') },
          { type: 'function', cpu: 0, pid: 12, ts: 2000, ip: at('vfs_write'), parentIp: 0xffff_0000_dead_beefn },
          { type: 'function', cpu: 0, pid: 12, ts: 3000, ip: at('vfs_write'), parentIp: 0n },
        ],
        ctx(),
      ),
    );
    expect(lines[0]).toMatch(/: 0x00001234 <-ksys_write$/);
    expect(lines[1]).toMatch(/: vfs_write <-0xffff0000deadbeef$/);
    expect(lines[2]).toMatch(/: vfs_write$/);
  });
});

describe('formatFunctionTrace ordering', () => {
  it('sorts by timestamp across CPUs, ties by CPU, else keeping the given order', () => {
    const events = [
      fn(3, 13, 5000, 'schedule', 'vfs_write'),
      fn(1, 12, 3000, 'vfs_write', 'ksys_write'),
      fn(2, 13, 3000, 'schedule', 'ksys_write'),
      fn(0, 12, 3000, 'fill_message', 'ksys_write'),
      fn(0, 12, 1000, 'ksys_write', 'vfs_write'),
      fn(0, 12, 3000, 'schedule', 'fill_message'),
    ];
    const lines = body(formatFunctionTrace(events, ctx()));
    const summary = lines.map((l) => `${l.slice(26, 29)} ${l.slice(l.indexOf(': ') + 2)}`);
    expect(summary).toEqual([
      '000 ksys_write <-vfs_write',
      '000 fill_message <-ksys_write',
      '000 schedule <-fill_message',
      '001 vfs_write <-ksys_write',
      '002 schedule <-ksys_write',
      '003 schedule <-vfs_write',
    ]);
  });
});
