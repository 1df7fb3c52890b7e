// Ftrace.attach(): refusals leave the machine as it was.
//
// What this catches: an attach that fails half-way after writing its data
// area (per-CPU blocks, ring buffers, profile tables, record hash) over the
// one an earlier attach set up, so that the earlier Ftrace reads its events
// from a buffer the guest no longer writes.

import { describe, expect, it } from 'vitest';
import { Ftrace, FtraceError } from '../../bindings/ftrace/ftrace.ts';
import { Machine } from '../../bindings/machine/machine.ts';
import { kernelImageFile, readImage } from '../../bindings/workload/kernel.ts';
import { bootTraced, callsPerRun, countByFunction, reports, type HbSize } from '../util/ftrace.ts';

const SIZE: HbSize = { groups: 1, fds: 2, loops: 3, datasize: 32 };
const N = callsPerRun(SIZE);

describe('a second attach on the same machine', () => {
  it('is refused with FtraceError, and the first Ftrace still sees every call', async () => {
    const { machine, ft } = await bootTraced({ cpus: 2, mode: 'deterministic', ...SIZE }, { bufferKb: 4 });
    let err: unknown;
    try {
      Ftrace.attach(machine, { bufferKb: 64 });
    } catch (e) {
      err = e;
    }
    expect.soft(err).toBeInstanceOf(FtraceError);
    ft.register({ kind: 'function', filter: ['fill_message'] });
    machine.start();
    const res = await machine.exited;
    ft.drain();
    expect(res.exitCode).toBe(0);
    expect(reports(res).messages).toBe(N);
    expect(ft.eventCount).toBe(N);
    expect(Object.fromEntries(countByFunction(ft.events(), ft.records))).toEqual({ fill_message: N });
  });

  it('is refused with FtraceError once a site is enabled (nothing written)', async () => {
    const { machine, ft } = await bootTraced({ cpus: 1, mode: 'deterministic', ...SIZE });
    ft.register({ kind: 'function', filter: ['fill_message'] });
    expect(() => Ftrace.attach(machine)).toThrow(FtraceError);
  });
});

describe('attach options', () => {
  it.each([
    [{ bufferKb: 3 }, /buffer size/],
    [{ bufferKb: 65537 }, /buffer size/],
    [{ bufferKb: 4.5 }, /buffer size/],
    [{ retDepth: 0 }, /return stack depth/],
    [{ retDepth: 51 }, /return stack depth/],
    [{ drainMs: 0 }, /drain interval/],
    [{ drainMs: Number.NaN }, /drain interval/],
  ])('%o: FtraceError bad-option', async (opts, message) => {
    const fresh = await Machine.create({ profile: 'kernel', cpus: 1, mode: 'deterministic' });
    fresh.load(readImage(kernelImageFile('pfe2')));
    let err: unknown;
    try {
      Ftrace.attach(fresh, opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FtraceError);
    expect((err as FtraceError).code).toBe('bad-option');
    expect((err as Error).message).toMatch(message);
  });

  it('a started machine: FtraceError bad-state', async () => {
    const { machine } = await bootTraced({ cpus: 1, mode: 'deterministic', ...SIZE });
    machine.start();
    await machine.exited;
    expect(() => Ftrace.attach(machine)).toThrow(/after load\(\) and before start\(\)/);
  });
});
