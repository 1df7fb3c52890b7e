// What `patchlab hackbench` prints: per-run lines, per-prologue summaries and
// the comparison table (a column of run times per prologue, the average
// under it, as hackbench results on the prologue question have been shown)
// with Welch's and the paired figures, the noise of the runs, the same
// table as Markdown, and a small SVG plot of the runs.

import type { Prologue } from './prologue.ts';
import type { HackbenchResult, PrologueRuns } from './run.ts';
import { mean } from './stats.ts';
import { MODELS } from '../timing/install.ts';

/** Column titles: the instructions at each function entry. */
const TITLES: Record<Prologue, string> = { 'nop-nop': '"nop; nop"', 'mov-nop': '"mov x9, x30; nop"' };

/** Decimal places showing about five significant digits of the largest time. */
function decimals(r: HackbenchResult): number {
  const max = Math.max(...r.prologues.map((p) => p.maxSeconds), 1e-9);
  return Math.max(3, Math.min(9, 5 - Math.ceil(Math.log10(max))));
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`;
const pval = (p: number) => (p >= 0.001 ? p.toFixed(3) : p.toExponential(1));

/** One sentence: the paired difference and whether it is inside the noise, then Welch's. */
export function verdict(r: HackbenchResult): string {
  const c = r.comparison;
  if (!c) return `only ${r.prologues.map((p) => p.name).join(', ')} measured: no comparison`;
  const p = c.paired;
  const stats = `(paired, ${p.pairs} pairs: 95% CI ${pct(p.ci95Percent[0])} to ${pct(p.ci95Percent[1])}, ` +
    `paired t p = ${pval(p.pValue)}, Wilcoxon p = ${pval(p.wilcoxon.pValue)})`;
  const welch = `Welch, unpaired: ${pct(c.diffPercent)}, 95% CI ${pct(c.ci95Percent[0])} to ${pct(c.ci95Percent[1])}, p = ${pval(c.pValue)}.`;
  if (p.withinNoise) {
    return `mov-nop vs nop-nop: ${pct(p.diffPercent)} ${stats}: inside the noise of these runs (the interval contains 0). ${welch}`;
  }
  const way = p.diffPercent > 0 ? 'slower' : 'faster';
  return `mov-nop is ${Math.abs(p.diffPercent).toFixed(2)}% ${way} than nop-nop ${stats}: outside the noise of these runs. ${welch}`;
}

/** The closing line: the smallest difference the run could have seen. */
export function detectableLine(r: HackbenchResult): string | null {
  const c = r.comparison;
  if (!c) return null;
  const why = r.stoppedBy === 'target-ci' ? `, stopped at the target interval of +-${r.config.targetCi}%`
    : r.stoppedBy === 'max-runs' ? `, stopped at --max-runs ${r.config.maxRuns} before the target interval of +-${r.config.targetCi}%` : '';
  return `this run could not see differences under ${c.minDetectablePercent.toFixed(2)}% ` +
    `(80% power, 5% two-sided, ${c.paired.pairs} pairs${why}).`;
}

function header(r: HackbenchResult): string[] {
  const c = r.config;
  const file = r.image.file.split(/[\\/]/).pop();
  return [
    `hackbench: ${c.groups} groups x ${c.fds} fds x ${c.loops} loops x ${c.datasize} bytes = ${r.messagesPerRun} messages per run`,
    `machine: ${c.cpus} CPUs, ${c.mode} mode${c.mode === 'deterministic' ? ` (seed ${c.seed})` : ''}, ${file}, ` +
      `${r.image.patchSites} patchable sites; ${c.runs} boot${c.runs === 1 ? '' : 's'} ` +
      (c.prologues.length > 1 ? `per prologue, alternating ${c.prologues.join(', ')}` : `with ${c.prologues[0]}`),
    ...(c.timing === 'none' ? [] : [`timing: ${c.timing} cycle model (${MODELS[c.timing].title}, ${MODELS[c.timing].frequency / 1e9} GHz): seconds are modelled seconds`]),
  ];
}

function runLines(r: HackbenchResult, d: number): string[] {
  const rows = r.prologues.flatMap((p) => p.runs).sort((a, b) => a.index - b.index);
  const out = ['', ' run  prologue   seconds   boot s  guest insns  insns/msg  work/msg  switches  MOV sites  jit ms  host wait'];
  for (const x of rows) {
    const wait = x.noise.cpuThreads ? `${(100 * mean(x.noise.cpuThreads.map((c) => c.waitShare))).toFixed(0)}%` : '-';
    out.push(
      `${String(x.index + 1).padStart(4)}  ${x.prologue.padEnd(8)} ${x.seconds.toFixed(d).padStart(9)} ${x.bootSeconds.toFixed(3).padStart(8)} ` +
        `${String(x.guestInstructions).padStart(12)} ${(x.guestInstructions / x.messages).toFixed(1).padStart(10)} ` +
        `${x.workInsnsPerMessage.toFixed(1).padStart(9)} ` +
        `${String(x.contextSwitches).padStart(9)} ${String(x.movSites).padStart(10)} ` +
        `${(1000 * x.noise.translateSeconds).toFixed(1).padStart(7)} ${wait.padStart(10)}`,
    );
  }
  return out;
}

function summaryLines(r: HackbenchResult, d: number): string[] {
  const out = ['', 'prologue     mean    stddev       min    median       max  insns/msg  work/msg  MOV sites'];
  for (const p of r.prologues) {
    const f = (x: number) => x.toFixed(d).padStart(9);
    out.push(
      `${p.name.padEnd(8)} ${f(p.meanSeconds)} ${f(p.stddevSeconds)} ${f(p.minSeconds)} ${f(p.medianSeconds)} ${f(p.maxSeconds)} ` +
        `${p.insnsPerMessage.toFixed(1).padStart(10)} ${p.workInsnsPerMessage.toFixed(1).padStart(9)} ${String(p.movSites).padStart(10)}`,
    );
  }
  return out;
}

const share = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Where the measured windows' host time and guest instructions went, per prologue (means over its runs). */
export function noiseLines(r: HackbenchResult): string[] {
  const out = ['', 'noise, GO to the end, means per run:'];
  for (const p of r.prologues) {
    const n = p.noise;
    const threads = n.busyShare === null || n.waitShare === null
      ? r.config.mode === 'deterministic' ? 'one host thread steps every CPU' : 'host thread times unknown here'
      : `CPU threads ran ${share(n.busyShare)} and waited for a host core ${share(n.waitShare)} of the wall time`;
    out.push(
      `  ${p.name}: translating ${(1000 * n.translateSeconds).toFixed(1)} ms, ${share(n.translatedShare)} of instructions ran translated; ${threads}; per message ${p.workInsnsPerMessage.toFixed(1)} work, ` +
        `${n.idleInsnsPerMessage.toFixed(1)} idle-loop and ${n.spinInsnsPerMessage.toFixed(1)} spin-wait instructions`,
    );
  }
  return out;
}

/** The traced calls per message, with countCalls. */
export function callLines(r: HackbenchResult): string[] {
  const t = r.tracedCalls;
  if (!t) return [];
  const top = t.functions.slice(0, 6).map((f) => `${f.name} ${(f.hits / t.messages).toFixed(2)}`).join(', ');
  return [
    '',
    `traced calls per message (one profiled boot, deterministic, seed ${t.seed}): ${t.perMessage.toFixed(2)} ` +
      `(${t.calls} calls, ${t.messages} messages; ${top}, ...)`,
    `  each enters a patchable entry: mov-nop runs ${t.perMessage.toFixed(2)} MOV X9, X30 per message where nop-nop runs as many NOPs, ` +
      'one instruction each, so the MOVs add no instruction retired',
  ];
}

/** The comparison table: one column of seconds per prologue, run by run, then the summary rows. */
export function comparisonTable(r: HackbenchResult): string[] {
  const d = decimals(r);
  const cols = r.prologues;
  const widths = cols.map((p) => Math.max(TITLES[p.name].length + 2, 12));
  const rule = `        +${widths.map((w) => '-'.repeat(w)).join('+')}+`;
  const row = (label: string, cells: string[]) =>
    `${label.padEnd(8)}|${cells.map((c, i) => ` ${c.padStart(widths[i]! - 2)} `).join('|')}|`;
  const n = Math.max(...cols.map((p) => p.runs.length));
  const out = [rule, row('', cols.map((p) => TITLES[p.name])), rule];
  for (let i = 0; i < n; i++) out.push(row('', cols.map((p) => p.runs[i]?.seconds.toFixed(d) ?? '')));
  out.push(rule);
  const stat = (label: string, get: (p: PrologueRuns) => number) => out.push(row(label, cols.map((p) => get(p).toFixed(d))));
  stat('average', (p) => p.meanSeconds);
  stat('stddev', (p) => p.stddevSeconds);
  stat('min', (p) => p.minSeconds);
  stat('median', (p) => p.medianSeconds);
  stat('max', (p) => p.maxSeconds);
  out.push(rule);
  const c = r.comparison;
  if (c) {
    out.push(`difference of means (mov-nop vs nop-nop): ${pct(c.diffPercent)}`);
    out.push(`95% confidence interval: [${pct(c.ci95Percent[0])}, ${pct(c.ci95Percent[1])}]`);
    out.push(`Welch's t-test: t = ${c.t.toFixed(3)}, df = ${c.df.toFixed(1)}, p = ${pval(c.pValue)}`);
    const p = c.paired;
    out.push(`paired (run k of each, ${p.pairs} pairs): ratio ${pct(p.diffPercent)}, spread of the pair log ratios ${(100 * p.sdLogRatio).toFixed(2)}%`);
    out.push(`  95% CI by t: [${pct(p.ci95Percent[0])}, ${pct(p.ci95Percent[1])}], by bootstrap: [${pct(p.bootstrapCi95Percent[0])}, ${pct(p.bootstrapCi95Percent[1])}]`);
    out.push(`  paired t-test: t = ${p.t.toFixed(3)}, df = ${p.df}, p = ${pval(p.pValue)}; Wilcoxon signed-rank: W = ${p.wilcoxon.statistic}, p = ${pval(p.wilcoxon.pValue)} (${p.wilcoxon.method})`);
  }
  return out;
}

function notes(r: HackbenchResult): string[] {
  if (r.config.mode !== 'deterministic') return [];
  if (r.config.timing !== 'none') {
    return [
      `note: the clock is the CPUs' counter, which moves with the ${r.config.timing} model's cycles: MOV X9, X30 ` +
        'costs what the model says of it (an ALU slot, a register write), so a difference between the prologues is the model\'s.',
    ];
  }
  return [
    'note: in deterministic mode the clock is the CPUs\' counter, which moves with instructions retired; ' +
      'MOV X9, X30 and NOP each retire as one instruction, so for one seed both prologues retire the same ' +
      'instructions, work instructions per message included, and give the same times.',
  ];
}

/** The default text output. */
export function formatText(r: HackbenchResult): string {
  const d = decimals(r);
  return [
    ...header(r),
    ...runLines(r, d),
    ...summaryLines(r, d),
    '',
    'seconds from GO to the last receiver\'s end:',
    ...comparisonTable(r),
    ...noiseLines(r),
    ...callLines(r),
    '',
    verdict(r),
    ...notes(r),
    `total ${r.totalSeconds.toFixed(1)} s`,
    ...[detectableLine(r)].filter((l): l is string => l !== null),
    '',
  ].join('\n');
}

/** The comparison as Markdown. */
export function formatMarkdown(r: HackbenchResult): string {
  const d = decimals(r);
  const cols = r.prologues;
  const out = [
    `hackbench, ${r.config.groups} groups x ${r.config.fds} fds x ${r.config.loops} loops x ${r.config.datasize} bytes, ` +
      `${r.config.cpus} CPUs (${r.config.mode}); seconds from GO to the last receiver's end`,
    '',
    `| run | ${cols.map((p) => TITLES[p.name]).join(' | ')} |`,
    `| ---: | ${cols.map(() => '---:').join(' | ')} |`,
  ];
  const n = Math.max(...cols.map((p) => p.runs.length));
  for (let i = 0; i < n; i++) out.push(`| ${i + 1} | ${cols.map((p) => p.runs[i]?.seconds.toFixed(d) ?? '').join(' | ')} |`);
  const stat = (label: string, get: (p: PrologueRuns) => number) =>
    out.push(`| ${label} | ${cols.map((p) => get(p).toFixed(d)).join(' | ')} |`);
  stat('**average**', (p) => p.meanSeconds);
  stat('stddev', (p) => p.stddevSeconds);
  stat('min', (p) => p.minSeconds);
  stat('median', (p) => p.medianSeconds);
  stat('max', (p) => p.maxSeconds);
  const c = r.comparison;
  if (c) {
    out.push('', '| difference of means | 95% CI | Welch p | inside the noise |', '| ---: | ---: | ---: | :---: |');
    out.push(`| ${pct(c.diffPercent)} | ${pct(c.ci95Percent[0])} to ${pct(c.ci95Percent[1])} | ${pval(c.pValue)} | ${c.withinNoise ? 'yes' : 'no'} |`);
    const p = c.paired;
    out.push('', '| paired ratio | pairs | 95% CI (t) | 95% CI (bootstrap) | paired t p | Wilcoxon p | inside the noise | detectable |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: |');
    out.push(`| ${pct(p.diffPercent)} | ${p.pairs} | ${pct(p.ci95Percent[0])} to ${pct(p.ci95Percent[1])} | ` +
      `${pct(p.bootstrapCi95Percent[0])} to ${pct(p.bootstrapCi95Percent[1])} | ${pval(p.pValue)} | ${pval(p.wilcoxon.pValue)} | ` +
      `${p.withinNoise ? 'yes' : 'no'} | ${c.minDetectablePercent.toFixed(2)}% |`);
  }
  out.push('', verdict(r));
  const last = detectableLine(r);
  if (last) out.push('', last);
  out.push('');
  return out.join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** Seconds per run in boot order, one series per prologue, with each mean as a dashed line. */
export function formatSvg(r: HackbenchResult): string {
  const W = 720, H = 360, L = 70, R = 150, T = 40, B = 50;
  const pw = W - L - R, ph = H - T - B;
  const series = r.prologues;
  const all = series.flatMap((p) => p.runs);
  const total = Math.max(1, all.length - 1);
  let lo = Math.min(...all.map((x) => x.seconds)), hi = Math.max(...all.map((x) => x.seconds));
  if (hi === lo) { lo -= Math.abs(lo) * 0.01 || 1e-6; hi += Math.abs(hi) * 0.01 || 1e-6; }
  const pad = (hi - lo) * 0.08;
  lo -= pad; hi += pad;
  const x = (i: number) => L + (pw * i) / total;
  const y = (s: number) => T + ph - (ph * (s - lo)) / (hi - lo);
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const d = decimals(r);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="22" font-size="14">${esc(`hackbench ${r.config.groups}x${r.config.fds}x${r.config.loops}, ${r.config.cpus} CPUs (${r.config.mode}): seconds per run`)}</text>`,
    `<line x1="${L}" y1="${T + ph}" x2="${L + pw}" y2="${T + ph}" stroke="black"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${T + ph}" stroke="black"/>`,
    `<text x="${L + pw / 2}" y="${H - 12}" text-anchor="middle">run (boot order)</text>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    parts.push(`<line x1="${L - 4}" y1="${y(v).toFixed(1)}" x2="${L + pw}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(d)}</text>`);
  }
  const step = Math.max(1, Math.ceil(all.length / 10));
  for (let i = 0; i < all.length; i += step) {
    parts.push(`<text x="${x(i).toFixed(1)}" y="${T + ph + 16}" text-anchor="middle">${i + 1}</text>`);
  }
  series.forEach((p, k) => {
    const c = colors[k % colors.length]!;
    const pts = p.runs.map((run) => `${x(run.index).toFixed(1)},${y(run.seconds).toFixed(1)}`);
    parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${c}" stroke-opacity="0.5"/>`);
    for (const run of p.runs) {
      parts.push(`<circle cx="${x(run.index).toFixed(1)}" cy="${y(run.seconds).toFixed(1)}" r="3.5" fill="${c}"><title>run ${run.index + 1}, ${p.name}: ${run.seconds.toFixed(d)} s</title></circle>`);
    }
    parts.push(`<line x1="${L}" y1="${y(p.meanSeconds).toFixed(1)}" x2="${L + pw}" y2="${y(p.meanSeconds).toFixed(1)}" stroke="${c}" stroke-dasharray="5 4"/>`);
    parts.push(`<circle cx="${L + pw + 16}" cy="${T + 10 + 20 * k}" r="4" fill="${c}"/>`);
    parts.push(`<text x="${L + pw + 26}" y="${T + 14 + 20 * k}">${esc(`${p.name} (mean ${p.meanSeconds.toFixed(d)})`)}</text>`);
  });
  if (r.comparison) {
    const c = r.comparison;
    parts.push(`<text x="${L + pw + 16}" y="${T + 20 + 20 * series.length}">${esc(`diff ${pct(c.diffPercent)}`)}</text>`);
    parts.push(`<text x="${L + pw + 16}" y="${T + 36 + 20 * series.length}">${esc(`Welch p = ${pval(c.pValue)}`)}</text>`);
    const p = c.paired;
    parts.push(`<text x="${L + pw + 16}" y="${T + 60 + 20 * series.length}">${esc(`paired ${pct(p.diffPercent)}`)}</text>`);
    parts.push(`<text x="${L + pw + 16}" y="${T + 76 + 20 * series.length}">${esc(`CI ${pct(p.ci95Percent[0])}..${pct(p.ci95Percent[1])}`)}</text>`);
    parts.push(`<text x="${L + pw + 16}" y="${T + 92 + 20 * series.length}">${esc(`p = ${pval(p.pValue)}, ${p.pairs} pairs`)}</text>`);
    parts.push(`<text x="${L + pw + 16}" y="${T + 108 + 20 * series.length}">${esc(`sees >= ${c.minDetectablePercent.toFixed(2)}%`)}</text>`);
  }
  parts.push('</svg>', '');
  return parts.join('\n');
}
