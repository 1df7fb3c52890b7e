// The models' parameters as Markdown tables, with the source of each: what
// docs/timing.md carries between its "parameters" markers (a test keeps the
// two the same; `node scripts/run-ts.mjs scripts/timing-table.ts` prints it).

import { MODELS } from './install.ts';
import type { ClassCost, ClassName, CycleModel } from './models.ts';

const models = (): CycleModel[] => Object.values(MODELS);

const ROWS: { key: keyof CycleModel & string; label: string; show: (m: CycleModel) => string }[] = [
  { key: 'pipeline', label: 'pipeline', show: (m) => m.pipeline },
  { key: 'width', label: 'issue (in order) / dispatch (out of order) width, micro-ops per cycle', show: (m) => String(m.width) },
  { key: 'rob', label: 'reorder buffer, micro-ops', show: (m) => (m.pipeline === 'out-of-order' ? String(m.rob) : '-') },
  { key: 'mispredictPenalty', label: 'mispredict penalty, cycles', show: (m) => String(m.mispredictPenalty) },
  { key: 'units', label: 'pipes (unit x instances)', show: (m) => Object.entries(m.units).map(([u, n]) => (n > 1 ? `${u} x${n}` : u)).join(', ') },
  { key: 'fetchBytes', label: 'fetch block, bytes (aligned, one per cycle)', show: (m) => String(m.fetchBytes) },
  { key: 'fetchQueue', label: 'fetch runs ahead of issue by at most, cycles', show: (m) => String(m.fetchQueue) },
  { key: 'conditionalCounters', label: 'conditional predictor (gshare), 2-bit counters', show: (m) => String(m.conditionalCounters) },
  { key: 'indirectTargets', label: 'indirect target buffer (BR, BLR), entries', show: (m) => String(m.indirectTargets) },
  { key: 'returnStack', label: 'return stack (RET), entries', show: (m) => String(m.returnStack) },
  { key: 'frequency', label: 'counter frequency (one tick per cycle)', show: (m) => `${m.frequency / 1e9} GHz` },
];

function units(c: ClassCost): string {
  return c.units.length ? c.units.map((u) => (u.cycles > 1 ? `${u.unit}:${u.cycles}` : u.unit)).join('+') : '-';
}

function latency(c: ClassCost): string {
  const extra = [
    c.latBase !== undefined && c.latBase !== c.lat ? `base ${c.latBase}` : '',
    c.latFlags !== undefined && c.latFlags !== c.lat ? `flags ${c.latFlags}` : '',
    c.latLink !== undefined && c.latLink !== c.lat ? `x30 ${c.latLink}` : '',
  ].filter(Boolean);
  return extra.length ? `${c.lat} (${extra.join(', ')})` : String(c.lat);
}

function advance(c: ClassCost): string {
  return Object.entries(c.advance ?? {}).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ');
}

/** The parameter table, the class-cost table and the sources, in Markdown. */
export function parameterTable(): string {
  const ms = models();
  const out: string[] = [];
  out.push(`| parameter | ${ms.map((m) => m.name).join(' | ')} |`);
  out.push(`|---|${ms.map(() => '---').join('|')}|`);
  for (const r of ROWS) out.push(`| ${r.label} | ${ms.map((m) => r.show(m)).join(' | ')} |`);
  out.push('');
  out.push('Class costs: micro-ops, latency from issue to a dependent issue, pipes held (unit:cycles when more than one),');
  out.push('and the read advance a consumer gets from a forwarding producer (F: the class forwards its results).');
  out.push('');
  out.push(`| class | ${ms.map((m) => `${m.name} uops | ${m.name} latency | ${m.name} pipes | ${m.name} advance`).join(' | ')} |`);
  out.push(`|---|${ms.map(() => '---|---|---|---').join('|')}|`);
  for (const name of Object.keys(ms[0]!.classes) as ClassName[]) {
    const cells = ms.map((m) => {
      const c = m.classes[name];
      return `${c.uops} | ${latency(c)} | ${units(c)} | ${[advance(c), c.forwards ? 'F' : ''].filter(Boolean).join(' ') || '-'}`;
    });
    out.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  out.push('');
  out.push('Sources (published: a vendor or LLVM figure; measured: read from llvm-mca here; chosen: patchlab\'s own):');
  out.push('');
  out.push('| model | parameter | kind | source |');
  out.push('|---|---|---|---|');
  for (const m of ms) {
    for (const [k, s] of Object.entries(m.sources)) out.push(`| ${m.name} | ${k} | ${s.kind} | ${s.from.replace(/\|/g, '\\|')} |`);
  }
  return `${out.join('\n')}\n`;
}
