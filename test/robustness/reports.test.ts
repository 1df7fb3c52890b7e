// What a user is told when something is wrong: an SVC taken at EL1 with no
// vector table is an oops naming the vector, the syndrome decoded and the
// function; RAM errors print unsigned addresses; write(2) and read(2) with a
// count of (size_t)-1 fail with -EFAULT, as under Linux and qemu-aarch64.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeElf } from '../../bindings/elf/index.ts';
import { Machine } from '../../bindings/index.ts';
import { assemble } from '../../bindings/isa/asm.ts';
import { LoadError } from '../../bindings/user/image.ts';
import { runUserProgram, UserProcess } from '../../bindings/user/run.ts';
import { kernelElf } from '../util/machine.ts';
import { CROSS_GCC, haveCrossGcc, haveQemu, QEMU_BIN } from '../util/qemu.ts';

const BASE = 0x400000n;
const io = { write: (_f: number, d: Uint8Array) => d.length, warn: () => {} };

describe('an SVC at EL1 with no vector table', () => {
  it.each([
    ['SP_EL1', '', '0x200', 'current EL with SP_EL1, synchronous'],
    ['SP_EL0', 'msr spsel, #0', '0x0', 'current EL with SP_EL0, synchronous'],
  ])('on %s: an oops with the vector, ESR decoded, the function and the call trace', async (_sp, setup, off, vector) => {
    const log: string[] = [];
    const m = await Machine.create({ cpus: 1, mode: 'deterministic', log: (l) => log.push(l) });
    m.load(kernelElf(`
      _start:
        ${setup}
        bl do_call
        b _start
      do_call:
        mov x0, #1
        svc #0x42
        ret`));
    m.start();
    const r = await m.exited;
    expect(r.end).toBe('fault');
    expect(r.exitCode).toBe(132);
    const report = log.join('\n');
    expect(report).toMatch(/^Internal error: SVC #0x42 at EL1 with no vector table at 0x[0-9a-f]+ <do_call\+0x4> \[CPU 0\]$/m);
    expect(report).toContain(`The exception would enter VBAR_EL1 + ${off} (${vector}), but VBAR_EL1 is 0`);
    expect(report).toMatch(/ESR 0x56000042 \[EC 0x15 \(SVC instruction\), IL 1, imm16 0x0042\]/);
    expect(report).toMatch(/pc : 0x[0-9a-f]+ <do_call\+0x4>: d4000841 {2}svc #0x42/);
    expect(report).toMatch(/Call trace \(frame pointers\):\n {2}0x[0-9a-f]+ <do_call\+0x4>\n {2}0x[0-9a-f]+ <_start\+0x[48]>/);
    expect(r.fault?.pc).toBe(m.image!.symbolAddress('do_call')! + 4n);
  });
});

describe('RAM sizes', () => {
  it.each([1 << 20, 4 << 20, 9 << 20])('a user machine of %i bytes is refused with unsigned addresses only', (ramSize) => {
    const a = assemble('_start:\n  mov x8, #93\n  svc #0', BASE);
    const elf = writeElf({ entry: BASE, segments: [{ vaddr: BASE, data: a.bytes, flags: { r: true, x: true } }] });
    let err: unknown;
    try {
      new UserProcess(elf, { ramSize, io });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoadError);
    expect((err as Error).message).not.toMatch(/0x-|-0x/);
    expect((err as Error).message).toMatch(/too small|outside the loadable range/);
  });
});

describe('a count of (size_t)-1', () => {
  // write(1, buf, -1) then read(0, buf, -1); exit code = -first result * 16... kept apart: x19, x20.
  const src = `
      _start:
        mov x0, #1
        adr x1, buf
        mov x2, #-1
        mov x8, #64
        svc #0
        mov x19, x0
        mov x0, #0
        adr x1, buf
        mov x2, #-1
        mov x8, #63
        svc #0
        mov x20, x0
        neg x0, x19
        mov x8, #93
        svc #0
      buf:
        .word 0`;

  it('write and read return -EFAULT, as Linux\'s access_ok says', () => {
    const a = assemble(src, BASE);
    const p = new UserProcess(writeElf({ entry: BASE, segments: [{ vaddr: BASE, data: a.bytes, flags: { r: true, x: true } }] }), {
      io: { ...io, read: () => new Uint8Array(0) },
    });
    const r = p.run();
    expect(r.exitCode).toBe(14);
    expect(BigInt.asIntN(64, p.cpu.x(19))).toBe(-14n);
    expect(BigInt.asIntN(64, p.cpu.x(20))).toBe(-14n);
    // a count that fits is still written
    const ok = runUserProgram(writeElf({ entry: BASE, segments: [{ vaddr: BASE, data: assemble(src.replace(/mov x2, #-1\n {8}mov x8, #64/, 'mov x2, #4\n        mov x8, #64'), BASE).bytes, flags: { r: true, x: true } }] }), { io });
    expect(ok.exitCode).toBe(256 - 4);
  });

  const skip = !haveQemu() ? `${QEMU_BIN} not installed` : !haveCrossGcc() ? `${CROSS_GCC} not installed` : null;
  it.skipIf(skip !== null)(`qemu-aarch64 gives the same${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchlab-efault-'));
    const s = join(dir, 'efault.S');
    writeFileSync(s, `.globl _start\n${src.replace(/\.word 0/, '.word 0').replace(/^\s+/gm, '')}\n`);
    const elf = join(dir, 'efault.elf');
    const cc = spawnSync(CROSS_GCC, ['-nostdlib', '-static', '-o', elf, s]);
    expect(cc.status, cc.stderr.toString()).toBe(0);
    const q = spawnSync(QEMU_BIN, [elf], { input: '' });
    expect(q.status).toBe(14);
    expect(new UserProcess(new Uint8Array(readFileSync(elf)), { io: { ...io, read: () => new Uint8Array(0) } }).run().exitCode).toBe(14);
  });
});
