// The function profile: exact sums over CPUs in bigint, the sample variance,
// row order, rows without hits, and the kernel's trace_stat table layout.

import { describe, expect, it } from 'vitest';
import type { ProfileRow } from '../../bindings/ftrace/events.ts';
import { formatProfile, profileRows, type ProfileCounters } from '../../bindings/ftrace/output/index.ts';

/** Counters of a list of call durations (ns). */
function counters(durations: readonly number[]): ProfileCounters {
  let totalNs = 0n;
  let sumSqNs2 = 0n;
  for (const d of durations) {
    totalNs += BigInt(d);
    sumSqNs2 += BigInt(d) * BigInt(d);
  }
  return { hits: BigInt(durations.length), totalNs, sumSqNs2 };
}

/** Sample variance by the two-pass method (mean first, then squared deviations). */
function twoPassVariance(xs: readonly number[]): number {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
}

const ZERO: ProfileCounters = { hits: 0n, totalNs: 0n, sumSqNs2: 0n };

describe('profileRows', () => {
  it('sums the CPUs exactly, also past 2^53, and divides for the average', () => {
    const big = 2n ** 60n + 7n;
    const perCpu: ProfileCounters[][] = [
      [{ hits: 3n, totalNs: big, sumSqNs2: big * big }],
      [{ hits: 4n, totalNs: 2n ** 55n + 1n, sumSqNs2: 2n ** 120n }],
    ];
    const [row] = profileRows(perCpu, ['schedule']);
    expect(row!.hits).toBe(7);
    expect(row!.totalNs).toBe(Number(big + 2n ** 55n + 1n));
    expect(row!.avgNs).toBeCloseTo(Number(big + 2n ** 55n + 1n) / 7, -3);
  });

  it('computes s2 like a two-pass variance even where the naive float formula cancels out', () => {
    // Calls of about 1 s that differ by a few ns: n * sumsq and sum^2 are ~1e24
    // and agree in their first 20 digits.
    const durations = [[], [], []].map((_, cpu) => Array.from({ length: 500 }, (_, i) => 1_000_000_000 + ((i * 7 + cpu * 3) % 11)));
    const perCpu = durations.map((d) => [counters(d), counters(d.map((x) => x % 1000 + 1))]);
    const rows = profileRows(perCpu, ['slow', 'fast']);
    const all = durations.flat();
    const slow = rows.find((r) => r.name === 'slow')!;
    expect(slow.hits).toBe(1500);
    expect(slow.totalNs).toBe(all.reduce((a, x) => a + x, 0));
    expect(slow.s2).toBeCloseTo(twoPassVariance(all), 9);
    const n = all.length;
    const sum = all.reduce((a, x) => a + x, 0);
    const naive = (n * all.reduce((a, x) => a + x * x, 0) - sum * sum) / (n * (n - 1));
    expect(Math.abs(naive - twoPassVariance(all))).toBeGreaterThan(1); // the float formula really fails here
    const fast = rows.find((r) => r.name === 'fast')!;
    expect(fast.s2).toBeCloseTo(twoPassVariance(all.map((x) => x % 1000 + 1)), 9);
    expect(fast.avgNs).toBeCloseTo(all.map((x) => x % 1000 + 1).reduce((a, x) => a + x, 0) / n, 9);
  });

  it('gives s2 = 0 for a single hit and drops functions without hits, on every CPU or missing', () => {
    const perCpu: ProfileCounters[][] = [
      [counters([500]), ZERO, ZERO],
      [ZERO, ZERO],
    ];
    const rows = profileRows(perCpu, ['once', 'never', 'absent']);
    expect(rows).toEqual([{ name: 'once', hits: 1, totalNs: 500, avgNs: 500, s2: 0 }]);
  });

  it('sorts by total time, largest first, then by name', () => {
    const perCpu: ProfileCounters[][] = [[counters([10]), counters([30]), counters([10]), counters([5, 5, 10])]];
    expect(profileRows(perCpu, ['b', 'a', 'a2', 'c']).map((r) => r.name)).toEqual(['a', 'c', 'a2', 'b']);
  });
});

describe('formatProfile', () => {
  const HEADER =
    '  Function                               Hit    Time            Avg             s^2\n' +
    '  --------                               ---    ----            ---             ---\n';

  it('prints the kernel header and rows "  %-30.30s  %10lu    time    avg    s^2"', () => {
    const rows: ProfileRow[] = [
      { name: 'fdget', hits: 3, totalNs: 876, avgNs: 292, s2: 4_000 },
      { name: 'schedule', hits: 1234, totalNs: 123_456_789, avgNs: 100_045.9, s2: 12_345_678.9 },
    ];
    expect(formatProfile(rows)).toBe(
      HEADER +
        `  ${'schedule'.padEnd(30)}  ${'1234'.padStart(10)}    123456.7 us     100.045 us      12.345 us   \n` +
        `  ${'fdget'.padEnd(30)}  ${'3'.padStart(10)}    0.876 us        0.292 us        0.004 us    \n`,
    );
  });

  it('cuts names to 30 characters and prints long times without decimals', () => {
    const name = 'a_function_with_a_name_longer_than_thirty';
    const text = formatProfile([{ name, hits: 12_345_678, totalNs: 98_765_432_109_876, avgNs: 8_000_000, s2: 0 }]);
    expect(text.split('\n')[2]).toBe(`  ${name.slice(0, 30)}    12345678    98765432109 us     8000.000 us     0.000 us    `);
  });

  it('prints the header alone for no rows', () => {
    expect(formatProfile([])).toBe(HEADER);
  });

  it('formats rows built by profileRows', () => {
    const perCpu = [[counters([1000, 3000])], [counters([2000])]];
    const text = formatProfile(profileRows(perCpu, ['vfs_write']));
    // total 6000 ns, avg 2000 ns, s^2 = 1e6 ns^2 -> 1000 after the kernel's division by 1000 -> "1.000".
    expect(text.split('\n')[2]).toBe(`  ${'vfs_write'.padEnd(30)}  ${'3'.padStart(10)}    6.000 us        2.000 us        1.000 us    `);
  });
});
