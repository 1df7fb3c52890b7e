// The Machine's side of guest stores into text: the copy of the text words
// (bindings/patch/text-shadow.ts) and the reader of the core's store log
// (bindings/patch/guest-stores.ts), fed to the machine's CMODX checker.
//
// When the log is read: after every deterministic slice and every stepCpu();
// every POLL_MS while CPU threads run, when they have paused, and at the end;
// and before any host write into text (a patch, or a GuestMemory write), so
// that the guest's earlier stores are classified against the words they
// replaced and the copy then takes the host's words.

import type { GuestMemory } from '../guest-memory.ts';
import type { CmodxChecker, CpuActivity } from '../patch/cmodx.ts';
import { GuestStoreLog } from '../patch/guest-stores.ts';
import { TextShadow } from '../patch/text-shadow.ts';

/** How often the host reads the store log while CPU threads run. */
const POLL_MS = 2;

export class TextStores {
  readonly shadow: TextShadow;
  private readonly log: GuestStoreLog;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly mem: GuestMemory,
    checker: CmodxChecker,
    activity: () => CpuActivity[],
    where: (pc: bigint) => string | undefined,
  ) {
    this.shadow = new TextShadow(mem);
    this.log = new GuestStoreLog({ mem, shadow: this.shadow, checker, activity, where });
    mem.onTextWrite = (addr, len) => {
      this.drain();
      this.shadow.refresh(addr, len);
    };
  }

  /** Registers [start, end) as text: its words are copied and guest stores there are logged. */
  register(start: bigint, end: bigint): void {
    this.drain();
    this.shadow.add(start, end);
  }

  /** Reads the store log (see GuestStoreLog.drain); the events recorded. */
  drain(stopped = false): number {
    return this.log.drain(stopped);
  }

  /** Runs `write` (a host patch of the words at `addrs`) between a drain and a fresh copy of those words. */
  hostPatch<T>(addrs: readonly bigint[], write: () => T): T {
    this.drain();
    try {
      return write();
    } finally {
      for (const a of addrs) this.shadow.refresh(a, 4);
    }
  }

  startPolling(): void {
    this.timer ??= setInterval(() => this.drain(), POLL_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
