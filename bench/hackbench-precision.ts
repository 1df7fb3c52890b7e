// The precision of the hackbench comparison with and without a warm-up run
// before GO: blocks of `--runs` pairs without warm-up and with it,
// alternating block by block so that host drift falls on both, then for each
// setting the spread of the pair log ratios (the standard deviation the
// paired interval is built from), the median half-width of the blocks'
// paired intervals, and the medians of the per-run noise figures: host time
// translating guest code inside the measured window, the CPU threads' share
// of that window spent waiting for a host core, and the run time.
//
//   node scripts/run-ts.mjs bench/hackbench-precision.ts [--blocks B] [--runs N] [--warmup LOOPS]
//        [--cpus C] [--groups G] [--fds F] [--loops L]

import { parseArgs } from 'node:util';
import { hackbench, type HackbenchResult } from '../bindings/index.ts';
import { halfWidthPercent } from '../bindings/hackbench/paired.ts';
import { median, variance } from '../bindings/hackbench/stats.ts';

const { values } = parseArgs({
  options: {
    blocks: { type: 'string', default: '3' },
    runs: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '5' },
    cpus: { type: 'string', default: '2' },
    groups: { type: 'string', default: '10' },
    fds: { type: 'string', default: '20' },
    loops: { type: 'string', default: '100' },
  },
});
const num = (k: keyof typeof values) => {
  const v = Number(values[k]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`hackbench-precision: --${k} must be a non-negative integer, got ${values[k]}`);
    process.exit(2);
  }
  return v;
};
const blocks = num('blocks'), runs = num('runs'), warmup = num('warmup');
const sizes = { cpus: num('cpus'), groups: num('groups'), fds: num('fds'), loops: num('loops'), runs };

const settings = [0, warmup];
const results = new Map<number, HackbenchResult[]>(settings.map((w) => [w, []]));
for (let b = 0; b < blocks; b++) {
  for (const w of settings) {
    const r = await hackbench({ ...sizes, warmup: w });
    results.get(w)!.push(r);
    const c = r.comparison!.paired;
    console.error(`block ${b + 1}/${blocks}, warmup ${w}: paired ${c.diffPercent.toFixed(2)}% +-${halfWidthPercent(c).toFixed(2)}%`);
  }
}

const summary = settings.map((w) => {
  const rs = results.get(w)!;
  const logs = rs.flatMap((r) => r.comparison!.paired.logRatios);
  const allRuns = rs.flatMap((r) => r.prologues.flatMap((p) => p.runs));
  const waits = allRuns.flatMap((x) => (x.noise.cpuThreads ? [x.noise.cpuThreads.reduce((s, c) => s + c.waitShare, 0) / x.noise.cpuThreads.length] : []));
  return {
    warmup: w,
    pairs: logs.length,
    pairSpreadPercent: 100 * Math.sqrt(variance(logs)),
    medianHalfWidthPercent: median(rs.map((r) => halfWidthPercent(r.comparison!.paired))),
    medianTranslateMs: 1000 * median(allRuns.map((x) => x.noise.translateSeconds)),
    medianWaitShare: waits.length ? median(waits) : null,
    medianSeconds: median(allRuns.map((x) => x.seconds)),
  };
});
const [cold, warm] = summary as [typeof summary[0], typeof summary[0]];
for (const s of summary) {
  console.log(
    `warmup ${String(s.warmup).padStart(3)}: ${s.pairs} pairs, spread of pair log ratios ${s.pairSpreadPercent.toFixed(2)}%, ` +
      `median block half-width ${s.medianHalfWidthPercent.toFixed(2)}%, median translation in window ${s.medianTranslateMs.toFixed(1)} ms, ` +
      `median host-core wait ${s.medianWaitShare === null ? '-' : `${(100 * s.medianWaitShare).toFixed(1)}%`}, median run ${s.medianSeconds.toFixed(3)} s`,
  );
}
console.log(
  `ratios warm/cold: spread ${(warm.pairSpreadPercent / cold.pairSpreadPercent).toFixed(2)}, ` +
    `translation ${(warm.medianTranslateMs / cold.medianTranslateMs).toFixed(2)}, run time ${(warm.medianSeconds / cold.medianSeconds).toFixed(2)}`,
);
console.log(JSON.stringify({ sizes, blocks, summary }));
