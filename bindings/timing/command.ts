// What the commands share about cycle models: the --timing option and the
// line --stats prints under a model.

import { Option } from 'commander';
import { MODELS, type TimingCounts } from './install.ts';
import { TIMING_NAMES, type CycleModel } from './models.ts';

/** `--timing none|a53|a57` (default none). */
export function timingOption(): Option {
  const models = Object.values(MODELS).map((m) => `${m.name}: ${m.title}`).join('; ');
  return new Option('--timing <model>', `cycle model: the counter runs on modelled cycles (${models}); none counts instructions`)
    .choices([...TIMING_NAMES])
    .default('none');
}

/**
 * "N cycles (a53, IPC 0.71), B branches, M mispredicted (x%), F flushes":
 * `insns` over the cycles summed from `counts` (one per CPU).
 */
export function timingStats(model: CycleModel | CycleModel['name'], insns: bigint, counts: readonly TimingCounts[]): string {
  const name = typeof model === 'string' ? model : model.name;
  const sum = (f: (c: TimingCounts) => bigint): bigint => counts.reduce((s, c) => s + f(c), 0n);
  const cycles = sum((c) => c.cycles);
  const branches = sum((c) => c.branches);
  const misses = sum((c) => c.mispredicts);
  const ipc = cycles > 0n ? (Number(insns) / Number(cycles)).toFixed(3) : '-';
  const rate = branches > 0n ? ` (${((100 * Number(misses)) / Number(branches)).toFixed(2)}%)` : '';
  return `${cycles} cycles (${name}), IPC ${ipc}, ${branches} branches, ${misses} mispredicted${rate}, ${sum((c) => c.flushes)} flushes`;
}
