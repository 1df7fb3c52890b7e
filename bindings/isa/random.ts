// Random allocated encodings of a table row, for fuzzers and tests.

import { decodeBitMasks } from './bits.ts';
import { encodeFields, findRow, type Fields, type Row } from './pattern.ts';

/** A small seeded generator (xorshift32): uniform 32-bit unsigned integers. */
export function makeRng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** A uniform integer in [0, n). */
export function below(rng: () => number, n: number): number {
  return Math.floor((rng() / 0x100000000) * n);
}

/** Whether the fields hold a reserved logical immediate (the table's patterns cannot express that). */
export function reservedLogicalImm(row: Row, f: Fields): boolean {
  if (row.pd !== 'log_imm') return false;
  return decodeBitMasks(f.N, f.immr, f.imms, f.sf ? 64 : 32) === null;
}

/** Whether the fields give an allocated word that decodes to this row (not to an earlier row a catch-all overlaps). */
export function allocated(row: Row, f: Fields): boolean {
  let word: number;
  try {
    word = encodeFields(row, f);
  } catch {
    return false;
  }
  return findRow(word) === row && !reservedLogicalImm(row, f);
}

/**
 * Random values for the row's variable fields (fixed and should-be fields
 * take their required values) making an allocated word; `accept` may reject
 * further combinations. Throws after many fruitless attempts.
 */
export function randomFields(row: Row, rng: () => number, accept?: (f: Fields) => boolean): Fields {
  for (let attempt = 0; attempt < 10000; attempt++) {
    const f: Fields = {};
    for (const fd of row.fields) {
      if (fd.fixed !== undefined) f[fd.name] = fd.fixed;
      else if (fd.shouldBe !== undefined) f[fd.name] = fd.shouldBe;
      else {
        // edge values (all zeros, all ones) a quarter of the time: they select most aliases
        const mask = fd.width >= 32 ? 0xffffffff : (1 << fd.width) - 1;
        const pick = rng() & 7;
        f[fd.name] = pick === 0 ? 0 : pick === 1 ? mask : (rng() & mask) >>> 0;
      }
    }
    if (allocated(row, f) && (!accept || accept(f))) return f;
  }
  throw new Error(`${row.id}: no allocated random fields found`);
}
