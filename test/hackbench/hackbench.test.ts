// hackbench() through the API: a small deterministic experiment with both
// prologues (exact message counts, MOV sites counted in memory, replay from
// one seed), the alternation of prologues, both images, and option checks.

import { describe, expect, it } from 'vitest';
import { hackbench, HackbenchError, type HackbenchResult } from '../../bindings/index.ts';
import { resolveOptions } from '../../bindings/hackbench/options.ts';
import { formatMarkdown, formatSvg, formatText } from '../../bindings/hackbench/report.ts';

const SMALL = { cpus: 2, groups: 2, fds: 3, loops: 5, datasize: 64, runs: 2, mode: 'deterministic' as const, seed: 7 };

/** Everything that does not depend on host time. */
function guestView(r: HackbenchResult) {
  return r.prologues.map((p) => ({
    name: p.name,
    movSites: p.movSites,
    runs: p.runs.map(({ bootSeconds: _b, guestMips: _m, noise: { windowSeconds: _w, translateSeconds: _t, cpuThreads: _c, ...insns }, ...rest }) =>
      ({ ...rest, insns })),
  }));
}

describe('hackbench() in deterministic mode', () => {
  it('runs both prologues alternating, every message received, MOV sites counted', async () => {
    const r = await hackbench(SMALL);
    expect(r.config).toMatchObject({ ...SMALL, prologues: ['nop-nop', 'mov-nop'], image: 'pfe2', preempt: true });
    expect(r.image.patchSites).toBeGreaterThan(50);
    expect(r.image.entryOffsets).toEqual([0]);
    expect(r.messagesPerRun).toBe(2 * 3 * 3 * 5);
    const [nop, mov] = r.prologues;
    expect(nop!.name).toBe('nop-nop');
    expect(mov!.name).toBe('mov-nop');
    expect(nop!.movSites).toBe(0);
    expect(mov!.movSites).toBe(r.image.patchSites);
    expect(nop!.runs.map((x) => x.index)).toEqual([0, 2]);
    expect(mov!.runs.map((x) => x.index)).toEqual([1, 3]);
    expect(nop!.runs.map((x) => x.seed)).toEqual([7, 8]);
    expect(mov!.runs.map((x) => x.seed)).toEqual([7, 8]);
    for (const p of r.prologues) {
      for (const x of p.runs) {
        expect(x.messages).toBe(90);
        expect(x.bytesChecked).toBe(90 * 64);
        expect(x.seconds).toBeGreaterThan(0);
        expect(x.vcntSeconds).toBeGreaterThan(0);
        expect(x.guestInstructions).toBeGreaterThan(0);
        expect(x.contextSwitches).toBe(x.voluntarySwitches + x.involuntarySwitches);
        expect(x.voluntarySwitches).toBeGreaterThan(0);
      }
      const secs = p.runs.map((x) => x.seconds);
      expect(p.meanSeconds).toBeCloseTo((secs[0]! + secs[1]!) / 2, 12);
      expect(p.minSeconds).toBe(Math.min(...secs));
      expect(p.maxSeconds).toBe(Math.max(...secs));
    }
    expect(r.comparison).not.toBeNull();
    const c = r.comparison!;
    expect(c.ci95Percent[0]).toBeLessThanOrEqual(c.diffPercent);
    expect(c.ci95Percent[1]).toBeGreaterThanOrEqual(c.diffPercent);
    expect(c.pValue).toBeGreaterThanOrEqual(0);
    expect(c.pValue).toBeLessThanOrEqual(1);
  });

  it('gives identical guest results for one seed, and different ones for another', async () => {
    const a = await hackbench(SMALL);
    const b = await hackbench(SMALL);
    expect(guestView(b)).toEqual(guestView(a));
    const c = await hackbench({ ...SMALL, seed: 1000 });
    expect(guestView(c)).not.toEqual(guestView(a));
  });

  it('the =4,2 image: MOV at site + 8 in every site, same messages', async () => {
    const r = await hackbench({ ...SMALL, runs: 1, prologues: ['mov-nop'], image: 'pfe42' });
    expect(r.image.entryOffsets).toEqual([8]);
    expect(r.prologues).toHaveLength(1);
    expect(r.prologues[0]!.movSites).toBe(r.image.patchSites);
    expect(r.prologues[0]!.runs[0]!.messages).toBe(90);
    expect(r.comparison).toBeNull();
  });

  it('formats text, Markdown and SVG from the result', async () => {
    const r = await hackbench(SMALL);
    const text = formatText(r);
    expect(text).toContain('"nop; nop"');
    expect(text).toContain('"mov x9, x30; nop"');
    expect(text).toMatch(/^average \|/m);
    expect(text).toMatch(/95% confidence interval: \[/);
    expect(text).toMatch(/inside the noise|outside the noise/);
    const md = formatMarkdown(r);
    expect(md).toContain('| run | "nop; nop" | "mov x9, x30; nop" |');
    expect(md.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(2);
    const svg = formatSvg(r);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<circle [^>]*r="3.5"/g)).toHaveLength(4);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});

describe('options', () => {
  it('defaults: the real hackbench sizes, 20 runs, both prologues, every host core', async () => {
    const { availableParallelism } = await import('node:os');
    expect(resolveOptions()).toMatchObject({
      groups: 10, fds: 20, loops: 100, datasize: 100, runs: 20, prologues: ['nop-nop', 'mov-nop'],
      mode: 'threads', image: 'pfe2', cpus: Math.min(64, availableParallelism()),
    });
  });

  it.each([
    [{ groups: 0 }, 'groups'],
    [{ fds: 1.5 }, 'fds'],
    [{ groups: 100, fds: 30 }, '4096'],
    [{ datasize: 4 }, 'datasize'],
    [{ runs: 1 }, 'at least 2 runs'],
    [{ prologues: [] }, 'at least one prologue'],
    [{ prologues: ['nop-nop', 'nop-nop'] }, 'once'],
    [{ prologues: ['mov-bl'] }, 'prologue must be one of'],
    [{ mode: 'fast' }, 'mode'],
    [{ cpus: 65 }, 'cpus'],
  ])('refuses %j', async (bad, msg) => {
    await expect(hackbench(bad as never)).rejects.toThrow(expect.objectContaining({ name: 'HackbenchError', code: 'bad-option' }));
    expect(() => resolveOptions(bad as never)).toThrow(msg);
  });

  it('one run is fine with one prologue', () => {
    expect(resolveOptions({ runs: 1, prologues: ['mov-nop'] }).runs).toBe(1);
  });

  it('a missing image file is refused before anything runs', async () => {
    await expect(hackbench({ ...SMALL, image: '/nonexistent/kernel.elf' })).rejects.toBeInstanceOf(HackbenchError);
  });
});
