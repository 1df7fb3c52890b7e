// The seam between the Machine and the host environment: starting CPU
// threads, talking to them, and yielding to the event loop. Node implements it
// with worker_threads (platform-node.ts); a browser implementation uses Web
// Workers. Nothing else in bindings/machine/ touches host-specific APIs.

export interface SpawnOptions {
  /** Structured-cloneable start data (may hold a WebAssembly.Module and a shared memory). */
  workerData: unknown;
  transfer?: Transferable[];
  name?: string;
}

export interface WorkerHandle {
  post(message: unknown, transfer?: Transferable[]): void;
  onMessage(fn: (message: unknown) => void): void;
  /** An uncaught exception in the worker. */
  onError(fn: (error: Error) => void): void;
  /** The worker is gone (after finishing, an error or terminate()). */
  onExit(fn: (code: number) => void): void;
  terminate(): Promise<void>;
}

export interface Platform {
  /** Starts a worker running the module script at `url`. */
  spawn(url: URL, opts: SpawnOptions): WorkerHandle;
  /** Lets pending events run (messages, timers) before continuing. */
  yieldNow(): Promise<void>;
  /** The start data of the current worker (inside a worker only). */
  workerData(): unknown;
  /** Posts to the thread that spawned the current worker (inside a worker only). */
  postToParent(message: unknown, transfer?: Transferable[]): void;
  /** The host's id of the calling thread, when the host has one that threadTimes() accepts. */
  threadId?(): number | null;
  /**
   * Host CPU time of a thread of this process (by threadId()), in ns: time
   * run, and time runnable but waiting for a host core; null when unknown.
   */
  threadTimes?(id: number): HostThreadTimes | null;
}

export interface HostThreadTimes {
  /** Host nanoseconds the thread ran on a core. */
  runNs: bigint;
  /** Host nanoseconds it was runnable but waited for a core (run queue). */
  waitNs: bigint;
}
