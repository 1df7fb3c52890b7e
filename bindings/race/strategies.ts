// The patching strategies the race lab compares, each an entry protocol and
// a sync of the ftrace core (bindings/ftrace/entry.ts):
//
//   strategy      first word at rest   live writes to enable            to disable                 exposed to
//   v6-runtime    NOP                  MOV, then BL                     NOP at fn+4, then NOP      a CPU or task between the words
//   init-mov      MOV X9, X30 (boot)   BL                               NOP                        nothing (the merged scheme)
//   b-plus-2      B .+8                BL (skipped), then MOV           B .+8, then NOP            nothing here; B <-> MOV is outside the CMODX list
//   rcu-tasks     NOP                  MOV, grace period, BL            NOP, grace period, NOP     nothing; NOP <-> MOV is outside the list
//   stop-machine  NOP                  MOV and BL, every CPU held       the same                   a task preempted between the words

import type { EntryProtocol, SiteSync } from '../ftrace/entry.ts';

export type StrategyName = 'v6-runtime' | 'init-mov' | 'b-plus-2' | 'rcu-tasks' | 'stop-machine';

export interface RaceStrategy {
  name: StrategyName;
  entry: EntryProtocol;
  sync: SiteSync;
  /** One line for tables and --help. */
  summary: string;
}

export const STRATEGIES: readonly RaceStrategy[] = [
  { name: 'v6-runtime', entry: 'runtime', sync: 'none', summary: 'NOP;NOP <-> MOV;BL, both words written at run time' },
  { name: 'init-mov', entry: 'init-mov', sync: 'none', summary: 'MOV X9, X30 at boot, only NOP <-> BL live' },
  { name: 'b-plus-2', entry: 'b-plus-2', sync: 'none', summary: 'first word B .+8 <-> MOV, second NOP <-> BL' },
  { name: 'rcu-tasks', entry: 'runtime', sync: 'rcu-tasks', summary: 'MOV, an RCU-tasks grace period, then BL (the reverse to disable)' },
  { name: 'stop-machine', entry: 'runtime', sync: 'stop-machine', summary: 'both words written while every CPU is held' },
];

export const STRATEGY_NAMES: readonly StrategyName[] = STRATEGIES.map((s) => s.name);

export function strategy(name: string): RaceStrategy | undefined {
  return STRATEGIES.find((s) => s.name === name);
}
