// Idle CPUs with a timer armed, in both modes, against a scripted core
// (test/fixtures/cores/timer-core.ts) that exports timerDeadline() the way
// the real core's timer does: threads mode sleeps for the ticks left at the
// nominal 100 MHz, then warps the counter to the deadline; deterministic
// mode wakes the earliest deadline when every CPU is idle.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Machine } from '../../bindings/index.ts';
import { kernelElf } from '../util/machine.ts';

let core: WebAssembly.Module;

beforeAll(() => {
  const out = join(mkdtempSync(join(tmpdir(), 'patchlab-core-')), 'timer-core.wasm');
  const r = spawnSync(process.execPath, [
    'node_modules/assemblyscript/bin/asc.js', 'test/fixtures/cores/timer-core.ts', '--runtime', 'stub',
    '--importMemory', '--sharedMemory', '--initialMemory', '64', '--maximumMemory', '65536', '--enable', 'threads',
    '-O3', '--noAssert', '-o', out, '--textFile', out.replace(/\.wasm$/, '.wat'), // not asconfig.json's build/core.wat
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`asc failed: ${r.stderr}`);
  core = new WebAssembly.Module(readFileSync(out));
});

async function run(mode: 'threads' | 'deterministic', ticks: bigint[]) {
  const m = await Machine.create({ cpus: ticks.length, mode, core, log: () => {} });
  m.load(kernelElf('b 0'));
  ticks.forEach((t, i) => m.cpu(i).setX(10, t));
  m.start();
  const r = await m.exited;
  return { m, r };
}

describe('idle CPUs with a timer armed', () => {
  it('threads: the CPU sleeps (deadline - now) ticks of 10 ns, then its counter is the deadline', async () => {
    // CPU 0: 3 000 000 ticks (30 ms); CPU 1: 100 s, so CPU 0 ends the machine.
    const { m, r } = await run('threads', [3_000_000n, 10_000_000_000n]);
    expect(r.exitCode).toBe(0);
    expect(r.cpu).toBe(0);
    const c = m.cpu(0);
    expect(c.x(12)).toBe(c.x(11) + 1n); // woke at the deadline (the next instruction counts one)
    expect(r.perCpu[0].idleNs).toBeGreaterThanOrEqual(29_000_000n);
    expect(r.perCpu[0].idleNs).toBeLessThan(2_000_000_000n);
    expect(r.seconds).toBeGreaterThanOrEqual(0.029);
    // CPU 1 was still asleep; halting the machine woke its thread.
    expect(m.cpu(1).x(12)).toBe(0n);
  });

  it('deterministic: with every CPU idle the earliest deadline wakes, counter warped to it, no host sleep', async () => {
    const { m, r } = await run('deterministic', [10_000_000_000n, 3_000_000n, 7_000_000n]);
    expect(r.cpu).toBe(1);
    const c = m.cpu(1);
    expect(c.x(12)).toBe(c.x(11) + 1n);
    expect(r.perCpu[1].idleNs).toBe(((c.x(11) - 1n) * 1_000_000_000n) / 100_000_000n);
    expect(r.seconds).toBeLessThan(5);
    expect(m.cpu(2).x(12)).toBe(0n);
  });
});
