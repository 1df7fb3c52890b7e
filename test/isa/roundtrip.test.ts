// Every row of the encoding table, with random allocated field values:
// encode -> findRow gives the row -> extractFields gives the fields ->
// disassemble -> our assembler and llvm-mc both assemble the text back to the
// same word.

import { describe, expect, it } from 'vitest';
import { assemble } from '../../bindings/isa/asm.ts';
import { disassemble } from '../../bindings/isa/disasm.ts';
import { checkEncoders, enc } from '../../bindings/isa/encode.ts';
import { ROWS, ROW_BY_ID, checkTable, encodeFields, extractFields, findRow, type Fields, type Row } from '../../bindings/isa/pattern.ts';
import { makeRng, randomFields } from '../../bindings/isa/random.ts';
import { SYS_OPS } from '../../bindings/isa/sysregs.ts';
import { DEFAULT_MATTR, NO_LLVM_REASON, haveLlvmMc, llvmAsmExclusion, llvmEncode } from '../util/llvm.ts';

const PER_ROW = 24;
const MIN_LLVM_CHECKED = 2000;

/** Rows whose instructions llvm-mc only accepts with an extra feature. */
const EXTRA_MATTR: Record<string, string> = { SB: '+sb' };

interface Case {
  readonly row: Row;
  readonly fields: Fields;
  readonly word: number;
}

// Fields are drawn at random among the allocated combinations. Where the
// text is compared with an assembler, the generator excludes by rule the
// encodings that cannot come back (see llvmAsmExclusion: non-canonical
// logical immediates and SYS aliases given a register, for any assembler;
// for llvm-mc also the UNPREDICTABLE register combinations it rejects).
function makeCases(seed: number, accept?: (row: Row, f: Fields) => boolean): Case[] {
  const rng = makeRng(seed);
  const cases: Case[] = [];
  for (const row of ROWS) {
    if (row.unimpl) continue;
    for (let i = 0; i < PER_ROW; i++) {
      const fields = randomFields(row, rng, accept && ((f) => accept(row, f)));
      cases.push({ row, fields, word: encodeFields(row, fields) });
    }
  }
  return cases;
}

/** Any allocated encoding. */
const allCases = makeCases(0x7ab1e);
/** Encodings whose text determines the word. */
const ownCases = makeCases(0x0a5, (row, f) => llvmAsmExclusion(row, f)?.kind !== 'text');
/** Encodings llvm-mc assembles back. */
const llvmCases = makeCases(0x11f, (row, f) => llvmAsmExclusion(row, f) === null);
const hex = (w: number): string => '0x' + (w >>> 0).toString(16).padStart(8, '0');
// the disassembler's trailing notes (`// =4096`) are comments to an assembler too
const source = (w: number): string => disassemble(w).replace(/\s*\/\/.*$/, '');

describe('encoding table', () => {
  it('is consistent (every row reachable, shared predecoders share fields)', () => {
    expect(checkTable()).toEqual([]);
  });

  it('agrees with the typed encoders field by field', () => {
    expect(checkEncoders()).toEqual([]);
  });

  it(`round-trips ${PER_ROW} random encodings of every implemented row through findRow and extractFields`, () => {
    const bad: string[] = [];
    for (const c of [...allCases, ...llvmCases]) {
      const row = findRow(c.word);
      if (row !== c.row) bad.push(`${c.row.id} ${hex(c.word)}: findRow gives ${row?.id}`);
      else if (JSON.stringify(extractFields(row, c.word)) !== JSON.stringify(c.fields)) bad.push(`${c.row.id} ${hex(c.word)}: fields differ`);
      else if (enc(c.row.id, c.fields) !== c.word) bad.push(`${c.row.id} ${hex(c.word)}: enc differs`);
    }
    expect(bad).toEqual([]);
    expect(new Set(allCases.map((c) => c.row.id)).size).toBe(ROWS.filter((r) => !r.unimpl).length);
  });

  it('disassembles every case to text that the text assembler turns back into the same word', () => {
    const bad: string[] = [];
    for (const c of [...ownCases, ...llvmCases]) {
      const text = source(c.word);
      let got: number | string;
      try {
        got = assemble(text).words[0];
      } catch (e) {
        got = String(e);
      }
      if (got !== c.word) bad.push(`${c.row.id} ${hex(c.word)} '${text}' -> ${typeof got === 'number' ? hex(got) : got}`);
    }
    expect(bad).toEqual([]);
  });

  it.skipIf(!haveLlvmMc())(`llvm-mc (-mattr=${DEFAULT_MATTR}) assembles the disassembly of every case to the same word`, () => {
    const groups = new Map<string, Case[]>();
    for (const c of llvmCases) {
      const mattr = EXTRA_MATTR[c.row.id] ? `${DEFAULT_MATTR},${EXTRA_MATTR[c.row.id]}` : DEFAULT_MATTR;
      groups.set(mattr, [...(groups.get(mattr) ?? []), c]);
    }
    const bad: string[] = [];
    let checked = 0;
    for (const [mattr, list] of groups) {
      const words = llvmEncode(list.map((c) => source(c.word)), mattr);
      list.forEach((c, i) => {
        checked++;
        if (words[i] !== c.word) bad.push(`${c.row.id} ${hex(c.word)} '${source(c.word)}' -> ${words[i] === null ? 'error' : hex(words[i]!)}`);
      });
    }
    expect(bad).toEqual([]);
    expect(checked).toBe(llvmCases.length);
    expect(checked).toBeGreaterThanOrEqual(MIN_LLVM_CHECKED);
    expect(groups.get(DEFAULT_MATTR)!.length).toBeGreaterThanOrEqual(MIN_LLVM_CHECKED);
  });

  it.skipIf(!haveLlvmMc())('excludes only encodings llvm-mc indeed does not give back', () => {
    const rng = makeRng(0xe4c1);
    const excluded: Case[] = [];
    for (const row of ROWS) {
      if (row.unimpl) continue;
      let found = 0;
      for (let attempt = 0; attempt < 500 && found < 4; attempt++) {
        const fields = randomFields(row, rng);
        if (llvmAsmExclusion(row, fields) === null) continue;
        excluded.push({ row, fields, word: encodeFields(row, fields) });
        found++;
      }
    }
    const sys = ROW_BY_ID.get('SYS')!;
    for (const o of SYS_OPS.filter((op) => !op.reg)) {
      const fields = { ...extractFields(sys, 0), op1: o.op1, CRn: o.CRn, CRm: o.CRm, op2: o.op2, Rt: 5 };
      excluded.push({ row: sys, fields, word: encodeFields(sys, fields) });
    }
    const words = llvmEncode(excluded.map((c) => source(c.word)));
    const wrong = excluded.filter((c, i) => words[i] === c.word).map((c) => `${c.row.id} ${hex(c.word)} '${source(c.word)}'`);
    expect(wrong).toEqual([]);
    expect(new Set(excluded.map((c) => c.row.pd))).toEqual(new Set(['log_imm', 'sys', 'excl', 'exclp', 'pair', 'ldst_imm9']));
  });
});

if (!haveLlvmMc()) console.warn(`roundtrip.test.ts: ${NO_LLVM_REASON}`);
