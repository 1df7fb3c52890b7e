// Every CLI command with missing, empty, out-of-range and wrong-typed
// options: exit 2, one line on stderr, no stack trace, nothing on stdout, and
// no boot first. Then the files `run` is given (a directory, a device, a
// pipe), closed and vanishing output, and hackbench --svg DIR.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeElf } from '../../bindings/elf/index.ts';
import { assemble } from '../../bindings/isa/asm.ts';
import { kernelElf } from '../util/machine.ts';

const CLI = 'dist/cli.js';
const dir = mkdtempSync(join(tmpdir(), 'patchlab-cli-'));

function cli(args: string[], opts: { stdio?: ('pipe' | 'ignore' | number)[]; input?: string; shell?: string } = {}) {
  const t0 = performance.now();
  const r = opts.shell
    ? spawnSync('sh', ['-c', opts.shell], { encoding: 'utf8', timeout: 60_000 })
    : spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, input: opts.input ?? '', stdio: opts.stdio as never });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: performance.now() - t0 };
}

function expectUsageError(args: string[]): void {
  const r = cli(args);
  const what = `patchlab ${args.map((a) => (a === '' ? "''" : a)).join(' ')}`;
  expect(r.status, `${what}: ${r.stderr}`).toBe(2);
  expect(r.stdout, what).toBe('');
  expect(r.stderr, what).toMatch(/^[^\n]+\n$/);
  expect(r.stderr, what).not.toMatch(/^\s+at /m);
  expect(r.ms, `${what} took ${Math.round(r.ms)} ms: it must not boot anything`).toBeLessThan(10_000);
}

/** For each integer option: missing, empty, wrong-typed, fractional and negative values (out-of-range ones are listed per command). */
const BAD_INTS = [null, '', 'abc', '1.5', '-1'];

const cases = (cmd: string[], opts: string[], extra: string[][]): string[][] => [
  ...opts.flatMap((o) => BAD_INTS.map((v) => (v === null ? [...cmd, `--${o}`] : [...cmd, `--${o}`, v]))),
  ...extra.map((e) => [...cmd, ...e]),
];

const HACKBENCH = cases(['hackbench'], ['cpus', 'groups', 'fds', 'loops', 'datasize', 'runs', 'seed', 'quantum', 'jit-threshold'], [
  ['--cpus', '0'], ['--cpus', '65'], ['--cpus', '99999999999'], ['--seed', '4294967296'], ['--groups', '0'], ['--fds', '0'], ['--datasize', '3'], ['--datasize', '5000'], ['--runs', '0'],
  ['--prologue', 'foo'], ['--prologue', ''], ['--mode', 'x'], ['--image', ''], ['--image', '/nonexistent'], ['--image', dir],
  ['--icache', 'x'], ['--patcher', 'x'], ['--json', '--markdown'], ['--svg', '/nonexistent/x.svg'], ['--svg', dir], ['--bogus'],
]);
const TRACE = cases(['trace'], ['cpus', 'seed', 'groups', 'fds', 'loops', 'datasize', 'buffer-kb', 'ram', 'quantum', 'jit-threshold'], [
  ['--cpus', '0'], ['--cpus', '65'], ['--buffer-kb', '3'], ['--ram', '99999999999'], ['--tracer', 'x'], ['--filter'], ['--image', ''], ['--image', dir], ['--image', '/nonexistent'], ['--format', 'x'],
  ['--output', '/nonexistent/x'], ['--output', dir], ['--redirect', 'x'], ['--patcher', 'x'], ['--trampoline', 'x'], ['--mode', 'x'], ['--bogus'],
]);
const BENCH = cases(['bench', 'trampolines'], ['loops', 'warmup', 'runs'], [
  ['--loops', '0'], ['--runs', '0'], ['--designs', 'x'], ['--designs', ''], ['--relevant', 'x'], ['--relevant', ''], ['--irrelevant', '-1'], ['--mode', 'x'],
  ['--image', dir], ['--bogus'],
]);
const RUN = cases(['run'], ['max-insns', 'jit-threshold', 'cpus', 'seed', 'quantum'], [
  [], ['--cpus', '65', 'f'], ['--seed', '4294967296', 'f'], ['--quantum', '0', 'f'], ['--jit-threshold', '65536', 'f'],
  ['--ram'], ['--ram', ''], ['--ram', '0'], ['--ram', '1000'], ['--ram', '3G'], ['--ram', '-5'], ['--profile', 'x', 'f'],
  ['--mode', 'x', 'f'], ['--icache', 'x', 'f'], ['--cpus', '2', 'f'], [''], [dir], ['/dev/zero'], ['/dev/null'], ['/nonexistent'],
]);
const TOP = [['foo'], ['--bogus'], ['bench', 'foo']];

describe.each([
  ['hackbench', HACKBENCH], ['trace', TRACE], ['bench trampolines', BENCH], ['run', RUN], ['patchlab itself', TOP],
] as const)('%s', (_name, list) => {
  it(`${list.length} bad invocations: exit 2, one line, no stack trace`, () => {
    for (const args of list) expectUsageError([...args]);
  }, 600_000);
});

describe('run', () => {
  const hello = join(dir, 'hello.elf');
  const a = assemble(`
    _start:
      mov x0, #1
      adr x1, msg
      mov x2, #6
      mov x8, #64
      svc #0
      mov x0, #0
      mov x8, #93
      svc #0
    msg:
      .word 0x6c6c6568
      .word 0x00000a6f`, 0x400000n);
  writeFileSync(hello, writeElf({ entry: 0x400000n, segments: [{ vaddr: 0x400000n, data: a.bytes, flags: { r: true, x: true } }] }));

  it('reads a program from a pipe, up to the guest RAM and no further', () => {
    expect(cli([], { shell: `${process.execPath} ${CLI} run /dev/stdin < ${hello}` }).stdout).toBe('hello\n');
    const big = cli([], { shell: `head -c 70000000 /dev/zero | ${process.execPath} ${CLI} run --ram 64M /dev/stdin` });
    expect(big.status).toBe(2);
    expect(big.stderr).toMatch(/^patchlab: \/dev\/stdin: is larger than the 64 MiB of guest RAM it would load into\n$/);
  });

  it('a stdout closed at start: the guest sees -EBADF, patchlab says the output was lost and fails', () => {
    const r = cli([], { shell: `${process.execPath} ${CLI} run ${hello} >&-` });
    expect(r.stderr).toBe("patchlab: the guest's stdout is closed (EBADF): its output was lost\n");
    expect(r.status).toBe(1);
    // redirected to /dev/null is not closed
    const n = cli([], { shell: `${process.execPath} ${CLI} run ${hello} > /dev/null` });
    expect([n.status, n.stderr]).toEqual([0, '']);
  });

  const chatty = join(dir, 'chatty.elf');
  writeFileSync(chatty, kernelElf(`
    _start:
      cbnz x0, park
      movz x1, #0x4001, lsl #16
      mov w2, #0x0a79
      strh w2, [x1]
    again:
      mov x0, #1
      movz x1, #0x4001, lsl #16
      mov x2, #2
      mov x8, #64
      hvc #0
      b again
    park:
      wfi
      b park`));

  it('kernel profile: a console whose reader goes away ends the run with 141, quietly', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--profile', 'kernel', '--cpus', '2', chatty], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(stderr).toBe('');
    expect(status).toBe(141);
  });

  it('kernel profile: a console closed at start is one line and exit 1', () => {
    const r = cli([], { shell: `${process.execPath} ${CLI} run --profile kernel ${chatty} >&-` });
    expect(r.stderr).toBe("patchlab: cannot write the guest's stdout: EBADF\n");
    expect(r.status).toBe(1);
  });

  it('kernel profile: every CPU in WFI with nothing to wake it is a deadlock report, exit 125', () => {
    const stuck = join(dir, 'stuck.elf');
    writeFileSync(stuck, kernelElf('_start:\n  wfi\n  b _start'));
    const r = cli(['run', '--profile', 'kernel', '--cpus', '2', stuck]);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/^patchlab: deadlock: all 2 CPUs are waiting for an interrupt and no timer is armed \(nothing woke them for \d+ ms; CPU 0 0x40000004 <_start\+0x4>, CPU 1 0x40000004 <_start\+0x4>\)\n$/);
  });
});

describe('hackbench --svg', () => {
  it('a directory is refused before any boot', () => {
    const r = cli(['hackbench', '--svg', dir, '--runs', '1', '--groups', '1', '--fds', '1', '--loops', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`patchlab hackbench: --svg: ${dir} is a directory, not a file\n`);
    expect(r.ms).toBeLessThan(10_000);
  });
});
