// Typed errors of the Machine API. Bad options and bad images are refused
// before anything runs (ConfigError from core.ts, LoadError); a machine that
// cannot go on raises a MachineError with a code and, when one CPU is to
// blame, its index.

export { ConfigError } from '../core.ts';
export { LoadError } from '../user/image.ts';
export { GuestAccessError } from '../guest-memory.ts';

export type MachineErrorCode =
  /** A CPU thread died (error event, or exit without reporting). */
  | 'WORKER_DIED'
  /** Deterministic mode: every CPU waits for an interrupt and none has a timer armed. */
  | 'DEADLOCK'
  /** The call does not fit the machine's state (start twice, stepCpu while running...). */
  | 'BAD_STATE'
  /** The machine was terminated by the host before it exited. */
  | 'TERMINATED'
  /** A host-call handler (Machine.onHostCall, onPhase) threw or returned a non-integer; `cpu` made the call, `cause` is the error. */
  | 'HOSTCALL_FAILED';

export class MachineError extends Error {
  override name = 'MachineError';
  constructor(
    readonly code: MachineErrorCode,
    message: string,
    /** The CPU concerned, when there is one. */
    readonly cpu?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
