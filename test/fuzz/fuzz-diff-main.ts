// Command line of the differential fuzzer (test/fuzz/risu.ts):
//
//   npm run fuzz:diff -- --blocks N [--seed S] [--per-elf M] [--block K] [--max-reports R]
//
// Prints every mismatch (the block disassembled, its initial state and the
// differences), then a summary; exits with status 1 when any block differs,
// 2 when qemu-aarch64 is not available.

import { Command, InvalidArgumentError } from 'commander';
import { skipReason } from '../util/qemu.ts';
import { formatMismatch, formatState, MAX_PER_ELF, runDiff, type BlockState, type Mismatch } from './risu.ts';

function int(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}`);
    return n;
  };
}

const program = new Command()
  .name('fuzz-diff')
  .description('Runs random blocks of A64 instructions on patchlab and on qemu-aarch64 and compares the results.')
  .option('--blocks <n>', 'number of blocks', int('--blocks', 1), 1000)
  .option('--seed <s>', 'seed of the run', int('--seed', 0, 0xffffffff), 1)
  .option('--per-elf <m>', 'blocks per program', int('--per-elf', 1, MAX_PER_ELF), 250)
  .option('--block <k>', 'run only block k of the seed (reproduces a reported mismatch)', int('--block', 0))
  .option('--max-reports <r>', 'print at most r mismatches in full', int('--max-reports', 0), 20)
  .option('--rows', 'print how often each table row was drawn')
  .parse();

const opts = program.opts<{
  blocks: number; seed: number; perElf: number; block?: number; maxReports: number; rows?: boolean;
}>();

const why = skipReason();
if (why) {
  console.error(`fuzz-diff: cannot run: ${why}`);
  process.exit(2);
}

let reported = 0;
const onMismatch = (m: Mismatch): void => {
  if (reported++ < opts.maxReports) console.log(formatMismatch(m) + '\n');
};
const only = opts.block !== undefined;
// a single block is shown in full: body, initial state and both final states
const onCompared = (m: Mismatch, q: BlockState, p: BlockState): void => {
  if (m.differences.length) return;
  console.log(formatMismatch(m));
  console.log('  final state (both):\n' + formatState(q));
  if (formatState(p) !== formatState(q)) throw new Error('fuzz-diff: equal states print differently');
};
const sum = runDiff({
  seed: opts.seed,
  blocks: only ? 1 : opts.blocks,
  first: only ? opts.block : 0,
  perElf: opts.perElf,
  onMismatch,
  onCompared: only ? onCompared : undefined,
});
if (opts.rows) {
  for (const [id, n] of [...sum.rows.entries()].sort((a, b) => b[1] - a[1])) console.log(`${id.padEnd(20)} ${n}`);
}
const mism = sum.mismatches.length;
if (mism > reported) console.log(`(${mism - reported} more mismatches not printed)`);
console.log(
  `fuzz-diff: seed ${opts.seed}: ${sum.blocks} blocks, ${sum.instructions} instructions ` +
    `(${sum.executed} executed on patchlab with the harness), ${mism} mismatches, ${sum.seconds.toFixed(1)} s`,
);
process.exit(mism ? 1 : 0);
