// The page's controller worker (bundled to controller.js): loads the core
// and the kernel images, then runs what the page asks (hackbench, trace, the
// race lab, a live machine) with the same library calls the CLI makes, and
// answers with the same JSON the CLI's --json prints. CPUs are Web Workers
// it starts (bindings/browser/platform.ts).

import { formatTrace, toTraceDat, trace, traceJson, type TraceOptions } from '../ftrace/trace.ts';
import { toTraceEventJson } from '../ftrace/output/index.ts';
import { hackbench, type HackbenchHooks } from '../hackbench/run.ts';
import type { HackbenchOptions } from '../hackbench/options.ts';
import { raceLab, raceLabJson, type RaceLabOptions } from '../race/lab.ts';
import { KERNEL_IMAGES } from '../workload/kernel-names.ts';
import { LiveError, LiveMachine } from '../workload/live.ts';
import { provideKernelImages } from './kernel-files.ts';
import type { LiveStarted, Reply, Request, TraceExtras, WireError } from './protocol.ts';
import { CORE_WASM_URL, provideCoreModule } from './wasm.ts';

const post = (r: Reply): void => postMessage(r);

function wire(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

/** The value as JSON.stringify writes it, so the page gets what the CLI prints. */
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

let live: LiveMachine | null = null;

async function serve(req: Request): Promise<unknown> {
  switch (req.op) {
    case 'hackbench': {
      const hooks: HackbenchHooks = {
        onRun: (done, total, run, interval) => post({ t: 'progress', id: req.id, value: asJson({ done, total, run, interval }) }),
        log: (m) => post({ t: 'progress', id: req.id, value: { log: m } }),
      };
      return asJson(await hackbench(req.options as HackbenchOptions, hooks));
    }
    case 'trace': {
      const r = await trace(req.options as TraceOptions);
      const json = asJson(traceJson(r)) as object;
      if (!req.full) return json;
      const extras: TraceExtras = { json, text: formatTrace(r), perfetto: toTraceEventJson(r.trace.events, r.trace.context), traceDat: toTraceDat(r) };
      return extras;
    }
    case 'race': {
      let total = 0, done = 0;
      const r = await raceLab(req.options as RaceLabOptions, {
        onStrategy: (name, budget) => {
          total = budget;
          done = 0;
          post({ t: 'progress', id: req.id, value: { strategy: name, done, total } });
        },
        onSchedule: () => post({ t: 'progress', id: req.id, value: { done: ++done, total } }),
      });
      return asJson(raceLabJson(r));
    }
    case 'live-start': {
      if (live) await live.stop();
      live = null;
      live = await LiveMachine.start(req.options);
      const started: LiveStarted = { functions: live.functions, cpus: live.machine.ncpus };
      return started;
    }
    case 'live-set':
      if (!live) throw new LiveError('ended', 'no live machine is running');
      live.setTraced(req.fn, req.on);
      return live.snapshot(req.fn);
    case 'live-snapshot':
      if (!live) throw new LiveError('ended', 'no live machine is running');
      return live.snapshot(req.fn);
    case 'live-stop':
      await live?.stop();
      live = null;
      return null;
  }
}

async function init(): Promise<void> {
  const [module, ...images] = await Promise.all([
    WebAssembly.compileStreaming(fetch(CORE_WASM_URL)),
    ...KERNEL_IMAGES.map(async (name) => {
      const file = `kernel-${name}.elf`;
      const res = await fetch(new URL(`./${file}`, import.meta.url));
      if (!res.ok) throw new Error(`cannot fetch ${file}: HTTP ${res.status}`);
      return [file, new Uint8Array(await res.arrayBuffer())] as const;
    }),
  ]);
  provideCoreModule(module);
  provideKernelImages(new Map(images));
}

const ready = init().then(
  () => post({ t: 'ready', cores: navigator.hardwareConcurrency || 1 }),
  (err) => {
    post({ t: 'fatal', error: wire(err) });
    throw err;
  },
);

addEventListener('message', (e: MessageEvent) => {
  const req = e.data as Request;
  ready
    .then(() => serve(req))
    .then(
      (value) => post({ t: 'result', id: req.id, value }),
      (err) => post({ t: 'error', id: req.id, error: wire(err) }),
    );
});
