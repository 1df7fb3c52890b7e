// Host patching of guest instructions: validated, atomic, with the cache
// maintenance done in the same call.
//
//   patchText(addr, expectedOld, newWord)        one site
//   patchBatch([{ addr, expectedOld, newWord }])  all or nothing
//
// Every site is checked first (4-byte aligned, inside loaded text, current
// word == expectedOld, CMODX verdict under `strict`); any failure throws a
// PatchError naming the address and the words, and nothing is written. Then
// each word is written with one atomic 32-bit store into the shared memory,
// the code epoch moves (translated regions re-check their words), the lines
// go into the invalidation log (each CPU drops them at its next context
// synchronization, assembly/icache.ts), and with `kick` every CPU is asked to
// take a context synchronization at its next step (as Linux's
// kick_all_cpus_sync does with an IPI).

import * as L from '../../assembly/layout.ts';
import type { GuestMemory } from '../guest-memory.ts';
import { classify, cmodxClass, type CmodxChecker, type CmodxRecord, type CpuActivity } from './cmodx.ts';

export type PatchErrorCode = 'misaligned' | 'not-text' | 'mismatch' | 'cmodx' | 'bad-word';

export class PatchError extends Error {
  override name = 'PatchError';
  constructor(
    readonly code: PatchErrorCode,
    readonly address: bigint,
    readonly expectedOld: number,
    readonly newWord: number,
    /** The word found in memory (for 'mismatch'). */
    readonly actual?: number,
    detail = '',
  ) {
    const hex = (w: number) => `0x${(w >>> 0).toString(16).padStart(8, '0')}`;
    super(
      `patch at 0x${address.toString(16)} (${hex(expectedOld)} -> ${hex(newWord)}) refused: ` +
        ({
          misaligned: 'address is not 4-byte aligned',
          'not-text': 'address is not in loaded text',
          mismatch: `memory holds ${hex(actual ?? 0)}, not the expected old word`,
          cmodx: 'concurrent modification outside the architecture\'s list while other CPUs run (strict CMODX)',
          'bad-word': 'words must be 32-bit unsigned integers',
        } as const)[code] + (detail ? `: ${detail}` : ''),
    );
  }
}

export interface PatchSite {
  addr: bigint;
  expectedOld: number;
  newWord: number;
}

export interface PatchOptions {
  /** Make every CPU take a context synchronization at its next step (default false). */
  kick?: boolean;
  /** Refuse writes the CMODX checker calls violations (default false: write and record). */
  strict?: boolean;
  /** The CPU doing the write, if it is one of the machine's (excluded from "other CPUs running"). */
  writer?: number;
}

export interface PatchResult {
  written: number;
  /** Lines appended to the invalidation log (or 1 for an invalidate-all). */
  invalidations: number;
  records: CmodxRecord[];
}

export interface PatchTarget {
  memory: WebAssembly.Memory;
  mem: GuestMemory;
  cpus: number;
  /** Guest address ranges that hold code (executable segments, trampolines). */
  text(): readonly { start: bigint; end: bigint }[];
  /** What every CPU is doing now. */
  activity(): CpuActivity[];
  checker?: CmodxChecker;
}

export class TextPatcher {
  private readonly words: Int32Array;
  private readonly machine: Int32Array;
  private readonly ring: BigUint64Array;

  constructor(readonly target: PatchTarget) {
    this.words = new Int32Array(target.memory.buffer);
    this.machine = new Int32Array(target.memory.buffer, L.MACHINE_BASE, L.MACHINE_SIZE / 4);
    this.ring = new BigUint64Array(target.memory.buffer, L.MACHINE_BASE + L.M_INV_RING, L.INV_RING);
  }

  patchText(addr: bigint, expectedOld: number, newWord: number, opts: PatchOptions = {}): PatchResult {
    return this.patchBatch([{ addr, expectedOld, newWord }], opts);
  }

  patchBatch(sites: readonly PatchSite[], opts: PatchOptions = {}): PatchResult {
    const mem = this.target.mem;
    const text = this.target.text();
    const activity = this.target.activity();
    const others = activity.filter((c) => c.cpu !== opts.writer);
    const checker = this.target.checker;
    const idx: number[] = new Array(sites.length);
    const records: CmodxRecord[] = [];
    // 1. validate everything
    for (let k = 0; k < sites.length; k++) {
      const { addr, expectedOld, newWord } = sites[k]!;
      if (!isWord(expectedOld) || !isWord(newWord)) throw new PatchError('bad-word', addr, expectedOld, newWord);
      if ((addr & 3n) !== 0n) throw new PatchError('misaligned', addr, expectedOld, newWord);
      let inText = false;
      for (const r of text) if (addr >= r.start && addr + 4n <= r.end) { inText = true; break; }
      if (!inText || !mem.contains(addr, 4)) throw new PatchError('not-text', addr, expectedOld, newWord);
      const i = (mem.ramOffset + Number(addr - mem.base)) >> 2;
      const actual = Atomics.load(this.words, i) >>> 0;
      if (actual !== expectedOld >>> 0) throw new PatchError('mismatch', addr, expectedOld, newWord, actual);
      idx[k] = i;
      const verdict = classify(expectedOld, newWord, others);
      if (verdict !== 'allowed' || checker) {
        const rec: CmodxRecord = {
          address: addr, oldWord: expectedOld >>> 0, newWord: newWord >>> 0, verdict,
          oldClass: cmodxClass(expectedOld), newClass: cmodxClass(newWord), cpus: activity,
        };
        if (verdict === 'violation' && opts.strict) {
          throw new PatchError('cmodx', addr, expectedOld, newWord, undefined,
            `running: ${others.filter((c) => c.state === 'running').map((c) => `cpu${c.cpu}@${c.where ?? '0x' + c.pc.toString(16)}`).join(', ')}`);
        }
        records.push(rec);
      }
    }
    // 2. write, then move the epoch and log the lines
    for (let k = 0; k < sites.length; k++) Atomics.store(this.words, idx[k]!, sites[k]!.newWord | 0);
    Atomics.add(this.machine, L.M_CODE_EPOCH >> 2, 1);
    const lines = new Set<bigint>();
    for (const s of sites) lines.add(s.addr & ~BigInt(L.ICACHE_LINE - 1));
    const invalidations = this.logLines(lines);
    if (opts.kick) {
      for (let c = 0; c < this.target.cpus; c++) {
        Atomics.store(this.words, (L.CPU_BASE + c * L.CPU_STRIDE + L.C_SYNC_REQ) >> 2, 1);
      }
    }
    if (checker) for (const r of records) checker.record(r);
    return { written: sites.length, invalidations, records };
  }

  /** Appends the lines (or one invalidate-all when they would overflow the ring) under the log's lock. */
  private logLines(lines: Set<bigint>): number {
    const m = this.machine;
    while (Atomics.compareExchange(m, L.M_INV_LOCK >> 2, 0, 1) !== 0) { /* writers hold it for a few stores */ }
    let seq = Atomics.load(m, L.M_INV_SEQ >> 2) >>> 0;
    const entries = lines.size > L.INV_RING / 2 ? [BigInt(L.INV_ALL)] : [...lines];
    for (const line of entries) {
      this.ring[seq & (L.INV_RING - 1)] = line;
      seq = (seq + 1) >>> 0;
    }
    Atomics.store(m, L.M_INV_SEQ >> 2, seq | 0);
    Atomics.store(m, L.M_INV_LOCK >> 2, 0);
    return entries.length;
  }
}

function isWord(w: number): boolean {
  return Number.isInteger(w) && w >= -0x80000000 && w <= 0xffffffff;
}
