// patchlab run --profile kernel (dist/cli.js, bundled from the sources by the test setup).

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('the patchlab bin', () => {
  it('dist/cli.js runs as a program (npx execs it directly, so the build must make it executable)', () => {
    const r = spawnSync('./dist/cli.js', ['--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('hackbench');
  });
});

describe('patchlab run --profile kernel', () => {
  it.each(['threads', 'deterministic'])('boots every CPU in %s mode; guest output and exit code are ours', (mode) => {
    const r = cli(['run', '--profile', 'kernel', '--cpus', '4', '--mode', mode, '--seed', '3', 'guest/build/smp-atomics.elf']);
    for (let c = 0; c < 4; c++) expect(r.stdout).toContain(`cpu ${c} done\n`);
    expect(r.stdout).toContain('ticket lock 4000\n');
    expect(r.status).toBe(0);
  });

  it('exit codes pass through', () => {
    const r = cli(['run', '--profile', 'kernel', '--cpus', '3', 'guest/build/smp-exitcode.elf']);
    expect(r.status).toBe(43);
  });

  it('a fault prints the oops naming the CPU and exits 128 + SIGSEGV', () => {
    const r = cli(['run', '--profile', 'kernel', '--cpus', '2', '--icache', 'coherent', 'guest/build/smp-fault.elf']);
    expect(r.stderr).toContain('Unable to handle guest read at address 0x0000000000001000');
    expect(r.stderr).toContain('[CPU 1]');
    expect(r.status).toBe(139);
  });

  it('--stats prints per-CPU counters and reports', () => {
    const r = cli(['run', '--profile', 'kernel', '--cpus', '2', '--mode', 'deterministic', '--stats', 'guest/build/smp-hostcalls.elf']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/CPU 1: \d+ instructions, 0 exceptions, 0 IRQs, 0 stale, idle/);
    expect(r.stderr).toContain('report answer = 42');
  });

  it('bad options and images are refused with a message', () => {
    expect(cli(['run', '--profile', 'kernel', '--cpus', '0', 'guest/build/smp-spin.elf']).status).not.toBe(0);
    const ram = cli(['run', '--profile', 'kernel', '--ram', '64K', 'guest/build/smp-spin.elf']);
    expect(ram.status).toBe(2);
    expect(ram.stderr).toContain('outside RAM');
    const user = cli(['run', '--profile', 'kernel', 'guest/build/hash-O2-v80.elf']);
    expect(user.status).toBe(2);
    expect(user.stderr).toContain('is outside RAM 0x40000000..0x50000000');
    const odd = cli(['run', '--profile', 'kernel', '--ram', '100000', 'guest/build/smp-spin.elf']);
    expect(odd.status).toBe(2);
    expect(odd.stderr).toContain('multiple of 64 KiB');
    expect(cli(['run', '--cpus', '2', 'guest/build/hash-O2-v80.elf']).stderr).toContain('--cpus is for the kernel profile');
  });
});
