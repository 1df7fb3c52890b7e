// `patchlab race`: one patching strategy against the race workload, on real
// threads or under explored deterministic schedules; --all for the table of
// every strategy; --replay TOKEN for a failure found before.

import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { PATCHERS, type PatcherKind } from '../ftrace/patcher.ts';
import { replayRace, searchRace, summarise, type RaceSummary } from './explore.ts';
import { formatRace, formatRaceTable, raceJson } from './format.ts';
import { RaceError, runRace, type RaceOptions } from './run.ts';
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

async function one(flags: Flags, name: StrategyName): Promise<RaceSummary> {
  const opts: RaceOptions = {
    strategy: name, mode: flags.search ? 'deterministic' : flags.mode, cpus: flags.cpus, toggles: flags.toggles, tasks: flags.tasks,
    seed: flags.seed, patcher: flags.patcher, policy: flags.policy, image: flags.image, tick: flags.tick,
  };
  if (!flags.search) return summarise(await runRace(opts));
  const budget = flags.budget ?? 20;
  const p = bar(name, budget);
  try {
    return await searchRace({ ...opts, budget, onSchedule: () => p.tick() });
  } finally {
    p.stop();
  }
}

async function runCommand(flags: Flags): Promise<number> {
  if (flags.replay !== undefined) {
    if (flags.all || flags.search || flags.strategy) throw new RaceError('bad-option', '--replay takes no --strategy, --all or --search: the token holds the whole run');
    const s = summarise(await replayRace(flags.replay));
    process.stdout.write(flags.json ? `${JSON.stringify(raceJson(s), null, 2)}\n` : formatRace(s));
    return 0;
  }
  if (flags.search && flags.mode === 'threads') throw new RaceError('bad-option', '--search explores deterministic schedules: it takes no --mode threads');
  if (flags.budget !== undefined && !flags.search) throw new RaceError('bad-option', '--budget needs --search');
  if (flags.all) {
    if (flags.strategy) throw new RaceError('bad-option', '--all runs every strategy: give no --strategy');
    const rows: RaceSummary[] = [];
    for (const s of STRATEGIES) {
      if (s.sync === 'stop-machine' && flags.patcher === 'guest') continue; // host only (said in the table's note)
      rows.push(await one(flags, s.name));
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(rows.map(raceJson), null, 2)}\n`);
    else {
      process.stdout.write(formatRaceTable(rows));
      if (flags.patcher === 'guest') process.stdout.write('(stop-machine left out: it holds every CPU from the host, so it needs the host patcher)\n');
    }
    return 0;
  }
  const s = await one(flags, flags.strategy ?? 'v6-runtime');
  process.stdout.write(flags.json ? `${JSON.stringify(raceJson(s), null, 2)}\n` : formatRace(s));
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
