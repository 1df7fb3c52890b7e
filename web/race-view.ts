// The race lab tab: run one patching strategy (on threads, or a search of
// deterministic schedules), show the failure it found and step through the
// timeline that led to it; a token replays that schedule exactly.

import { STRATEGIES } from '../bindings/race/strategies.ts';
import type { TimelineEvent } from '../bindings/race/timeline.ts';
import type { Controller } from './client.ts';
import { checkField, h, numberField, selectField, table, taskForm, textField } from './dom.ts';

interface RaceJson {
  strategy: string; mode: string; cpus: number; patcher: string; schedules: number; toggles: number; calls: number;
  crashes: number; wrongReturns: number; hangs: number; cmodxViolations: number; secondsToFailure: number | null; seconds: number;
  found: { token: string | null; kind: string; cpu: number | null; pc: string; where: string; detail: string; timeline: TimelineEvent[] } | null;
}

export function raceView(ctl: Controller): HTMLElement {
  const f = {
    strategy: selectField('strategy', 'strategy', STRATEGIES.map((s) => s.name), 'v6-runtime'),
    search: checkField('search schedules', 'search', true),
    budget: numberField('budget', 'budget', 20, 1, 10_000),
    cpus: numberField('CPUs', 'cpus', 2, 2, 16),
    toggles: numberField('toggles', 'toggles', 40, 1, 100_000),
    seed: numberField('seed', 'seed', 1, 0, 0xfffffff),
    patcher: selectField('patcher', 'patcher', ['host', 'guest'] as const, 'host'),
  };
  const replay = textField('replay token', 'replay', '', 'race1-...');
  const bar = h('progress', { max: 1, value: 0 });
  const status = h('span', { class: 'status' }, 'idle');
  const out = h('div', { class: 'results' });
  const button = h('button', { type: 'submit' }, 'Run');
  const summary = h('p', { class: 'lead' }, STRATEGIES.map((s) => `${s.name}: ${s.summary}`).join(' | '));

  const show = (r: RaceJson) => {
    const rows = [[r.strategy, r.mode, r.schedules, r.toggles, r.calls, r.crashes, r.wrongReturns, r.hangs, r.cmodxViolations,
      r.secondsToFailure === null ? '-' : r.secondsToFailure.toFixed(2)]];
    const parts: (HTMLElement | string)[] = [
      table(['strategy', 'mode', 'schedules', 'toggles', 'calls', 'crashes', 'wrong returns', 'hangs', 'CMODX violations', 's to failure'], rows, 'race'),
    ];
    const found = r.found;
    if (!found) parts.push(h('p', { class: 'verdict' }, 'no failure found'));
    else {
      parts.push(h('p', { class: 'verdict bad' }, `${found.kind} on CPU ${found.cpu ?? '-'} at ${found.pc} (${found.where}): ${found.detail}`));
      if (found.token) {
        const tok = h('code', { class: 'token' }, found.token);
        parts.push(h('p', {}, 'replay token: ', tok, ' ', h('button', { type: 'button', onclick: () => { (replay.el.querySelector('input') as HTMLInputElement).value = found.token!; form.requestSubmit(); } }, 'Replay')));
      }
      parts.push(stepper(found.timeline, r.mode === 'deterministic' ? 'insns' : 'ms'));
    }
    out.replaceChildren(...parts);
  };

  const run = async () => {
    const token = replay.value();
    const options = token
      ? { replay: token }
      : { strategy: f.strategy.value(), search: f.search.value(), ...(f.search.value() ? { budget: f.budget.value() } : { mode: 'threads' }),
        cpus: f.cpus.value(), toggles: f.toggles.value(), seed: f.seed.value(), patcher: f.patcher.value() };
    status.textContent = 'running';
    bar.value = 0;
    out.replaceChildren();
    const r = await ctl.request<'race', RaceJson>('race', { options }, (v) => {
      const p = v as { done: number; total: number };
      bar.max = Math.max(1, p.total);
      bar.value = p.done;
      status.textContent = `${p.done}/${p.total} schedules`;
    });
    status.textContent = `done in ${r.seconds.toFixed(1)} s`;
    show(r);
  };
  const form = taskForm([...Object.values(f).map((x) => x.el), replay.el], button, status, out, run);
  return h('section', { id: 'race' },
    h('p', { class: 'lead' }, 'Patching strategies against tasks calling traced functions, with checked results: which break, how, and the schedule that breaks them.'),
    summary, form, h('div', { class: 'progress' }, bar, status), out);
}

/** The failure's timeline, one event at a time (or all), the current one marked. */
function stepper(events: readonly TimelineEvent[], unit: 'insns' | 'ms'): HTMLElement {
  let at = Math.max(0, events.length - 1);
  const body = h('tbody');
  const rows = events.map((e, i) => h('tr', { class: `k-${e.kind}`, onclick: () => go(i) },
    h('td', {}, unit === 'ms' ? e.at.toFixed(3) : String(e.at)), h('td', {}, e.cpu === null ? 'host' : `cpu${e.cpu}`),
    h('td', {}, e.kind), h('td', {}, e.count > 1 ? `${e.text} (x${e.count})` : e.text)));
  body.append(...rows);
  const where = h('span', { class: 'status' });
  const go = (i: number) => {
    at = Math.max(0, Math.min(events.length - 1, i));
    rows.forEach((r, k) => {
      r.classList.toggle('current', k === at);
      r.classList.toggle('future', k > at);
    });
    rows[at]?.scrollIntoView({ block: 'nearest' });
    where.textContent = events.length ? `event ${at + 1} of ${events.length}` : 'no events';
  };
  go(at);
  return h('div', { class: 'stepper' },
    h('h3', {}, 'timeline to the failure'),
    h('div', {}, h('button', { type: 'button', onclick: () => go(0) }, '|<'), h('button', { type: 'button', onclick: () => go(at - 1) }, '< step'),
      h('button', { type: 'button', onclick: () => go(at + 1) }, 'step >'), h('button', { type: 'button', onclick: () => go(events.length - 1) }, '>|'), ' ', where),
    h('div', { class: 'scroll' }, h('table', { class: 'timeline-table' },
      h('thead', {}, h('tr', {}, h('th', {}, unit), h('th', {}, 'who'), h('th', {}, 'what'), h('th', {}, ''))), body)));
}
