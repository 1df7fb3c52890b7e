// The patch-site tab: a machine looping hackbench on its CPU threads; pick a
// function and switch its tracing on and off while the CPUs run. The site's
// words (two, or four with the =4,2 image), disassembled, and every CPU's
// PC, instruction count and task are read back several times a second.

import type { LiveSnapshot, LiveStarted } from '../bindings/browser/protocol.ts';
import type { Controller } from './client.ts';
import { errorBox, h, numberField, selectField } from './dom.ts';

const POLL_MS = 250;

export function siteView(ctl: Controller, cores: number): HTMLElement {
  const cpus = numberField('CPUs', 'cpus', Math.min(2, cores), 1, 64);
  const image = selectField('image', 'image', ['pfe2', 'pfe42'] as const, 'pfe2');
  const start = h('button', { type: 'submit' }, 'Boot');
  const stop = h('button', { type: 'button', disabled: true }, 'Stop');
  const fnSelect = h('select', { name: 'fn', disabled: true });
  const toggle = h('button', { type: 'button', disabled: true, id: 'site-toggle' }, 'Trace it');
  const status = h('span', { class: 'status' }, 'not running');
  const words = h('div', { class: 'site-words' });
  const cpuBox = h('div', { class: 'cpus' });
  const err = h('div');
  let timer: ReturnType<typeof setInterval> | null = null;
  let last: LiveSnapshot | null = null;
  let prevInsns: number[] = [];
  let prevT = 0;
  let busy = false;

  const render = (s: LiveSnapshot) => {
    const before = last?.fn === s.fn ? last.words : null;
    words.replaceChildren(h('table', { class: 'words' },
      h('thead', {}, h('tr', {}, h('th', {}, 'address'), h('th', {}, 'offset'), h('th', {}, 'word'), h('th', {}, 'instruction'))),
      h('tbody', {}, ...s.words.map((w, i) => h('tr', { class: before && before[i]?.word !== w.word ? 'changed' : '' },
        h('td', {}, w.addr), h('td', {}, w.offset >= 0 ? `fn+${w.offset}` : `fn${w.offset}`), h('td', {}, h('code', {}, w.word)), h('td', {}, h('code', {}, w.text)))))),
      h('p', {}, `state: ${s.state}; traced: ${s.traced ? 'yes' : 'no'}; calls traced: ${s.hits}; events drained: ${s.events}; hackbench runs done: ${s.runs}`));
    const now = performance.now();
    const dt = (now - prevT) / 1000;
    cpuBox.replaceChildren(h('table', { class: 'cpu-state' },
      h('thead', {}, h('tr', {}, ...['CPU', 'PC', 'where', 'instructions', 'MIPS', 'task'].map((c) => h('th', {}, c)))),
      h('tbody', {}, ...s.cpus.map((c) => h('tr', {},
        h('td', {}, String(c.cpu)), h('td', {}, h('code', {}, c.pc)), h('td', {}, c.where), h('td', {}, c.insns.toLocaleString('en')),
        h('td', {}, prevInsns[c.cpu] !== undefined && dt > 0 ? ((c.insns - prevInsns[c.cpu]!) / dt / 1e6).toFixed(1) : '-'),
        h('td', {}, `${c.task} (${c.pid})`))))));
    prevInsns = s.cpus.map((c) => c.insns);
    prevT = now;
    toggle.textContent = s.traced ? 'Stop tracing it' : 'Trace it';
    last = s;
  };

  const poll = async () => {
    if (busy || !fnSelect.value) return;
    busy = true;
    try {
      render(await ctl.request<'live-snapshot', LiveSnapshot>('live-snapshot', { fn: fnSelect.value }));
    } catch (e) {
      err.replaceChildren(errorBox(e));
      halt();
    } finally {
      busy = false;
    }
  };

  const halt = () => {
    if (timer) clearInterval(timer);
    timer = null;
    stop.disabled = true;
    toggle.disabled = true;
    fnSelect.disabled = true;
    start.disabled = false;
  };

  const boot = async () => {
    start.disabled = true;
    err.replaceChildren();
    status.textContent = 'booting';
    try {
      const r = await ctl.request<'live-start', LiveStarted>('live-start', { options: { cpus: cpus.value(), image: image.value() } });
      fnSelect.replaceChildren(...r.functions.map((fn) => h('option', { value: fn, selected: fn === 'pipe_write' }, fn)));
      fnSelect.disabled = false;
      toggle.disabled = false;
      stop.disabled = false;
      status.textContent = `running on ${r.cpus} CPU threads, ${r.functions.length} traceable functions`;
      last = null;
      timer = setInterval(() => void poll(), POLL_MS);
      void poll();
    } catch (e) {
      status.textContent = 'failed';
      err.replaceChildren(errorBox(e));
      start.disabled = false;
    }
  };

  toggle.addEventListener('click', async () => {
    toggle.disabled = true;
    try {
      render(await ctl.request<'live-set', LiveSnapshot>('live-set', { fn: fnSelect.value, on: !(last?.traced ?? false) }));
    } catch (e) {
      err.replaceChildren(errorBox(e));
    } finally {
      toggle.disabled = timer === null;
    }
  });
  fnSelect.addEventListener('change', () => void poll());
  stop.addEventListener('click', async () => {
    halt();
    await ctl.request('live-stop', {}).catch(() => {});
    status.textContent = 'stopped';
  });

  const form = h('form', { class: 'options', onsubmit: (e: Event) => { e.preventDefault(); void boot(); } }, cpus.el, image.el, start, stop);
  return h('section', { id: 'site' },
    h('p', { class: 'lead' }, 'A patch site while the CPUs run: the words at a function\'s entry as ftrace rewrites them, and where each CPU is.'),
    form, h('div', { class: 'progress' }, status),
    h('div', { class: 'options' }, h('label', {}, 'function', fnSelect), toggle), words, cpuBox, err);
}
