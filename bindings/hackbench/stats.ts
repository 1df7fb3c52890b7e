// Summary statistics of run times and the comparison of two prologues:
// difference of means, its 95% confidence interval and Welch's t-test
// (unequal variances, Welch-Satterthwaite degrees of freedom). The Student t
// distribution comes from @stdlib.

import tcdf from '@stdlib/stats-base-dists-t-cdf';
import tquantile from '@stdlib/stats-base-dists-t-quantile';

export class StatsError extends Error {
  override name = 'StatsError';
}

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator); 0 for one value. */
  stddev: number;
  min: number;
  median: number;
  max: number;
}

function finite(xs: readonly number[], what: string): void {
  if (xs.length === 0) throw new StatsError(`${what}: no values`);
  for (const x of xs) if (!Number.isFinite(x)) throw new StatsError(`${what}: ${x} is not a finite number`);
}

export function mean(xs: readonly number[]): number {
  finite(xs, 'mean');
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Sample variance (n - 1); 0 for one value. */
export function variance(xs: readonly number[]): number {
  const m = mean(xs);
  if (xs.length < 2) return 0;
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
}

export function median(xs: readonly number[]): number {
  finite(xs, 'median');
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

export function summarize(xs: readonly number[]): Summary {
  return {
    n: xs.length,
    mean: mean(xs),
    stddev: Math.sqrt(variance(xs)),
    min: Math.min(...xs),
    median: median(xs),
    max: Math.max(...xs),
  };
}

export interface Welch {
  /** mean(b) - mean(a) */
  diff: number;
  /** Standard error of the difference. */
  se: number;
  t: number;
  /** Welch-Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value. */
  pValue: number;
  /** 95% confidence interval of mean(b) - mean(a). */
  ci95: [number, number];
}

/**
 * Welch's two-sample t-test of b against a. Both samples need two values or
 * more. When both variances are 0 the test degenerates: p = 1 and a CI of
 * [0, 0] for equal means, p = 0 and a CI of [diff, diff] otherwise.
 */
export function welch(a: readonly number[], b: readonly number[]): Welch {
  if (a.length < 2 || b.length < 2) {
    throw new StatsError(`Welch's t-test needs at least 2 values per sample, got ${a.length} and ${b.length}`);
  }
  const ma = mean(a), mb = mean(b);
  const qa = variance(a) / a.length, qb = variance(b) / b.length;
  const diff = mb - ma;
  const se = Math.sqrt(qa + qb);
  if (se === 0) {
    return { diff, se, t: diff === 0 ? 0 : Math.sign(diff) * Infinity, df: a.length + b.length - 2, pValue: diff === 0 ? 1 : 0, ci95: [diff, diff] };
  }
  const df = (qa + qb) ** 2 / (qa ** 2 / (a.length - 1) + qb ** 2 / (b.length - 1));
  const t = diff / se;
  const pValue = Math.min(1, 2 * tcdf(-Math.abs(t), df));
  const h = tquantile(0.975, df) * se;
  return { diff, se, t, df, pValue, ci95: [diff - h, diff + h] };
}

export interface Comparison {
  /** (mean(b) - mean(a)) / mean(a), in percent. */
  diffPercent: number;
  /** The 95% CI of the difference of means, in percent of mean(a). */
  ci95Percent: [number, number];
  pValue: number;
  t: number;
  df: number;
  /** The CI contains 0 (equivalently p >= 0.05). */
  withinNoise: boolean;
}

/** b relative to a: the difference of means in percent of a's mean, with Welch's CI and p-value. */
export function compare(a: readonly number[], b: readonly number[]): Comparison {
  const w = welch(a, b);
  const base = mean(a);
  if (base === 0) throw new StatsError('the reference mean is 0: no relative difference');
  const pct = (x: number) => (100 * x) / base;
  const lo = pct(w.ci95[0]), hi = pct(w.ci95[1]);
  return {
    diffPercent: pct(w.diff),
    ci95Percent: [Math.min(lo, hi), Math.max(lo, hi)],
    pValue: w.pValue,
    t: w.t,
    df: w.df,
    withinNoise: w.pValue >= 0.05,
  };
}
