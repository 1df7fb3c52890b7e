// Platform on Node.js: worker_threads.

import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Platform, SpawnOptions, WorkerHandle } from './platform.ts';

class NodeWorker implements WorkerHandle {
  constructor(private readonly w: Worker) {}
  post(message: unknown, transfer?: Transferable[]): void {
    this.w.postMessage(message, transfer as never);
  }
  onMessage(fn: (message: unknown) => void): void {
    this.w.on('message', fn);
  }
  onError(fn: (error: Error) => void): void {
    this.w.on('error', fn);
  }
  onExit(fn: (code: number) => void): void {
    this.w.on('exit', fn);
  }
  async terminate(): Promise<void> {
    await this.w.terminate();
  }
}

export const nodePlatform: Platform = {
  spawn(url: URL, opts: SpawnOptions): WorkerHandle {
    const w = new Worker(url, {
      workerData: opts.workerData,
      transferList: opts.transfer as never,
      name: opts.name,
    });
    return new NodeWorker(w);
  },
  yieldNow(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  },
  workerData(): unknown {
    if (isMainThread) throw new Error('workerData() outside a worker');
    return workerData;
  },
  postToParent(message: unknown, transfer?: Transferable[]): void {
    if (!parentPort) throw new Error('postToParent() outside a worker');
    parentPort.postMessage(message, transfer as never);
  },
};
