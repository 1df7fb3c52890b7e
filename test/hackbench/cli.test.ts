// patchlab hackbench (dist/cli.js, bundled by the test setup): the JSON
// contract, Markdown and SVG output, and exit code 2 for bad options.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['dist/cli.js', 'hackbench', ...args], { encoding: 'utf8', timeout: 120_000 });

const SMALL = ['--cpus', '2', '--groups', '2', '--fds', '3', '--loops', '5', '--runs', '2'];

const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

describe('patchlab hackbench --json', () => {
  it('prints exactly one JSON object with the contract\'s keys and types', () => {
    const r = cli([...SMALL, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout); // the whole of stdout
    expect(j.config).toEqual({
      cpus: 2, groups: 2, fds: 3, loops: 5, datasize: 100, runs: 2, prologues: ['nop-nop', 'mov-nop'],
      mode: 'threads', seed: 1, image: 'pfe2', icache: 'architectural', quantum: null, jitThreshold: null, preempt: true, patcher: 'host',
      warmup: 0, targetCi: null, maxRuns: null, countCalls: false, timing: 'none',
    });
    expect(j.stoppedBy).toBe('runs');
    expect(j.tracedCalls).toBeNull();
    expect(typeof j.image.file).toBe('string');
    expect(j.image.file).toMatch(/kernel-pfe2\.elf$/);
    expect(Number.isInteger(j.image.patchSites)).toBe(true);
    expect(j.image.patchSites).toBeGreaterThan(50);
    expect(j.prologues.map((p: { name: string }) => p.name)).toEqual(['nop-nop', 'mov-nop']);
    for (const p of j.prologues) {
      expect(p.movSites).toBe(p.name === 'mov-nop' ? j.image.patchSites : 0);
      expect(isNum(p.meanSeconds)).toBe(true);
      expect(isNum(p.stddevSeconds)).toBe(true);
      expect(p.runs).toHaveLength(2);
      expect(isNum(p.workInsnsPerMessage) && p.workInsnsPerMessage > 0).toBe(true);
      expect(p.workInsnsPerMessage).toBeCloseTo(p.runs.reduce((s: number, x: { workInsnsPerMessage: number }) => s + x.workInsnsPerMessage, 0) / p.runs.length, 6);
      for (const run of p.runs) {
        expect(isNum(run.seconds) && run.seconds > 0).toBe(true);
        for (const k of ['windowSeconds', 'translateSeconds', 'windowInsns', 'translatedInsns', 'idleInsns', 'spinInsns', 'waitInsns', 'workInsns']) {
          expect(isNum(run.noise[k]), k).toBe(true);
        }
        expect(Number.isInteger(run.guestInstructions) && run.guestInstructions > 0).toBe(true);
        expect(run.messages).toBe(2 * 3 * 3 * 5);
        expect(run.movSites).toBe(p.movSites);
        for (const k of ['bootSeconds', 'vcntSeconds', 'contextSwitches', 'voluntarySwitches', 'involuntarySwitches']) {
          expect(isNum(run[k]), k).toBe(true);
        }
      }
    }
    const c = j.comparison;
    expect(isNum(c.diffPercent)).toBe(true);
    expect(c.ci95Percent).toHaveLength(2);
    expect(c.ci95Percent.every(isNum)).toBe(true);
    expect(c.ci95Percent[0]).toBeLessThanOrEqual(c.ci95Percent[1]);
    expect(isNum(c.pValue) && c.pValue >= 0 && c.pValue <= 1).toBe(true);
    // the stated difference is the one of the stated means
    const [nop, mov] = j.prologues;
    expect(c.diffPercent).toBeCloseTo((100 * (mov.meanSeconds - nop.meanSeconds)) / nop.meanSeconds, 9);
    // the paired figures: pair k is run k of each prologue
    const pd = c.paired;
    expect(pd.pairs).toBe(2);
    const logs = nop.runs.map((x: { seconds: number }, k: number) => Math.log(mov.runs[k].seconds / x.seconds));
    expect(pd.diffPercent).toBeCloseTo(100 * Math.expm1((logs[0] + logs[1]) / 2), 9);
    expect(pd.ci95Percent).toHaveLength(2);
    expect(pd.ci95Percent[0]).toBeLessThanOrEqual(pd.diffPercent);
    expect(pd.ci95Percent[1]).toBeGreaterThanOrEqual(pd.diffPercent);
    expect(isNum(pd.pValue) && pd.pValue >= 0 && pd.pValue <= 1).toBe(true);
    expect(isNum(c.minDetectablePercent) && c.minDetectablePercent >= 0).toBe(true);
  });
});

describe('patchlab hackbench output', () => {
  it('prints the table and the verdict by default, Markdown with --markdown, and writes --svg', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hb-'));
    try {
      const svg = join(dir, 'runs.svg');
      const text = cli([...SMALL, '--mode', 'deterministic', '--svg', svg, '--count-calls']);
      expect(text.status, text.stderr).toBe(0);
      expect(text.stdout).toContain('| "nop; nop" | "mov x9, x30; nop" |');
      expect(text.stdout).toMatch(/^average \|/m);
      expect(text.stdout).toMatch(/Welch's t-test: t = /);
      expect(text.stdout).toMatch(/inside the noise|outside the noise/);
      expect(text.stdout).toMatch(/^paired \(run k of each, 2 pairs\)/m);
      expect(text.stdout).toMatch(/Wilcoxon signed-rank: W = /);
      expect(text.stdout).toMatch(/^noise, GO to the end/m);
      expect(text.stdout).toMatch(/^traced calls per message \(one profiled boot, deterministic, seed 1\): \d+\.\d\d \(\d+ calls, 90 messages; /m);
      // the last line says what the run could not have seen
      expect(text.stdout.trimEnd().split('\n').at(-1)).toMatch(/^this run could not see differences under \d+\.\d\d% \(80% power/);
      expect(text.stderr).toBe(''); // no progress bar without a terminal
      expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
      expect(readFileSync(svg, 'utf8')).toMatch(/>paired [+-]\d+\.\d\d%<[\s\S]*>sees >= \d+\.\d\d%</);
      const md = cli([...SMALL, '--mode', 'deterministic', '--markdown']);
      expect(md.status, md.stderr).toBe(0);
      expect(md.stdout).toContain('| run | "nop; nop" | "mov x9, x30; nop" |');
      expect(md.stdout).toContain('| difference of means | 95% CI | Welch p | inside the noise |');
      expect(md.stdout).toContain('| paired ratio | pairs | 95% CI (t) | 95% CI (bootstrap) | paired t p | Wilcoxon p | inside the noise | detectable |');
      expect(md.stdout.trimEnd().split('\n').at(-1)).toMatch(/^this run could not see differences under/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('patchlab hackbench refuses bad options with exit code 2', () => {
  it.each([
    [['--runs', '1'], 'at least 2 runs'],
    [['--groups', 'ten'], 'integer'],
    [['--fds', '0'], 'fds must be'],
    [['--groups', '200', '--fds', '20'], '4096'],
    [['--prologue', 'nop-nop,mov-bl'], 'comma-separated'],
    [['--mode', 'fast'], 'mode'],
    [['--image', 'pfe3'], 'image'],
    [['--cpus', '65'], 'cpus'],
    [['--json', '--markdown'], 'exclusive'],
    [['--svg', '/nonexistent/dir/plot.svg'], 'does not exist'],
    [['--frobnicate'], 'unknown option'],
    [['--target-ci', '0'], 'percentage'],
    [['--target-ci', 'narrow'], 'percentage'],
    [['--target-ci', '101'], 'percentage'],
    [['--max-runs', '5'], 'needs targetCi (--target-ci)'],
    [['--target-ci', '1', '--runs', '6', '--max-runs', '5'], '--max-runs'],
    [['--target-ci', '1', '--prologue', 'nop-nop'], 'both prologues'],
    [['--max-runs', 'many', '--target-ci', '1'], 'integer'],
    [['--warmup', '-1'], 'integer'],
  ])('%j', (args, msg) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(msg);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1); // one line
    expect(r.stdout).toBe('');
  });
});
