// The options of the ftrace core (Ftrace.attach) and its error type.

import { ENTRY_PROTOCOLS, SITE_SYNCS, type EntryProtocol, type SiteSync } from './entry.ts';
import { DESIGNS, type TrampolineDesign } from './designs.ts';
import { RET_STACK_MAX } from './layout.ts';
import type { PatcherKind } from './patcher.ts';

export type FtraceErrorCode = 'bad-state' | 'not-ftrace-kernel' | 'not-nop' | 'bad-option' | 'no-room' | 'guest-refused';

export class FtraceError extends Error {
  override name = 'FtraceError';
  constructor(readonly code: FtraceErrorCode, message: string) {
    super(message);
  }
}

export interface FtraceOptions {
  /** Ring buffer per CPU in KiB, 4..65536 (default 1024); the capacity is the largest power of two of events that fits. */
  bufferKb?: number;
  /** Return-stack entries per task for function_graph and the profiler, 1..50 (default 50). */
  retDepth?: number;
  /** Host interval between drains of the ring buffers while the machine runs, in ms (default 2). */
  drainMs?: number;
  /** Who writes call-site words while the machine runs (patcher.ts); default 'host'. */
  patcher?: PatcherKind;
  /** Guest patcher flags (layout.ts PATCHQ_FL): leave out IC IVAU, or the SGIs after a batch (to study what breaks). */
  patchFlags?: number;
  /** How call sites reach the callbacks (designs.ts); default 'list'. 'call-ops' needs a =4,2 image with 8-byte aligned literals. */
  trampoline?: TrampolineDesign;
  /**
   * When a dynamic trampoline whose ops left is freed: after an RCU-tasks
   * grace period in the guest (default), or at once ('now': unsafe, for
   * showing what the grace period prevents).
   */
  trampolineFree?: 'rcu-tasks' | 'now';
  /**
   * Place dynamic and direct-call trampolines in the last 64 KiB of RAM,
   * beyond BL's +-128 MiB from the kernel text, so sites reach them through
   * veneers (default false: in the kernel's trampoline room).
   */
  farTrampolines?: boolean;
  /**
   * How the first word of each entry is managed (entry.ts): 'init-mov'
   * (default: MOV X9, X30 written at boot, only the call site toggles),
   * 'runtime' (NOP at rest, both words written live) or 'b-plus-2' (B .+8 at
   * rest, toggled with MOV X9, X30).
   */
  entry?: EntryProtocol;
  /** Between the two phases of a two-word update (entry.ts): 'none' (default), 'rcu-tasks' or 'stop-machine'. */
  sync?: SiteSync;
}

/** The options with their defaults; FtraceError('bad-option') naming the first bad one. */
export function resolveFtraceOptions(options: FtraceOptions): Required<FtraceOptions> {
  const bufferKb = options.bufferKb ?? 1024;
  if (!Number.isInteger(bufferKb) || bufferKb < 4 || bufferKb > 65536) {
    throw new FtraceError('bad-option', `buffer size must be an integer 4..65536 KiB, got ${bufferKb}`);
  }
  const retDepth = options.retDepth ?? RET_STACK_MAX;
  if (!Number.isInteger(retDepth) || retDepth < 1 || retDepth > RET_STACK_MAX) {
    throw new FtraceError('bad-option', `return stack depth must be 1..${RET_STACK_MAX}, got ${retDepth}`);
  }
  const drainMs = options.drainMs ?? 2;
  if (!(drainMs > 0 && drainMs <= 10_000)) throw new FtraceError('bad-option', `drain interval must be in (0, 10000] ms, got ${drainMs}`);
  const patcher = options.patcher ?? 'host';
  if (patcher !== 'host' && patcher !== 'guest') throw new FtraceError('bad-option', `patcher must be host or guest, got ${String(patcher)}`);
  const patchFlags = options.patchFlags ?? 0;
  if (!Number.isInteger(patchFlags) || patchFlags < 0 || patchFlags > 3) throw new FtraceError('bad-option', `patch flags must be 0..3, got ${patchFlags}`);
  const trampoline = options.trampoline ?? 'list';
  if (!(DESIGNS as readonly string[]).includes(trampoline)) {
    throw new FtraceError('bad-option', `trampoline must be one of ${DESIGNS.join(', ')}, got ${String(trampoline)}`);
  }
  const farTrampolines = options.farTrampolines ?? false;
  if (typeof farTrampolines !== 'boolean') throw new FtraceError('bad-option', 'farTrampolines must be true or false');
  const entry = options.entry ?? 'init-mov';
  if (!ENTRY_PROTOCOLS.includes(entry)) throw new FtraceError('bad-option', `entry must be one of ${ENTRY_PROTOCOLS.join(', ')}, got ${String(entry)}`);
  const sync = options.sync ?? 'none';
  if (!SITE_SYNCS.includes(sync)) throw new FtraceError('bad-option', `sync must be one of ${SITE_SYNCS.join(', ')}, got ${String(sync)}`);
  const trampolineFree = options.trampolineFree ?? 'rcu-tasks';
  if (trampolineFree !== 'rcu-tasks' && trampolineFree !== 'now') throw new FtraceError('bad-option', `trampolineFree must be rcu-tasks or now, got ${String(trampolineFree)}`);
  return { bufferKb, retDepth, drainMs, patcher, patchFlags, trampoline, farTrampolines, trampolineFree, entry, sync };
}
