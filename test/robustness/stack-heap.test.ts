// Stack and heap exhaustion in the user profile. A stack that overflows its
// 8 MiB runs into the guard gap below it and the program ends with SIGSEGV
// (exit 139), as under qemu-aarch64, instead of running on into mmap, heap,
// .data and code; brk and mmap hand out memory until -ENOMEM and never the
// guard gap or the stack.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeElf } from '../../bindings/elf/index.ts';
import { assemble } from '../../bindings/isa/asm.ts';
import { STACK_GUARD_GAP, STACK_SIZE } from '../../bindings/user/image.ts';
import { UserProcess } from '../../bindings/user/run.ts';
import { CROSS_GCC, haveCrossGcc, haveQemu, QEMU_BIN } from '../util/qemu.ts';

const BASE = 0x400000n;
const DATA = 0x500000n;
const CANARY = 0x5a5a5a5a_a5a5a5a5n;
const io = { write: (_f: number, d: Uint8Array) => d.length, warn: () => {} };

/** Recursion `frames` deep with 64-byte frames (12 MiB: 196608), then exit 7; .data starts with CANARY. */
function recursion(frames: number): Uint8Array {
  const a = assemble(`
    _start:
      movz x0, #${frames & 0xffff}
      movk x0, #${frames >>> 16}, lsl #16
      bl rec
      mov x0, #7
      mov x8, #93
      svc #0
    rec:
      stp x29, x30, [sp, #-64]!
      mov x29, sp
      subs x0, x0, #1
      b.eq out
      bl rec
    out:
      ldp x29, x30, [sp], #64
      ret`, BASE);
  const data = new Uint8Array(4096);
  new DataView(data.buffer).setBigUint64(0, CANARY, true);
  return writeElf({
    entry: BASE,
    segments: [
      { vaddr: BASE, data: a.bytes, flags: { r: true, x: true } },
      { vaddr: DATA, data, flags: { r: true, w: true } },
    ],
    symbols: [...a.labels].map(([name, value]) => ({ name, value, type: 'FUNC' as const, binding: 'GLOBAL' as const })),
  });
}

describe('stack overflow', () => {
  it.each([0, 64])('a 12 MiB recursion ends with SIGSEGV in the guard gap (translation threshold %i)', (jitThreshold) => {
    const p = new UserProcess(recursion(196608), { jitThreshold, io });
    const r = p.run();
    expect(r.exitCode).toBe(139);
    expect(r.fault?.kind).toBe('data-abort');
    const addr = r.fault!.address!;
    expect(addr >= p.layout.guardLo && addr < p.layout.stackLimit).toBe(true);
    expect(r.fault!.report).toContain('stack guard gap: stack overflow');
    expect(r.fault!.report).toContain('<rec+0x0>');
    expect(p.mem.u64(DATA)).toBe(CANARY);
  });

  it('in a 16 MiB machine the overflow stops at the gap instead of running over .data and code', () => {
    const elf = recursion(196608);
    const p = new UserProcess(elf, { ramSize: 16 << 20, io });
    const text = p.mem.read(BASE, 64);
    const r = p.run();
    expect(r.exitCode).toBe(139);
    expect(p.layout.guardLo).toBe((16n << 20n) - STACK_SIZE - STACK_GUARD_GAP);
    expect(p.mem.u64(DATA)).toBe(CANARY);
    expect(p.mem.read(BASE, 64)).toEqual(text);
  });

  it('a 4 MiB recursion fits the 8 MiB stack and returns', () => {
    const r = new UserProcess(recursion(65536), { io }).run();
    expect(r.fault).toBeUndefined();
    expect(r.exitCode).toBe(7);
  });

  it('the host refuses to read or write the gap as the guest does (write(2) from it is -EFAULT)', () => {
    const p = new UserProcess(recursion(1), { io });
    expect(p.mem.contains(p.layout.guardLo, 8)).toBe(false);
    expect(p.mem.contains(p.layout.stackLimit - 1n, 1)).toBe(false);
    expect(p.mem.contains(p.layout.stackLimit, 8)).toBe(true);
    expect(p.mem.contains(p.layout.guardLo - 8n, 8)).toBe(true);
    expect(() => p.mem.read(p.layout.guardLo + 16n, 4)).toThrow(/guard gap/);
  });

  const skip = !haveQemu() ? `${QEMU_BIN} not installed` : !haveCrossGcc() ? `${CROSS_GCC} not installed` : null;
  it.skipIf(skip !== null)(`matches qemu-aarch64 built by GCC: 4 MiB returns, 12 MiB is SIGSEGV${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchlab-stack-'));
    const src = join(dir, 'rec.S');
    writeFileSync(src, [
      '.globl _start', '_start:', '  ldr x0, =FRAMES', '  bl rec', '  mov x0, #7', '  mov x8, #93', '  svc #0',
      'rec:', '  stp x29, x30, [sp, #-64]!', '  subs x0, x0, #1', '  b.eq 1f', '  bl rec', '1:', '  ldp x29, x30, [sp], #64', '  ret', '',
    ].join('\n'));
    for (const [frames, status, signal] of [[65536, 7, null], [196608, null, 'SIGSEGV']] as const) {
      const elf = join(dir, `rec${frames}.elf`);
      const cc = spawnSync(CROSS_GCC, ['-nostdlib', '-static', `-DFRAMES=${frames}`, '-o', elf, src]);
      expect(cc.status, cc.stderr.toString()).toBe(0);
      const q = spawnSync(QEMU_BIN, [elf], { timeout: 60_000 });
      expect([q.status, q.signal]).toEqual([status, signal]);
      const r = new UserProcess(new Uint8Array(readFileSync(elf)), { io }).run();
      expect(r.exitCode).toBe(status ?? 139);
    }
  });
});

describe('heap exhaustion', () => {
  // brk up by 16 MiB until it refuses, then mmap 1 MiB until -ENOMEM, touching
  // both ends of each; a call afterwards still has its stack; exit code = errno.
  const heap = (): Uint8Array => {
    const a = assemble(`
      _start:
        mov x0, #0
        mov x8, #214
        svc #0
        mov x19, x0
        mov x21, #0
      grow:
        movz x1, #0x100, lsl #16
        add x0, x19, x1
        mov x20, x0
        mov x8, #214
        svc #0
        cmp x0, x20
        b.ne brk_done
        mov x19, x0
        add x21, x21, #1
        strb w21, [x19, #-1]
        b grow
      brk_done:
        mov x22, #0
        mov x24, #0
      map:
        mov x0, #0
        movz x1, #0x10, lsl #16
        mov x2, #3
        mov x3, #0x22
        mov x4, #-1
        mov x5, #0
        mov x8, #222
        svc #0
        cmn x0, #4095
        b.hi map_done
        mov x24, x0
        strb w22, [x0]
        movz x1, #0x10, lsl #16
        sub x1, x1, #1
        strb w22, [x0, x1]
        add x22, x22, #1
        b map
      map_done:
        neg x23, x0
        bl leaf
        mov x0, x23
        mov x8, #93
        svc #0
      leaf:
        stp x29, x30, [sp, #-16]!
        mov x29, sp
        ldp x29, x30, [sp], #16
        ret`, BASE);
    return writeElf({ entry: BASE, segments: [{ vaddr: BASE, data: a.bytes, flags: { r: true, x: true } }] });
  };

  it.each([16 << 20, 64 << 20, 256 << 20])('brk and mmap run out with -ENOMEM below the guard gap (RAM %i)', (ramSize) => {
    const p = new UserProcess(heap(), { ramSize, io });
    const r = p.run();
    expect(r.fault).toBeUndefined();
    expect(r.exitCode).toBe(12); // ENOMEM
    const brk = p.cpu.x(19), lastMap = p.cpu.x(24), maps = p.cpu.x(22);
    expect(brk <= p.layout.guardLo).toBe(true);
    if (maps > 0n) {
      expect(lastMap >= brk).toBe(true);
      expect(lastMap + (1n << 20n) <= p.layout.guardLo).toBe(true);
    }
    // everything between the image and the gap was handed out: less than one more block is left
    expect(p.layout.guardLo - brk - maps * (1n << 20n) < 1n << 20n).toBe(true);
  });
});
