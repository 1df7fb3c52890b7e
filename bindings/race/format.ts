// The race lab's outputs: the text report of one strategy (with the failure's
// timeline), the table of every strategy, and the JSON shape.

import type { RaceSummary } from './explore.ts';
import { strategy } from './strategies.ts';
import { formatTimeline } from './timeline.ts';

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** The JSON object of one summary (bigints as hex strings). */
export function raceJson(s: RaceSummary): object {
  return {
    strategy: s.strategy,
    mode: s.mode,
    cpus: s.cpus,
    patcher: s.patcher,
    schedules: s.schedules,
    toggles: s.toggles,
    calls: s.calls,
    crashes: s.crashes,
    wrongReturns: s.wrongReturns,
    hangs: s.hangs,
    cmodxViolations: s.cmodxViolations,
    secondsToFailure: s.secondsToFailure,
    seconds: s.seconds,
    found: s.found && {
      token: s.found.token,
      kind: s.found.kind,
      cpu: s.found.cpu,
      pc: hex(s.found.pc),
      where: s.found.where,
      detail: s.found.detail,
      timeline: s.found.timeline,
    },
  };
}

function failureLine(s: RaceSummary): string {
  const f = s.found;
  if (!f) return 'none';
  const where = f.where ? ` <${f.where}>` : '';
  return `${f.kind} on cpu${f.cpu} at ${hex(f.pc)}${where}`;
}

/** One strategy's report. */
export function formatRace(s: RaceSummary): string {
  const st = strategy(s.strategy);
  const out: string[] = [];
  out.push(`race: ${s.strategy} (${st?.summary ?? ''}), ${s.mode}, ${s.cpus} CPUs, ${s.patcher} patcher`);
  out.push(`  ${s.mode === 'deterministic' ? `schedules ${s.schedules}, ` : ''}toggles ${s.toggles}, calls ${s.calls}, ` +
    `crashes ${s.crashes}, wrong returns ${s.wrongReturns}, hangs ${s.hangs}, CMODX violations ${s.cmodxViolations}, ${s.seconds.toFixed(1)} s`);
  const f = s.found;
  if (!f) {
    out.push('  no failure');
    return `${out.join('\n')}\n`;
  }
  out.push(`  first failure: ${failureLine(s)} after ${s.secondsToFailure?.toFixed(1)} s` +
    (s.mode === 'deterministic' ? ` (schedule ${s.scheduleOfFailure})` : ''));
  out.push(`    ${f.detail}`);
  if (f.token) out.push(`  replay: patchlab race --replay ${f.token}`);
  out.push(`  timeline (the last ${f.timeline.length} events, oldest first):`);
  out.push(formatTimeline(f.timeline, s.mode === 'deterministic' ? 'insns' : 'ms'));
  return `${out.join('\n')}\n`;
}

/** The table of every strategy (race --all). */
export function formatRaceTable(rows: readonly RaceSummary[]): string {
  const head = ['strategy', 'mode', 'cpus', 'runs', 'toggles', 'calls', 'crashes', 'wrong', 'hangs', 'cmodx', 'first failure', 'after'];
  const body = rows.map((s) => [
    s.strategy, s.mode, String(s.cpus), String(s.schedules), String(s.toggles), String(s.calls), String(s.crashes),
    String(s.wrongReturns), String(s.hangs), String(s.cmodxViolations), failureLine(s),
    s.secondsToFailure === null ? '-' : `${s.secondsToFailure.toFixed(1)} s`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 2 && i <= 9 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return `${[line(head), ...body.map(line)].join('\n')}\n` +
    '(runs: schedules in deterministic mode, boots in threads mode; cmodx: live writes outside the architecture\'s list)\n';
}
