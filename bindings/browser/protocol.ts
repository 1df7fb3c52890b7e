// Messages between the page (main thread) and its controller worker, which
// owns every machine: the main thread never runs or waits for one.

import type { LiveOptions, LiveSnapshot } from '../workload/live.ts';

export type Request =
  | { id: number; op: 'hackbench'; options: Record<string, unknown> }
  | { id: number; op: 'trace'; options: Record<string, unknown>; /** also the Perfetto document and the text trace */ full?: boolean }
  | { id: number; op: 'race'; options: Record<string, unknown> }
  | { id: number; op: 'live-start'; options: LiveOptions }
  | { id: number; op: 'live-set'; fn: string; on: boolean }
  | { id: number; op: 'live-snapshot'; fn: string }
  | { id: number; op: 'live-stop' };

/** An error as it crosses to the page: its class name, its code (typed errors) and message. */
export interface WireError {
  name: string;
  code?: string;
  message: string;
}

export type Reply =
  | { t: 'ready'; cores: number }
  | { t: 'fatal'; error: WireError }
  | { t: 'progress'; id: number; value: unknown }
  | { t: 'result'; id: number; value: unknown }
  | { t: 'error'; id: number; error: WireError };

/** What a full trace request returns besides the --json object. */
export interface TraceExtras {
  json: object;
  text: string;
  perfetto: object;
  /** trace-cmd's trace.dat of the same events (trace-cmd report, KernelShark). */
  traceDat: Uint8Array;
}

export interface LiveStarted {
  functions: string[];
  cpus: number;
}

export type { LiveSnapshot };
