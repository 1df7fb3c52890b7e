// Platform in a browser: each CPU is a module Web Worker. A Web Worker has
// no start data, so the first message it gets is its WorkerInit (with the
// shared memory and the compiled module, both cloneable); the CPU loop then
// runs in the worker and only posts. Host thread times are not available.

import { yieldToHost } from '../host-yield.ts';
import type { Platform, SpawnOptions, WorkerHandle } from '../machine/platform.ts';

/** The first message a CPU worker receives. */
export interface StartMessage {
  t: 'start';
  workerData: unknown;
}

class WebWorkerHandle implements WorkerHandle {
  private exitFns: ((code: number) => void)[] = [];
  private exited = false;
  constructor(private readonly w: Worker) {}
  post(message: unknown, transfer?: Transferable[]): void {
    this.w.postMessage(message, transfer ?? []);
  }
  onMessage(fn: (message: unknown) => void): void {
    this.w.addEventListener('message', (e) => fn((e as MessageEvent).data));
  }
  onError(fn: (error: Error) => void): void {
    this.w.addEventListener('error', (e) => {
      e.preventDefault();
      fn(new Error((e as ErrorEvent).message || 'worker error'));
      this.exit(1);
    });
    this.w.addEventListener('messageerror', () => fn(new Error('a message from the CPU worker could not be read')));
  }
  onExit(fn: (code: number) => void): void {
    this.exitFns.push(fn);
  }
  /** A Web Worker has no exit event: the machine's own end (or terminate) is its exit. */
  private exit(code: number): void {
    if (this.exited) return;
    this.exited = true;
    for (const f of this.exitFns) f(code);
  }
  async terminate(): Promise<void> {
    this.w.terminate();
    this.exit(1);
  }
}

let startData: unknown;

/** Called by the CPU worker's entry with the first message's data, before runCpuWorker. */
export function setWorkerData(data: unknown): void {
  startData = data;
}

export const browserPlatform: Platform = {
  spawn(url: URL, opts: SpawnOptions): WorkerHandle {
    const w = new Worker(url, { type: 'module', name: opts.name });
    const h = new WebWorkerHandle(w);
    const start: StartMessage = { t: 'start', workerData: opts.workerData };
    w.postMessage(start, opts.transfer ?? []);
    return h;
  },
  yieldNow: yieldToHost,
  workerData(): unknown {
    if (startData === undefined) throw new Error('workerData() before the start message');
    return startData;
  },
  postToParent(message: unknown, transfer?: Transferable[]): void {
    (globalThis as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(message, transfer ?? []);
  },
};
