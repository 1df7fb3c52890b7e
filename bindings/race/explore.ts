// The explorer: deterministic races under many schedules until one fails
// or the budget is spent, and the token that replays a schedule exactly.
//
// Schedule k of a search with seed S runs with the seed mix(S, k); from it
// come the timer period (where preemptions land: 5000..40000 ticks) and the
// mean slice length (where CPUs stop relative to each other: 16..256
// instructions); the policy (schedule.ts: a random walk or PCT) then draws
// every slice, and the race draws its toggles between slices. The token
// holds every option of that run, so --replay gives the same failure: the
// same kind, CPU and PC, instruction for instruction.

import { below, makeRng } from '../isa/random.ts';
import { RaceError, resolveRaceOptions, runRace, type RaceConfig, type RaceFailure, type RaceOptions, type RaceResult } from './run.ts';

const TOKEN_PREFIX = 'race1-';
/** The options a token carries, in order. */
const TOKEN_FIELDS = [
  'strategy', 'cpus', 'toggles', 'tasks', 'patcher', 'image', 'seed', 'tick', 'icache', 'policy', 'meanSlice', 'depth',
  'toggleEvery', 'watchdogInsns',
] as const;

// base64url (RFC 4648 section 5, no padding) with what every host has (atob/btoa), so tokens work in the browser too.
function toBase64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error('not base64url');
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The replay token of a deterministic run's options. */
export function encodeToken(cfg: RaceConfig): string {
  const values = TOKEN_FIELDS.map((k) => cfg[k]);
  return TOKEN_PREFIX + toBase64url(new TextEncoder().encode(JSON.stringify(values)));
}

/** The options of a token; RaceError('bad-token') when it is not one. */
export function decodeToken(token: string): RaceOptions {
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX)) {
    throw new RaceError('bad-token', `a replay token starts with ${TOKEN_PREFIX}; got ${JSON.stringify(String(token).slice(0, 40))}`);
  }
  let values: unknown;
  try {
    values = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(token.slice(TOKEN_PREFIX.length))));
  } catch {
    throw new RaceError('bad-token', 'the replay token is damaged (not base64url JSON)');
  }
  if (!Array.isArray(values) || values.length !== TOKEN_FIELDS.length) throw new RaceError('bad-token', 'the replay token is damaged (wrong number of fields)');
  const o: Record<string, unknown> = { mode: 'deterministic' };
  TOKEN_FIELDS.forEach((k, i) => (o[k] = values[i]));
  try {
    resolveRaceOptions(o as RaceOptions);
  } catch (err) {
    if (err instanceof RaceError) throw new RaceError('bad-token', `the replay token holds a bad option: ${err.message}`);
    throw err;
  }
  return o as RaceOptions;
}

export interface SearchOptions extends RaceOptions {
  /** Schedules to try at most (default 20). */
  budget?: number;
  /** Called after each schedule. */
  onSchedule?: (k: number, r: RaceResult) => void;
}

export interface RaceFound extends RaceFailure {
  /** Replays exactly this run (deterministic runs only; null in threads mode). */
  token: string | null;
}

/** What one run or a whole search found: the run's counts summed over its schedules. */
export interface RaceSummary
  extends Pick<RaceResult, 'strategy' | 'mode' | 'cpus' | 'patcher' | 'toggles' | 'calls' | 'crashes' | 'wrongReturns' | 'hangs' | 'cmodxViolations' | 'seconds' | 'insns'> {
  /** Schedules run (deterministic) or runs (threads). */
  schedules: number;
  found: RaceFound | null;
  /** Host seconds until the first failure, or null. */
  secondsToFailure: number | null;
  /** Schedule index (from 0) of the first failure, or null. */
  scheduleOfFailure: number | null;
}

/** Mixes a search seed and a schedule index into a schedule seed. */
function mix(seed: number, k: number): number {
  let h = (seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0 || 1;
}

/** The options of schedule k of a search. */
export function scheduleOptions(o: RaceOptions, k: number): RaceOptions {
  const seed = mix(o.seed ?? 1, k);
  const rng = makeRng(seed);
  return {
    ...o,
    mode: 'deterministic',
    seed,
    tick: o.tick ?? 5000 + below(rng, 35_001),
    meanSlice: o.meanSlice ?? 16 << below(rng, 5),
  };
}

/** Summarises one run as a table row (a run without search). */
export function summarise(r: RaceResult): RaceSummary {
  const found: RaceFound | null = r.found ? { ...r.found, token: r.mode === 'deterministic' ? encodeToken(r.config) : null } : null;
  return {
    strategy: r.strategy, mode: r.mode, cpus: r.cpus, patcher: r.patcher, schedules: 1, toggles: r.toggles, calls: r.calls,
    crashes: r.crashes, wrongReturns: r.wrongReturns, hangs: r.hangs, cmodxViolations: r.cmodxViolations, found,
    secondsToFailure: found ? r.seconds : null, scheduleOfFailure: found ? 0 : null, seconds: r.seconds, insns: r.insns,
  };
}

/** Runs schedules until one fails or `budget` have run. */
export async function searchRace(options: SearchOptions = {}): Promise<RaceSummary> {
  const budget = options.budget ?? 20;
  if (!Number.isInteger(budget) || budget < 1 || budget > 1_000_000) throw new RaceError('bad-option', `budget must be an integer 1..1000000, got ${String(budget)}`);
  const { budget: _b, onSchedule, ...race } = options;
  const cfg = resolveRaceOptions({ ...race, mode: 'deterministic' }); // bad options before any run
  const t0 = performance.now();
  const sum: RaceSummary = {
    strategy: cfg.strategy, mode: 'deterministic', cpus: 0, patcher: 'host', schedules: 0, toggles: 0,
    calls: 0, crashes: 0, wrongReturns: 0, hangs: 0, cmodxViolations: 0, found: null, secondsToFailure: null,
    scheduleOfFailure: null, seconds: 0, insns: 0,
  };
  for (let k = 0; k < budget; k++) {
    const r = await runRace(scheduleOptions(race, k));
    onSchedule?.(k, r);
    sum.cpus = r.cpus;
    sum.patcher = r.patcher;
    sum.schedules++;
    sum.toggles += r.toggles;
    sum.calls += r.calls;
    sum.crashes += r.crashes;
    sum.wrongReturns += r.wrongReturns;
    sum.hangs += r.hangs;
    sum.cmodxViolations += r.cmodxViolations;
    sum.insns += r.insns;
    if (r.found) {
      sum.found = { ...r.found, token: encodeToken(r.config) };
      sum.secondsToFailure = (performance.now() - t0) / 1000;
      sum.scheduleOfFailure = k;
      break;
    }
  }
  sum.seconds = (performance.now() - t0) / 1000;
  return sum;
}

/** Runs the schedule a token names again. */
export async function replayRace(token: string): Promise<RaceResult> {
  return runRace(decodeToken(token));
}
