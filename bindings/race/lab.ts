// The race lab as one call, with the command line's choices: a replay
// token, every strategy (`all`), a search of deterministic schedules, or one
// run of one strategy. `patchlab race` and the browser page both call it, so
// the same options give the same JSON.

import { replayRace, searchRace, summarise, type RaceSummary } from './explore.ts';
import { raceJson } from './format.ts';
import { RaceError, runRace, type RaceOptions } from './run.ts';
import { STRATEGIES, type StrategyName } from './strategies.ts';

export interface RaceLabOptions extends Omit<RaceOptions, 'strategy'> {
  /** One strategy (default v6-runtime); not with `all` or `replay`. */
  strategy?: StrategyName;
  /** Every strategy in turn (stop-machine left out with the guest patcher: it needs the host's). */
  all?: boolean;
  /** Explore deterministic schedules until one fails or `budget` are spent. */
  search?: boolean;
  /** Schedules a search may run (default 20); needs `search`. */
  budget?: number;
  /** A token of a failure found before: replays that run exactly. */
  replay?: string;
}

export interface RaceLabHooks {
  /** Before each strategy's search: its name and the schedules it may run. */
  onStrategy?: (name: StrategyName, budget: number) => void;
  /** After each schedule of a search. */
  onSchedule?: () => void;
}

export type RaceLabResult = { kind: 'one'; summary: RaceSummary } | { kind: 'all'; rows: RaceSummary[] };

async function one(o: RaceLabOptions, name: StrategyName, hooks: RaceLabHooks): Promise<RaceSummary> {
  const { all: _a, search, budget: b, replay: _r, ...rest } = o;
  const opts: RaceOptions = { ...rest, strategy: name, mode: search ? 'deterministic' : o.mode };
  if (!search) return summarise(await runRace(opts));
  const budget = b ?? 20;
  hooks.onStrategy?.(name, budget);
  return searchRace({ ...opts, budget, onSchedule: hooks.onSchedule });
}

/** Runs what the options ask for; RaceError for options that do not go together. */
export async function raceLab(o: RaceLabOptions = {}, hooks: RaceLabHooks = {}): Promise<RaceLabResult> {
  if (o.replay !== undefined) {
    if (o.all || o.search || o.strategy) throw new RaceError('bad-option', '--replay takes no --strategy, --all or --search: the token holds the whole run');
    return { kind: 'one', summary: summarise(await replayRace(o.replay)) };
  }
  if (o.search && o.mode === 'threads') throw new RaceError('bad-option', '--search explores deterministic schedules: it takes no --mode threads');
  if (o.budget !== undefined && !o.search) throw new RaceError('bad-option', '--budget needs --search');
  if (o.all) {
    if (o.strategy) throw new RaceError('bad-option', '--all runs every strategy: give no --strategy');
    const rows: RaceSummary[] = [];
    for (const s of STRATEGIES) {
      if (s.sync === 'stop-machine' && o.patcher === 'guest') continue;
      rows.push(await one(o, s.name, hooks));
    }
    return { kind: 'all', rows };
  }
  return { kind: 'one', summary: await one(o, o.strategy ?? 'v6-runtime', hooks) };
}

/** The --json value of a result: one summary's object, or the list of every strategy's. */
export function raceLabJson(r: RaceLabResult): object {
  return r.kind === 'one' ? raceJson(r.summary) : r.rows.map(raceJson);
}
