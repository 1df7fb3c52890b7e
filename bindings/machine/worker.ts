// One CPU thread of `threads` mode: instantiates the core over the shared
// memory and steps its CPU until the machine halts. Host calls are served
// here and their output is posted to the main thread, except calls with a
// handler on the main thread, which the CPU waits for (remote-calls.ts); an
// idle CPU parks on its wake word with Atomics.wait; a pause request blocks
// the thread on M_PAUSE_GEN after it has acknowledged.

import * as L from '../../assembly/layout.ts';
import { CpuState, instantiateCore, type Core } from '../core.ts';
import { GuestMemory } from '../guest-memory.ts';
import { ExitHandler, type Outcome, type ProfileSetup } from './cpu-exits.ts';
import type { HostSink } from './hostcalls.ts';
import type { Platform } from './platform.ts';
import { HostCallClient, type CallMessage, type RemoteCallsInit } from './remote-calls.ts';
import { MachineWords, NO_DEADLINE } from './words.ts';

export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** BigUint64Array over it (STATS_*): idle ns, translation ns and host thread id per CPU. */
  stats: SharedArrayBuffer;
  /**
   * Int32Array over it, one word per CPU: 1 while the CPU thread is parked
   * with nothing that can wake it but another CPU or the host (no timer
   * armed, no WFE backstop); the host's deadlock watch reads it (threads.ts).
   */
  parked: SharedArrayBuffer;
  cpu: number;
  quantum: number;
  profile: ProfileSetup;
  ram: { offset: number; base: bigint; size: number; lo: bigint };
  /** performance.timeOrigin + performance.now() of the main thread when the machine was created. */
  epochMs: number;
  /** The host calls served on the main thread. */
  calls: RemoteCallsInit;
}

/** Slots of WorkerInit.stats, each MAX_CPUS u64 wide: idle ns, translation ns, host thread id + 1 (0: unknown). */
export const STATS_IDLE = 0, STATS_JIT = 1, STATS_TID = 2, STATS_SLOTS = 3;

export type WorkerMessage =
  | { t: 'out'; cpu: number; fd: 1 | 2; data: Uint8Array }
  | { t: 'warn'; message: string; once?: string }
  | { t: 'report'; cpu: number; key: string; value: bigint }
  | { t: 'started'; cpu: number }
  | { t: 'paused'; cpu: number }
  | { t: 'done'; cpu: number }
  | { t: 'error'; cpu: number; message: string }
  | CallMessage;

/** The optional exports of a core with the interrupt controller and timer. */
interface TimerExports {
  timerDeadline?: (cpu: number) => bigint;
}

export function runCpuWorker(platform: Platform): void {
  const init = platform.workerData() as WorkerInit;
  const post = (m: WorkerMessage, transfer?: Transferable[]): void => platform.postToParent(m, transfer);
  const { cpu, memory } = init;
  try {
    const core: Core & TimerExports = instantiateCore(memory, init.module);
    const words = new MachineWords(memory);
    const state = new CpuState(memory, cpu);
    const mem = new GuestMemory(memory, init.ram.offset, init.ram.base, init.ram.size, init.ram.lo);
    const idle = new BigUint64Array(init.stats);
    const tid = platform.threadId?.() ?? null;
    if (tid !== null) Atomics.store(idle, STATS_TID * L.MAX_CPUS + cpu, BigInt(tid) + 1n);
    let jitMs = 0;
    const parked = new Int32Array(init.parked);
    const nowMs = (): number => performance.timeOrigin + performance.now();
    const sink: HostSink = {
      // `data` is a copy out of guest RAM with its own buffer: hand it over.
      write: (c, fd, data) => post({ t: 'out', cpu: c, fd, data }, [data.buffer as ArrayBuffer]),
      report: (c, key, value) => post({ t: 'report', cpu: c, key, value }),
      warn: (message, once) => post({ t: 'warn', message, once }),
      nowNs: () => BigInt(Math.round((nowMs() - init.epochMs) * 1e6)),
      calls: init.calls.numbers.length ? new HostCallClient(init.calls, words, post) : undefined,
    };
    const handler = new ExitHandler(words, mem, () => state, init.profile, sink);
    const deadlineOf = (): bigint =>
      typeof core.timerDeadline === 'function' ? BigInt.asUintN(64, BigInt(core.timerDeadline(cpu))) : NO_DEADLINE;

    /** Acknowledges a pause and blocks until resume; false when the machine halts instead. */
    const control = (): boolean => {
      const gen = words.pauseGen;
      const rs = words.runState;
      if (rs === L.RS_HALT) return false;
      if (rs === L.RS_PAUSE) {
        post({ t: 'paused', cpu });
        words.waitWhilePaused(gen);
        return words.runState !== L.RS_HALT;
      }
      return true; // resumed before this thread noticed the pause
    };

    /**
     * Parks the idle CPU while its wake word still holds the value the core
     * saw before going idle. With a timer armed, sleeps for the ticks left at
     * the nominal counter frequency, then warps the counter to the deadline.
     * A CPU waiting in WFE on its reservation runs again after at most
     * WFE_BACKSTOP_MS: the store that breaks the reservation wakes it, unless
     * that store raced with its going idle (assembly/wfe-watch.ts). Its
     * counter then moves on by the ticks it slept (never past its timer's
     * deadline), so that a timer armed further away still comes due.
     */
    const park = (): Outcome => {
      const seen = words.wfiSeen(cpu);
      const t0 = performance.now();
      const counter0 = words.counter(cpu);
      const backstopMs = words.wfeWatch(cpu) !== 0 ? t0 + L.WFE_BACKSTOP_MS : Infinity;
      let armed = NO_DEADLINE;
      let wakeAtMs = Infinity;
      try {
        for (;;) {
          if (words.stopRequested) {
            const insns = words.insns(cpu);
            if (!control()) return 'stop';
            if (words.insns(cpu) !== insns) return 'run'; // stepped by the host while paused: no longer idle
            continue;
          }
          if (words.wakeWord(cpu) !== seen) {
            words.warpTo(cpu, words.wakeClock(cpu));
            return 'run';
          }
          const deadline = deadlineOf();
          if (deadline !== armed) {
            armed = deadline;
            if (deadline === NO_DEADLINE) {
              wakeAtMs = Infinity;
            } else {
              const ticks = deadline - words.counter(cpu);
              if (ticks <= 0n) return 'run';
              wakeAtMs = performance.now() + (Number(ticks) * 1000) / Number(words.cntfrq(cpu));
            }
          }
          const now = performance.now();
          if (wakeAtMs - now <= 0) {
            words.warpTo(cpu, armed);
            return 'run';
          }
          if (backstopMs - now <= 0) {
            const slept = counter0 + BigInt(Math.floor(((now - t0) * Number(words.cntfrq(cpu))) / 1000));
            words.warpTo(cpu, slept < armed ? slept : armed);
            return 'run';
          }
          const forever = wakeAtMs === Infinity && backstopMs === Infinity;
          if (forever) Atomics.store(parked, cpu, 1);
          words.parkOn(cpu, seen, Math.min(wakeAtMs, backstopMs) - now);
          if (forever) Atomics.store(parked, cpu, 0);
        }
      } finally {
        Atomics.store(parked, cpu, 0);
        const ns = BigInt(Math.round((performance.now() - t0) * 1e6));
        Atomics.add(idle, STATS_IDLE * L.MAX_CPUS + cpu, ns);
      }
    };

    post({ t: 'started', cpu });
    for (;;) {
      let o = handler.handle(cpu, core.step(cpu, init.quantum));
      if (core.jit.stats.compileMs !== jitMs) {
        jitMs = core.jit.stats.compileMs;
        Atomics.store(idle, STATS_JIT * L.MAX_CPUS + cpu, BigInt(Math.round(jitMs * 1e6)));
      }
      if (o === 'idle') o = park();
      if (o === 'stop' && !control()) break;
    }
    post({ t: 'done', cpu });
  } catch (err) {
    post({ t: 'error', cpu, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}
