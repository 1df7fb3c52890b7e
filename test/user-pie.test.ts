// The user profile loads what Linux (and qemu-aarch64) load without a dynamic
// linker: a static-pie image (ET_DYN, no PT_INTERP) is placed in RAM and its
// own start-up code relocates it; a dynamically linked program is refused
// with a LoadError that says so. Built with the cross compiler at test time.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElf } from '../bindings/elf/index.ts';
import { Machine } from '../bindings/machine/machine.ts';
import { LoadError, PIE_BASE } from '../bindings/user/image.ts';
import { runUserProgram, UserProcess } from '../bindings/user/run.ts';
import { CROSS_GCC, haveCrossGcc, runQemu, skipReason } from './util/qemu.ts';

const SOURCE = fileURLToPath(new URL('./fixtures/user/pie.c', import.meta.url));
const HAVE_GCC = haveCrossGcc();
if (!HAVE_GCC) console.warn(`user-pie.test: skipped: ${CROSS_GCC} not installed (apt-get install gcc-aarch64-linux-gnu)`);
const qemuSkip = skipReason();

const FLAGS = ['-nostdlib', '-ffreestanding', '-mgeneral-regs-only', '-O2', '-Wl,--build-id=none'];
const EXPECTED = [
  'ok   loaded as ET_DYN',
  'ok   function pointer table',
  'ok   string pointer table',
  'ok   pointer to data',
  'ok   AT_ENTRY is _start where it was loaded',
  'ok   AT_PHDR is the loaded program headers',
  'ok   AT_PHNUM',
  'ok   AT_BASE is 0 (no interpreter)',
  '',
].join('\n');

let tmp = '';
const build = (name: string, flags: string[]): Uint8Array => {
  const out = join(tmp, name);
  const r = spawnSync(CROSS_GCC, [...FLAGS, ...flags, '-o', out, SOURCE], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${CROSS_GCC} failed: ${r.stderr}`);
  return new Uint8Array(readFileSync(out));
};

function run(file: Uint8Array, jitThreshold?: number) {
  let stdout = '';
  const r = runUserProgram(file, {
    jitThreshold,
    io: { write: (_fd, d) => ((stdout += new TextDecoder().decode(d)), d.length), warn: () => {} },
  });
  return { ...r, stdout };
}

describe.skipIf(!HAVE_GCC)('static-pie and dynamically linked programs', () => {
  let pie: Uint8Array;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'patchlab-pie-'));
    pie = build('pie.elf', ['-static-pie']);
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('a static-pie program is placed at PIE_BASE, relocates itself and sees a consistent auxv', () => {
    expect(parseElf(pie).type).toBe('DYN');
    for (const threshold of [0, undefined, 1]) {
      const r = run(pie, threshold);
      expect(r.fault?.report).toBeUndefined();
      expect(r.stdout).toBe(EXPECTED);
      expect(r.exitCode).toBe(0);
    }
    const p = new UserProcess(pie, { io: { write: (_f, d) => d.length, warn: () => {} } });
    expect(p.layout.loadBias).toBe(PIE_BASE);
    expect(p.layout.entry).toBe(parseElf(pie).entry + PIE_BASE);
  });

  it.skipIf(qemuSkip !== null)('prints what it prints under qemu-aarch64', () => {
    const file = join(tmp, 'pie.elf');
    const q = runQemu(file, []);
    expect(q.stdout.toString()).toBe(EXPECTED);
    expect(q.status).toBe(0);
  });

  it('a fault in a static-pie program is reported at its symbols', () => {
    const r = runUserProgram(pie, { args: ['pie', 'crash'], io: { write: (_f, d) => d.length, warn: () => {} } });
    const image = parseElf(pie);
    expect(r.exitCode).toBe(128 + 11);
    expect(r.fault?.pc).toBe(image.symbolAddress('crash_here')! + PIE_BASE);
    expect(r.fault?.report).toMatch(/at 0x[0-9a-f]+ <crash_here\+0x0> \[CPU 0\]/);
    expect(r.fault?.report).toMatch(/lr : 0x[0-9a-f]+ <pie_start\+0x[0-9a-f]+>/);
  });

  it('the Machine\'s user profile places it the same way; its faults name its symbols', async () => {
    const m = await Machine.create({ profile: 'user', mode: 'deterministic', log: () => {} });
    m.load(pie, { args: ['pie'] });
    m.start();
    const r = await m.exited;
    expect(r.stdout).toBe(EXPECTED);
    expect(r.exitCode).toBe(0);
    const c = await Machine.create({ profile: 'user', mode: 'deterministic', log: () => {} });
    c.load(pie, { args: ['pie', 'crash'] });
    c.start();
    const f = await c.exited;
    expect(f.exitCode).toBe(128 + 11);
    expect(f.fault?.report).toMatch(/<crash_here\+0x0> \[CPU 0\]/);
  });

  it('refuses a dynamically linked program with a LoadError naming its interpreter', () => {
    // A PIE, and a non-PIE executable linked against the shared libc.
    for (const [name, flags] of [['dyn-pie', ['-pie']], ['dyn-exec', ['-no-pie', '-Wl,--no-as-needed', '-lc']]] as const) {
      const dyn = build(`${name}.elf`, [...flags]);
      expect(parseElf(dyn).interpreter).toMatch(/ld-linux-aarch64\.so\.1$/);
      expect(() => runUserProgram(dyn)).toThrow(LoadError);
      expect(() => runUserProgram(dyn)).toThrow(/dynamically linked \(interpreter .*ld-linux-aarch64\.so\.1\)/);
    }
    expect(parseElf(pie).interpreter).toBeNull();
  });
});
