// Printing litmus results: a table for people, JSON for programs.

import type { LitmusResult } from './run.ts';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

const matchText = (r: LitmusResult): string =>
  r.expected === null ? '-' : r.matches === null ? `${r.expected}: unknown` : r.matches ? `${r.expected}: yes` : `${r.expected}: NO`;

/** The summary table, then each test's outcomes (`*`: satisfies the condition's proposition). */
export function formatLitmusText(results: readonly LitmusResult[], opts: { outcomes?: boolean } = {}): string {
  const rows = [['Test', 'Condition', 'Verdict', 'Outcomes', 'States', 'Expected: match']];
  for (const r of results) {
    rows.push([
      r.name,
      r.condition,
      r.verdict,
      `${r.outcomes.length} (${r.witnesses.length} witness${r.witnesses.length === 1 ? '' : 'es'})`,
      `${r.explored}${r.bounded ? ' (bound hit)' : ''}`,
      matchText(r),
    ]);
  }
  let out = table(rows) + '\n';
  if (opts.outcomes !== false) {
    for (const r of results) {
      out += `\n${r.name}: ${r.condition}\n`;
      for (const o of r.outcomeDetails) out += `  ${o.satisfies ? '*' : ' '} ${o.text}\n`;
      if (r.bounded) out += `  (the bound stopped the search after ${r.explored} states: outcomes may be missing)\n`;
    }
  }
  const mismatches = results.filter((r) => r.matches === false).length;
  const checked = results.filter((r) => r.matches !== null).length;
  if (checked) out += `\n${checked - mismatches} of ${checked} expected verdicts matched${mismatches ? `, ${mismatches} did not` : ''}\n`;
  return out;
}

/** `[{name, quantifier, reachable, outcomes, explored, ...}]`. */
export function litmusJson(results: readonly LitmusResult[]): unknown[] {
  return results.map((r) => ({
    name: r.name,
    file: r.file,
    quantifier: r.quantifier,
    condition: r.condition,
    reachable: r.reachable,
    holds: r.holds,
    verdict: r.verdict,
    outcomes: r.outcomes,
    witnesses: r.witnesses,
    explored: r.explored,
    bounded: r.bounded,
    expected: r.expected,
    matches: r.matches,
  }));
}
