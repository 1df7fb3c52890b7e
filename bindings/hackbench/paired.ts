// Paired statistics of alternating runs. Run k of prologue A and run k of
// prologue B boot one after the other (same seed), so host drift that moves
// slowly against the run length (frequency, temperature, other load) falls
// on both halves of a pair alike. Each pair gives one log ratio
// d_k = ln(b_k / a_k); the drift cancels in it, and the analysis is the
// one-sample analysis of the d_k:
//
//   mean and 95% CI by Student's t (n - 1 degrees of freedom), and a
//   percentile bootstrap CI of the mean (seeded resampling, replayable);
//   paired t-test and Wilcoxon signed-rank test of "median d = 0"
//   (exact distribution of the statistic up to 50 non-zero pairs, else the
//   normal approximation with the tie correction);
//   minimum detectable difference at 80% power for a two-sided 5% test.
//
// Percentages are exp(d) - 1: the ratio of B to A, so the interval of a
// ratio is not symmetric around its point.

import ncdf from '@stdlib/stats-base-dists-normal-cdf';
import tcdf from '@stdlib/stats-base-dists-t-cdf';
import tquantile from '@stdlib/stats-base-dists-t-quantile';
import { below, makeRng } from '../isa/random.ts';
import { mean, StatsError, variance } from './stats.ts';

export interface Wilcoxon {
  /** W+: the sum of the ranks of the positive differences (zeros dropped). */
  wPlus: number;
  /** min(W+, W-), the statistic scipy reports. */
  statistic: number;
  /** Non-zero differences ranked. */
  n: number;
  /** Two-sided p-value. */
  pValue: number;
  method: 'exact' | 'normal';
}

/** Ranks 1..n of |x| (ties get the mean of their ranks) and the tie correction sum of (t^3 - t). */
function absRanks(xs: readonly number[]): { ranks: number[]; ties: number } {
  const idx = xs.map((x, i) => [Math.abs(x), i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(xs.length);
  let ties = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1]![0] === idx[i]![0]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[idx[k]![1]] = r;
    const t = j - i + 1;
    ties += t ** 3 - t;
    i = j + 1;
  }
  return { ranks, ties };
}

/**
 * The null distribution of W+ given the ranks: how many of the 2^n sign
 * patterns give each sum of (doubled, so integral) positive ranks. Without
 * ties the ranks are 1..n and this is the classical exact distribution; with
 * ties (mean ranks) it is the exact conditional one.
 */
export function signedRankCounts(doubledRanks: readonly number[]): number[] {
  const max = doubledRanks.reduce((s, r) => s + r, 0);
  const c = new Array<number>(max + 1).fill(0);
  c[0] = 1;
  let top = 0;
  for (const r of doubledRanks) {
    for (let s = top; s >= 0; s--) if (c[s]) c[s + r]! += c[s]!;
    top += r;
  }
  return c;
}

/** Largest number of non-zero differences for which the exact distribution is used. */
export const WILCOXON_EXACT_MAX = 50;

/**
 * Wilcoxon signed-rank test of the differences against a median of 0,
 * two-sided. Zeros are dropped (Wilcoxon's own rule), ties get mean ranks.
 * Up to WILCOXON_EXACT_MAX differences the p-value comes from the exact
 * distribution of W+ over the 2^n sign patterns of these ranks, beyond that
 * from the normal approximation with the tie correction.
 */
export function wilcoxon(diffs: readonly number[]): Wilcoxon {
  if (diffs.length === 0) throw new StatsError('Wilcoxon signed-rank test: no differences');
  mean(diffs); // finite check
  const d = diffs.filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return { wPlus: 0, statistic: 0, n: 0, pValue: 1, method: 'exact' };
  const { ranks, ties } = absRanks(d);
  let wPlus = 0;
  d.forEach((x, i) => { if (x > 0) wPlus += ranks[i]!; });
  const total = (n * (n + 1)) / 2;
  const statistic = Math.min(wPlus, total - wPlus);
  if (n <= WILCOXON_EXACT_MAX) {
    const c = signedRankCounts(ranks.map((r) => Math.round(2 * r)));
    const w2 = Math.round(2 * wPlus);
    let le = 0, ge = 0, all = 0;
    c.forEach((k, s) => {
      all += k;
      if (s <= w2) le += k;
      if (s >= w2) ge += k;
    });
    return { wPlus, statistic, n, pValue: Math.min(1, (2 * Math.min(le, ge)) / all), method: 'exact' };
  }
  const mu = total / 2;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - ties / 48);
  const z = sd === 0 ? 0 : (statistic - mu) / sd;
  return { wPlus, statistic, n, pValue: Math.min(1, 2 * ncdf(z, 0, 1)), method: 'normal' };
}

/** Percentile bootstrap 95% CI of the mean of xs: `resamples` seeded resamples with replacement. */
export function bootstrapMeanCi(xs: readonly number[], resamples = 10000, seed = 1): [number, number] {
  if (xs.length < 2) throw new StatsError(`a bootstrap interval needs at least 2 values, got ${xs.length}`);
  mean(xs);
  const rng = makeRng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[below(rng, xs.length)]!;
    means[b] = s / xs.length;
  }
  means.sort();
  const at = (q: number) => {
    // linear interpolation between order statistics (numpy's default percentile)
    const h = (resamples - 1) * q;
    const lo = Math.floor(h);
    return means[lo]! + (h - lo) * (means[Math.min(lo + 1, resamples - 1)]! - means[lo]!);
  };
  return [at(0.025), at(0.975)];
}

/** Power asked of the minimum detectable difference. */
export const MDD_POWER = 0.8;

/**
 * The smallest mean difference a two-sided paired t-test at 5% would find
 * with 80% power, from sd and n pairs: (t(0.975, n-1) + t(0.80, n-1)) sd / sqrt(n),
 * the usual t approximation of the noncentral t calculation.
 */
export function minDetectable(sd: number, n: number): number {
  if (n < 2) throw new StatsError(`the minimum detectable difference needs at least 2 pairs, got ${n}`);
  return (tquantile(0.975, n - 1) + tquantile(MDD_POWER, n - 1)) * (sd / Math.sqrt(n));
}

export interface Paired {
  pairs: number;
  /** ln(b_k / a_k), pair by pair. */
  logRatios: number[];
  /** Mean log ratio and its sample standard deviation. */
  meanLogRatio: number;
  sdLogRatio: number;
  /** exp(mean log ratio) - 1, in percent. */
  diffPercent: number;
  /** 95% CI by t, in percent. */
  ci95Percent: [number, number];
  /** Percentile bootstrap 95% CI, in percent. */
  bootstrapCi95Percent: [number, number];
  /** Paired t-test, two-sided. */
  t: number;
  df: number;
  pValue: number;
  wilcoxon: Wilcoxon;
  /** Smallest ratio difference this many pairs could see at 80% power, in percent (exp(mdd) - 1). */
  minDetectablePercent: number;
  /** The t interval contains 0. */
  withinNoise: boolean;
}

const pct = (x: number) => 100 * Math.expm1(x);

/** Paired analysis of b against a, pair k = (a[k], b[k]); needs at least 2 pairs of positive values. */
export function paired(a: readonly number[], b: readonly number[]): Paired {
  if (a.length !== b.length) throw new StatsError(`paired samples must have one value each per pair, got ${a.length} and ${b.length}`);
  if (a.length < 2) throw new StatsError(`paired statistics need at least 2 pairs, got ${a.length}`);
  const logRatios = a.map((x, k) => {
    const y = b[k]!;
    if (!(x > 0) || !(y > 0) || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new StatsError(`pair ${k}: ${x} and ${y} are not both positive finite numbers`);
    }
    return Math.log(y / x);
  });
  const n = logRatios.length;
  const m = mean(logRatios);
  const sd = Math.sqrt(variance(logRatios));
  const se = sd / Math.sqrt(n);
  const df = n - 1;
  let t: number, pValue: number, lo: number, hi: number;
  if (se === 0) {
    t = m === 0 ? 0 : Math.sign(m) * Infinity;
    pValue = m === 0 ? 1 : 0;
    lo = hi = m;
  } else {
    t = m / se;
    pValue = Math.min(1, 2 * tcdf(-Math.abs(t), df));
    const h = tquantile(0.975, df) * se;
    lo = m - h;
    hi = m + h;
  }
  const [blo, bhi] = bootstrapMeanCi(logRatios);
  return {
    pairs: n,
    logRatios,
    meanLogRatio: m,
    sdLogRatio: sd,
    diffPercent: pct(m),
    ci95Percent: [pct(lo), pct(hi)],
    bootstrapCi95Percent: [pct(blo), pct(bhi)],
    t,
    df,
    pValue,
    wilcoxon: wilcoxon(logRatios),
    minDetectablePercent: pct(minDetectable(sd, n)),
    withinNoise: !(lo > 0 || hi < 0),
  };
}

/** Half the width of the paired t interval, in percent (what --target-ci compares). */
export function halfWidthPercent(p: Pick<Paired, 'ci95Percent'>): number {
  return (p.ci95Percent[1] - p.ci95Percent[0]) / 2;
}
