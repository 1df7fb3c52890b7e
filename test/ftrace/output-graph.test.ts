// The function_graph tracer's `trace` file: header, leaves, nesting,
// duration column and overhead marks, context switches, returns without
// their entry, lost events, CPU column width, merging across CPUs.

import { describe, expect, it } from 'vitest';
import type { GraphEntryEvent, GraphExitEvent, Symbolizer, TraceContext } from '../../bindings/ftrace/events.ts';
import { formatGraphTrace, graphDuration, overheadMark } from '../../bindings/ftrace/output/index.ts';

const NAMES = ['ksys_write', 'fdget', 'vfs_write', 'rw_verify_area', 'schedule', 'pipe_write', 'mutex_lock'];
const BASE = 0xffff_8000_8010_0000n;
const SIZE = 0x100n;

const symbolize: Symbolizer = (addr) => {
  const i = Number((addr - BASE) / SIZE);
  if (addr < BASE || i >= NAMES.length) return undefined;
  return { name: NAMES[i]!, offset: (addr - BASE) % SIZE };
};
const at = (name: string): bigint => BASE + BigInt(NAMES.indexOf(name)) * SIZE + 4n;

function ctx(over: Partial<TraceContext> = {}): TraceContext {
  return {
    symbolize,
    comm: new Map([
      [12, 'comm'],
      [13, 'comm'],
      [20, 'hackbench-sender'],
    ]),
    cpus: 2,
    lost: [0, 0],
    ...over,
  };
}

type Ev = GraphEntryEvent | GraphExitEvent;
const enter = (cpu: number, pid: number, ts: number, fn: string, depth: number): GraphEntryEvent => ({
  type: 'graph-entry', cpu, pid, ts, ip: at(fn), depth,
});
const leave = (cpu: number, pid: number, ts: number, fn: string, depth: number, calltime: number): GraphExitEvent => ({
  type: 'graph-exit', cpu, pid, ts, ip: at(fn), depth, calltime,
});

/** The lines after the 4 header lines. */
function body(text: string): string[] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  return lines.slice(4);
}

/** A leaf call of `ns` on CPU 0, printed alone. */
function leafLine(ns: number): string {
  return body(formatGraphTrace([enter(0, 12, 1000, 'fdget', 0), leave(0, 12, 1000 + ns, 'fdget', 0, 1000)], ctx()))[0]!;
}

describe('formatGraphTrace', () => {
  it('prints the kernel header', () => {
    expect(formatGraphTrace([], ctx())).toBe(
      '# tracer: function_graph\n' +
        '#\n' +
        '# CPU  DURATION                  FUNCTION CALLS\n' +
        '# |     |   |                     |   |   |   |\n',
    );
  });

  it('collapses leaves, nests with 2 spaces per level and closes with the duration', () => {
    const events: Ev[] = [
      enter(0, 12, 1000, 'ksys_write', 0),
      enter(0, 12, 1100, 'fdget', 1),
      leave(0, 12, 1392, 'fdget', 1, 1100),
      enter(0, 12, 1500, 'vfs_write', 1),
      enter(0, 12, 1600, 'rw_verify_area', 2),
      leave(0, 12, 1700, 'rw_verify_area', 2, 1600),
      leave(0, 12, 13_917, 'vfs_write', 1, 1500),
      leave(0, 12, 104_417, 'ksys_write', 0, 1000),
    ];
    expect(body(formatGraphTrace(events, ctx()))).toEqual([
      ' 0)               |  ksys_write() {',
      ' 0)   0.292 us    |    fdget();',
      ' 0)               |    vfs_write() {',
      ' 0)   0.100 us    |      rw_verify_area();',
      ' 0) + 12.417 us   |    }',
      ' 0) ! 103.417 us  |  }',
    ]);
  });

  it('takes the duration from the return (ts - calltime), not from the entry event', () => {
    const lines = body(formatGraphTrace([enter(0, 12, 1000, 'fdget', 0), leave(0, 12, 3000, 'fdget', 0, 1500)], ctx()));
    expect(lines).toEqual([' 0)   1.500 us    |  fdget();']);
  });

  it('is not a leaf when the next event of the CPU is another task returning the same function', () => {
    const lines = body(formatGraphTrace([enter(0, 12, 1000, 'fdget', 0), leave(0, 13, 2000, 'fdget', 0, 500)], ctx()));
    expect(lines[0]).toBe(' 0)               |  fdget() {');
    expect(lines.at(-1)).toBe(' 0)   1.500 us    |  } /* fdget */');
  });

  it('marks durations strictly above each kernel threshold', () => {
    const cases: [number, string][] = [
      [10_000, ' '],
      [10_001, '+'],
      [100_000, '+'],
      [100_001, '!'],
      [1_000_000, '!'],
      [1_000_001, '#'],
      [10_000_000, '#'],
      [10_000_001, '*'],
      [100_000_000, '*'],
      [100_000_001, '@'],
      [1_000_000_000, '@'],
      [1_000_000_001, '$'],
    ];
    for (const [ns, mark] of cases) {
      expect(overheadMark(ns), `${ns} ns`).toBe(mark);
      expect(leafLine(ns).slice(4, 6), `${ns} ns`).toBe(`${mark} `);
    }
  });

  it('prints durations with at most 7 digits and pads them to the kernel column', () => {
    expect(graphDuration(292)).toBe('0.292 us    ');
    expect(graphDuration(12_417)).toBe('12.417 us   ');
    expect(graphDuration(103_417)).toBe('103.417 us  ');
    expect(graphDuration(1_234_567)).toBe('1234.567 us ');
    expect(graphDuration(12_345_678)).toBe('12345.67 us ');
    expect(graphDuration(123_456_789)).toBe('123456.7 us ');
    expect(graphDuration(1_234_567_890)).toBe('1234567 us  ');
    expect(graphDuration(12_345_678_901)).toBe('12345678 us ');
    expect(graphDuration(5)).toBe('0.005 us    ');
    expect(leafLine(1_234_567)).toBe(' 0) # 1234.567 us |  fdget();');
    expect(leafLine(2_345_678_901)).toBe(' 0) $ 2345678 us  |  fdget();');
    expect(leafLine(12_345_678_901)).toBe(' 0) $ 12345678 us |  fdget();');
  });

  it('prints the context-switch block when the task on a CPU changes', () => {
    const events: Ev[] = [
      enter(1, 12, 1000, 'fdget', 0),
      leave(1, 12, 1200, 'fdget', 0, 1000),
      enter(1, 13, 2000, 'fdget', 0),
      leave(1, 13, 2300, 'fdget', 0, 2000),
    ];
    const text = formatGraphTrace(events, ctx());
    expect(text.slice(text.indexOf('\n 1)') + 1)).toBe(
      ' 1)   0.200 us    |  fdget();\n' +
        ' ------------------------------------------\n' +
        ' 1)    comm-12     =>    comm-13    \n' +
        ' ------------------------------------------\n' +
        '\n' +
        ' 1)   0.300 us    |  fdget();\n',
    );
  });

  it('centres task names cut to 7 characters, and names idle and unknown tasks', () => {
    const events: Ev[] = [
      enter(0, 20, 1000, 'fdget', 0),
      leave(0, 20, 1100, 'fdget', 0, 1000),
      enter(0, 0, 2000, 'fdget', 0),
      leave(0, 0, 2100, 'fdget', 0, 2000),
      enter(0, 4242, 3000, 'fdget', 0),
      leave(0, 4242, 3100, 'fdget', 0, 3000),
    ];
    const switches = body(formatGraphTrace(events, ctx())).filter((l) => l.includes('=>'));
    expect(switches).toEqual([' 0)   hackben-20   =>    <idle>-0   ', ' 0)    <idle>-0    =>   <...>-4242  ']);
  });

  it('prints no switch block for the first event of a CPU, nor when other CPUs interleave', () => {
    const events: Ev[] = [
      enter(0, 12, 1000, 'ksys_write', 0),
      enter(1, 13, 1500, 'ksys_write', 0),
      enter(0, 12, 2000, 'fdget', 1),
      leave(0, 12, 2100, 'fdget', 1, 2000),
      leave(1, 13, 2500, 'ksys_write', 0, 1500),
      leave(0, 12, 3000, 'ksys_write', 0, 1000),
    ];
    const text = formatGraphTrace(events, ctx());
    expect(text).not.toContain('=>');
    expect(body(text)).toEqual([
      ' 0)               |  ksys_write() {',
      ' 1)   1.000 us    |  ksys_write();',
      ' 0)   0.100 us    |    fdget();',
      ' 0)   2.000 us    |  }',
    ]);
  });

  it('detects leaves within one CPU stream while another CPU has events in between', () => {
    const events: Ev[] = [
      enter(0, 12, 1000, 'fdget', 0),
      enter(1, 13, 1500, 'schedule', 0),
      leave(0, 12, 2000, 'fdget', 0, 1000),
      leave(1, 13, 2500, 'schedule', 0, 1500),
    ];
    expect(body(formatGraphTrace(events, ctx()))).toEqual([' 0)   1.000 us    |  fdget();', ' 1)   1.000 us    |  schedule();']);
  });

  it('reads each CPU in timestamp order whatever the input order', () => {
    const events: Ev[] = [
      leave(0, 12, 3000, 'ksys_write', 0, 1000),
      leave(0, 12, 2100, 'fdget', 1, 2000),
      enter(0, 12, 1000, 'ksys_write', 0),
      enter(0, 12, 2000, 'fdget', 1),
    ];
    expect(body(formatGraphTrace(events, ctx()))).toEqual([
      ' 0)               |  ksys_write() {',
      ' 0)   0.100 us    |    fdget();',
      ' 0)   2.000 us    |  }',
    ]);
  });

  it('names the function of a return whose entry is not in the trace', () => {
    const events: Ev[] = [
      enter(0, 12, 1000, 'fdget', 2),
      leave(0, 12, 1100, 'fdget', 2, 1000),
      leave(0, 12, 5000, 'vfs_write', 1, 200),
      leave(0, 12, 9000, 'ksys_write', 0, 100),
    ];
    expect(body(formatGraphTrace(events, ctx()))).toEqual([
      ' 0)   0.100 us    |      fdget();',
      ' 0)   4.800 us    |    } /* vfs_write */',
      ' 0)   8.900 us    |  } /* ksys_write */',
    ]);
  });

  it('names the function of a return after another task used its depth on the CPU', () => {
    const events: Ev[] = [
      enter(0, 12, 1000, 'pipe_write', 0),
      enter(0, 12, 1100, 'mutex_lock', 1),
      leave(0, 13, 2000, 'schedule', 0, 100),
      enter(0, 12, 3000, 'fdget', 2),
      leave(0, 12, 3100, 'fdget', 2, 3000),
      leave(0, 12, 4000, 'mutex_lock', 1, 1100),
      leave(0, 12, 5000, 'pipe_write', 0, 1000),
    ];
    const lines = body(formatGraphTrace(events, ctx()));
    expect(lines.filter((l) => !l.startsWith(' -') && l !== '')).toEqual([
      ' 0)               |  pipe_write() {',
      ' 0)               |    mutex_lock() {',
      ' 0)    comm-12     =>    comm-13    ',
      ' 0)   1.900 us    |  } /* schedule */',
      ' 0)    comm-13     =>    comm-12    ',
      ' 0)   0.100 us    |      fdget();',
      ' 0)   2.900 us    |    }',
      ' 0)   4.000 us    |  } /* pipe_write */',
    ]);
  });

  it('prints the lost-event lines after the header', () => {
    const text = formatGraphTrace([enter(0, 12, 1000, 'fdget', 0), leave(0, 12, 1100, 'fdget', 0, 1000)], ctx({ lost: [5, 0] }));
    expect(text.split('\n').slice(4, 6)).toEqual(['CPU:0 [LOST 5 EVENTS]', ' 0)   0.100 us    |  fdget();']);
  });

  it('widens the CPU column to the digits of the highest CPU', () => {
    const events: Ev[] = [
      enter(0, 12, 1000, 'fdget', 0),
      leave(0, 12, 1100, 'fdget', 0, 1000),
      enter(11, 13, 2000, 'fdget', 0),
      leave(11, 13, 2100, 'fdget', 0, 2000),
    ];
    expect(body(formatGraphTrace(events, ctx({ cpus: 12, lost: [] })))).toEqual([
      '  0)   0.100 us    |  fdget();',
      ' 11)   0.100 us    |  fdget();',
    ]);
  });

  it('prints an address with no symbol as 0x followed by hex', () => {
    const ip = 0xdead_0000n;
    const lines = body(
      formatGraphTrace(
        [
          { type: 'graph-entry', cpu: 0, pid: 12, ts: 1000, ip, depth: 0 },
          { type: 'graph-exit', cpu: 0, pid: 12, ts: 1100, ip, depth: 0, calltime: 1000 },
        ],
        ctx(),
      ),
    );
    expect(lines).toEqual([' 0)   0.100 us    |  0xdead0000();']);
  });
});
