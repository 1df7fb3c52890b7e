// The user profile's read-only files against qemu-aarch64: a freestanding
// probe (test/fixtures/user/files-probe.c) opens, reads, seeks, stats and
// maps files of a directory it is given, and must print the same under
// patchlab (--allow-read of that directory) as under qemu-aarch64, which
// passes the calls to the host. The probe reads nothing that depends on the
// host (no inodes, times or standard-stream state).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostFiles } from '../bindings/user/host-files.ts';
import { runUserProgram } from '../bindings/user/run.ts';
import { CROSS_GCC, crossGccSkipReason, runQemu, skipReason } from './util/qemu.ts';

const skip = skipReason() ?? crossGccSkipReason();
if (skip) console.warn(`user-files-diff: skipped: ${skip}`);

describe.skipIf(skip !== null)('files: patchlab against qemu-aarch64', () => {
  it('a probe of openat, read, lseek, pread64, fstat, newfstatat, mmap and close prints the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchlab-files-'));
    const box = join(dir, 'box');
    mkdirSync(join(box, 'sub'), { recursive: true });
    writeFileSync(join(box, 'a.txt'), 'hello file\nsecond line\n');
    const elf = join(dir, 'probe.elf');
    const cc = spawnSync(CROSS_GCC, [
      '-O1', '-static', '-nostdlib', '-ffreestanding', '-fno-stack-protector', '-o', elf, 'test/fixtures/user/files-probe.c',
    ], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    const q = runQemu(elf, [box]);
    expect(q.status).toBe(0);
    let out = '';
    const r = runUserProgram(new Uint8Array(readFileSync(elf)), {
      args: [elf, box],
      io: { write: (_fd, d) => { out += new TextDecoder().decode(d); return d.length; }, warn: () => {}, files: hostFiles([box]) },
    });
    expect(r.exitCode).toBe(0);
    expect(out).toContain('read 5\nhello|');
    expect(out).toBe(q.stdout.toString());
  });
});
