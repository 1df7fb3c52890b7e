// Guest stores into text as CMODX events: the reader of the core's store log
// (assembly/store-log.ts, layout.ts "guest stores into text").
//
// Each entry is one store instruction that landed in a PAGE_TEXT page. For
// every registered text word it covers and changed, the old word comes from
// the host's copy (text-shadow.ts) and the new one from the entry (the words
// as the core read them right after the store); the pair is classified with
// the rule of the patch API (cmodx.ts classify) against the other CPUs as
// they were when the store was logged (SL_IDLE: parked or stopped, else
// running), and the copy takes the new word. Words the store left as they
// were, and bytes outside registered text, are not events.
//
// Stores the log had no room for (M_SLOG_LOST) are counted as unclassified;
// the copy is then taken again from memory, since those stores changed
// words the log never described (an entry published after that re-read may
// then show its new word as the old one too).

import * as L from '../../assembly/layout.ts';
import type { GuestMemory } from '../guest-memory.ts';
import { classify, cmodxClass, type CmodxChecker, type CmodxRecord, type CpuActivity } from './cmodx.ts';
import type { TextShadow } from './text-shadow.ts';

export interface GuestStoreTarget {
  mem: GuestMemory;
  shadow: TextShadow;
  checker: CmodxChecker;
  /** Every CPU as the host sees it now (for PCs and symbols; the verdict uses the entry's parked set). */
  activity(): CpuActivity[];
  /** pc as symbol+offset, when known. */
  where(pc: bigint): string | undefined;
}

export class GuestStoreLog {
  private readonly dv: DataView;
  private readonly u32: Uint32Array;
  private lost = 0;

  constructor(private readonly t: GuestStoreTarget) {
    this.dv = new DataView(t.mem.memory.buffer);
    this.u32 = new Uint32Array(t.mem.memory.buffer);
  }

  /** Entries logged and not read yet (published or still being written). */
  get pending(): number {
    return (Atomics.load(this.u32, (L.MACHINE_BASE + L.M_SLOG_HEAD) >> 2) - Atomics.load(this.u32, (L.MACHINE_BASE + L.M_SLOG_TAIL) >> 2)) >>> 0;
  }

  /**
   * Reads every published entry in order and records its events; returns
   * the events recorded. With `stopped`, the other CPUs count as stopped
   * whatever the entry says (stores made while the host steps one CPU of a
   * machine that is not running).
   */
  drain(stopped = false): number {
    const u32 = this.u32;
    const headAt = (L.MACHINE_BASE + L.M_SLOG_HEAD) >> 2, tailAt = (L.MACHINE_BASE + L.M_SLOG_TAIL) >> 2;
    let tail = Atomics.load(u32, tailAt);
    const head = Atomics.load(u32, headAt);
    let events = 0;
    let activity: CpuActivity[] | null = null;
    while (tail !== head) {
      const e = L.SLOG_BASE + (tail & (L.SLOG_ENTRIES - 1)) * L.SLOG_ENTRY;
      if (Atomics.load(u32, (e + L.SL_SEQ) >> 2) !== ((tail + 1) >>> 0)) break; // still being written
      activity ??= this.t.activity();
      events += this.entry(e, activity, stopped);
      tail = (tail + 1) >>> 0;
      Atomics.store(u32, tailAt, tail);
    }
    const lost = Atomics.load(u32, (L.MACHINE_BASE + L.M_SLOG_LOST) >> 2);
    if (lost !== this.lost) {
      this.t.checker.unclassified((lost - this.lost) >>> 0);
      this.lost = lost;
      this.t.shadow.refreshAll();
    }
    return events;
  }

  private entry(e: number, activity: readonly CpuActivity[], stopped: boolean): number {
    const dv = this.dv, t = this.t;
    const writer = dv.getUint32(e + L.SL_CPU, true);
    const size = dv.getUint32(e + L.SL_SIZE, true);
    const nwords = dv.getUint32(e + L.SL_NWORDS, true);
    const addr = dv.getBigUint64(e + L.SL_ADDR, true);
    const pc = dv.getBigUint64(e + L.SL_PC, true);
    const parked = dv.getBigUint64(e + L.SL_IDLE, true);
    let cpus: CpuActivity[] | null = null;
    let events = 0;
    const first = addr & ~3n;
    for (let k = 0; k < nwords; k++) {
      const at = first + BigInt(k * 4);
      const oldWord = t.shadow.word(at);
      if (oldWord === undefined) continue;
      // words past the entry's capacity (a DC ZVA block): as memory holds them now
      const newWord = k < L.SLOG_WORDS ? dv.getUint32(e + L.SL_WORDS + k * 4, true) : t.mem.u32(at);
      if (newWord === oldWord) continue;
      t.shadow.set(at, newWord);
      cpus ??= activity.map((c) => c.cpu === writer ? c : {
        ...c,
        state: stopped ? 'stopped' : ((parked >> BigInt(c.cpu)) & 1n) === 0n ? 'running' : c.state === 'stopped' ? 'stopped' : 'idle',
      });
      const rec: CmodxRecord = {
        address: at, oldWord, newWord,
        verdict: classify(oldWord, newWord, cpus.filter((c) => c.cpu !== writer)),
        oldClass: cmodxClass(oldWord), newClass: cmodxClass(newWord), cpus,
        source: 'guest', writer, pc, where: t.where(pc) ?? null,
        store: { address: addr, size },
      };
      t.checker.record(rec);
      events++;
    }
    return events;
  }
}
