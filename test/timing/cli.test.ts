// --timing on the command line: run --stats prints the modelled cycles, hackbench's JSON carries the model,
// and an unknown model is refused in one line.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expectOneLineError } from '../util/cli.ts';

const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 120_000 });
const CYCLES = /patchlab: (\d+) cycles \((a53|a57)\), IPC (\d+\.\d{3}), (\d+) branches, (\d+) mispredicted/;

describe('--timing', () => {
  it.each(['a53', 'a57'])('run --timing %s --stats prints modelled cycles and IPC beside the instructions', (model) => {
    const r = cli(['run', '--timing', model, '--stats', 'guest/build/arith-O2-v80.elf']);
    expect(r.status, r.stderr).toBe(0);
    const insns = BigInt(/patchlab: (\d+) instructions retired/.exec(r.stderr)![1]!);
    const m = CYCLES.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(m![2]).toBe(model);
    const cycles = BigInt(m![1]!);
    expect(Number(m![3])).toBeCloseTo(Number(insns) / Number(cycles), 3);
    expect(BigInt(m![5]!)).toBeLessThan(BigInt(m![4]!));
    const plain = cli(['run', '--stats', 'guest/build/arith-O2-v80.elf']);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toBe(r.stdout); // the model changes time, not results
    expect(plain.stderr).not.toMatch(CYCLES);
  });

  it('run --profile kernel --timing a57 --stats gives each CPU its cycles', () => {
    const r = cli(['run', '--profile', 'kernel', '--cpus', '2', '--mode', 'deterministic', '--timing', 'a57', '--stats', 'guest/build/smp-msgpass.elf']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/CPU 0: \d+ instructions.*; \d+ cycles \(a57\), IPC/);
    expect(r.stderr).toMatch(/CPU 1: \d+ instructions.*; \d+ cycles \(a57\), IPC/);
  });

  it('hackbench --timing a53 --json reports config.timing and per-run cycles', () => {
    const r = cli(['hackbench', '--mode', 'deterministic', '--timing', 'a53', '--cpus', '2', '--groups', '1', '--fds', '2', '--loops', '3', '--runs', '1', '--prologue', 'nop-nop', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.config.timing).toBe('a53');
    expect(j.prologues[0].runs[0].timing.cycles).toBeGreaterThan(0);
  });

  it.each([['run', 'guest/build/arith-O2-v80.elf'], ['hackbench']])('%s --timing a72 is refused in one line', (...args) => {
    const [cmd, ...rest] = args;
    expectOneLineError(cli([cmd!, '--timing', 'a72', ...rest]), /--timing.*a72.*(none, a53, a57|Allowed choices are none, a53, a57)/);
  });
});
