// Differential fuzzing against qemu-aarch64 (test/fuzz/risu.ts): random blocks
// of integer instructions drawn from the encoding table must leave the same
// registers, flags, TPIDR_EL0 and memory on patchlab as on qemu.

import { describe, expect, it } from 'vitest';
import { SECTIONS } from '../bindings/isa/encodings.ts';
import { ROW_BY_ID } from '../bindings/isa/pattern.ts';
import {
  COVERED_SECTIONS, DRAWN, diffBlocks, formatMismatch, generateBlock, runDiff, type DiffSummary,
} from './fuzz/risu.ts';
import { skipReason } from './util/qemu.ts';

const why = skipReason();
if (why) console.warn(`fuzz-diff.test: skipping the differential fuzzer: ${why}`);

// Fixed seeds: the same blocks on every run. Seeds 1-3 run on the
// interpreter only; seeds 4-6 with every block translated to Wasm at first
// sight, so the translator is checked against qemu on the same kind of code.
const SEEDS: [number, number][] = [[1, 0], [2, 0], [3, 0], [4, 1], [5, 1], [6, 1]];
const BLOCKS_PER_SEED = 5000;

function report(sum: DiffSummary): string {
  return sum.mismatches.slice(0, 5).map(formatMismatch).join('\n\n');
}

describe.skipIf(why !== null)('differential fuzzing against qemu-aarch64', () => {
  it.each(SEEDS)(`seed %i (translation threshold %i): ${BLOCKS_PER_SEED} random blocks agree`, (seed, jitThreshold) => {
    const sum = runDiff({ seed, blocks: BLOCKS_PER_SEED, perElf: 500, jitThreshold });
    console.log(
      `fuzz-diff seed ${seed}: ${sum.blocks} blocks, ${sum.instructions} instructions, ` +
        `${sum.translated} translated, ${sum.mismatches.length} mismatches, ${sum.seconds.toFixed(1)} s`,
    );
    expect(sum.blocks).toBe(BLOCKS_PER_SEED);
    if (jitThreshold === 0) expect(sum.translated).toBe(0);
    else expect(sum.translated).toBeGreaterThan(sum.instructions);
    expect(sum.mismatches.length, report(sum)).toBe(0);

    // every section the generator covers, and every row it draws from, was drawn
    const sections = new Set([...sum.rows.keys()].map((id) => ROW_BY_ID.get(id)!.sec));
    for (const key of COVERED_SECTIONS) expect(sections, key).toContain(SECTIONS[key as keyof typeof SECTIONS]);
    const missing = DRAWN.flatMap(([rows]) => rows.map((r) => r.id)).filter((id) => !sum.rows.has(id));
    expect(missing).toEqual([]);
  });

  it('reports a register or memory difference (comparator self-check)', () => {
    const sum = runDiff({
      seed: 99,
      blocks: 12,
      tamper(p, block, run) {
        // corrupt patchlab's results of block 3, run 0 (x5) and block 7, run 1 (a window byte)
        if (block.index === 3 && run === 0) p.regs[5] ^= 1n << 40n;
        if (block.index === 7 && run === 1) p.window[300] ^= 0x10;
      },
    });
    expect(sum.blocks).toBe(12);
    expect(sum.mismatches.map((m) => [m.block.index, m.run])).toEqual([[3, 0], [7, 1]]);
    expect(sum.mismatches[0].differences.map((d) => d.what)).toEqual(['x5']);
    expect(sum.mismatches[1].differences.map((d) => d.what)).toEqual(['mem[x28+40]']);
    const text = formatMismatch(sum.mismatches[0]);
    expect(text).toContain('block 3 of seed 99, run 0');
    expect(text).toContain('--seed 99 --block 3');
    expect(text).toMatch(/x5 +0x[0-9a-f]{16} {2}\/ {2}0x[0-9a-f]{16}/);
  });

  it('reports a block that stops one side and goes on with the next ones', () => {
    // FMOV D0, X1 runs on qemu's CPU model and is UNDEFINED on patchlab
    const blocks = [0, 1, 2, 3, 4].map((i) => generateBlock(7, i));
    blocks[2] = { ...blocks[2], words: [0x9e670020], mains: ['SIMD_FP'] };
    const sum = diffBlocks(blocks);
    expect(sum.mismatches.map((m) => [m.block.index, m.run])).toEqual([[2, 0]]);
    expect(sum.mismatches[0].failure).toMatch(/patchlab:[\s\S]*SIGILL|undefined/i);
  });
});
