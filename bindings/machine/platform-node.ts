// Platform on Node.js: worker_threads.

import { readFileSync, readlinkSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { HostThreadTimes, Platform, SpawnOptions, WorkerHandle } from './platform.ts';

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
  // Linux: /proc/thread-self names the calling thread's task; its schedstat
  // gives the ns run and the ns waited on a run queue (CONFIG_SCHED_INFO).
  threadId(): number | null {
    try {
      const m = /\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
      return m ? Number(m[1]) : null;
    } catch {
      return null;
    }
  },
  threadTimes(id: number): HostThreadTimes | null {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${id}/schedstat`, 'utf8').trim().split(/\s+/);
      return run !== undefined && wait !== undefined ? { runNs: BigInt(run), waitNs: BigInt(wait) } : null;
    } catch {
      return null;
    }
  },
};
