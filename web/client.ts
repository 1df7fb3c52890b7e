// The page's side of the controller worker: requests with ids, progress
// callbacks, and errors rebuilt with their name and code. `window.patchlab`
// is built on it, so scripts and tests drive the page as they drive the CLI.

import type { Reply, Request, WireError } from '../bindings/browser/protocol.ts';

type Op = Request['op'];
type Payload<O extends Op> = Omit<Extract<Request, { op: O }>, 'id' | 'op'>;

/** An error of the library, thrown in the controller, with its class name and code. */
export class PatchlabError extends Error {
  readonly code?: string;
  constructor(e: WireError) {
    super(e.message);
    this.name = e.name;
    this.code = e.code;
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  progress?: (v: unknown) => void;
}

export class Controller {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Resolves with the host's core count once the core and the kernel images are loaded. */
  readonly ready: Promise<number>;

  constructor(url: URL) {
    this.worker = new Worker(url, { type: 'module', name: 'patchlab-controller' });
    let ready!: (cores: number) => void, failed!: (e: Error) => void;
    this.ready = new Promise((res, rej) => ((ready = res), (failed = rej)));
    this.worker.addEventListener('error', (e) => failed(new Error(`the controller worker failed: ${e.message}`)));
    this.worker.addEventListener('message', (e: MessageEvent) => {
      const r = e.data as Reply;
      if (r.t === 'ready') return ready(r.cores);
      if (r.t === 'fatal') return failed(new PatchlabError(r.error));
      const p = this.pending.get(r.id);
      if (!p) return;
      if (r.t === 'progress') p.progress?.(r.value);
      else {
        this.pending.delete(r.id);
        if (r.t === 'result') p.resolve(r.value);
        else p.reject(new PatchlabError(r.error));
      }
    });
  }

  request<O extends Op, T = unknown>(op: O, payload: Payload<O>, progress?: (v: unknown) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
      this.worker.postMessage({ id, op, ...payload } as Request);
    });
  }
}
