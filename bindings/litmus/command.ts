// `patchlab litmus FILE... [--json] [--bound N] [--fetch-ahead N] [--kinds FILE]`:
// runs herd7-format AArch64 litmus tests under the instruction-fetch model.
// Exit status: 0, 1 when a verdict differs from the expected one, 2 for a bad
// file or option.

import { Command, InvalidArgumentError } from 'commander';
import { LitmusError } from './errors.ts';
import { DEFAULT_FETCH_AHEAD } from './model.ts';
import { formatLitmusText, litmusJson } from './output.ts';
import { runLitmus } from './run.ts';

interface Flags {
  json?: boolean;
  bound?: number;
  fetchAhead: number;
  kinds?: string;
  sidecar: boolean;
  outcomes: boolean;
}

function positive(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('expected an integer >= 1');
  return Number(v);
}

export function litmusCommand(files: string[], flags: Flags): number {
  try {
    const results = runLitmus(files, {
      bound: flags.bound,
      fetchAhead: flags.fetchAhead,
      kinds: flags.kinds,
      sidecar: flags.sidecar,
    });
    process.stdout.write(flags.json ? JSON.stringify(litmusJson(results), null, 2) + '\n' : formatLitmusText(results, { outcomes: flags.outcomes }));
    return results.some((r) => r.matches === false) ? 1 : 0;
  } catch (e) {
    if (e instanceof LitmusError) {
      process.stderr.write(`patchlab litmus: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

export function addLitmusCommand(program: Command, setCode: (c: number) => void): void {
  program
    .command('litmus')
    .description('run herd7-format AArch64 litmus tests (with instruction fetch and cache maintenance) exhaustively')
    .argument('<files...>', 'litmus files')
    .option('--json', 'print [{name, quantifier, reachable, outcomes, explored, ...}]')
    .option('--bound <n>', 'stop each search after N states (reported when hit)', positive)
    .option('--fetch-ahead <n>', 'instructions a thread may fetch ahead of execution', positive, DEFAULT_FETCH_AHEAD)
    .option('--kinds <file>', 'expected verdicts, one "NAME Allowed|Forbidden|Required" a line')
    .option('--no-sidecar', 'do not read kinds.txt beside the tests')
    .option('--no-outcomes', 'print only the summary table')
    .action((files: string[], flags: Flags) => setCode(litmusCommand(files, flags)));
}
