// Host patching of guest instructions: validated, atomic, with the cache
// maintenance done in the same call.
//
//   patchText(addr, expectedOld, newWord)        one site
//   patchBatch([{ addr, expectedOld, newWord }])  all or nothing
//
// Every site is checked first (a bigint address, 4-byte aligned, inside
// loaded text, named once in the batch, words that are integers
// 0..2^32-1, current word == expectedOld, CMODX verdict under `strict`); any
// failure throws a PatchError naming the address and the words, and nothing
// is written. Then
// the core writes each word with one compare-and-exchange (assembly/patch.ts),
// so a word that changed after validation refuses the batch with a 'mismatch'
// PatchError, its written words put back (the rule is in store.ts); the code
// epoch moves (translated regions re-check their words), the lines go into
// the invalidation log (each CPU drops them at its next context
// synchronization, assembly/icache.ts), and with `kick` every CPU is asked to
// take a context synchronization at its next step (as Linux's
// kick_all_cpus_sync does with an IPI).

import * as L from '../../assembly/layout.ts';
import { instantiateCore } from '../core.ts';
import type { GuestMemory } from '../guest-memory.ts';
import { classify, cmodxClass, type CmodxChecker, type CmodxRecord, type CpuActivity } from './cmodx.ts';
import { CoreStore, type PatchCore, type StoreRefusal } from './store.ts';

export type PatchErrorCode =
  | 'misaligned'
  | 'not-text'
  | 'mismatch'
  | 'cmodx'
  /** expectedOld or newWord is not an integer 0..2^32-1. */
  | 'bad-word'
  /** The address is not a bigint. */
  | 'bad-address'
  /** The batch names the address twice (which word should win is not guessed). */
  | 'duplicate'
  /** The machine has ended: its memory is no longer patched. */
  | 'ended';

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
    const hex = (w: unknown) =>
      typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 0xffffffff ? `0x${w.toString(16).padStart(8, '0')}` : String(w);
    super(
      (code === 'bad-address' ? 'patch' : `patch at 0x${BigInt.asUintN(64, address).toString(16)}`) +
        ` (${hex(expectedOld)} -> ${hex(newWord)}) refused: ` +
        ({
          misaligned: 'address is not 4-byte aligned',
          'not-text': 'address is not in loaded text',
          mismatch: `memory holds ${hex(actual ?? 0)}, not the expected old word`,
          cmodx: 'concurrent modification outside the architecture\'s list while other CPUs run (strict CMODX)',
          'bad-word': 'words must be integers 0..2^32-1',
          'bad-address': 'the address must be a bigint',
          duplicate: 'the batch names this address more than once',
          ended: 'the machine has ended',
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
  /**
   * The caller guarantees no CPU can be executing these words: freshly
   * written code no branch reaches yet, or retired code after a grace period.
   * Validated, written and logged for invalidation like any patch, but not a
   * concurrent modification: the CMODX checker records nothing.
   */
  unreachable?: boolean;
  /**
   * Every other CPU is held where it cannot fetch these words (a
   * stop_machine()-style rendezvous, or the host writing between
   * deterministic slices on purpose): a write outside the list is
   * quiescent, not a violation. Tasks preempted inside the words are not
   * held by it.
   */
  held?: boolean;
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
  /** The core exports that write the words (default: a core instance of its own over `memory`). */
  core?: PatchCore;
}

export class TextPatcher {
  private readonly words: Int32Array;
  private readonly store: CoreStore;

  constructor(readonly target: PatchTarget) {
    this.words = new Int32Array(target.memory.buffer);
    this.store = new CoreStore(target.memory, target.core ?? instantiateCore(target.memory));
  }

  patchText(addr: bigint, expectedOld: number, newWord: number, opts: PatchOptions = {}): PatchResult {
    return this.patchBatch([{ addr, expectedOld, newWord }], opts);
  }

  patchBatch(sites: readonly PatchSite[], opts: PatchOptions = {}): PatchResult {
    const mem = this.target.mem;
    const text = this.target.text();
    const seen = this.target.activity();
    const activity = opts.held ? seen.map((c) => (c.cpu === opts.writer ? c : { ...c, state: 'stopped' as const })) : seen;
    const others = activity.filter((c) => c.cpu !== opts.writer);
    const checker = this.target.checker;
    const offsets: number[] = new Array(sites.length);
    const records: CmodxRecord[] = [];
    const named = new Map<bigint, number>();
    // 1. validate everything
    for (let k = 0; k < sites.length; k++) {
      const { addr, expectedOld, newWord } = sites[k]!;
      if (typeof addr !== 'bigint') {
        throw new PatchError('bad-address', 0n, expectedOld, newWord, undefined, `site ${k} has addr ${String(addr)} (${typeof addr})`);
      }
      if (!isWord(expectedOld) || !isWord(newWord)) throw new PatchError('bad-word', addr, expectedOld, newWord, undefined, `site ${k}`);
      if ((addr & 3n) !== 0n) throw new PatchError('misaligned', addr, expectedOld, newWord);
      const first = named.get(addr);
      if (first !== undefined) throw new PatchError('duplicate', addr, expectedOld, newWord, undefined, `sites ${first} and ${k}`);
      named.set(addr, k);
      let inText = false;
      for (const r of text) if (addr >= r.start && addr + 4n <= r.end) { inText = true; break; }
      if (!inText || !mem.contains(addr, 4)) throw new PatchError('not-text', addr, expectedOld, newWord);
      const o = mem.ramOffset + Number(addr - mem.base);
      const actual = Atomics.load(this.words, o >>> 2) >>> 0; // o may be 2^31 or more
      if (actual !== expectedOld >>> 0) throw new PatchError('mismatch', addr, expectedOld, newWord, actual);
      offsets[k] = o;
      const verdict = classify(expectedOld, newWord, others);
      if (!opts.unreachable && (verdict !== 'allowed' || checker)) {
        const rec: CmodxRecord = {
          address: addr, oldWord: expectedOld >>> 0, newWord: newWord >>> 0, verdict,
          oldClass: cmodxClass(expectedOld), newClass: cmodxClass(newWord), cpus: activity,
          source: 'host', writer: opts.writer ?? null, pc: null, where: null,
        };
        if (verdict === 'violation' && opts.strict) {
          throw new PatchError('cmodx', addr, expectedOld, newWord, undefined,
            `running: ${others.filter((c) => c.state === 'running').map((c) => `cpu${c.cpu}@${c.where ?? '0x' + c.pc.toString(16)}`).join(', ')}`);
        }
        records.push(rec);
      }
    }
    // 2. write (or put back and refuse), then move the epoch and log the lines
    const refused = this.store.write(offsets, sites);
    if (refused) throw refusal(sites, refused);
    const lines = new Set<bigint>();
    for (const s of sites) lines.add(s.addr & ~BigInt(L.ICACHE_LINE - 1));
    const invalidations = this.store.note(lines);
    if (opts.kick) {
      for (let c = 0; c < this.target.cpus; c++) {
        Atomics.store(this.words, (L.CPU_BASE + c * L.CPU_STRIDE + L.C_SYNC_REQ) >> 2, 1);
      }
    }
    if (checker) for (const r of records) checker.record(r);
    return { written: sites.length, invalidations, records };
  }
}

/** The PatchError of a batch the core refused while writing it. */
function refusal(sites: readonly PatchSite[], r: StoreRefusal): PatchError {
  const { addr, expectedOld, newWord } = sites[r.index]!;
  if (r.status !== L.PATCH_MISMATCH) return new PatchError('not-text', addr, expectedOld, newWord);
  const left = r.left.map((j) => `0x${sites[j]!.addr.toString(16)}`);
  return new PatchError('mismatch', addr, expectedOld, newWord, r.actual,
    `the word changed after validation; ${r.restored} word(s) written before it were put back` +
      (left.length ? `, ${left.length} changed since by another writer left as found (${left.join(', ')})` : ''));
}

function isWord(w: unknown): w is number {
  return typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 0xffffffff;
}
