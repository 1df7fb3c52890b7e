// `patchlab trace` (dist/cli.js, bundled by the test setup): exit code 2 and
// one line on stderr for every bad option or unusable image, --list, the
// --json contract, Perfetto output to a file, the text header, and output
// errors.
//
// What this catches: an option error that escapes as an uncaught exception
// (a Node stack trace, exit code 1), an error reported after booting instead
// of before, --list showing notrace functions or missing traceable ones,
// --json keys renamed or missing, --output writing nothing or something that
// is not JSON, and output failures (a file that cannot be written, a closed
// stdout) that crash with a stack trace.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeElf } from '../../bindings/elf/index.ts';
import { expectOneLineError } from '../util/cli.ts';
import { cliTrace, HB_FUNCS, recordsOfImage, ROOT } from '../util/ftrace.ts';

const SMALL = ['--groups', '1', '--fds', '2', '--loops', '3', '--datasize', '32'];
const dir = mkdtempSync(join(tmpdir(), 'patchlab-trace-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Exit code 2, nothing on stdout, exactly one non-empty line on stderr matching `message`, no stack trace. */
function expectUsageError(args: string[], message: RegExp): void {
  const r = cliTrace(args);
  expectOneLineError(r, message, `patchlab trace ${args.join(' ')}\n${r.stderr}`);
}

const NOP_WORD = [0x1f, 0x20, 0x03, 0xd5];
const RET_WORD = [0xc0, 0x03, 0x5f, 0xd6];
const RAM = 0x4000_0000n;

/** A kernel-profile ELF: `words` of code at RAM, FUNC symbols, patchable entries. */
function tinyElf(name: string, code: number[][], symbols: { name: string; at: number }[], entries: number[]): string {
  const bytes = new Uint8Array(code.flat());
  const file = join(dir, name);
  writeFileSync(
    file,
    writeElf({
      entry: RAM,
      segments: [{ vaddr: RAM, data: bytes, flags: { r: true, x: true } }],
      symbols: symbols.map((s) => ({ name: s.name, value: RAM + BigInt(s.at), size: 8, type: 'FUNC' as const, binding: 'GLOBAL' as const })),
      patchableEntries: entries.map((e) => RAM + BigInt(e)),
    }),
  );
  return file;
}

describe('bad options and images: exit code 2, one line on stderr, no stack trace', () => {
  it.each([
    ['a filter that matches no function', ['--filter', 'no_such_function_xyz'], /filter pattern 'no_such_function_xyz' matches no traceable function/],
    ['a notrace pattern that matches no function', ['--notrace', 'no_such_function_xyz'], /notrace pattern 'no_such_function_xyz'/],
    ['a bad glob', ['--filter', 'pipe_[abc'], /pipe_\[abc/],
    ['an unknown tracer', ['--tracer', 'wakeup'], /wakeup/],
    ['--graph-function without function_graph', ['--graph-function', 'ksys_write'], /--graph-function needs the function_graph tracer/],
    ['--graph-function with the function tracer', ['--tracer', 'function', '--graph-function', 'ksys_write'], /function_graph/],
    ['--graph-function that matches nothing', ['--tracer', 'function_graph', '--graph-function', 'no_such_function_xyz'], /no_such_function_xyz/],
    ['--buffer-kb 0', ['--buffer-kb', '0'], /buffer-kb must be an integer 4\.\.65536, got 0/],
    ['--buffer-kb 3', ['--buffer-kb', '3'], /buffer-kb/],
    ['--buffer-kb 100000', ['--buffer-kb', '100000'], /buffer-kb must be an integer 4\.\.65536, got 100000/],
    ['--buffer-kb not a number', ['--buffer-kb', 'lots'], /buffer-kb/],
    ['--cpus 0', ['--cpus', '0'], /cpus/],
    ['an unknown mode', ['--mode', 'fast'], /mode/],
    ['an unknown format', ['--format', 'pdf'], /format/],
    ['--format trace-dat without --output', ['--format', 'trace-dat'], /--format trace-dat is binary: it needs --output FILE/],
    ['--output into a missing directory', ['--output', '/nonexistent-dir-xyz/trace.txt'], /--output: directory \/nonexistent-dir-xyz does not exist/],
    ['--output that is a directory', ['--output', tmpdir()], /is a directory/],
    ['a missing image file', ['--image', '/nonexistent-dir-xyz/kernel.elf'], /\/nonexistent-dir-xyz\/kernel\.elf does not exist/],
    ['an image that is a directory', ['--image', tmpdir()], /cannot read/],
    ['--list with a missing image', ['--list', '--image', '/nonexistent-dir-xyz/kernel.elf'], /does not exist/],
  ])('%s', (_what, args, message) => {
    expectUsageError([...args, ...SMALL], message);
  });

  it('a non-ELF image file', () => {
    const file = join(dir, 'not-an-elf.elf');
    writeFileSync(file, 'this is not an ELF file\n');
    expectUsageError(['--image', file, ...SMALL], /not-an-elf\.elf.*not an ELF/);
    expectUsageError(['--list', '--image', file], /not an ELF/);
  });

  it('an ELF without __patchable_function_entries', () => {
    expectUsageError(['--image', join(ROOT, 'guest/build/smp-spin.elf'), ...SMALL], /no __patchable_function_entries/);
  });

  it('an ELF whose patchable sites are not GCC layouts, or not in a function', () => {
    // one NOP before the entry: neither =2 nor =4,2
    const odd = tinyElf('odd-layout.elf', [NOP_WORD, NOP_WORD, NOP_WORD, RET_WORD], [{ name: 'f', at: 4 }], [0]);
    expectUsageError(['--image', odd, ...SMALL], /odd-layout\.elf.*1 NOPs before the entry/);
    expectUsageError(['--list', '--image', odd], /1 NOPs before the entry/);
    // a site with no function after it
    const lone = tinyElf('no-function.elf', [NOP_WORD, NOP_WORD, RET_WORD], [], [0]);
    expectUsageError(['--image', lone, ...SMALL], /no-function\.elf.*no function starts/);
  });

  it('an ELF with ftrace records that is not the patchlab kernel', () => {
    const file = tinyElf('not-patchlab.elf', [NOP_WORD, NOP_WORD, RET_WORD], [{ name: 'f', at: 0 }], [0]);
    expectUsageError(['--image', file, ...SMALL], /not-patchlab\.elf.*not a patchlab kernel/);
  });
});

describe('--list', () => {
  it('prints one traceable function per line: the records, no notrace function', () => {
    const r = cliTrace(['--list']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.endsWith('\n')).toBe(true);
    const names = r.stdout.slice(0, -1).split('\n');
    expect(names).toEqual(recordsOfImage('pfe2').map((x) => x.fn));
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[A-Za-z_][\w.]*$/);
    for (const f of [...HB_FUNCS, 'ksys_read', 'pipe_write', 'strlen']) expect(names, f).toContain(f);
    for (const f of ['memcpy', 'memset', 'ftrace_ops_list_func', 'function_trace_call', 'fgraph_entry_call', 'ftrace_return_to_handler', 'ftrace_recursing_call', 'rb_write']) {
      expect(names, f).not.toContain(f);
    }
  });

  it('lists the =4,2 image too', () => {
    const r = cliTrace(['--list', '--image', 'pfe42']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.slice(0, -1).split('\n')).toEqual(recordsOfImage('pfe42').map((x) => x.fn));
  });
});

describe('--json', () => {
  it('prints one object with the documented keys and types', () => {
    const r = cliTrace(['--filter', HB_FUNCS.join(','), '--profile', '--json', '--mode', 'deterministic', '--cpus', '2', ...SMALL]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout); // the whole of stdout
    for (const k of ['config', 'image', 'tracer', 'enabledSites', 'functions', 'events', 'lost', 'perCpu', 'workload']) {
      expect(j, k).toHaveProperty(k);
    }
    expect(j).not.toHaveProperty('trace');
    expect(j.config).toMatchObject({
      tracer: 'function', profile: true, filter: [...HB_FUNCS], notrace: [], graphFunction: [], image: 'pfe2', cpus: 2,
      mode: 'deterministic', seed: 1, groups: 1, fds: 2, loops: 3, datasize: 32, bufferKb: 1024,
    });
    expect(j.image.file).toMatch(/kernel-pfe2\.elf$/);
    expect(j.image.patchSites).toBe(recordsOfImage('pfe2').length);
    expect(j.tracer).toBe('function');
    expect(j.enabledSites).toBe(3);
    const n = 1 * 2 * 2 * 3;
    expect(j.functions).toHaveLength(3);
    for (const f of j.functions) {
      expect(Object.keys(f).sort()).toEqual(['avgNs', 'hits', 'name', 's2', 'totalNs']);
      expect(HB_FUNCS).toContain(f.name);
      expect(f.hits).toBe(n);
      for (const k of ['totalNs', 'avgNs', 's2']) expect(Number.isFinite(f[k]), k).toBe(true);
    }
    expect(j.events).toBe(3 * n);
    expect(j.lost).toBe(0);
    expect(j.perCpu).toHaveLength(2);
    for (const c of j.perCpu) {
      for (const k of ['cpu', 'events', 'lost', 'missed', 'calls', 'overrun']) expect(Number.isInteger(c[k]), k).toBe(true);
    }
    expect(j.workload).toMatchObject({ messages: n, expectedMessages: n });
  });

  it('has functions null without --profile', () => {
    const r = cliTrace(['--filter', 'fill_message', '--json', '--mode', 'deterministic', ...SMALL]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).functions).toBeNull();
  });
});

describe('trace output', () => {
  it('prints the function tracer text with its header by default', () => {
    const r = cliTrace(['--filter', 'fill_message', '--mode', 'deterministic', ...SMALL]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('# tracer: function');
    expect(lines).toContain('# entries-in-buffer/entries-written: 12/12   #P:2');
    expect(lines.filter((l) => / fill_message <-sender$/.test(l))).toHaveLength(12);
  });

  it('--tracer nop --profile prints the nop header and the profile table', () => {
    const r = cliTrace(['--tracer', 'nop', '--profile', '--filter', 'check_message', '--mode', 'deterministic', ...SMALL]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith('# tracer: nop\n')).toBe(true);
    expect(r.stdout).toMatch(/^ {2}check_message\s+12\s/m);
  });

  it('--format perfetto --output FILE writes trace-event JSON to the file and nothing to stdout', () => {
    const file = join(dir, 'trace.json');
    const r = cliTrace(['--tracer', 'function_graph', '--filter', 'ksys_write,vfs_write', '--format', 'perfetto', '--output', file, '--mode', 'deterministic', ...SMALL]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(Array.isArray(doc.traceEvents)).toBe(true);
    const x = doc.traceEvents.filter((e: { ph: string }) => e.ph === 'X');
    expect(x.filter((e: { name: string }) => e.name === 'ksys_write')).toHaveLength(12);
    expect(x.filter((e: { name: string }) => e.name === 'vfs_write')).toHaveLength(12);
    for (const e of x) {
      expect(typeof e.ts).toBe('number');
      expect(typeof e.dur).toBe('number');
    }
  });

  it('--output with --json writes the trace to the file and the JSON to stdout', () => {
    const file = join(dir, 'trace.txt');
    const r = cliTrace(['--filter', 'fill_message', '--json', '--output', file, '--mode', 'deterministic', ...SMALL]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).events).toBe(12);
    expect(readFileSync(file, 'utf8').startsWith('# tracer: function\n')).toBe(true);
  });

  it('warns on stderr when a CPU lost events', () => {
    const r = cliTrace(['--buffer-kb', '4', '--mode', 'deterministic', '--groups', '2', '--fds', '4', '--loops', '10', '--datasize', '32']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^patchlab trace: CPU \d lost \d+ events \(buffer of 128 events full; --buffer-kb\)$/m);
    expect(r.stdout).toMatch(/^CPU:\d \[LOST \d+ EVENTS\]$/m);
  });
});

describe('output that cannot be written', () => {
  // The checks before the boot cannot know that a device is full.
  it('--output on a full device: one line on stderr, no stack trace', () => {
    const r = cliTrace(['--filter', 'fill_message', '--output', '/dev/full', '--mode', 'deterministic', ...SMALL]);
    expect(r.stderr, r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr.split('\n').filter((l) => l.trim() !== '')).toHaveLength(1);
    expect(r.stderr).toMatch(/^patchlab.*\/dev\/full/);
    expect(r.status).not.toBe(0);
  });

  // `patchlab trace | head`: the reader goes away after the first lines.
  it('stdout closed by the reader: no stack trace', async () => {
    const child = spawn(process.execPath, ['dist/cli.js', 'trace', '--mode', 'deterministic', '--groups', '2', '--fds', '4', '--loops', '10'], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr, stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toMatch(/Unhandled 'error' event/);
    expect(code).not.toBeNull();
  });
});
