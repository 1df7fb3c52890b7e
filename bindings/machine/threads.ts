// `threads` mode, main-thread side: one worker per CPU over the shared
// memory, their messages (console output, reports, warnings, host calls
// with a handler here, pause acknowledgements, completion) and their deaths.
// A worker that dies, or ends without saying it finished, halts the others
// and fails the run with a MachineError naming its CPU; so does a host-call
// handler that fails. A machine whose CPUs all wait for an interrupt that
// nothing can send ends with a DEADLOCK MachineError (deadlock-watch.ts).

import * as L from '../../assembly/layout.ts';
import { DeadlockWatch, DEFAULT_DEADLOCK_MS } from './deadlock-watch.ts';
import { MachineError } from './errors.ts';
import type { Platform, WorkerHandle } from './platform.ts';
import { HostCallServer, type HostCallTable } from './remote-calls.ts';
import type { WorkerInit, WorkerMessage } from './worker.ts';
import type { MachineWords } from './words.ts';

export interface ThreadEvents {
  out(cpu: number, fd: 1 | 2, data: Uint8Array): void;
  report(cpu: number, key: string, value: bigint): void;
  warn(message: string, once?: string): void;
  /** Where CPU `cpu` is (PC and symbol), for the deadlock report. */
  locate?(cpu: number): string;
}

/** Interval at which the host re-notifies parked CPU threads while it waits for them to stop or pause. */
const KICK_MS = 5;
/** How long halted workers get to finish before they are terminated. */
const HALT_GRACE_MS = 2000;

export class ThreadsRunner {
  private readonly workers: WorkerHandle[] = [];
  private readonly done: boolean[];
  private readonly gone: boolean[];
  /** Threads the host terminated after the end was claimed (they count as finished). */
  private readonly killed: boolean[];
  private readonly pausedAck = new Set<number>();
  private pauseWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private failure: MachineError | null = null;
  private startedCount = 0;
  /** performance.now() when the last CPU thread began stepping (null until then). */
  allStartedAt: number | null = null;
  private kicker: ReturnType<typeof setInterval> | null = null;
  private readonly calls: HostCallServer;
  private readonly watch: DeadlockWatch;
  private finish!: { resolve: () => void; reject: (e: Error) => void };
  /** Settles when every CPU thread has finished (rejects with MachineError when one died). */
  readonly finished: Promise<void>;

  constructor(
    private readonly platform: Platform,
    private readonly url: URL,
    private readonly init: Omit<WorkerInit, 'cpu' | 'calls'>,
    private readonly ncpus: number,
    private readonly words: MachineWords,
    private readonly events: ThreadEvents,
    calls: HostCallTable,
    opts: { deadlockMs?: number } = {},
  ) {
    this.calls = new HostCallServer(calls, ncpus, words, (err) => this.fail(err));
    this.watch = new DeadlockWatch(words, new Int32Array(init.parked), ncpus, opts.deadlockMs ?? DEFAULT_DEADLOCK_MS,
      () => this.calls.inFlight(), (ms) => this.deadlocked(ms));
    this.done = new Array<boolean>(ncpus).fill(false);
    this.gone = new Array<boolean>(ncpus).fill(false);
    this.killed = new Array<boolean>(ncpus).fill(false);
    this.finished = new Promise<void>((resolve, reject) => (this.finish = { resolve, reject }));
    this.finished.catch(() => {});
  }

  start(): void {
    this.watch.start();
    for (let cpu = 0; cpu < this.ncpus; cpu++) {
      const data: WorkerInit = { ...this.init, cpu, calls: this.calls.init() };
      let w: WorkerHandle;
      try {
        w = this.platform.spawn(this.url, { workerData: data, name: `patchlab-cpu${cpu}` });
      } catch (err) {
        this.died(cpu, `could not start: ${(err as Error).message}`);
        return;
      }
      this.workers.push(w);
      w.onMessage((m) => this.message(m as WorkerMessage));
      w.onError((e) => this.died(cpu, e.message));
      w.onExit((code) => {
        this.gone[cpu] = true;
        // Messages posted before the exit are delivered first; give them a turn.
        setTimeout(() => {
          if (this.killed[cpu]) this.done[cpu] = true;
          if (!this.done[cpu]) this.died(cpu, `exited (code ${code}) without finishing`);
          else this.check();
        }, 20);
      });
    }
  }

  private message(m: WorkerMessage): void {
    switch (m.t) {
      case 'out': this.events.out(m.cpu, m.fd, m.data); break;
      case 'report': this.events.report(m.cpu, m.key, m.value); break;
      case 'warn': this.events.warn(m.message, m.once); break;
      case 'call': this.calls.serve(m); break;
      case 'started':
        if (++this.startedCount === this.ncpus) this.allStartedAt = performance.now();
        break;
      case 'paused':
        this.pausedAck.add(m.cpu);
        this.checkPause();
        break;
      case 'done':
        // The machine is ending: re-notify parked threads until all are done
        // (a notification can land just before a thread starts waiting).
        this.done[m.cpu] = true;
        this.startKicking();
        this.check();
        break;
      case 'error':
        this.died(m.cpu, m.message);
        break;
    }
  }

  private died(cpu: number, why: string): void {
    if ((this.done[cpu] || this.killed[cpu]) && !this.failure) return;
    if (!this.failure) {
      this.failure = new MachineError('WORKER_DIED', `CPU ${cpu}: its thread died: ${why}`, cpu);
      this.words.claimEnd(L.EK_ERROR, cpu);
      this.words.requestStop(L.RS_HALT); // also when another end was claimed first
      this.startKicking();
      setTimeout(() => void this.terminateAll(), HALT_GRACE_MS).unref?.();
    }
    this.done[cpu] = true;
    this.pauseWaiter?.reject(this.failure);
    this.pauseWaiter = null;
    this.check();
  }

  /** Ends the run with `err` (a host-call handler failed): every CPU halts and `finished` rejects with it. */
  fail(err: MachineError): void {
    if (this.failure) return;
    this.failure = err;
    this.watch.stop();
    this.words.claimEnd(L.EK_ERROR, err.cpu ?? 0);
    this.halt();
    this.pauseWaiter?.reject(err);
    this.pauseWaiter = null;
  }

  private deadlocked(quietMs: number): void {
    const where = Array.from({ length: this.ncpus }, (_, c) => `CPU ${c} ${this.events.locate?.(c) ?? ''}`.trimEnd());
    this.fail(new MachineError('DEADLOCK',
      `deadlock: all ${this.ncpus} CPUs are waiting for an interrupt and no timer is armed ` +
        `(nothing woke them for ${Math.round(quietMs)} ms; ${where.join(', ')})`));
  }

  private check(): void {
    if (!this.done.every((d) => d)) return;
    this.watch.stop();
    this.stopKicking();
    this.pauseWaiter?.resolve(); // ended while pausing: nothing runs any more
    this.pauseWaiter = null;
    if (this.failure) this.finish.reject(this.failure);
    else this.finish.resolve();
  }

  private checkPause(): void {
    if (!this.pauseWaiter) return;
    for (let c = 0; c < this.ncpus; c++) if (!this.done[c] && !this.pausedAck.has(c)) return;
    this.stopKicking();
    this.pauseWaiter.resolve();
    this.pauseWaiter = null;
  }

  private startKicking(): void {
    this.kicker ??= setInterval(() => {
      this.words.kickAll();
      this.calls.wakeAll();
    }, KICK_MS);
  }

  private stopKicking(): void {
    if (this.kicker) clearInterval(this.kicker);
    this.kicker = null;
  }

  /** Stops every CPU at an instruction boundary; resolves once all have acknowledged. */
  pause(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.pausedAck.clear();
    const p = new Promise<void>((resolve, reject) => (this.pauseWaiter = { resolve, reject }));
    // A machine already halting is not paused: the pause settles once every thread has finished.
    const pausing = this.words.requestPause();
    this.startKicking();
    if (pausing) this.checkPause();
    else this.check();
    return p;
  }

  resume(): void {
    this.pausedAck.clear();
    this.words.release();
  }

  /** Halts every CPU (the end must already be claimed); settles `finished`. */
  halt(): void {
    this.words.requestStop(L.RS_HALT);
    this.startKicking();
    setTimeout(() => void this.terminateAll(), HALT_GRACE_MS).unref?.();
  }

  /** Stops the worker threads that are still there (the end must already be claimed). */
  async terminateAll(): Promise<void> {
    await Promise.all(
      this.workers.map((w, i) => {
        if (this.gone[i]) return undefined;
        this.killed[i] = true;
        return w.terminate().catch(() => {});
      }),
    );
  }
}
