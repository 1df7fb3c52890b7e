// Paired statistics of alternating runs against values computed
// independently: scipy 1.17.1 (`ttest_1samp` of the log ratios, `t.ppf`,
// `wilcoxon`, `bootstrap(method='percentile')`, `ttest_ind(equal_var=False)`),
// exact enumerations of the signed-rank distribution written out by hand, and,
// when python3 with scipy is on the machine, a live cross-check on random
// pairs.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bootstrapMeanCi, halfWidthPercent, minDetectable, paired, signedRankCounts, wilcoxon } from '../../bindings/hackbench/paired.ts';
import { compare, StatsError } from '../../bindings/hackbench/stats.ts';

const close = (got: number, want: number, rel = 1e-9) => expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want) + 1e-14);

/** The host slows by up to 45% in the middle of the experiment; mov-nop is 2% (+-0.4%) slower in every pair. */
const DRIFT_NOP = [10.0, 10.2, 10.5, 11.0, 13.0, 14.5, 14.0, 12.0, 10.5, 10.0, 9.8, 10.0];
const DRIFT_MOV = [10.24, 10.3734, 10.731, 11.209, 13.299, 14.732, 14.294, 12.24, 10.689, 10.23, 9.9862, 10.22];

describe('paired analysis of a drifting series', () => {
  it("Welch's interval contains 0, the paired one does not", () => {
    const w = compare(DRIFT_NOP, DRIFT_MOV);
    close(w.ci95Percent[0], -10.620815243462728, 1e-8);
    close(w.ci95Percent[1], 14.670409339403708, 1e-8);
    expect(w.withinNoise).toBe(true);
    const p = paired(DRIFT_NOP, DRIFT_MOV);
    expect(p.withinNoise).toBe(false);
    expect(p.ci95Percent[0]).toBeGreaterThan(0);
  });

  it('mean log ratio, t interval, paired t and Wilcoxon as scipy gives them', () => {
    const p = paired(DRIFT_NOP, DRIFT_MOV);
    expect(p.pairs).toBe(12);
    close(p.meanLogRatio, 0.02012646195252069, 1e-10);
    close(p.sdLogRatio, 0.0025196808348497226, 1e-9);
    close(p.diffPercent, 2.0330364838372663, 1e-10);
    close(p.ci95Percent[0], 1.8698195389243772, 1e-8);
    close(p.ci95Percent[1], 2.196514936733847, 1e-8);
    close(p.t, 27.67021457338413, 1e-9);
    expect(p.df).toBe(11);
    close(p.pValue, 1.6049233725659494e-11, 1e-5);
    // every pair positive: W- = 0, p = 2 / 2^12
    expect(p.wilcoxon).toMatchObject({ statistic: 0, n: 12, method: 'exact' });
    expect(p.wilcoxon.pValue).toBe(0.00048828125);
    close(p.minDetectablePercent, 0.22402680264417674, 1e-8);
    close(halfWidthPercent(p), (2.196514936733847 - 1.8698195389243772) / 2, 1e-7);
    // the bootstrap interval is about the t interval here and holds the mean
    expect(p.bootstrapCi95Percent[0]).toBeLessThan(p.diffPercent);
    expect(p.bootstrapCi95Percent[1]).toBeGreaterThan(p.diffPercent);
    expect(p.bootstrapCi95Percent[0]).toBeGreaterThan(1.8);
    expect(p.bootstrapCi95Percent[1]).toBeLessThan(2.25);
  });

  it('the ratio is taken per pair: swapping two pairs changes nothing, swapping within a pair flips the sign', () => {
    const a = [...DRIFT_NOP], b = [...DRIFT_MOV];
    [a[0], a[5]] = [a[5]!, a[0]!];
    [b[0], b[5]] = [b[5]!, b[0]!];
    close(paired(a, b).meanLogRatio, paired(DRIFT_NOP, DRIFT_MOV).meanLogRatio, 1e-12);
    close(paired(DRIFT_MOV, DRIFT_NOP).meanLogRatio, -paired(DRIFT_NOP, DRIFT_MOV).meanLogRatio, 1e-12);
    // pairing the wrong runs (shifted by one) brings the drift back
    const shifted = paired(DRIFT_NOP.slice(1), DRIFT_MOV.slice(0, -1));
    expect(shifted.withinNoise).toBe(true);
  });
});

describe('Wilcoxon signed-rank test', () => {
  it('the exact distribution of W+ for n = 4, enumerated by hand', () => {
    // subsets of {1,2,3,4} by sum: 0:{} 1:{1} 2:{2} 3:{3},{1,2} 4:{4},{1,3} 5:{1,4},{2,3} 6:{2,4},{1,2,3}
    // 7:{3,4},{1,2,4} 8:{1,3,4} 9:{2,3,4} 10:{1,2,3,4}; ranks are doubled, so sums are at even indices
    const c = signedRankCounts([2, 4, 6, 8]);
    expect(c.filter((_, s) => s % 2 === 0)).toEqual([1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1]);
    expect(c.filter((_, s) => s % 2 === 1).every((k) => k === 0)).toBe(true);
  });

  it('n = 7, W- = 5: p = 2 x 10/128 (scipy 0.15625)', () => {
    // sums <= 5 over {1..7}: 0,1,2,3 (x2),4 (x2),5 (x3) = 10 of 128 sign patterns
    const w = wilcoxon([1.5, -0.5, 2.5, 3.5, -1.0, 4.5, 0.25]);
    expect(w).toMatchObject({ statistic: 5, wPlus: 23, n: 7, method: 'exact' });
    expect(w.pValue).toBe(0.15625);
  });

  it('ties get mean ranks and the exact conditional distribution (scipy: permutation test, 0.052734375)', () => {
    const w = wilcoxon([0.3, -0.1, 0.7, 0.2, 0.9, -0.4, 0.6, 0.8, 1.1, -0.2]);
    expect(w.statistic).toBe(8.5);
    close(w.pValue, 0.052734375, 1e-12);
  });

  it('zeros are dropped, ties kept (scipy 0.080078125)', () => {
    const w = wilcoxon([1, 1, -2, 3, 3, 3, 0, -4, 5, 6, 2, 2]);
    expect(w.n).toBe(11);
    expect(w.statistic).toBe(13);
    close(w.pValue, 0.080078125, 1e-12);
  });

  it('over 50 differences: the normal approximation with the tie correction (scipy 0.026169057474267583)', () => {
    const x = Array.from({ length: 60 }, (_, k) => (((k * 37) % 23) - 11) / 7 + 0.3);
    const w = wilcoxon(x);
    expect(w.method).toBe('normal');
    expect(w.statistic).toBe(613);
    close(w.pValue, 0.026169057474267583, 1e-9);
  });

  it('all zeros: p = 1; no values: StatsError', () => {
    expect(wilcoxon([0, 0, 0]).pValue).toBe(1);
    expect(() => wilcoxon([])).toThrow(StatsError);
  });
});

describe('bootstrap interval', () => {
  it('two values: the resampled means are 0, 1/2, 1 with 1/4, 1/2, 1/4, so the interval is [0, 1]', () => {
    expect(bootstrapMeanCi([0, 1])).toEqual([0, 1]);
  });

  it('agrees with scipy.stats.bootstrap (percentile, 200000 resamples) within the resampling error', () => {
    const s = [0.012, 0.031, -0.004, 0.022, 0.018, 0.009, 0.027, -0.011, 0.015, 0.020, 0.005, 0.024];
    const [lo, hi] = bootstrapMeanCi(s, 100000);
    expect(Math.abs(lo - 0.006916666666666666)).toBeLessThan(0.0003);
    expect(Math.abs(hi - 0.020416666666666666)).toBeLessThan(0.0003);
    // and is replayable: one seed, one interval
    expect(bootstrapMeanCi(s, 2000, 5)).toEqual(bootstrapMeanCi(s, 2000, 5));
  });
});

describe('minimum detectable difference', () => {
  it('(t(0.975, n-1) + t(0.8, n-1)) sd / sqrt(n): scipy for sd 0.01 and 10 pairs', () => {
    // stats.t.ppf(0.975, 9) = 2.262157162798205, stats.t.ppf(0.8, 9) = 0.8834038596855346
    close(minDetectable(0.01, 10), (2.262157162798205 + 0.8834038596855346) * 0.01 / Math.sqrt(10), 1e-9);
    // four times the pairs, a bit more than half the difference
    expect(minDetectable(0.01, 40) / minDetectable(0.01, 10)).toBeLessThan(0.5 * 1.15);
  });
});

describe('refusals and degenerate pairs', () => {
  it('unequal lengths, one pair, non-positive times', () => {
    expect(() => paired([1, 2], [1])).toThrow(StatsError);
    expect(() => paired([1], [1])).toThrow(/at least 2 pairs/);
    expect(() => paired([1, 0], [1, 1])).toThrow(/pair 1/);
  });

  it('the same ratio in every pair: p about 0, CI a point', () => {
    const p = paired([1, 2, 4], [1.25, 2.5, 5]);
    expect(p.pValue).toBeLessThan(1e-20);
    expect(p.sdLogRatio).toBeLessThan(1e-15);
    close(p.ci95Percent[0], 25, 1e-9);
    close(p.ci95Percent[1], 25, 1e-9);
    const q = paired([1, 2, 3], [1.1, 2.2, 3.3]); // ratios equal up to rounding
    expect(q.pValue).toBeLessThan(1e-20);
    close(q.ci95Percent[0], 10, 1e-9);
    close(q.ci95Percent[1], 10, 1e-9);
  });
});

const scipy = spawnSync('python3', ['-c', 'import scipy'], { encoding: 'utf8' }).status === 0;
const NO_SCIPY = 'python3 with scipy not found: the live cross-check against scipy is skipped';

describe('against scipy on random pairs', () => {
  if (!scipy) it.skip(NO_SCIPY, () => {});
  it.skipIf(!scipy)('paired t, interval, Wilcoxon and the minimum detectable difference agree on 20 random series', () => {
    let s = 4242;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const series = Array.from({ length: 20 }, (_, k) => {
      const n = 3 + ((k * 5) % 60);
      const a = Array.from({ length: n }, (_, i) => 10 + Math.sin(i / 3) * 3 + rnd());
      const b = a.map((x) => x * (1 + 0.01 * (k % 4) + 0.03 * (rnd() - 0.5)));
      return [a, b] as const;
    });
    const py = `
import json, sys
import numpy as np
from scipy import stats
out = []
for a, b in json.load(sys.stdin):
    d = np.log(np.array(b) / np.array(a)); n = len(d)
    r = stats.ttest_1samp(d, 0)
    se = d.std(ddof=1) / np.sqrt(n)
    h = stats.t.ppf(0.975, n - 1) * se
    w = stats.wilcoxon(d, method='exact' if n <= 50 else 'asymptotic')
    mdd = (stats.t.ppf(0.975, n - 1) + stats.t.ppf(0.8, n - 1)) * se
    out.append([float(r.statistic), float(r.pvalue), float(d.mean() - h), float(d.mean() + h), float(w.statistic), float(w.pvalue), float(mdd)])
print(json.dumps(out))
`;
    const r = spawnSync('python3', ['-c', py], { input: JSON.stringify(series), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const ref = JSON.parse(r.stdout) as number[][];
    series.forEach(([a, b], k) => {
      const p = paired(a, b);
      const [t, pv, lo, hi, ws, wp, mdd] = ref[k]!;
      close(p.t, t!, 1e-8);
      close(p.pValue, pv!, 1e-6);
      close(Math.log1p(p.ci95Percent[0] / 100), lo!, 1e-8);
      close(Math.log1p(p.ci95Percent[1] / 100), hi!, 1e-8);
      expect(p.wilcoxon.statistic).toBe(ws);
      close(p.wilcoxon.pValue, wp!, 1e-7);
      close(Math.log1p(p.minDetectablePercent / 100), mdd!, 1e-8);
    });
  });
});
