// The Node API: parse litmus files, explore each under the model, compare
// with the expected verdict when one is known.

import { readFileSync } from 'node:fs';
import { formatProp, type LitmusTest, type Quantifier } from './ast.ts';
import { LitmusError } from './errors.ts';
import { explore, type ExploreOptions, type Outcome } from './explorer.ts';
import { isKind, readKinds, sidecarKinds, type Kind } from './kinds.ts';
import { parseLitmus } from './parser.ts';
import { buildProgram } from './program.ts';

export interface LitmusOptions extends ExploreOptions {
  /** a kinds file (`NAME Allowed|Forbidden|Required` lines) with the expected verdicts */
  readonly kinds?: string;
  /** look for `kinds.txt` beside each test (default true) */
  readonly sidecar?: boolean;
}

/** What the outcomes say of the condition's proposition: in none, in some, in all of them. */
export type Verdict = Kind | 'Unknown';

export interface LitmusResult {
  readonly name: string;
  readonly file: string;
  readonly quantifier: Quantifier;
  /** the condition as written, normalised */
  readonly condition: string;
  readonly reachable: boolean;
  readonly holds: boolean;
  /** Forbidden (no outcome satisfies the proposition), Allowed (some), Required (all); Unknown when the bound stopped the search before a witness */
  readonly verdict: Verdict;
  readonly outcomes: readonly string[];
  /** the outcomes satisfying the proposition */
  readonly witnesses: readonly string[];
  readonly explored: number;
  readonly bounded: boolean;
  readonly expected: Kind | null;
  /** whether the verdict is the expected one (null: nothing expected, or the search was cut short) */
  readonly matches: boolean | null;
  readonly outcomeDetails: readonly Outcome[];
}

function verdictOf(reachable: boolean, all: boolean, bounded: boolean): Verdict {
  if (bounded) return reachable ? 'Allowed' : 'Unknown';
  return !reachable ? 'Forbidden' : all ? 'Required' : 'Allowed';
}

function matchesOf(v: Verdict, expected: Kind | null, bounded: boolean): boolean | null {
  if (expected === null) return null;
  if (expected === 'Allowed') return v === 'Allowed' || v === 'Required' ? true : bounded ? null : false;
  if (bounded) return expected === 'Forbidden' && v === 'Allowed' ? false : null;
  return v === expected;
}

/** Runs one parsed test. */
export function runTest(test: LitmusTest, options: ExploreOptions = {}, expected: Kind | null = null): LitmusResult {
  const r = explore(buildProgram(test), options);
  const all = r.outcomes.length > 0 && r.outcomes.every((o) => o.satisfies);
  const verdict = verdictOf(r.reachable, all, r.bounded);
  return {
    name: test.name,
    file: test.file,
    quantifier: r.quantifier,
    condition: `${r.quantifier} ${formatProp(test.condition.prop)}`,
    reachable: r.reachable,
    holds: r.holds,
    verdict,
    outcomes: r.outcomes.map((o) => o.text),
    witnesses: r.outcomes.filter((o) => o.satisfies).map((o) => o.text),
    explored: r.explored,
    bounded: r.bounded,
    expected,
    matches: matchesOf(verdict, expected, r.bounded),
    outcomeDetails: r.outcomes,
  };
}

export function readLitmus(file: string): LitmusTest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LitmusError('io', `cannot read: ${(e as Error).message}`, file);
  }
  return parseLitmus(text, file);
}

/** Parses every file first (a bad one stops everything), then runs them in order. */
export function runLitmus(files: readonly string[], options: LitmusOptions = {}): LitmusResult[] {
  if (!files.length) throw new LitmusError('bad-option', 'no litmus file given', undefined, undefined, 'one or more FILE.litmus');
  const given = options.kinds !== undefined ? readKinds(options.kinds) : null;
  const cache = new Map<string, Map<string, Kind> | null>();
  const tests = files.map((f) => readLitmus(f));
  return tests.map((t) => {
    const inFile = t.info.Expected;
    if (inFile !== undefined && !isKind(inFile)) throw new LitmusError('parse', `Expected=${inFile}`, t.file, undefined, 'Allowed, Forbidden or Required');
    const sidecar = options.sidecar === false ? null : sidecarKinds(t.file, cache);
    const expected = given?.get(t.name) ?? (inFile as Kind | undefined) ?? sidecar?.get(t.name) ?? null;
    return runTest(t, options, expected);
  });
}
