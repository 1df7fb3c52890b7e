// Bit patterns of the encoding table: parsing, matching, field extraction and
// encoding. Used at build time (to generate the core's decoder) and at run
// time (disassembler, encoder, fuzzers).

import { ENCODINGS, type EncodingRow, type FieldMatch } from './encodings.ts';

export interface Field {
  readonly name: string;
  readonly lo: number; //      lowest bit
  readonly width: number;
  readonly fixed?: number; //  value required for the row to match
  readonly shouldBe?: number; // value written by the encoder, ignored by the decoder
}

export interface Pattern {
  readonly mask: number; //  bits that must match (unsigned 32-bit)
  readonly value: number; // their values
  readonly fields: readonly Field[]; // named fields, most significant first
}

export interface Row extends EncodingRow, Pattern {
  readonly index: number;
  /** Undef conditions as (mask, value) pairs over the whole word. */
  readonly undefMasks: readonly { readonly mask: number; readonly value: number }[];
}

export class PatternError extends Error {
  override name = 'PatternError';
}

export function parsePattern(pat: string, where = pat): Pattern {
  let bit = 32;
  let mask = 0;
  let value = 0;
  const fields: Field[] = [];
  const put = (bits: string, named: boolean): void => {
    for (const ch of bits) {
      bit--;
      if (bit < 0) throw new PatternError(`${where}: more than 32 bits`);
      if (ch === 'x') continue;
      if (ch !== '0' && ch !== '1') throw new PatternError(`${where}: bad bit '${ch}'`);
      if (named) continue;
      mask |= 1 << bit;
      if (ch === '1') value |= 1 << bit;
    }
  };
  for (const tok of pat.trim().split(/\s+/)) {
    let m: RegExpMatchArray | null;
    if (/^[01x]+$/.test(tok)) {
      put(tok, false);
    } else if ((m = tok.match(/^([A-Za-z_][A-Za-z0-9_]*)(?::(\d+))?$/))) {
      const width = m[2] ? Number(m[2]) : 1;
      bit -= width;
      if (bit < 0) throw new PatternError(`${where}: more than 32 bits`);
      fields.push({ name: m[1], lo: bit, width });
    } else if ((m = tok.match(/^([A-Za-z_][A-Za-z0-9_]*)=(\()?([01]+)\)?$/))) {
      const bits = m[3];
      const width = bits.length;
      const lo = bit - width;
      if (lo < 0) throw new PatternError(`${where}: more than 32 bits`);
      const v = parseInt(bits, 2);
      if (m[2]) {
        bit = lo;
        fields.push({ name: m[1], lo, width, shouldBe: v });
      } else {
        put(bits, false);
        fields.push({ name: m[1], lo, width, fixed: v });
      }
    } else {
      throw new PatternError(`${where}: bad token '${tok}'`);
    }
  }
  if (bit !== 0) throw new PatternError(`${where}: ${32 - bit} bits, expected 32`);
  const names = new Set<string>();
  for (const f of fields) {
    if (names.has(f.name)) throw new PatternError(`${where}: field ${f.name} twice`);
    names.add(f.name);
  }
  return { mask: mask >>> 0, value: value >>> 0, fields };
}

function fieldMask(f: Field): number {
  return f.width === 32 ? 0xffffffff : (((1 << f.width) - 1) << f.lo) >>> 0;
}

function undefMask(row: EncodingRow, fields: readonly Field[], cond: Readonly<Record<string, FieldMatch>>) {
  let mask = 0;
  let value = 0;
  for (const [name, want] of Object.entries(cond)) {
    const f = fields.find((g) => g.name === name);
    if (!f) throw new PatternError(`${row.id}: undef names unknown field ${name}`);
    const bits = typeof want === 'number' ? want.toString(2).padStart(f.width, '0') : want;
    if (bits.length !== f.width) throw new PatternError(`${row.id}: undef ${name}=${want} has the wrong width`);
    for (let i = 0; i < f.width; i++) {
      const ch = bits[f.width - 1 - i];
      if (ch === 'x') continue;
      mask |= 1 << (f.lo + i);
      if (ch === '1') value |= 1 << (f.lo + i);
    }
  }
  return { mask: mask >>> 0, value: value >>> 0 };
}

function buildRows(): Row[] {
  const ids = new Set<string>();
  return ENCODINGS.map((r, index) => {
    if (ids.has(r.id)) throw new PatternError(`duplicate row id ${r.id}`);
    ids.add(r.id);
    const p = parsePattern(r.pat, r.id);
    const undefMasks = (r.undef ?? []).map((c) => undefMask(r, p.fields, c));
    return { ...r, ...p, index, undefMasks };
  });
}

export const ROWS: readonly Row[] = buildRows();
export const ROW_BY_ID: ReadonlyMap<string, Row> = new Map(ROWS.map((r) => [r.id, r]));

export function rowMatches(row: Row, word: number): boolean {
  if (((word & row.mask) >>> 0) !== row.value) return false;
  for (const u of row.undefMasks) if (((word & u.mask) >>> 0) === u.value) return false;
  return true;
}

/** The first row that matches, ignoring undef conditions. */
function firstPatternMatch(word: number): Row | undefined {
  for (const r of ROWS) if (((word & r.mask) >>> 0) === r.value) return r;
  return undefined;
}

/**
 * The row a word decodes to, or undefined when it is unallocated. A word whose
 * pattern matches a row but falls under one of its undef conditions is
 * unallocated (rows are disjoint except for documented catch-alls, so the
 * first pattern match decides).
 */
export function findRow(word: number): Row | undefined {
  const r = firstPatternMatch(word >>> 0);
  return r && rowMatches(r, word >>> 0) ? r : undefined;
}

export type Fields = Record<string, number>;

export function extractFields(row: Pattern, word: number): Fields {
  const out: Fields = {};
  for (const f of row.fields) {
    out[f.name] = f.fixed ?? f.shouldBe ?? ((word >>> f.lo) & (f.width === 32 ? 0xffffffff : (1 << f.width) - 1));
  }
  return out;
}

export class EncodeError extends Error {
  override name = 'EncodeError';
}

/** Builds a word from a row and its variable fields (fixed fields may be omitted). */
export function encodeFields(row: Row, fields: Fields): number {
  let word = row.value;
  for (const f of row.fields) {
    const given = fields[f.name];
    if (f.fixed !== undefined) {
      if (given !== undefined && given !== f.fixed) {
        throw new EncodeError(`${row.id}: field ${f.name} is fixed to ${f.fixed}, got ${given}`);
      }
      continue;
    }
    const v = given ?? f.shouldBe;
    if (v === undefined) throw new EncodeError(`${row.id}: field ${f.name} missing`);
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** f.width) {
      throw new EncodeError(`${row.id}: field ${f.name}=${v} does not fit in ${f.width} bits`);
    }
    word = (word & ~fieldMask(f)) | (v << f.lo);
  }
  word >>>= 0;
  for (const u of row.undefMasks) {
    if (((word & u.mask) >>> 0) === u.value) {
      throw new EncodeError(`${row.id}: fields ${JSON.stringify(fields)} make an unallocated encoding`);
    }
  }
  return word;
}

/** Checks the table: every row reachable, rows sharing a predecoder share fields. */
export function checkTable(): string[] {
  const problems: string[] = [];
  const byPd = new Map<string, Row>();
  for (const r of ROWS) {
    const first = byPd.get(r.pd);
    if (!first) byPd.set(r.pd, r);
    else {
      const a = first.fields.map((f) => `${f.name}:${f.width}`).join(',');
      const b = r.fields.map((f) => `${f.name}:${f.width}`).join(',');
      if (a !== b) problems.push(`${r.id}: predecoder ${r.pd} fields ${b} differ from ${first.id}'s ${a}`);
    }
    for (const e of ROWS) {
      if (e.index >= r.index) break;
      // e hides r when every word matching r also matches e.
      if (((e.mask & r.mask) >>> 0) === e.mask && ((r.value & e.mask) >>> 0) === e.value) {
        problems.push(`${r.id} is unreachable behind ${e.id}`);
      }
    }
  }
  return problems;
}
