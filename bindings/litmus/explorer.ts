// Exhaustive search of a litmus test's states, depth first, every state
// visited once (memoised by its key), optionally stopped after a bound on
// the number of states. The final states give the outcomes; the condition
// is evaluated on each.

import type { Observable, Prop, Quantifier } from './ast.ts';
import { observableName } from './ast.ts';
import { LitmusError } from './errors.ts';
import { DEFAULT_FETCH_AHEAD, initialState, isFinal, Model, stateKey, type State } from './model.ts';
import { regNumber, type Program } from './program.ts';

export interface ExploreOptions {
  /** stop after this many distinct states (default: no bound) */
  readonly bound?: number;
  /** instructions a thread may fetch ahead of execution (default 8) */
  readonly fetchAhead?: number;
  /** false: interleave every step, without the reductions (same outcomes, more states) */
  readonly reduce?: boolean;
}

export interface Outcome {
  /** `0:X9=0; 1:X2=1;` as herd7 prints it, with any thread's fault after */
  readonly text: string;
  readonly values: Readonly<Record<string, string>>;
  readonly faults: readonly string[];
  /** whether the condition's proposition holds in it */
  readonly satisfies: boolean;
}

export interface Exploration {
  readonly quantifier: Quantifier;
  /** some final state satisfies the proposition */
  readonly reachable: boolean;
  /** the test's condition is true: exists -> reachable, ~exists -> not reachable, forall -> every outcome satisfies it */
  readonly holds: boolean;
  readonly outcomes: readonly Outcome[];
  /** distinct states visited */
  readonly explored: number;
  /** the bound stopped the search: verdicts are only what was seen */
  readonly bounded: boolean;
}

function observe(p: Program, s: State, o: Observable): bigint {
  if (o.kind === 'reg') {
    const r = regNumber(o.reg)!;
    const v = s.threads[o.thread].regs[r.n];
    return r.w ? v & 0xffffffffn : v;
  }
  const i = p.dataNames.indexOf(o.name);
  return s.data[i];
}

function evalProp(p: Program, s: State, prop: Prop): boolean {
  switch (prop.op) {
    case 'true': return true;
    case 'false': return false;
    case 'not': return !evalProp(p, s, prop.arg);
    case 'and': return prop.args.every((a) => evalProp(p, s, a));
    case 'or': return prop.args.some((a) => evalProp(p, s, a));
    case 'eq': {
      let v = p.value(prop.rhs);
      if (prop.lhs.kind === 'reg' && regNumber(prop.lhs.reg)!.w) v &= 0xffffffffn;
      return observe(p, s, prop.lhs) === v;
    }
  }
}

function show(p: Program, v: bigint): string {
  if (v >= 0x10000n && v < 0x100000000n) {
    const w = p.where(Number(v));
    if (!w.startsWith('0x') && !w.includes('+')) return w;
  }
  return v > 0xffffn ? `0x${v.toString(16)}` : v.toString();
}

export function explore(program: Program, options: ExploreOptions = {}): Exploration {
  const fetchAhead = options.fetchAhead ?? DEFAULT_FETCH_AHEAD;
  if (!Number.isInteger(fetchAhead) || fetchAhead < 1) throw new LitmusError('bad-option', `fetch-ahead ${fetchAhead}`, undefined, undefined, 'an integer >= 1');
  const bound = options.bound;
  if (bound !== undefined && (!Number.isInteger(bound) || bound < 1)) throw new LitmusError('bad-option', `bound ${bound}`, undefined, undefined, 'an integer >= 1');
  const model = new Model(program, { fetchAhead, reduce: options.reduce });
  const test = program.test;
  const s0 = initialState(program);
  const seen = new Set<string>([stateKey(s0)]);
  const stack: State[] = [s0];
  const outcomes = new Map<string, Outcome>();
  let bounded = false;
  while (stack.length) {
    const s = stack.pop()!;
    if (isFinal(s)) {
      if (test.filter && !evalProp(program, s, test.filter)) continue;
      const values: Record<string, string> = {};
      for (const o of program.observables) values[observableName(o)] = show(program, observe(program, s, o));
      const faults = s.threads.flatMap((t, i) => (t.status === 'fault' ? [`${program.threads[i].name}: ${t.fault}`] : []));
      const text = Object.entries(values).map(([k, v]) => `${k}=${v};`).join(' ') + faults.map((f) => ` fault(${f})`).join('');
      if (!outcomes.has(text)) outcomes.set(text, { text, values, faults, satisfies: evalProp(program, s, test.condition.prop) });
      continue;
    }
    for (const n of model.successors(s)) {
      const k = stateKey(n);
      if (seen.has(k)) continue;
      if (bound !== undefined && seen.size >= bound) {
        bounded = true;
        break;
      }
      seen.add(k);
      stack.push(n);
    }
    if (bounded) break;
  }
  const list = [...outcomes.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const reachable = list.some((o) => o.satisfies);
  const q = test.condition.quantifier;
  const holds = q === 'exists' ? reachable : q === '~exists' ? !reachable : list.length > 0 && list.every((o) => o.satisfies);
  return { quantifier: q, reachable, holds, outcomes: list, explored: seen.size, bounded };
}
