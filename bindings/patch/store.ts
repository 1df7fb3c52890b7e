// Writing a validated batch of instruction words through the core's patch
// primitives (assembly/patch.ts): patchWord, one compare-and-exchange per
// word, then notePatch for the code epoch and the invalidation log.
//
// All or nothing, under this rule:
//   - The words are written in the batch's order. The patch API (text.ts)
//     refuses a batch naming an address twice before it gets here; should a
//     caller of CoreStore pass one, the second site is compared with the word
//     the batch left there, so the last site's new word stays, as plain
//     stores in order would leave it.
//   - A word that no longer holds its expected old word (another writer
//     changed it after validation) refuses the batch: the words written
//     before it are put back, last first, each with a compare-and-exchange
//     from its new word to the word it replaced. A word another writer
//     changed after the batch wrote it is not put back: it stays as that
//     writer left it, and the refusal lists it.
//   - A refusal after some words were written still moves the code epoch and
//     logs their lines (a CPU may have fetched a new word in between); it
//     logs no other line, and the caller kicks no CPU and records nothing.

import * as L from '../../assembly/layout.ts';

/** The core exports a CoreStore writes through (bindings/core.ts). */
export interface PatchCore {
  patchWord(offset: number, expectedOld: number, newWord: number): number;
  notePatch(lines: number): number;
}

/** One site of a batch: its guest address (for its line), the word validated there and the word to write. */
export interface StoreSite {
  addr: bigint;
  expectedOld: number;
  newWord: number;
}

/** Why a batch was refused, after its written words were put back. */
export interface StoreRefusal {
  /** The site whose word was refused. */
  index: number;
  /** PATCH_MISMATCH or PATCH_OUTSIDE. */
  status: number;
  /** The word found there (PATCH_MISMATCH). */
  actual?: number;
  /** Sites before it whose words were put back. */
  restored: number;
  /** Sites before it whose words another writer changed after the batch wrote them (left as found), in order. */
  left: number[];
  /** Invalidation-log entries for the words written in between. */
  invalidations: number;
}

export class CoreStore {
  private readonly seen: Uint32Array;
  private readonly lines: BigUint64Array;

  constructor(memory: WebAssembly.Memory, private readonly core: PatchCore) {
    this.seen = new Uint32Array(memory.buffer, L.MACHINE_BASE + L.M_PATCH_SEEN, 1);
    this.lines = new BigUint64Array(memory.buffer, L.MACHINE_BASE + L.M_PATCH_LINES, L.PATCH_LINES);
  }

  /** Writes site k's new word at Wasm offset offsets[k], for every k; null when all are written. */
  write(offsets: readonly number[], sites: readonly StoreSite[]): StoreRefusal | null {
    const core = this.core;
    let replaced: Map<number, number> | undefined;
    for (let k = 0; k < sites.length; k++) {
      const s = sites[k]!;
      const status = core.patchWord(offsets[k]!, s.expectedOld, s.newWord);
      if (status === L.PATCH_WRITTEN) continue;
      const prev = status === L.PATCH_MISMATCH ? this.rewrite(offsets, sites, k) : undefined;
      if (prev === undefined) return this.refuse(offsets, sites, k, status, replaced);
      (replaced ??= new Map()).set(k, prev);
    }
    return null;
  }

  /** Moves the code epoch and logs the lines (one INV_ALL when there are more than PATCH_LINES); entries logged. */
  note(lines: ReadonlySet<bigint>): number {
    if (lines.size <= L.PATCH_LINES) {
      let i = 0;
      for (const line of lines) this.lines[i++] = line;
    }
    return this.core.notePatch(lines.size);
  }

  /**
   * Site k's word was not its expected old word: when an earlier site of the
   * batch wrote the same word and what it wrote is still there, writes site
   * k's word over it and returns the word replaced; else undefined.
   */
  private rewrite(offsets: readonly number[], sites: readonly StoreSite[], k: number): number | undefined {
    let j = k - 1;
    while (j >= 0 && offsets[j] !== offsets[k]) j--;
    if (j < 0) return undefined;
    const earlier = sites[j]!, s = sites[k]!;
    if (this.seen[0] !== earlier.newWord >>> 0 || s.expectedOld >>> 0 !== earlier.expectedOld >>> 0) return undefined;
    return this.core.patchWord(offsets[k]!, earlier.newWord, s.newWord) === L.PATCH_WRITTEN ? earlier.newWord >>> 0 : undefined;
  }

  /** Puts back the words of sites 0..k-1, last first, and records them; the refusal of site k. */
  private refuse(
    offsets: readonly number[], sites: readonly StoreSite[], k: number, status: number, replaced: Map<number, number> | undefined,
  ): StoreRefusal {
    const actual = status === L.PATCH_MISMATCH ? this.seen[0]! : undefined;
    const left: number[] = [];
    for (let j = k - 1; j >= 0; j--) {
      const s = sites[j]!;
      if (this.core.patchWord(offsets[j]!, s.newWord, replaced?.get(j) ?? s.expectedOld) !== L.PATCH_WRITTEN) left.push(j);
    }
    left.reverse();
    let invalidations = 0;
    if (k > 0) {
      const lines = new Set<bigint>();
      for (let j = 0; j < k; j++) lines.add(sites[j]!.addr & ~BigInt(L.ICACHE_LINE - 1));
      invalidations = this.note(lines);
    }
    return { index: k, status, actual, restored: k - left.length, left, invalidations };
  }
}
