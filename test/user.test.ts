// The user profile: syscalls, the initial stack, faults as oops reports that
// leave the state untouched, and the CLI.

import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ElfError, writeElf } from '../bindings/elf/index.ts';
import { assemble } from '../bindings/isa/asm.ts';
import { LoadError } from '../bindings/user/image.ts';
import { runUserProgram, UserProcess, type UserRunOptions } from '../bindings/user/run.ts';
import { codeElf } from './util/elf.ts';

const BASE = 0x400000n;
const DATA = 0x500000n;

/** A static ELF from assembly text: code at BASE, a writable page at DATA; labels become symbols. */
function elf(src: string, data = new Uint8Array(64)): Uint8Array {
  const a = assemble(src, BASE);
  return writeElf({
    entry: BASE,
    segments: [
      { vaddr: BASE, data: a.bytes, flags: { r: true, x: true } },
      { vaddr: DATA, data, memSize: 4096, flags: { r: true, w: true } },
    ],
    symbols: [...a.labels].map(([name, value]) => ({ name, value, type: 'FUNC' as const, binding: 'GLOBAL' as const })),
  });
}

function run(file: Uint8Array, opts: UserRunOptions = {}) {
  let stdout = '';
  const warnings: string[] = [];
  const r = runUserProgram(file, {
    ...opts,
    io: {
      write: (fd, d) => {
        stdout += new TextDecoder().decode(d);
        return d.length;
      },
      warn: (m) => warnings.push(m),
    },
  });
  return { ...r, stdout, warnings };
}

const EXIT = (code: number) => `
  mov x0, #${code}
  mov x8, #93
  svc #0`;
/** write(1, sp - below, x0): writes the bytes the previous call returned the count of. */
const WRITE_X0_FROM_SP = (below: number) => `
  mov x2, x0
  sub x1, sp, #${below}
  mov x0, #1
  mov x8, #64
  svc #0`;
/** Exits with minus x0: a syscall's -errno becomes the exit status. */
const EXIT_NEG_X0 = `
  neg x0, x0
  mov x8, #93
  svc #0`;

describe('user profile', () => {
  it('passes the exit code and writes stdout', () => {
    const r = run(elf(`
      _start:
        mov x0, #1
        adr x1, msg
        mov x2, #6
        mov x8, #64
        svc #0
        ${EXIT(42)}
      msg:
        .word 0x6c6c6568
        .word 0x00000a6f`));
    expect(r.stdout).toBe('hello\n');
    expect(r.exitCode).toBe(42);
    expect(r.fault).toBeUndefined();
  });

  it('builds a Linux initial stack: argc, argv, envp, auxv with AT_PAGESZ', () => {
    // exit code = argc * 16 + strlen(argv[1]) ; AT_PAGESZ must be found
    const r = run(elf(`
      _start:
        ldr x0, [sp]            // argc
        ldr x1, [sp, #16]       // argv[1]
        mov x2, #0
      len:
        ldrb w3, [x1, x2]
        cbz w3, lendone
        add x2, x2, #1
        b len
      lendone:
        add x4, sp, #8
        add x4, x4, x0, lsl #3
        add x4, x4, #8          // envp
      skipenv:
        ldr x5, [x4], #8
        cbnz x5, skipenv
      aux:
        ldp x5, x6, [x4], #16
        cbz x5, fail
        cmp x5, #6
        b.ne aux
        cmp x6, #4096
        b.ne fail
        add x0, x2, x0, lsl #4
        mov x8, #93
        svc #0
      fail:
        ${EXIT(1)}`), { args: ['prog', 'abcde', 'z'], env: ['A=1', 'B=2'] });
    expect(r.exitCode).toBe(3 * 16 + 5);
  });

  it('returns -ENOSYS for an unknown syscall with one warning', () => {
    const r = run(elf(`
      _start:
        mov x8, #999
        svc #0
        mov x19, x0
        mov x8, #999
        svc #0
        neg x0, x19
        mov x8, #93
        svc #0`));
    expect(r.exitCode).toBe(38);
    expect(r.warnings).toEqual(['patchlab: unknown syscall 999, returning -ENOSYS']);
  });

  it('returns -EFAULT when a syscall buffer is outside guest RAM', () => {
    const r = run(elf(`
      _start:
        mov x0, #1
        mov x1, #16
        mov x2, #4
        mov x8, #64
        svc #0
        ${EXIT_NEG_X0}`));
    expect(r.exitCode).toBe(14);
    expect(r.stdout).toBe('');
  });

  it('grows the heap with brk', () => {
    const r = run(elf(`
      _start:
        mov x0, #0
        mov x8, #214
        svc #0
        mov x19, x0
        add x0, x0, #8192
        mov x8, #214
        svc #0
        sub x1, x0, x19
        mov x2, #77
        str x2, [x19, #4096]
        ldr x3, [x19, #4096]
        cmp x1, #8192
        b.ne bad
        mov x0, x3
        mov x8, #93
        svc #0
      bad:
        ${EXIT(1)}`));
    expect(r.exitCode).toBe(77);
  });
});

describe('guest faults are reports, not host exceptions', () => {
  it('data abort: NULL-page load stops with SIGSEGV, registers and memory unchanged', () => {
    const file = elf(`
      _start:
        mov x0, #8
        mov x1, #0x1234
        movz x2, #0x50, lsl #16  // DATA
        str x1, [x2]
      crash:
        ldr x1, [x0, #8]!        // pre-index: the base must not be written back
        ${EXIT(0)}`);
    const p = new UserProcess(file, { io: { write: (_f, d) => d.length, warn: () => {} } });
    const r = p.run();
    expect(r.exitCode).toBe(128 + 11);
    expect(r.fault?.kind).toBe('data-abort');
    expect(r.fault?.address).toBe(16n);
    expect(r.fault?.pc).toBe(p.image.symbolAddress('crash'));
    expect(p.cpu.x(0)).toBe(8n);
    expect(p.cpu.x(1)).toBe(0x1234n);
    expect(r.fault?.report).toMatch(/Unable to handle guest read at address 0x0000000000000010/);
    expect(r.fault?.report).toMatch(/<crash\+0x0>: f8408c01  ldr x1, \[x0, #8\]!/);
    expect(r.fault?.report).toMatch(/Last instructions:/);
  });

  it('a store past the end of RAM writes nothing', () => {
    const file = elf(`
      _start:
        mov x0, #0x10000000      // RAM end with --ram 256M
        sub x0, x0, #4
        mov x1, #-1
        str x1, [x0]             // 8 bytes at end-4: half outside
        ${EXIT(0)}`);
    const p = new UserProcess(file, { io: { write: (_f, d) => d.length, warn: () => {} } });
    const before = p.mem.read(0x10000000n - 4n, 4);
    const r = p.run();
    expect(r.fault?.kind).toBe('data-abort');
    expect(p.mem.read(0x10000000n - 4n, 4)).toEqual(before);
  });

  it('undefined instruction stops with SIGILL and names the word', () => {
    const r = run(elf(`
      _start:
        nop
        .word 0x00000000
        ${EXIT(0)}`));
    expect(r.exitCode).toBe(128 + 4);
    expect(r.fault?.kind).toBe('undefined-instruction');
    expect(r.fault?.report).toMatch(/undefined instruction: 00000000 at 0x400004 <_start\+0x4>/);
  });

  it('BRK stops with SIGTRAP; a wild branch and a misaligned one fault', () => {
    expect(run(elf(`_start:\n brk #0x3e8`)).fault?.report).toMatch(/BRK #0x3e8/);
    const wild = run(elf(`
      _start:
        mov x0, #0x7000
        br x0`));
    expect(wild.fault?.kind).toBe('instruction-abort');
    expect(wild.exitCode).toBe(128 + 11);
    const odd = run(elf(`
      _start:
        adr x0, _start
        add x0, x0, #2
        blr x0`));
    expect(odd.fault?.kind).toBe('pc-alignment');
    expect(odd.exitCode).toBe(128 + 7);
  });

  it('a misaligned exclusive, ordered or atomic access is an alignment fault: SIGBUS, as Linux sends', () => {
    const r = run(elf(`
      _start:
        movz x0, #0x50, lsl #16
        add x0, x0, #4
        ldxr x1, [x0]`));
    expect(r.fault?.kind).toBe('data-abort');
    expect(r.fault?.report).toMatch(/alignment fault/);
    expect(r.fault?.signal).toBe('SIGBUS');
    expect(r.exitCode).toBe(128 + 7);
    for (const insn of ['ldar w1, [x0]', 'stlr x1, [x0]', 'ldadd x1, x2, [x0]', 'cas w1, w2, [x0]']) {
      const a = run(elf(`
        _start:
          movz x0, #0x50, lsl #16
          add x0, x0, #2
          ${insn}`));
      expect(a.fault?.report, insn).toMatch(/alignment fault/);
      expect(a.exitCode, insn).toBe(128 + 7);
    }
    // An access outside guest RAM stays SIGSEGV.
    const out = run(elf(`
      _start:
        mov x0, #0x8
        ldr x1, [x0]`));
    expect(out.fault?.kind).toBe('data-abort');
    expect(out.exitCode).toBe(128 + 11);
  });

  it('stops at --max-insns', () => {
    const r = run(elf(`_start:\n b _start`), { maxInsns: 1000n });
    expect(r.stoppedAtMaxInsns).toBe(true);
    expect(r.insns).toBe(1000n);
    expect(r.exitCode).toBeNull();
  });
});

describe('bad input', () => {
  it('malformed ELF gives a typed error', () => {
    expect(() => runUserProgram(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1]))).toThrow(ElfError);
  });

  it('segment outside the loadable range gives a LoadError', () => {
    const a = assemble(`nop`, 0x1000n);
    const file = codeElf(a.bytes, 0x1000n);
    expect(() => runUserProgram(file)).toThrow(LoadError);
  });
});

describe('patchlab run (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patchlab-cli-'));
  const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8' });
  /** `patchlab run FILE` with the given stdio, input or environment. */
  const runFile = (f: string, opts: SpawnSyncOptions) =>
    spawnSync(process.execPath, ['dist/cli.js', 'run', f], { encoding: 'utf8', ...opts });

  it('passes stdout and the exit code through; options after FILE go to the guest', () => {
    const f = join(dir, 'argc.elf');
    writeFileSync(f, elf(`
      _start:
        ldr x0, [sp]
        mov x8, #93
        svc #0`));
    const r = cli(['run', '--stats', f, '--stats', 'x']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/instructions retired in .* guest MIPS/);
  });

  /** .word lines holding the NUL-terminated string s, padded to whole words. */
  const asciz = (s: string): string => {
    const b = new Uint8Array(Math.ceil((s.length + 1) / 4) * 4);
    b.set(new TextEncoder().encode(s));
    const dv = new DataView(b.buffer);
    return Array.from({ length: b.length / 4 }, (_, i) => `        .word 0x${dv.getUint32(i * 4, true).toString(16)}`).join('\n');
  };

  it('--strace prints each system call; /proc/self/exe names the program by its absolute path', () => {
    const f = join(dir, 'exe.elf');
    // readlinkat(AT_FDCWD, "/proc/self/exe", buf, 256), then write(1, buf, n) and exit(0)
    writeFileSync(f, elf(`
      _start:
        mov x0, #-100
        adr x1, path
        sub x2, sp, #512
        mov x3, #256
        mov x8, #78
        svc #0
        ${WRITE_X0_FROM_SP(512)}
        ${EXIT(0)}
      path:
${asciz('/proc/self/exe')}`));
    const r = spawnSync(process.execPath, [resolve('dist/cli.js'), 'run', '--strace', 'exe.elf'], { encoding: 'utf8', cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(f);
    expect(r.stderr).toMatch(new RegExp(`^patchlab: strace: readlinkat\\(0xffffffffffffff9c, 0x[0-9a-f]+, 0x[0-9a-f]+, 0x100, 0x0, 0x0\\) = 0x${f.length.toString(16)}$`, 'm'));
    expect(r.stderr).toMatch(/^patchlab: strace: exit\(0x0, /m);
    expect(cli(['run', '--profile', 'kernel', '--strace', f]).stderr).toMatch(/--strace is for the user profile/);
  });

  it('--allow-read DIR: the guest reads files inside DIR; a name outside it, or a link out of it, does not exist', () => {
    const box = join(dir, 'box');
    mkdirSync(join(box, 'sub'), { recursive: true });
    writeFileSync(join(box, 'a.txt'), 'inside\n');
    writeFileSync(join(dir, 'outside.txt'), 'outside\n');
    symlinkSync(join(dir, 'outside.txt'), join(box, 'escape'));
    symlinkSync(join(box, 'a.txt'), join(box, 'sub', 'link'));
    // openat(AT_FDCWD, argv[1], O_RDONLY); read 64 bytes; write them; exit with -openat's result when it fails
    const f = join(dir, 'cat.elf');
    writeFileSync(f, elf(`
      _start:
        ldr x1, [sp, #16]
        mov x0, #-100
        mov x2, #0
        mov x8, #56
        svc #0
        tbnz x0, #63, fail
        sub x1, sp, #128
        mov x2, #64
        mov x8, #63
        svc #0
        ${WRITE_X0_FROM_SP(128)}
        ${EXIT(0)}
      fail:
        ${EXIT_NEG_X0}`));
    const cat = (...a: string[]) => cli(['run', ...a]);
    expect(cat('--allow-read', box, f, join(box, 'a.txt')).stdout).toBe('inside\n');
    expect(cat('--allow-read', box, f, join(box, 'sub', 'link')).stdout).toBe('inside\n');
    expect(cat('--allow-read', box, f, join(box, 'escape')).status).toBe(2); // ENOENT
    expect(cat('--allow-read', box, f, join(box, '..', 'outside.txt')).status).toBe(2);
    expect(cat(f, join(box, 'a.txt')).status).toBe(2); // nothing without --allow-read
    expect(cat('--allow-read', join(dir, 'nowhere'), f, 'x').stderr).toMatch(/--allow-read .*nowhere: ENOENT/);
    expect(cat('--allow-read', join(box, 'a.txt'), f, 'x').stderr).toMatch(/not a directory/);
  });

  it('prints the oops to stderr and exits 128+signal', () => {
    const f = join(dir, 'crash.elf');
    writeFileSync(f, elf(`_start:\n mov x1, #0\n ldr x0, [x1]`));
    const r = cli(['run', f]);
    expect(r.status).toBe(139);
    expect(r.stderr).toMatch(/Unable to handle guest read at address 0x0000000000000000/);
  });

  it('rejects a malformed ELF with a one-line error and exit code 2', () => {
    const f = join(dir, 'bad.elf');
    writeFileSync(f, 'not an elf');
    const r = cli(['run', f]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^patchlab: ELF:/);
  });

  it('the guest reads the host\'s stdin to its end', () => {
    // Echoes stdin in 7-byte reads, then exits with the count of read calls that returned data.
    const f = join(dir, 'cat.elf');
    writeFileSync(f, elf(`
      _start:
        mov x19, #0
        movz x20, #0x50, lsl #16
      again:
        mov x0, #0
        mov x1, x20
        mov x2, #7
        mov x8, #63
        svc #0
        cmp x0, #0
        b.le done
        add x19, x19, #1
        mov x2, x0
        mov x0, #1
        mov x1, x20
        mov x8, #64
        svc #0
        b again
      done:
        mov x0, x19
        mov x8, #93
        svc #0`));
    const text = 'line one\nline two\n' + 'x'.repeat(1000) + '\n';
    const r = runFile(f, { input: text });
    expect(r.stdout).toBe(text);
    expect(r.status).toBe(Math.ceil(text.length / 7));
    const none = runFile(f, { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(none.stdout).toBe('');
    expect(none.status).toBe(0);
  });

  it('the guest\'s environment is --env\'s, in order; patchlab\'s only with --inherit-env', () => {
    // Writes each envp string on its own line (the NUL becomes the newline).
    const f = join(dir, 'env.elf');
    writeFileSync(f, elf(`
      _start:
        ldr x19, [sp]
        add x20, sp, #16
        add x20, x20, x19, lsl #3
      next:
        ldr x21, [x20], #8
        cbz x21, done
        mov x22, x21
      len:
        ldrb w23, [x22]
        cbz w23, got
        add x22, x22, #1
        b len
      got:
        mov w23, #10
        strb w23, [x22]
        mov x0, #1
        mov x1, x21
        sub x2, x22, x21
        add x2, x2, #1
        mov x8, #64
        svc #0
        b next
      done:
        ${EXIT(0)}`));
    const env = { B: 'two words', A: '1', EMPTY: '', PATH: process.env.PATH ?? '' };
    const run = (...opts: string[]) => spawnSync(process.execPath, ['dist/cli.js', 'run', ...opts, f], { encoding: 'utf8', env });
    expect(run().stdout).toBe('');
    const r = run('--env', 'X=1', '--env', 'Y=a=b', '--env', 'Z=', '--env', 'X=2');
    expect(r.stdout).toBe('Y=a=b\nZ=\nX=2\n');
    expect(r.status).toBe(0);
    expect(run('--inherit-env', '--env', 'A=one').stdout).toBe('B=two words\nEMPTY=\nPATH=' + env.PATH + '\nA=one\n');
    expect(run('--env', '=x').stderr).toMatch(/expected K=V with a name K/);
    expect(run('--env', 'nothing').status).not.toBe(0);
  });

  it('a guest writing to a pipe nobody reads ends with SIGPIPE (141), quietly', async () => {
    const f = join(dir, 'yes.elf');
    writeFileSync(f, elf(`
      _start:
        movz x1, #0x50, lsl #16
        mov w2, #0x0a79
        strh w2, [x1]
      again:
        mov x0, #1
        movz x1, #0x50, lsl #16
        mov x2, #2
        mov x8, #64
        svc #0
        cmp x0, #2
        b.eq again
        ${EXIT_NEG_X0}`));
    const child = spawn(process.execPath, ['dist/cli.js', 'run', f], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(stderr).toBe('');
    expect(status).toBe(141);
  });

  it.skipIf(!existsSync('/dev/full'))('a failed host write gives the guest the errno (ENOSPC on /dev/full)', () => {
    // Writes 6 bytes to stdout, then exits with minus the result.
    const f = join(dir, 'full.elf');
    writeFileSync(f, elf(`
      _start:
        mov x0, #1
        movz x1, #0x50, lsl #16
        mov x2, #6
        mov x8, #64
        svc #0
        ${EXIT_NEG_X0}`));
    const full = openSync('/dev/full', 'w');
    try {
      const r = runFile(f, { stdio: ['ignore', full, 'pipe'] });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(28);
    } finally {
      closeSync(full);
    }
  });

  it('a failed host read gives the guest the errno (EISDIR for a directory on stdin)', () => {
    const f = join(dir, 'readdir.elf');
    writeFileSync(f, elf(`
      _start:
        mov x0, #0
        movz x1, #0x50, lsl #16
        mov x2, #8
        mov x8, #63
        svc #0
        ${EXIT_NEG_X0}`));
    const root = openSync('/', 'r');
    try {
      const r = runFile(f, { stdio: [root, 'pipe', 'pipe'] });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(21);
    } finally {
      closeSync(root);
    }
  });

  it('--max-insns stops the guest', () => {
    const f = join(dir, 'loop.elf');
    writeFileSync(f, elf(`_start:\n b _start`));
    const r = cli(['run', '--max-insns', '5000', f]);
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/stopped after 5000 instructions/);
  });
});

describe('virtual counter', () => {
  it('CNTVCT_EL0 advances with the instructions retired inside one step() call', () => {
    const r = run(elf(`
      _start:
        mrs x1, CNTVCT_EL0
        nop
        nop
        nop
        mrs x2, CNTVCT_EL0
        sub x0, x2, x1
        mov x8, #93
        svc #0`));
    expect(r.exitCode).toBe(4);
  });
});
