// Decoder fuzzing (test/fuzz/decode-fuzz.ts): a million random words decoded by
// the core and by the table matcher, each stepped once in a sandbox; samples
// compared with llvm-mc.

import { beforeAll, describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.ts';
import { findRow } from '../bindings/isa/pattern.ts';
import { fuzzDecode, type DecodeFuzzResult } from './fuzz/decode-fuzz.ts';
import { gapClass, KNOWN_GAPS, LLVM_ALL_FEATURES, LLVM_CORE_FEATURES, type GapClass } from './fuzz/llvm-gaps.ts';
import { haveLlvmMc, llvmDisassemble, NO_LLVM_REASON } from './util/llvm.ts';

const WORDS = 1_000_000;
const hex = (w: number): string => '0x' + (w >>> 0).toString(16).padStart(8, '0');

let res: DecodeFuzzResult;
beforeAll(() => {
  res = fuzzDecode({ seed: 20240601, words: WORDS, sample: 10_000 });
  const exits = [...res.exits.entries()].map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    `fuzz-decode: ${res.words} words (${res.fromTable} from table rows) in ${res.seconds.toFixed(1)} s; ` +
      `unallocated ${res.unallocated}, unimpl ${res.unimpl}, implemented ${res.implemented}; ` +
      `decoder/table agreement ${res.agree}/${res.words} ` +
      `(${res.reservedLogicalImm} reserved logical immediates rejected by both); exits: ${exits}`,
  );
}, 120_000);

describe('decoder fuzzing', () => {
  it(`steps ${WORDS} random words without a trap or a broken invariant`, () => {
    expect(res.words).toBe(WORDS);
    expect(res.failures, `${res.failureCount} failures`).toEqual([]);
    // every kind of outcome was reached
    for (const name of ['budget', 'undefined instruction', 'data abort', 'svc', 'brk', 'PC alignment fault']) {
      expect(res.exits.get(name) ?? 0, name).toBeGreaterThan(100);
    }
  });

  it('decodes every word to the row the table matcher finds', () => {
    expect(res.disagreements, `${res.disagreeCount} disagreements`).toEqual([]);
    expect(res.agree).toBe(WORDS);
    expect(res.reservedLogicalImm).toBeGreaterThan(0);
    expect(res.unallocated).toBeGreaterThan(WORDS / 10);
    expect(res.implemented).toBeGreaterThan(WORDS / 4);
  });

  it('notices a step that changes state outside RAM or after an undefined instruction (self-check)', () => {
    let n = 0;
    const r = fuzzDecode({
      seed: 5,
      words: 3000,
      batch: 1000,
      afterStep(sb, exit) {
        n++;
        if (n === 1500) sb.u32[(L.MACHINE_BASE + L.M_MAGIC) >> 2] ^= 1; // a write into the machine block
        if (exit === L.EXIT_UNDEF && n > 2000 && n < 2100) sb.setReg64(3, 0xdead, 0); // x3 changed by an UNDEF
      },
    });
    expect(r.failures.some((f) => /outside guest RAM changed/.test(f))).toBe(true);
    expect(r.failures.some((f) => /"undefined instruction" changed x3/.test(f))).toBe(true);
  });
});

describe.skipIf(!haveLlvmMc())('decoder against llvm-mc', () => {
  if (!haveLlvmMc()) console.warn(`fuzz-decode.test: ${NO_LLVM_REASON}`);

  it('calls unallocated only words llvm-mc rejects, or words of known classes', () => {
    const sample = res.unallocatedSample;
    expect(sample.length).toBe(10_000);
    // with every feature LLVM knows: anything it accepts needs an unimpl row or is a known leniency
    const all = llvmDisassemble(sample, LLVM_ALL_FEATURES);
    const byClass = new Map<GapClass, { n: number; example: string }>();
    const unknown: string[] = [];
    all.forEach((text, i) => {
      if (text === null) return;
      const c = gapClass(sample[i]);
      if (!c) unknown.push(`${hex(sample[i])} ${text}`);
      else {
        const e = byClass.get(c) ?? { n: 0, example: `${hex(sample[i])} ${text}` };
        e.n++;
        byClass.set(c, e);
      }
    });
    const valid = all.filter((t) => t !== null).length;
    // with the features the core has
    const core = llvmDisassemble(sample, LLVM_CORE_FEATURES);
    const coreValid = core.flatMap((t, i) => (t === null ? [] : [`${hex(sample[i])} ${t}`]));
    const lines = [
      `llvm-mc on ${sample.length} words the core calls unallocated: ` +
        `${sample.length - valid} invalid with every LLVM feature, ${valid} valid: ` +
        `${unknown.length} in no known class`,
      ...KNOWN_GAPS.filter((c) => byClass.has(c)).map((c) => {
        const e = byClass.get(c)!;
        return `  ${String(e.n).padStart(5)}  ${c.tableGap ? 'needs an unimpl row' : 'not a gap         '}  ${c.name} [${c.feature}], e.g. ${e.example}`;
      }),
      `  with ${LLVM_CORE_FEATURES}: ${sample.length - coreValid.length} invalid, ${coreValid.length} valid`,
    ];
    console.log(lines.join('\n'));
    expect(unknown).toEqual([]);
    // the core-feature set accepts only classes that are known too (CRC32, the generic system registers, UDF, SB)
    expect(coreValid.filter((t) => !gapClass(parseInt(t, 16)))).toEqual([]);
  });

  it('decodes as implemented only words llvm-mc accepts with the core\'s features', () => {
    const sample = res.implementedSample;
    expect(sample.length).toBe(10_000);
    const texts = llvmDisassemble(sample, LLVM_CORE_FEATURES);
    const rejected = texts.flatMap((t, i) => (t === null ? [`${hex(sample[i])} (${findRow(sample[i])?.id})`] : []));
    console.log(
      `llvm-mc (${LLVM_CORE_FEATURES}) on ${sample.length} words the core implements: ` +
        `${sample.length - rejected.length} valid, ${rejected.length} invalid`,
    );
    expect(rejected).toEqual([]);
  });
});
