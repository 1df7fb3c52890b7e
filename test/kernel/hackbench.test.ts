// The guest kernel booted on 1, 2 and 4 CPUs in both modes, running a small
// hackbench over pipes: exact message counts and byte checks, switches,
// several runs in one boot, bad parameters, replay in deterministic mode.

import { describe, expect, it } from 'vitest';
import { bootKernel, WORKLOAD } from '../util/kernel.ts';

const MODES = ['deterministic', 'threads'] as const;
const SMALL = { groups: 2, fds: 4, loops: 10, datasize: 100 };

describe.each(MODES)('%s mode', (mode) => {
  describe.each([1, 2, 4])('%i CPUs', (cpus) => {
    it('boots and runs 2 groups x 4 fds x 10 loops: every message arrives with its bytes intact', async () => {
      const { result, r } = await bootKernel({ workload: WORKLOAD.hackbench, ...SMALL }, { cpus, mode });
      expect(result.stdout).toBe('');
      expect(result.end).toBe('exit');
      expect(result.exitCode).toBe(0);
      expect(r.cpus).toBe(cpus);
      expect(r.tasks).toBe(16);
      expect(r.messages).toBe(2 * 4 * 4 * 10);
      expect(r.messages_expected).toBe(320);
      expect(r.bytes_checked).toBe(320 * 100);
      expect(r.check_errors).toBe(0);
      expect(r.errors).toBe(0);
      // receivers wait for senders: voluntary switches and pipe waits happen
      expect(r.nvcsw).toBeGreaterThan(0);
      expect(r.pipe_reader_waits).toBeGreaterThan(0);
      expect(r.time_ns).toBeGreaterThan(0);
      expect(r.vcnt_ticks).toBeGreaterThan(0);
      expect(r.vcnt_ns).toBe(r.vcnt_ticks * 10); // CNTFRQ 100 MHz
      if (cpus > 1) expect(r.ipi_sent).toBeGreaterThan(0);
      else expect(r.ipi_sent).toBe(0);
      for (const c of result.perCpu) expect(c.insns).toBeGreaterThan(0n);
    });
  });

  it('runs several times in one boot and reports each run', async () => {
    const { result, r } = await bootKernel({ ...SMALL, groups: 1, runs: 3 }, { cpus: 2, mode });
    expect(result.exitCode).toBe(0);
    expect(r.runs).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(r[`run${i}.messages`]).toBe(4 * 4 * 10);
      expect(r[`run${i}.bytes_checked`]).toBe(4 * 4 * 10 * 100);
      expect(r[`run${i}.time_ns`]).toBeGreaterThan(0);
    }
  });
});

describe('parameters', () => {
  it('blocks writers on a small pipe and still delivers every byte', async () => {
    const { result, r } = await bootKernel(
      { groups: 1, fds: 3, loops: 40, datasize: 24, pipe_size: 32 },
      { cpus: 2, mode: 'deterministic' },
    );
    expect(result.exitCode).toBe(0);
    expect(r.messages).toBe(3 * 3 * 40);
    expect(r.bytes_checked).toBe(3 * 3 * 40 * 24);
    expect(r.pipe_writer_waits).toBeGreaterThan(0);
    expect(r.pipe_reader_waits).toBeGreaterThan(0);
  });

  it.each([
    [{ magic: 0x1234 }, 'hb_params: bad magic'],
    [{ version: 9 }, 'hb_params: unsupported version'],
    [{ datasize: 4 }, 'hb_params: datasize must be 8..4096'],
    [{ datasize: 200, pipe_size: 128 }, 'hb_params: datasize must not exceed pipe_size'],
    [{ pipe_size: 1000 }, 'hb_params: pipe_size must be a power of two'],
    [{ groups: 0 }, 'hb_params: groups must be 1..256'],
    [{ workload: 7 }, 'hb_params: workload must be'],
  ])('refuses %o with exit code 2 and a message', async (params, message) => {
    const { result } = await bootKernel(params, { cpus: 2, mode: 'deterministic' });
    expect(result.end).toBe('exit');
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain(message);
    expect(result.reports.has('messages')).toBe(false);
  });
});

describe('the =4,2 image', () => {
  it('runs the same hackbench with the two NOPs before every entry', async () => {
    const { result, r } = await bootKernel(SMALL, { cpus: 4, mode: 'deterministic', image: 'pfe42' });
    expect(result.exitCode).toBe(0);
    expect(r.messages).toBe(320);
    expect(r.bytes_checked).toBe(32000);
  });
});

describe('deterministic mode', () => {
  it('replays a seed: identical reports and instruction counts; another seed interleaves differently', async () => {
    const run = (seed: number) => bootKernel(SMALL, { cpus: 4, mode: 'deterministic', seed });
    const [a, b, c] = [await run(11), await run(11), await run(12)];
    expect(a.result.exitCode).toBe(0);
    expect([...b.result.reports]).toEqual([...a.result.reports]);
    expect(b.result.perCpu.map((p) => p.insns)).toEqual(a.result.perCpu.map((p) => p.insns));
    expect(b.result.perCpu.map((p) => p.irqs)).toEqual(a.result.perCpu.map((p) => p.irqs));
    expect(c.r.messages).toBe(a.r.messages);
    expect(c.result.perCpu.map((p) => p.insns)).not.toEqual(a.result.perCpu.map((p) => p.insns));
  });
});
