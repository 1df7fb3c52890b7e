// Host calls served by the thread that owns the Machine. The owner registers
// a handler per call number (Machine.onHostCall, Machine.onPhase) before
// start(); a CPU that makes one of those calls waits while it runs, and its
// return value becomes x0:
//
// - deterministic mode, and host stepping (stepCpu): the CPU is stepped on
//   the owner's thread, which calls the handler in place (HostCallTable.invoke),
//   at that instruction, so a seed replays the calls too;
// - threads mode: the CPU thread posts a 'call' message and blocks on its
//   reply word (HostCallClient); the owner runs the handler when the message
//   arrives, stores the value and notifies (HostCallServer). The wait is
//   bounded and re-checks the run state: a CPU whose machine halts meanwhile
//   gives up and stops. A pause does not interrupt the wait: the reply comes
//   first, then the CPU acknowledges the pause.
//
// Numbers without a handler never leave the CPU thread (hostcalls.ts).
//
// Reply block: REPLY_STRIDE bytes per CPU: i32 state, i32 sequence number of
// the call, u64 value.

import * as L from '../../assembly/layout.ts';
import { ConfigError } from '../core.ts';
import { MachineError } from './errors.ts';
import { HOSTCALL, type HostCallPort } from './hostcalls.ts';
import type { MachineWords } from './words.ts';

export interface HostCall {
  /** The calling CPU. */
  readonly cpu: number;
  /** The call number (x8). */
  readonly nr: number;
  /** x0..x5, as u64. */
  readonly args: readonly bigint[];
}

/** Returns the call's result (x0): an integer in -2^63..2^64-1, stored as u64. */
export type HostCallHandler = (call: HostCall) => bigint | number;

/** A 'call' message from a CPU thread. */
export interface CallMessage {
  t: 'call';
  cpu: number;
  nr: number;
  args: bigint[];
  seq: number;
}

/** What a CPU thread needs to reach the owner's handlers. */
export interface RemoteCallsInit {
  /** The call numbers that have a handler. */
  numbers: number[];
  /** REPLY_STRIDE bytes per CPU. */
  reply: SharedArrayBuffer;
}

const REPLY_STRIDE = 16;
const IDLE = 0;
const PENDING = 1;
const DONE = 2;
/** The handler failed, or the machine was halting: no value; the CPU stops. */
const NO_REPLY = 3;
/** Longest single wait of a CPU thread for its reply before it re-checks the run state. */
const WAIT_MS = 10;

const NAMES = new Map<number, string>(Object.entries(HOSTCALL).map(([name, nr]) => [nr, name]));

const callName = (nr: number): string => `host call ${nr} (0x${nr.toString(16)}${nr === HOSTCALL.phase ? ', phase' : ''})`;

function toU64(v: unknown): bigint {
  let b: bigint | null = null;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  if (b === null || b < -(1n << 63n) || b >= 1n << 64n) {
    const what = typeof v === 'bigint' ? `${v}n` : typeof v === 'number' ? String(v) : typeof v;
    throw new TypeError(`the handler returned ${what}, not an integer in -2^63..2^64-1`);
  }
  return BigInt.asUintN(64, b);
}

/** The handlers, by call number; lives on the owner's thread. */
export class HostCallTable {
  private readonly handlers = new Map<number, HostCallHandler>();

  /** Call numbers that have a handler. */
  get numbers(): number[] {
    return [...this.handlers.keys()];
  }

  has(nr: number): boolean {
    return this.handlers.has(nr);
  }

  /** ConfigError for a built-in number, one outside 0..2^32-1, a second handler or one that is not a function. */
  register(nr: number, handler: HostCallHandler): void {
    if (typeof nr !== 'number' || !Number.isInteger(nr) || nr < 0 || nr > 0xffff_ffff) {
      throw new ConfigError(`a host call number must be an integer 0..2^32-1, got ${String(nr)}`);
    }
    const builtin = NAMES.get(nr);
    if (builtin !== undefined) {
      const hint = nr === HOSTCALL.phase ? ' (onPhase() registers its handler)' : '';
      throw new ConfigError(`host call ${nr} (0x${nr.toString(16)}) is the built-in ${builtin} call${hint}`);
    }
    this.add(nr, handler);
  }

  /** The handler of the phase call (0x102); ConfigError for a second one. */
  registerPhase(handler: HostCallHandler): void {
    this.add(HOSTCALL.phase, handler);
  }

  private add(nr: number, handler: HostCallHandler): void {
    if (typeof handler !== 'function') throw new ConfigError(`the handler of ${callName(nr)} must be a function`);
    if (this.handlers.has(nr)) throw new ConfigError(`${callName(nr)} already has a handler`);
    this.handlers.set(nr, handler);
  }

  /**
   * Runs the handler of `nr` for `cpu`; returns x0. MachineError
   * HOSTCALL_FAILED (the original error as its cause) when it throws or
   * returns something that is not a 64-bit integer.
   */
  invoke(cpu: number, nr: number, args: readonly bigint[]): bigint {
    const handler = this.handlers.get(nr);
    try {
      if (!handler) throw new Error('no handler');
      return toU64(handler({ cpu, nr, args: Object.freeze([...args]) }));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new MachineError('HOSTCALL_FAILED', `${callName(nr)} from CPU ${cpu} failed: ${msg}`, cpu, { cause: err });
    }
  }

  /** The port of a thread that steps CPUs on the owner's thread: handlers run in place. */
  port(): HostCallPort {
    return { has: (nr) => this.has(nr), call: (cpu, nr, args) => this.invoke(cpu, nr, args) };
  }
}

/** threads mode, owner's side: answers the 'call' messages of the CPU threads. */
export class HostCallServer {
  readonly reply: SharedArrayBuffer;
  private readonly i32: Int32Array;
  private readonly u64: BigUint64Array;

  constructor(
    private readonly table: HostCallTable,
    private readonly ncpus: number,
    private readonly words: MachineWords,
    /** Ends the machine with this error; the run state is RS_HALT when it returns. */
    private readonly fail: (err: MachineError) => void,
  ) {
    this.reply = new SharedArrayBuffer(REPLY_STRIDE * Math.max(1, ncpus));
    this.i32 = new Int32Array(this.reply);
    this.u64 = new BigUint64Array(this.reply);
  }

  init(): RemoteCallsInit {
    return { numbers: this.table.numbers, reply: this.reply };
  }

  /** Runs the handler and wakes the CPU; a halting machine's calls are not served. */
  serve(m: CallMessage): void {
    if (this.words.runState === L.RS_HALT) {
      this.answer(m, NO_REPLY, 0n);
      return;
    }
    let value: bigint;
    try {
      value = this.table.invoke(m.cpu, m.nr, m.args);
    } catch (err) {
      this.fail(err as MachineError);
      this.answer(m, NO_REPLY, 0n);
      return;
    }
    this.answer(m, DONE, value);
  }

  private answer(m: CallMessage, state: number, value: bigint): void {
    const at = (m.cpu * REPLY_STRIDE) >> 2;
    if (Atomics.load(this.i32, at + 1) !== m.seq) return;
    Atomics.store(this.u64, (m.cpu * REPLY_STRIDE + 8) >> 3, value);
    // The CPU thread may have given up (halt) and cleared the state first.
    if (Atomics.compareExchange(this.i32, at, PENDING, state) === PENDING) Atomics.notify(this.i32, at);
  }

  /** Whether a CPU waits for a reply (a host call is in flight). */
  inFlight(): boolean {
    for (let c = 0; c < this.ncpus; c++) if (Atomics.load(this.i32, (c * REPLY_STRIDE) >> 2) === PENDING) return true;
    return false;
  }

  /** Wakes every CPU thread waiting for a reply, so that it re-checks the run state. */
  wakeAll(): void {
    for (let c = 0; c < this.ncpus; c++) Atomics.notify(this.i32, (c * REPLY_STRIDE) >> 2);
  }
}

/** threads mode, CPU thread's side: a call with a handler goes to the owner and blocks until it answers. */
export class HostCallClient implements HostCallPort {
  private readonly numbers: Set<number>;
  private readonly i32: Int32Array;
  private readonly u64: BigUint64Array;
  private seq = 0;

  constructor(
    init: RemoteCallsInit,
    private readonly words: MachineWords,
    private readonly post: (m: CallMessage) => void,
  ) {
    this.numbers = new Set(init.numbers);
    this.i32 = new Int32Array(init.reply);
    this.u64 = new BigUint64Array(init.reply);
  }

  has(nr: number): boolean {
    return this.numbers.has(nr);
  }

  /** x0, or null when the machine halts first (the handler failed, or the machine ends meanwhile). */
  call(cpu: number, nr: number, args: bigint[]): bigint | null {
    const at = (cpu * REPLY_STRIDE) >> 2;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.i32, at + 1, this.seq);
    Atomics.store(this.i32, at, PENDING);
    this.post({ t: 'call', cpu, nr, args, seq: this.seq });
    for (;;) {
      const s = Atomics.load(this.i32, at);
      if (s === DONE) {
        Atomics.store(this.i32, at, IDLE);
        return Atomics.load(this.u64, (cpu * REPLY_STRIDE + 8) >> 3);
      }
      // NO_REPLY is written once the run state is RS_HALT.
      if (s !== PENDING) {
        Atomics.store(this.i32, at, IDLE);
        return null;
      }
      if (this.words.runState === L.RS_HALT && Atomics.compareExchange(this.i32, at, PENDING, IDLE) === PENDING) return null;
      Atomics.wait(this.i32, at, PENDING, WAIT_MS);
    }
  }
}
