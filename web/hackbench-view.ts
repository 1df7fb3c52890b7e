// The hackbench tab: the experiment's options, a progress bar, the per-run
// plot (seconds of each boot, one series per prologue) and the comparison
// table with the CLI's own text report under it.

import uPlot from 'uplot';
import type { HackbenchResult, IntervalStatus, RunRecord } from '../bindings/hackbench/run.ts';
import { formatText, verdict } from '../bindings/hackbench/report.ts';
import type { Controller } from './client.ts';
import { checkField, h, numberField, selectField, table, taskForm } from './dom.ts';

const COLORS: Record<string, string> = { 'nop-nop': '#1f77b4', 'mov-nop': '#d62728' };
const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`;
const pval = (p: number) => (p >= 0.001 ? p.toFixed(3) : p.toExponential(1));

export function hackbenchView(ctl: Controller, cores: number): HTMLElement {
  const f = {
    cpus: numberField('CPUs', 'cpus', Math.min(2, cores), 1, 64),
    groups: numberField('groups', 'groups', 2, 1, 256),
    fds: numberField('fds', 'fds', 4, 1, 256),
    loops: numberField('loops', 'loops', 50, 1, 1_000_000),
    datasize: numberField('bytes', 'datasize', 100, 8, 4096),
    runs: numberField('runs per prologue', 'runs', 4, 1, 1000),
    nopnop: checkField('nop-nop', 'nop-nop', true),
    movnop: checkField('mov-nop', 'mov-nop', true),
    mode: selectField('mode', 'mode', ['threads', 'deterministic'] as const, 'threads'),
    seed: numberField('seed', 'seed', 1, 0, 0xfffffff),
  };
  const bar = h('progress', { max: 1, value: 0 });
  const status = h('span', { class: 'status' }, 'idle');
  const plotBox = h('div', { class: 'plot', id: 'hackbench-plot' });
  const out = h('div', { class: 'results' });
  const button = h('button', { type: 'submit' }, 'Run hackbench');
  let plot: uPlot | null = null;

  const draw = (runs: readonly RunRecord[], prologues: readonly string[]) => {
    const by = prologues.map((p) => runs.filter((r) => r.prologue === p).map((r) => r.seconds));
    const n = Math.max(1, ...by.map((s) => s.length));
    const data: uPlot.AlignedData = [Array.from({ length: n }, (_, i) => i + 1), ...by.map((s) => Array.from({ length: n }, (_, i) => s[i] ?? null))];
    if (!plot || plot.series.length !== prologues.length + 1) {
      plot?.destroy();
      plotBox.replaceChildren();
      plot = new uPlot({
        width: Math.min(760, plotBox.clientWidth || 760), height: 260,
        scales: { x: { time: false } },
        axes: [{ label: 'run (pair)' }, { label: 'seconds', size: 70 }],
        series: [{ label: 'run' }, ...prologues.map((p) => ({ label: p, stroke: COLORS[p] ?? '#555', width: 2, points: { show: true, size: 6 } }))],
      }, data, plotBox);
    } else plot.setData(data);
  };

  const run = async () => {
    const prologues = [f.nopnop.value() && 'nop-nop', f.movnop.value() && 'mov-nop'].filter(Boolean) as string[];
    const options = {
      cpus: f.cpus.value(), groups: f.groups.value(), fds: f.fds.value(), loops: f.loops.value(), datasize: f.datasize.value(),
      runs: f.runs.value(), prologues, mode: f.mode.value(), seed: f.seed.value(),
    };
    out.replaceChildren();
    const seen: RunRecord[] = [];
    bar.value = 0;
    status.textContent = 'booting';
    const r = await ctl.request<'hackbench', HackbenchResult>('hackbench', { options }, (v) => {
      const p = v as { done?: number; total?: number; run?: RunRecord; interval?: IntervalStatus; log?: string };
      if (p.total === undefined) return;
      bar.max = p.total;
      bar.value = p.done ?? 0;
      if (p.run) {
        seen.push(p.run);
        draw(seen, prologues);
      }
      status.textContent = `${p.done}/${p.total} boots${p.run ? ` | ${p.run.prologue} ${p.run.seconds.toFixed(4)} s` : ''}` +
        (p.interval ? ` | ${p.interval.pairs} pairs: CI ${pct(p.interval.ci95Percent[0])}..${pct(p.interval.ci95Percent[1])}` : '');
    });
    draw(r.prologues.flatMap((p) => p.runs), r.prologues.map((p) => p.name));
    status.textContent = `done in ${r.totalSeconds.toFixed(1)} s`;
    out.replaceChildren(...report(r));
  };

  const form = taskForm(Object.values(f).map((x) => x.el), button, status, out, run);
  return h('section', { id: 'hackbench' },
    h('p', { class: 'lead' }, 'One fresh boot of the guest kernel per run, NOP;NOP and MOV X9,X30;NOP prologues alternating, then the comparison.'),
    form, h('div', { class: 'progress' }, bar, status), plotBox, out);
}

function report(r: HackbenchResult): HTMLElement[] {
  const rows = r.prologues.map((p) => [p.name, p.runs.length, p.meanSeconds.toFixed(5), p.stddevSeconds.toFixed(5), p.minSeconds.toFixed(5),
    p.medianSeconds.toFixed(5), p.maxSeconds.toFixed(5), p.insnsPerMessage.toFixed(1), p.movSites]);
  const parts: HTMLElement[] = [
    table(['prologue', 'runs', 'mean s', 'stddev', 'min', 'median', 'max', 'insns/msg', 'MOV sites'], rows, 'summary'),
  ];
  const c = r.comparison;
  if (c) {
    parts.push(table(['mov-nop vs nop-nop', 'difference', '95% CI', 'p'], [
      ['Welch (unpaired)', pct(c.diffPercent), `${pct(c.ci95Percent[0])} .. ${pct(c.ci95Percent[1])}`, pval(c.pValue)],
      [`paired (${c.paired.pairs} pairs, t)`, pct(c.paired.diffPercent), `${pct(c.paired.ci95Percent[0])} .. ${pct(c.paired.ci95Percent[1])}`, pval(c.paired.pValue)],
      ['paired (Wilcoxon)', '', '', pval(c.paired.wilcoxon.pValue)],
    ], 'comparison'));
  }
  parts.push(h('p', { class: 'verdict' }, verdict(r)));
  parts.push(h('details', {}, h('summary', {}, 'the CLI\'s report'), h('pre', {}, formatText(r))));
  return parts;
}
