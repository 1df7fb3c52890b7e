// The browser page (bundled to page.js): tabs for hackbench, the tracer, the
// race lab and a live patch site, and `window.patchlab` for scripts. Every
// machine runs in the controller worker; this thread only draws.

import 'uplot/dist/uPlot.min.css';
import { Controller } from './client.ts';
import { h } from './dom.ts';
import { hackbenchView } from './hackbench-view.ts';
import { raceView } from './race-view.ts';
import { siteView } from './site-view.ts';
import { traceView } from './trace-view.ts';

export interface PatchlabPage {
  /** Resolves once the core and the kernel images are loaded. */
  ready: Promise<void>;
  /** The object `patchlab hackbench --json` prints for the same options. */
  hackbench(options?: Record<string, unknown>): Promise<unknown>;
  /** The object `patchlab trace --json` prints for the same options. */
  trace(options?: Record<string, unknown>): Promise<unknown>;
  /** The object `patchlab race --json` prints for the same options (strategy, search, budget, replay, all, ...). */
  race(options?: Record<string, unknown>): Promise<unknown>;
}

declare global {
  interface Window {
    patchlab: PatchlabPage;
  }
}

const app = document.getElementById('app')!;
const head = document.getElementById('status')!;

if (!globalThis.crossOriginIsolated) {
  app.replaceChildren(h('div', { class: 'error', role: 'alert' },
    'This page is not cross-origin isolated, so it cannot share memory between its CPU workers. ' +
      'Serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (patchlab serve does).'));
  head.textContent = 'not cross-origin isolated';
} else {
  const ctl = new Controller(new URL('./controller.js', import.meta.url));
  window.patchlab = {
    ready: ctl.ready.then(() => undefined),
    hackbench: (options = {}) => ctl.request('hackbench', { options }),
    trace: (options = {}) => ctl.request('trace', { options }),
    race: (options = {}) => ctl.request('race', { options }),
  };
  head.textContent = 'loading the core';
  ctl.ready.then((cores) => {
    head.textContent = `ready: cross-origin isolated, ${cores} host cores`;
    const views: [string, string, HTMLElement][] = [
      ['hackbench', 'hackbench', hackbenchView(ctl, cores)],
      ['trace', 'tracer', traceView(ctl)],
      ['race', 'race lab', raceView(ctl)],
      ['site', 'patch site', siteView(ctl, cores)],
    ];
    const tabs = h('nav', { class: 'tabs', role: 'tablist' });
    const show = (id: string) => {
      for (const [k, , el] of views) el.hidden = k !== id;
      for (const b of tabs.querySelectorAll('button')) b.setAttribute('aria-selected', String(b.dataset.tab === id));
      history.replaceState(null, '', `#${id}`);
    };
    for (const [k, label] of views) {
      const b = h('button', { type: 'button', role: 'tab', onclick: () => show(k) }, label);
      b.dataset.tab = k;
      tabs.append(b);
    }
    app.replaceChildren(tabs, ...views.map(([, , el]) => el));
    const want = location.hash.slice(1);
    show(views.some(([k]) => k === want) ? want : 'hackbench');
  }, (err: Error) => {
    head.textContent = 'failed to load';
    app.replaceChildren(h('div', { class: 'error', role: 'alert' }, `${err.name}: ${err.message}`));
  });
}
