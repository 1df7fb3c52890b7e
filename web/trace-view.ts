// The tracer tab: tracer, profiler and filters; the function profile table,
// per-CPU counts, the timeline of the events, the kernel-layout text and the
// Perfetto document to download.

import type { TraceEventDocument } from '../bindings/ftrace/output/perfetto.ts';
import type { TraceExtras } from '../bindings/browser/protocol.ts';
import type { Controller } from './client.ts';
import { checkField, h, numberField, selectField, table, taskForm, textField } from './dom.ts';
import { timeline } from './timeline.ts';

interface TraceJson {
  tracer: string;
  enabledSites: number;
  events: number;
  lost: number;
  seconds: number;
  guestInstructions: number;
  functions: { name: string; hits: number; totalNs: number; avgNs: number; s2: number }[] | null;
  perCpu: { cpu: number; events: number; lost: number }[];
  workload: { messages: number; expectedMessages: number };
}

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const TEXT_LINES = 2000;

export function traceView(ctl: Controller): HTMLElement {
  const f = {
    tracer: selectField('tracer', 'tracer', ['function_graph', 'function', 'nop'] as const, 'function_graph'),
    profile: checkField('profile', 'profile', true),
    filter: textField('filter', 'filter', 'ksys_*,pipe_*', 'globs, comma-separated'),
    notrace: textField('notrace', 'notrace', ''),
    graph: textField('graph function', 'graph', ''),
    trampoline: selectField('trampoline', 'trampoline', ['list', 'dynamic'] as const, 'list'),
    cpus: numberField('CPUs', 'cpus', 2, 1, 64),
    mode: selectField('mode', 'mode', ['threads', 'deterministic'] as const, 'deterministic'),
    seed: numberField('seed', 'seed', 1, 0, 0xfffffff),
    groups: numberField('groups', 'groups', 1, 1, 256),
    fds: numberField('fds', 'fds', 2, 1, 256),
    loops: numberField('loops', 'loops', 5, 1, 1_000_000),
  };
  const status = h('span', { class: 'status' }, 'idle');
  const out = h('div', { class: 'results' });
  const button = h('button', { type: 'submit' }, 'Trace one run');
  const run = async () => {
    const options = {
      tracer: f.tracer.value(), profile: f.profile.value(), filter: list(f.filter.value()), notrace: list(f.notrace.value()),
      graphFunction: list(f.graph.value()), trampoline: f.trampoline.value(), cpus: f.cpus.value(), mode: f.mode.value(),
      seed: f.seed.value(), groups: f.groups.value(), fds: f.fds.value(), loops: f.loops.value(),
    };
    status.textContent = 'booting and tracing';
    out.replaceChildren();
    const r = await ctl.request<'trace', TraceExtras>('trace', { options, full: true });
    const j = r.json as TraceJson;
    status.textContent = `${j.events} events (${j.lost} lost) from ${j.enabledSites} sites, ${j.workload.messages}/${j.workload.expectedMessages} messages, ${j.seconds.toFixed(2)} s`;
    const doc = r.perfetto as TraceEventDocument;
    const blob = new Blob([JSON.stringify(doc)], { type: 'application/json' });
    const lines = r.text.split('\n');
    out.replaceChildren(
      h('h3', {}, 'events per CPU'),
      table(['CPU', 'events', 'lost'], j.perCpu.map((c) => [c.cpu, c.events, c.lost]), 'percpu'),
      j.functions ? h('h3', {}, 'function profile') : '',
      j.functions ? table(['function', 'hits', 'time us', 'avg us', 's^2 us'], j.functions.map((p) => [
        p.name, p.hits, (p.totalNs / 1000).toFixed(3), (p.avgNs / 1000).toFixed(3), (p.s2 / 1e6).toFixed(3)]), 'profile') : '',
      h('h3', {}, 'timeline'),
      h('p', {}, h('a', { href: URL.createObjectURL(blob), download: 'patchlab-trace.json', class: 'button', id: 'perfetto-json' }, 'Download the Perfetto JSON'),
        ' (open it at ui.perfetto.dev) ',
        h('a', { href: URL.createObjectURL(new Blob([r.traceDat as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' })), download: 'trace.dat', class: 'button', id: 'trace-dat' }, 'Download trace.dat'),
        ' (trace-cmd report, KernelShark). Wheel to zoom, drag to pan.'),
      timeline(doc),
      h('details', {}, h('summary', {}, `the trace as the kernel prints it${lines.length > TEXT_LINES ? ` (first ${TEXT_LINES} lines)` : ''}`),
        h('pre', {}, lines.slice(0, TEXT_LINES).join('\n'))),
    );
  };
  const form = taskForm(Object.values(f).map((x) => x.el), button, status, out, run);
  return h('section', { id: 'trace' },
    h('p', { class: 'lead' }, 'One traced hackbench run: ftrace is switched on when the run starts, while the other CPUs run, and off when it ends.'),
    form, h('div', { class: 'progress' }, status), out);
}
