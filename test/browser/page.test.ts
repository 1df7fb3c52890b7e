// The browser page in Debian's Chromium: cross-origin isolated, the machine
// on Web Workers giving exactly what the Node library gives for the same
// deterministic options (hackbench, a function profile, a race search), the
// plot drawn, the live patch site toggled, and no page errors.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace, traceJson } from '../../bindings/ftrace/trace.ts';
import { hackbench, type HackbenchResult } from '../../bindings/hackbench/run.ts';
import { raceLab, raceLabJson } from '../../bindings/race/lab.ts';
import { browserSkipReason, openPage, type OpenPage } from '../util/browser.ts';

const why = browserSkipReason();
if (why) console.warn(`browser page tests skipped: ${why}`);

const HB = { cpus: 2, groups: 1, fds: 2, loops: 5, runs: 2, mode: 'deterministic', seed: 3 } as const;
const TRACE = { profile: true, filter: ['ksys_*', 'pipe_write'], mode: 'deterministic', cpus: 2, groups: 1, fds: 2, loops: 5 } as const;
const RACE = { strategy: 'v6-runtime', search: true, budget: 3, toggles: 40, seed: 1 } as const;

/** What a deterministic run fixes, whatever the host: guest instructions, guest time, messages, switches. */
function runFacts(r: HackbenchResult) {
  return r.prologues.map((p) => ({
    name: p.name,
    movSites: p.movSites,
    runs: p.runs.map((x) => ({ seed: x.seed, insns: x.guestInstructions, seconds: x.seconds, messages: x.messages, switches: x.contextSwitches })),
  }));
}

describe.skipIf(why !== null)('browser page', () => {
  let o: OpenPage;
  beforeAll(async () => {
    o = await openPage();
    await o.page.waitForFunction(() => (window as unknown as { patchlab?: unknown }).patchlab !== undefined);
    await o.page.evaluate(() => window.patchlab.ready);
  });
  afterAll(async () => {
    await o?.close();
  });

  it('is served cross-origin isolated, with the core as application/wasm', async () => {
    expect(await o.page.evaluate(() => crossOriginIsolated)).toBe(true);
    const res = await o.page.request.get(`${o.url}core.wasm`);
    expect(res.headers()['content-type']).toBe('application/wasm');
    expect(res.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    expect(res.headers()['cross-origin-opener-policy']).toBe('same-origin');
  });

  it('runs a 2-CPU hackbench through window.patchlab with the exact messages and instructions of the Node library', async () => {
    const page = (await o.page.evaluate((opts) => window.patchlab.hackbench(opts), HB)) as HackbenchResult;
    const node = JSON.parse(JSON.stringify(await hackbench({ ...HB }))) as HackbenchResult;
    expect(page.messagesPerRun).toBe(1 * 2 * 2 * 5);
    for (const p of page.prologues) for (const r of p.runs) expect(r.messages).toBe(20);
    expect(page.config).toEqual(node.config);
    expect(runFacts(page)).toEqual(runFacts(node));
    expect(page.comparison?.paired.pairs).toBe(2);
  });

  it('gives a function profile with the hit counts, events and instructions of the Node library', async () => {
    const page = (await o.page.evaluate((opts) => window.patchlab.trace(opts), TRACE)) as ReturnType<typeof traceJson> & Record<string, unknown>;
    const node = JSON.parse(JSON.stringify(traceJson(await trace({ ...TRACE, filter: [...TRACE.filter] })))) as Record<string, unknown>;
    const functions = page.functions as { name: string; hits: number }[];
    expect(Object.fromEntries(functions.map((f) => [f.name, f.hits]))).toEqual({ ksys_read: 20, ksys_write: 20, pipe_write: 20 });
    for (const k of ['config', 'tracer', 'enabledSites', 'events', 'lost', 'perCpu', 'workload', 'cmodx', 'guestInstructions', 'runNs', 'functions']) {
      expect(page[k], k).toEqual(node[k]);
    }
  });

  it('finds the race failure the Node library finds, with the same replay token', async () => {
    const page = (await o.page.evaluate((opts) => window.patchlab.race(opts), RACE)) as { found: { token: string; kind: string; pc: string } | null; schedules: number };
    const node = raceLabJson(await raceLab({ ...RACE })) as typeof page;
    expect(page.found).not.toBeNull();
    expect(page.schedules).toBe(node.schedules);
    expect({ token: page.found!.token, kind: page.found!.kind, pc: page.found!.pc }).toEqual({ token: node.found!.token, kind: node.found!.kind, pc: node.found!.pc });
  });

  it('refuses a bad option with the library\'s typed error', async () => {
    const err = await o.page.evaluate(() => window.patchlab.hackbench({ cpus: 0 }).then(() => null, (e: Error & { code?: string }) => ({ name: e.name, code: e.code, message: e.message })));
    expect(err).toEqual({ name: 'HackbenchError', code: 'bad-option', message: expect.stringMatching(/cpus/) });
  });

  it('draws the per-run plot of a hackbench run from the page\'s form', async () => {
    const { page } = o;
    await page.click('nav button[data-tab=hackbench]');
    await page.fill('#hackbench input[name=loops]', '5');
    await page.fill('#hackbench input[name=runs]', '2');
    await page.click('#hackbench button[type=submit]');
    await page.waitForSelector('#hackbench table.comparison', { timeout: 120_000 });
    // the plot's canvas holds lines: many pixels that are not the background
    const inked = await page.evaluate(() => {
      const c = document.querySelector('#hackbench-plot canvas') as HTMLCanvasElement | null;
      if (!c) return -1;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && (d[i]! < 200 || d[i + 1]! < 200 || d[i + 2]! < 200)) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(200);
    const shot = await page.locator('#hackbench-plot').screenshot();
    expect(shot.length).toBeGreaterThan(5000); // the element screenshot is taken (the canvas check above is what proves ink)
    const rows = await page.locator('#hackbench table.summary tbody tr').count();
    expect(rows).toBe(2);
  });

  it('traces from the page\'s form: profile table, timeline, and a trace.dat that trace-cmd reads', async () => {
    const { page } = o;
    await page.click('nav button[data-tab=trace]');
    await page.click('#trace button[type=submit]');
    await page.waitForSelector('#trace canvas.timeline', { timeout: 120_000 });
    expect(await page.locator('#trace table.profile tbody tr').count()).toBeGreaterThan(0);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#trace-dat')]);
    const bytes = readFileSync((await dl.path())!);
    expect([...bytes.subarray(0, 10)]).toEqual([0x17, 0x08, 0x44, ...Buffer.from('tracing')]);
    if (spawnSync('trace-cmd', ['--help']).error === undefined) {
      const file = join(mkdtempSync(join(tmpdir(), 'page-dat-')), 'trace.dat');
      writeFileSync(file, bytes);
      const r = spawnSync('trace-cmd', ['report', file], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/funcgraph_entry/);
    } else console.warn('trace-cmd not installed: the downloaded trace.dat is checked by its magic only');
  });

  it('shows a live patch site change from NOP to BL ftrace_caller and back while the CPUs run', async () => {
    const { page } = o;
    await page.click('nav button[data-tab=site]');
    await page.click('#site button[type=submit]');
    await page.waitForSelector('#site table.words', { timeout: 60_000 });
    const words = () => page.locator('#site table.words tbody tr td:nth-child(4)').allTextContents();
    expect(await words()).toEqual(['mov x9, x30', 'nop']);
    await page.click('#site-toggle');
    await expect.poll(words, { timeout: 20_000 }).toEqual(['mov x9, x30', expect.stringMatching(/^bl .*<ftrace_caller>$/)]);
    await expect.poll(async () => Number(/calls traced: (\d+)/.exec(await page.locator('#site').innerText())?.[1] ?? 0), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.click('#site-toggle');
    await expect.poll(words, { timeout: 20_000 }).toEqual(['mov x9, x30', 'nop']);
    const tasks = await page.locator('#site table.cpu-state tbody tr').count();
    expect(tasks).toBe(2);
    await page.click('#site button:has-text("Stop")');
  });

  it('logged no page errors', () => {
    expect(o.errors).toEqual([]);
  });
});
