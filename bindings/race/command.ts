// `patchlab race`: one patching strategy against the race workload, on real
// threads or under explored deterministic schedules; --all for the table of
// every strategy; --replay TOKEN for a failure found before.

import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { PATCHERS, type PatcherKind } from '../ftrace/patcher.ts';
import { formatRace, formatRaceTable } from './format.ts';
import { raceLab, raceLabJson, type RaceLabResult } from './lab.ts';
import { SEARCH_POLICIES, type SearchPolicy } from './schedule.ts';
import { STRATEGIES, STRATEGY_NAMES, type StrategyName } from './strategies.ts';

interface Flags {
  strategy?: StrategyName;
  all?: boolean;
  mode?: 'threads' | 'deterministic';
  cpus?: number;
  toggles?: number;
  tasks?: number;
  search?: boolean;
  budget?: number;
  seed?: number;
  replay?: string;
  patcher?: PatcherKind;
  policy?: SearchPolicy;
  image?: string;
  tick?: number;
  json?: boolean;
}

function integer(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(v);
}

function bar(label: string, total: number): { tick: () => void; stop: () => void } {
  if (!process.stderr.isTTY) return { tick: () => {}, stop: () => {} };
  const b = new cliProgress.SingleBar(
    { stream: process.stderr, format: `race ${label} [{bar}] {value}/{total} schedules`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  b.start(total, 0);
  return { tick: () => b.increment(), stop: () => b.stop() };
}

async function runCommand(flags: Flags): Promise<number> {
  const { json, ...options } = flags;
  const progress: { bar: { tick: () => void; stop: () => void } | null } = { bar: null };
  let r: RaceLabResult;
  try {
    r = await raceLab(options, {
      onStrategy: (name, budget) => {
        progress.bar?.stop();
        progress.bar = bar(name, budget);
      },
      onSchedule: () => progress.bar?.tick(),
    });
  } finally {
    progress.bar?.stop();
  }
  if (json) process.stdout.write(`${JSON.stringify(raceLabJson(r), null, 2)}\n`);
  else if (r.kind === 'one') process.stdout.write(formatRace(r.summary));
  else {
    process.stdout.write(formatRaceTable(r.rows));
    if (flags.patcher === 'guest') process.stdout.write('(stop-machine left out: it holds every CPU from the host, so it needs the host patcher)\n');
  }
  return 0;
}

/** Adds `race`; `done` receives the exit code's promise. */
export function addRaceCommand(program: Command, done: (code: Promise<number>) => void): void {
  program
    .command('race')
    .description('patching strategies against a workload calling traced functions: which break, how, and a replayable schedule')
    .addOption(new Option('--strategy <name>', `${STRATEGIES.map((s) => `${s.name}: ${s.summary}`).join('; ')} (default v6-runtime)`).choices([...STRATEGY_NAMES]))
    .option('--all', 'every strategy, one table row each')
    .addOption(new Option('--mode <mode>', 'threads: real worker CPUs (default); deterministic: one seeded schedule').choices(['threads', 'deterministic']))
    .option('--cpus <n>', 'CPUs, 2..8 (default 2)', integer)
    .option('--toggles <n>', 'tracing toggles per run (default 2000 threads, 40 deterministic)', integer)
    .option('--tasks <n>', 'racing tasks per CPU, 1..8 (default 2)', integer)
    .option('--search', 'explore deterministic schedules until one fails (or --budget runs out)')
    .option('--budget <n>', 'schedules to try with --search (default 20)', integer)
    .option('--seed <s>', 'seed of the schedule, or of the search (default 1)', integer)
    .addOption(new Option('--policy <p>', 'deterministic schedule: random walk or PCT priorities (default random)').choices([...SEARCH_POLICIES]))
    .addOption(new Option('--patcher <who>', 'who writes the words: host (default) or the guest kernel\'s patcher task').choices([...PATCHERS]))
    .option('--tick <ticks>', 'timer period in counter ticks at 100 MHz (default 20000; --search draws one per schedule)', integer)
    .option('--image <name>', 'pfe2 (default), pfe42 or a kernel ELF path')
    .option('--replay <token>', 'run the schedule of a token printed by an earlier run again')
    .option('--json', 'print JSON: {strategy, mode, cpus, toggles, calls, crashes, wrongReturns, cmodxViolations, found}')
    .action((flags: Flags) => {
      done(runCommand(flags));
    });
}
