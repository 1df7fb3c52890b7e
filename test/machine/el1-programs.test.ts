// The guest/smp programs that take exceptions through VBAR_EL1 (their own
// vector table, guest/smp/lib/el1.h), in both modes: per-CPU virtual timer
// ticks while idle in WFI, IPIs through ICC_SGI1R_EL1 (lists, RS, IRM,
// ordering, a ring, waking a WFE wait), synchronous exceptions at EL1 and
// EL0, and cross-modifying code with the architectural maintenance sequence
// in both I-cache models. Each program checks itself and exits 3 with the
// failing line on the console when a check fails.

import { describe, expect, it } from 'vitest';
import type { MachineOptions, MachineResult } from '../../bindings/index.ts';
import { runKernel, smpElf } from '../util/machine.ts';

const MODES = ['deterministic', 'threads'] as const;

/** Runs guest/build/smp-NAME.elf to its end (failing, not hanging, after 20 s). */
async function run(name: string, opts: MachineOptions): Promise<MachineResult> {
  const ran = runKernel(smpElf(name), opts);
  const timeout = new Promise<null>((r) => setTimeout(() => r(null), 20_000));
  const done = await Promise.race([ran, timeout]);
  if (!done) {
    void ran.then((r) => r.machine.terminate());
    throw new Error(`smp-${name} did not end within 20 s`);
  }
  return done.result;
}

describe.each(MODES)('%s mode', (mode) => {
  it.each([1, 4])('vtimer, %i CPUs: every CPU gets exactly its ticks, idle in WFI and busy', async (cpus) => {
    const r = await run('vtimer', { cpus, mode });
    expect(r.stdout).toBe(Array.from({ length: cpus }, (_, c) => `cpu ${c} ticks ok\n`).join(''));
    expect(r.exitCode).toBe(0);
    for (let c = 0; c < cpus; c++) expect(r.perCpu[c].irqs).toBe(BigInt(10 + 3 * c + 1 + 40));
    expect(r.reports.get('busy_latency')).toBeGreaterThan(0n);
  });

  it.each([1, 4])('ipi, %i CPUs: SGIs by list, RS and IRM, in INTID order, round a ring, into a WFE wait', async (cpus) => {
    const r = await run('ipi', { cpus, mode });
    expect(r.stdout).toBe(`sgis to every cpu from every cpu ${cpus * cpus}\nring hops ${20 * cpus}\n`);
    expect(r.exitCode).toBe(0);
  });

  it.each([1, 4])('exceptions, %i CPUs: SVC, BRK, aborts, SP_EL0, nested SVC in an IRQ, EL0, illegal ERET', async (cpus) => {
    const r = await run('exceptions', { cpus, mode });
    expect(r.stdout).toBe('exceptions per cpu 30\n');
    expect(r.exitCode).toBe(0);
    for (const c of r.perCpu) {
      expect(c.exceptions).toBe(30n); // the nested SVC included
      expect(c.irqs).toBe(1n);
    }
  });

  it('xmodify, 4 CPUs, architectural I-cache: new code after the sequence; without ISB the old may run', async () => {
    const r = await run('xmodify', { cpus: 4, mode, icache: 'architectural' });
    const names = ['ivau', 'ialluis', 'iallu', 'no-isb', 'straddle', 'branch', 'buffer'];
    expect(r.stdout).toBe(names.map((n) => `${n}: 8 rounds ok\n`).join(''));
    expect(r.exitCode).toBe(0);
    const stale = r.reports.get('noisb_stale')!;
    // 3 readers x 8 rounds: each may still run the code it cached
    if (mode === 'deterministic') expect(stale).toBe(24n);
    else expect(stale).toBeLessThanOrEqual(24n);
  });
});

describe('deterministic mode only', () => {
  it('xmodify, 4 CPUs, coherent I-cache: a reader sees the new code even without an ISB', async () => {
    const r = await run('xmodify', { cpus: 4, mode: 'deterministic', icache: 'coherent' });
    expect(r.exitCode).toBe(0);
    expect(r.reports.get('noisb_stale')).toBe(0n);
    for (const c of r.perCpu) expect(c.stale).toBe(0n);
  });

  it('ipi with short slices: an SGI taken between the test and the WFE still lets the WFE complete', async () => {
    // quantum 5, seed 1: one of the interleavings where a CPU's handler sets its
    // flag after the `while (!flag)` test and before its WFE (ERET sets the event register)
    const r = await run('ipi', { cpus: 4, mode: 'deterministic', quantum: 5, seed: 1 });
    expect(r.exitCode).toBe(0);
  });

  it('xmodify, 1 CPU: the writer sees its own code after the sequence', async () => {
    const r = await run('xmodify', { cpus: 1, mode: 'deterministic' });
    expect(r.exitCode).toBe(0);
    expect(r.reports.get('noisb_stale')).toBe(0n);
  });
});
