// The kernel-profile SMP programs of guest/smp/ on 1, 2 and 4 CPUs in both
// modes: atomic counters and a ticket lock, WFE waiting on the exclusive
// monitor, message passing with barriers,
// console output from every CPU, exit codes, host calls, faults.

import { describe, expect, it } from 'vitest';
import * as L from '../../assembly/layout.ts';
import { runKernel, smpElf, sym } from '../util/machine.ts';

const MODES = ['deterministic', 'threads'] as const;
const COUNTS = [1, 2, 4];

describe.each(MODES)('%s mode', (mode) => {
  describe.each(COUNTS)('%i CPUs', (cpus) => {
    it('LDADD, LDXR/STXR and ticket-lock counters lose no update; every CPU prints', async () => {
      const { result } = await runKernel(smpElf('atomics'), { cpus, mode });
      expect(result.end).toBe('exit');
      const want = cpus * 1000;
      expect(result.stdout).toContain(`ldadd ${want}\n`);
      expect(result.stdout).toContain(`ldxr/stxr ${want}\n`);
      expect(result.stdout).toContain(`ticket lock ${want}\n`);
      for (let c = 0; c < cpus; c++) expect(result.stdout).toContain(`cpu ${c} done\n`);
      expect(result.exitCode).toBe(0);
      expect(result.perCpu).toHaveLength(cpus);
      for (const c of result.perCpu) expect(c.insns).toBeGreaterThan(1000n);
    });

    it('waits in LDAXR + WFE with no SEV: the store that clears the monitor wakes the waiter (ticket lock, turns)', async () => {
      const { result } = await runKernel(smpElf('wfelock'), { cpus, mode });
      expect(result.stdout).toBe(`ticket lock ${cpus * 300}\nturns ${cpus * 50}\n`);
      expect(result.exitCode).toBe(0);
    });

    it('passes a token round the ring through mailboxes with barriers, payloads intact', async () => {
      const { result } = await runKernel(smpElf('msgpass'), { cpus, mode });
      expect(result.stdout).toContain('token went round 100 times\n');
      expect(result.stdout).toContain('payload errors 0\n');
      expect(result.exitCode).toBe(0);
    });

    it('exit from one CPU stops the others, which spin, and gives the exit code', async () => {
      const { result, machine } = await runKernel(smpElf('exitcode'), { cpus, mode });
      expect(result.end).toBe('exit');
      expect(result.exitCode).toBe(40 + cpus);
      expect(result.cpu).toBe(cpus - 1);
      expect(result.stdout).toBe(`cpu ${cpus - 1} calls exit\n`);
      const spins = sym(machine, 'spins');
      for (let c = 0; c < cpus - 1; c++) expect(machine.mem.u64(spins + BigInt(8 * c))).toBeGreaterThan(0n);
    });

    it('serves the host calls: write and its errors, time, report, cpu count, unknown call', async () => {
      const { result, log } = await runKernel(smpElf('hostcalls'), { cpus, mode });
      expect(result.stdout).toBe('host calls checked, flags 0\n');
      expect(result.stderr).toBe('to stderr\n');
      expect(result.exitCode).toBe(0);
      expect(result.reports.get('answer')).toBe(42n);
      expect(result.reports.get('cpus')).toBe(BigInt(cpus));
      expect(log.filter((l) => l.includes('unknown host call 999'))).toHaveLength(1);
    });

    it('an access outside RAM stops the machine with an oops naming the CPU; other CPUs are untouched', async () => {
      const { result, machine, log } = await runKernel(smpElf('fault'), { cpus, mode });
      const bad = cpus - 1;
      expect(result.end).toBe('fault');
      expect(result.exitCode).toBe(128 + 11);
      expect(result.fault?.cpu).toBe(bad);
      expect(result.fault?.report).toContain(`[CPU ${bad}]`);
      expect(result.fault?.report).toContain('0x0000000000001000');
      expect(log.some((l) => l.includes(`[CPU ${bad}]`))).toBe(true);
      expect(machine.cpu(bad).pc).toBe(sym(machine, 'fault_load'));
      const spin = sym(machine, 'fault_spin');
      for (let c = 0; c < bad; c++) {
        const cpu = machine.cpu(c);
        expect(cpu.x(19)).toBe(0x1900n + BigInt(c));
        expect([spin, spin + 4n]).toContain(cpu.pc);
        expect([L.EXIT_STOP, L.EXIT_BUDGET]).toContain(cpu.exit);
      }
    });
  });
});
