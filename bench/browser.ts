// The browser page against Node, in one run, rounds alternating:
//
//   node scripts/run-ts.mjs bench/browser.ts [-- --rounds N --json]
//
// 1. Guest MIPS of one CPU: a 1-CPU hackbench (threads mode, nop-nop,
//    2 groups x 4 fds x 1000 loops after an untimed 100-loop warm-up, 2 boots)
//    through window.patchlab in Chromium (the CPU a Web Worker) and through
//    the CLI (`patchlab hackbench --json`, the CPU a worker thread); per boot,
//    the guest instructions of the timed window over its host seconds, median
//    of the boots. Ratio page / Node.
// 2. hackbench time: the default comparison (both prologues, 2 boots each) on
//    2 CPUs at 2 groups x 4 fds x 50 loops, in the page and from the CLI: the
//    mean seconds of the timed runs and the whole experiment's wall time.
//    Ratio page / CLI (above 1: the page is slower).
// Each figure is the median over the rounds; the page is loaded once.

import { execFileSync } from 'node:child_process';
import { Command } from 'commander';
import type { HackbenchResult } from '../bindings/hackbench/run.ts';
import { browserSkipReason, openPage } from '../test/util/browser.ts';

const opts = new Command()
  .option('--rounds <n>', 'rounds (page and CLI alternating)', (v) => Number(v), 5)
  .option('--json', 'print the figures as JSON')
  .parse(process.argv.slice(2), { from: 'user' })
  .opts<{ rounds: number; json?: boolean }>();

const why = browserSkipReason();
if (why) {
  console.log(`bench/browser: skipped: ${why}`);
  process.exit(0);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const MIPS = { cpus: 1, groups: 2, fds: 4, loops: 1000, warmup: 100, runs: 2, prologues: ['nop-nop'], mode: 'threads' } as const;
const HB = { cpus: 2, groups: 2, fds: 4, loops: 50, runs: 2, mode: 'threads' } as const;

function cli(o: Record<string, unknown>): HackbenchResult {
  const args = ['dist/cli.js', 'hackbench', '--json'];
  for (const [k, v] of Object.entries(o)) args.push(`--${k === 'prologues' ? 'prologue' : k}`, Array.isArray(v) ? v.join(',') : String(v));
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 })) as HackbenchResult;
}

/** Instructions per host second inside the timed window (after the warm-up translated the hot code), median of the boots. */
const windowMips = (r: HackbenchResult) => median(r.prologues.flatMap((p) => p.runs.map((x) => x.noise.windowInsns / x.noise.windowSeconds / 1e6)));
const runSeconds = (r: HackbenchResult) => median(r.prologues.flatMap((p) => p.runs.map((x) => x.seconds)));

const o = await openPage();
const rows = { pageMips: [] as number[], nodeMips: [] as number[], pageRun: [] as number[], cliRun: [] as number[], pageTotal: [] as number[], cliTotal: [] as number[] };
try {
  await o.page.evaluate(() => window.patchlab.ready);
  const inPage = (x: Record<string, unknown>) => o.page.evaluate((y) => window.patchlab.hackbench(y), x) as Promise<HackbenchResult>;
  await inPage({ ...MIPS, runs: 1 }); // warm-up: the page's first boot compiles the core in each new worker
  for (let k = 0; k < opts.rounds; k++) {
    const first = k % 2 === 0;
    const page = async () => {
      rows.pageMips.push(windowMips(await inPage(MIPS)));
      const h = await inPage(HB);
      rows.pageRun.push(runSeconds(h));
      rows.pageTotal.push(h.totalSeconds);
    };
    const node = () => {
      rows.nodeMips.push(windowMips(cli(MIPS)));
      const h = cli(HB);
      rows.cliRun.push(runSeconds(h));
      rows.cliTotal.push(h.totalSeconds);
    };
    if (first) {
      await page();
      node();
    } else {
      node();
      await page();
    }
    process.stderr.write(`round ${k + 1}/${opts.rounds}\n`);
  }
  if (o.errors.length) throw new Error(`page errors: ${o.errors.join('; ')}`);
} finally {
  await o.close();
}

const fig = {
  rounds: opts.rounds,
  oneCpuMips: { page: median(rows.pageMips), node: median(rows.nodeMips), ratio: median(rows.pageMips) / median(rows.nodeMips) },
  hackbenchRunSeconds: { page: median(rows.pageRun), cli: median(rows.cliRun), ratio: median(rows.pageRun) / median(rows.cliRun) },
  hackbenchTotalSeconds: { page: median(rows.pageTotal), cli: median(rows.cliTotal), ratio: median(rows.pageTotal) / median(rows.cliTotal) },
  samples: rows,
};
if (opts.json) console.log(JSON.stringify(fig, null, 2));
else {
  console.log(`browser page vs Node, medians of ${opts.rounds} rounds`);
  console.log('| figure | page | Node | page / Node |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| guest MIPS, 1 CPU (timed hackbench window) | ${fig.oneCpuMips.page.toFixed(1)} | ${fig.oneCpuMips.node.toFixed(1)} | ${fig.oneCpuMips.ratio.toFixed(3)} |`);
  console.log(`| hackbench run, 2 CPUs, s | ${fig.hackbenchRunSeconds.page.toFixed(4)} | ${fig.hackbenchRunSeconds.cli.toFixed(4)} | ${fig.hackbenchRunSeconds.ratio.toFixed(3)} |`);
  console.log(`| hackbench experiment (4 boots), s | ${fig.hackbenchTotalSeconds.page.toFixed(2)} | ${fig.hackbenchTotalSeconds.cli.toFixed(2)} | ${fig.hackbenchTotalSeconds.ratio.toFixed(3)} |`);
}
