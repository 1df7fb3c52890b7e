// Summary statistics and Welch's t-test against reference values: the
// published hackbench tables (20 runs per prologue on Cortex-A57 and
// Cortex-A53, 2019) and a small textbook-sized pair, with the references
// computed by scipy 1.17.1 (`scipy.stats.ttest_ind(b, a, equal_var=False)`,
// `t.ppf(0.975, df)`); and, when python3 with scipy is on the machine, a
// live cross-check on random samples.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compare, mean, median, StatsError, summarize, variance, welch } from '../../bindings/hackbench/stats.ts';

const A57_NOP = [43.497, 43.464, 43.599, 43.785, 43.458, 44.3, 43.541, 43.529, 43.58, 43.385, 43.514, 45.508, 43.757, 43.392, 44.029, 43.515, 43.22, 43.496, 43.669, 43.388];
const A57_MOV = [42.694, 43.148, 43.131, 43.63, 43.281, 43.328, 43.059, 43.298, 43.937, 43.122, 43.825, 43.268, 43.316, 43.146, 43.236, 43.139, 43.108, 43.836, 43.083, 43.38];
const A53_NOP = [43.815, 43.758, 44.075, 44.021, 43.959, 44.039, 43.836, 44.071, 43.619, 44.052, 43.903, 43.773, 43.908, 43.441, 44.167, 44.106, 43.974, 43.859, 43.706, 43.897];
const A53_MOV = [44.455, 45.173, 43.95, 44.185, 44.826, 44.478, 44.626, 45.177, 45.033, 45.095, 44.802, 44.955, 45.02, 44.986, 45.182, 45.229, 45.07, 45.283, 44.892, 44.194];

const close = (got: number, want: number, rel = 1e-9) => expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want) + 1e-14);

describe('summaries', () => {
  it('mean, sample stddev and median of the A57 nop;nop column', () => {
    const s = summarize(A57_NOP);
    close(s.mean, 43.6813);
    close(s.stddev, 0.49249142124508166);
    close(s.median, 43.522);
    expect(s.min).toBe(43.22);
    expect(s.max).toBe(45.508);
    expect(s.n).toBe(20);
  });

  it('odd and even medians, one-value variance, refusals', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(variance([5])).toBe(0);
    expect(variance([1, 2, 3, 4])).toBeCloseTo(5 / 3, 12);
    expect(() => mean([])).toThrow(StatsError);
    expect(() => mean([1, NaN])).toThrow(StatsError);
  });
});

describe("Welch's t-test", () => {
  it('A57: t, df, p and the 95% CI as scipy gives them', () => {
    const w = welch(A57_NOP, A57_MOV);
    close(w.t, -2.9652707199279735, 1e-9);
    close(w.df, 31.517942458221587, 1e-9);
    close(w.pValue, 0.005721973467323741, 1e-7);
    close(w.ci95[0], -0.6463364533509538, 1e-8);
    close(w.ci95[1], -0.11976354664906907, 1e-8);
  });

  it('A53: a large t and a tiny p-value', () => {
    const w = welch(A53_NOP, A53_MOV);
    close(w.t, 9.716190195231569, 1e-9);
    close(w.df, 26.782028844919395, 1e-9);
    close(w.pValue, 2.8491895220906023e-10, 1e-6);
    close(w.ci95[0], 0.7347930763731683, 1e-8);
    close(w.ci95[1], 1.1284069236268095, 1e-8);
  });

  it('small samples of unequal size', () => {
    const w = welch([19.1, 21.3, 20.0, 22.4], [23.2, 24.1, 22.8, 25.9, 24.0]);
    close(w.t, 3.6666666666666656, 1e-9);
    close(w.pValue, 0.010981353978737772, 1e-7);
  });

  it('identical constant samples: p = 1, CI [0, 0]; different constants: p = 0', () => {
    expect(welch([2, 2], [2, 2])).toMatchObject({ diff: 0, pValue: 1, ci95: [0, 0] });
    expect(welch([2, 2], [3, 3])).toMatchObject({ diff: 1, pValue: 0, ci95: [1, 1] });
  });

  it('needs two values per sample', () => {
    expect(() => welch([1], [1, 2])).toThrow(StatsError);
  });
});

describe('compare (b relative to a, in percent)', () => {
  it('A53: mov-nop about 2.1% slower, CI [1.67%, 2.57%], outside the noise', () => {
    const c = compare(A53_NOP, A53_MOV);
    close(c.diffPercent, 2.1221464294703827, 1e-9);
    close(c.ci95Percent[0], 1.6738283634874365, 1e-8);
    close(c.ci95Percent[1], 2.570464495453329, 1e-8);
    expect(c.withinNoise).toBe(false);
  });

  it('A57: mov-nop 0.88% faster, CI [-1.48%, -0.27%]', () => {
    const c = compare(A57_NOP, A57_MOV);
    close(c.diffPercent, -0.8769198718902858, 1e-9);
    close(c.ci95Percent[0], -1.4796639599804806, 1e-8);
    close(c.ci95Percent[1], -0.2741757838000908, 1e-8);
    expect(c.withinNoise).toBe(false);
  });

  it('overlapping samples are within the noise: the CI contains 0 and p >= 0.05', () => {
    const c = compare([10, 11, 12, 10.5], [10.2, 11.4, 11.8, 10.4]);
    expect(c.withinNoise).toBe(true);
    expect(c.ci95Percent[0]).toBeLessThan(0);
    expect(c.ci95Percent[1]).toBeGreaterThan(0);
  });
});

const scipy = spawnSync('python3', ['-c', 'import scipy'], { encoding: 'utf8' }).status === 0;
const NO_SCIPY = 'python3 with scipy not found: the live cross-check against scipy is skipped';

describe('against scipy on random samples', () => {
  if (!scipy) it.skip(NO_SCIPY, () => {});
  it.skipIf(!scipy)('t, df, p and CI agree on 20 random pairs', () => {
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pairs = Array.from({ length: 20 }, (_, k) => {
      const n1 = 2 + (k % 7), n2 = 3 + ((k * 3) % 11);
      const a = Array.from({ length: n1 }, () => 40 + 4 * rnd());
      const b = Array.from({ length: n2 }, () => 40 + (k % 3) + 3 * rnd());
      return [a, b] as const;
    });
    const py = `
import json, sys
from scipy import stats
import numpy as np
out = []
for a, b in json.load(sys.stdin):
    a = np.array(a); b = np.array(b)
    r = stats.ttest_ind(b, a, equal_var=False)
    qa = a.var(ddof=1) / len(a); qb = b.var(ddof=1) / len(b)
    df = (qa + qb) ** 2 / (qa ** 2 / (len(a) - 1) + qb ** 2 / (len(b) - 1))
    h = stats.t.ppf(0.975, df) * np.sqrt(qa + qb)
    d = b.mean() - a.mean()
    out.append([float(r.statistic), float(df), float(r.pvalue), float(d - h), float(d + h)])
print(json.dumps(out))
`;
    const r = spawnSync('python3', ['-c', py], { input: JSON.stringify(pairs), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const ref = JSON.parse(r.stdout) as number[][];
    pairs.forEach(([a, b], k) => {
      const w = welch(a, b);
      const [t, df, p, lo, hi] = ref[k]!;
      close(w.t, t!, 1e-9);
      close(w.df, df!, 1e-9);
      close(w.pValue, p!, 1e-7);
      close(w.ci95[0], lo!, 1e-8);
      close(w.ci95[1], hi!, 1e-8);
    });
  });
});
