// The function profile (the kernel's trace_stat/functionN with the
// function_graph time columns), summed over CPUs.
//
//   Function                               Hit    Time            Avg             s^2
//   --------                               ---    ----            ---             ---
//   schedule                              1234    123456.7 us     100.000 us      12.345 us
//
// Each row is "  %-30.30s  %10lu", four spaces, then the total, the average
// and s^2, each printed as a graph duration (see duration.ts) and separated
// by four spaces. As in the kernel, s^2 is the variance in ns^2 divided by
// 1000 and then printed like a duration, so its "us" figure is us^2; all
// three figures are truncated to whole ns before printing. Rows are sorted
// by total time, largest first, then by name.

import type { ProfileRow } from '../events.ts';
import { graphDuration, wholeNs } from './duration.ts';

/** Per-CPU counters of one function. */
export interface ProfileCounters {
  hits: bigint;
  totalNs: bigint;
  sumSqNs2: bigint;
}

const HEADER =
  '  Function                               Hit    Time            Avg             s^2\n' +
  '  --------                               ---    ----            ---             ---\n';

/** `num / den` as a number, exact up to the precision of a double. */
function divide(num: bigint, den: bigint): number {
  const q = num / den;
  const r = num % den;
  return Number(q) + Number(r) / Number(den);
}

/** Rows in table order: total time descending, then name. */
export function sortProfileRows(rows: readonly ProfileRow[]): ProfileRow[] {
  return [...rows].sort((a, b) => b.totalNs - a.totalNs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Rows from per-CPU counters (`perCpu[cpu][function index]`), summed over
 * CPUs in bigint: avg = total / hits, s2 = (n * sumsq - sum^2) / (n * (n - 1))
 * (0 when n < 2). Functions with no hits are left out; rows come sorted.
 */
export function profileRows(perCpu: readonly (readonly ProfileCounters[])[], names: readonly string[]): ProfileRow[] {
  const rows: ProfileRow[] = [];
  names.forEach((name, f) => {
    let n = 0n;
    let sum = 0n;
    let sumSq = 0n;
    for (const cpu of perCpu) {
      const c = cpu[f];
      if (!c) continue;
      n += c.hits;
      sum += c.totalNs;
      sumSq += c.sumSqNs2;
    }
    if (n <= 0n) return;
    let s2 = 0;
    if (n >= 2n) {
      const num = n * sumSq - sum * sum;
      s2 = num > 0n ? divide(num, n * (n - 1n)) : 0;
    }
    rows.push({ name, hits: Number(n), totalNs: Number(sum), avgNs: divide(sum, n), s2 });
  });
  return sortProfileRows(rows);
}

/** One table row, with its newline. */
export function formatProfileRow(row: ProfileRow): string {
  const name = row.name.slice(0, 30).padEnd(30);
  const hits = String(row.hits).padStart(10);
  const time = graphDuration(wholeNs(row.totalNs));
  const avg = graphDuration(wholeNs(row.avgNs));
  const s2 = graphDuration(wholeNs(row.s2 / 1000));
  return `  ${name}  ${hits}    ${time}    ${avg}    ${s2}\n`;
}

/** The whole table: header and rows in table order. */
export function formatProfile(rows: readonly ProfileRow[]): string {
  return HEADER + sortProfileRows(rows).map(formatProfileRow).join('');
}
