// The parsed form of a herd7 litmus test (parser.ts builds it, program.ts
// turns it into an initial machine state).

/** A value in the initial state or a condition. */
export type Value =
  | { readonly kind: 'int'; readonly value: bigint }
  /** `P1:L0` or `label:"P1:L0"`: the address of a label in a thread's code */
  | { readonly kind: 'label'; readonly thread: number; readonly label: string }
  /** `NOP` or `instr:"B .+12"`: an instruction's encoding, as data */
  | { readonly kind: 'instr'; readonly text: string }
  /** `x`: the address of a memory location */
  | { readonly kind: 'loc'; readonly name: string };

/** `1:X2` (register of a thread) or `x` / `[x]` (memory location). */
export type Observable =
  | { readonly kind: 'reg'; readonly thread: number; readonly reg: string }
  | { readonly kind: 'mem'; readonly name: string };

export interface InitEntry {
  readonly target: Observable;
  readonly value: Value;
  readonly line: number;
}

export interface CodeLine {
  readonly text: string;
  readonly line: number;
}

export interface ThreadCode {
  /** `P0`, `P1`, ... */
  readonly name: string;
  readonly index: number;
  readonly lines: readonly CodeLine[];
}

export type Prop =
  | { readonly op: 'and' | 'or'; readonly args: readonly Prop[] }
  | { readonly op: 'not'; readonly arg: Prop }
  | { readonly op: 'true' | 'false' }
  | { readonly op: 'eq'; readonly lhs: Observable; readonly rhs: Value };

export type Quantifier = 'exists' | '~exists' | 'forall';

export interface Condition {
  readonly quantifier: Quantifier;
  readonly prop: Prop;
  readonly line: number;
}

export interface LitmusTest {
  readonly file: string;
  readonly arch: string;
  readonly name: string;
  /** `key=value` lines after the title (Hash, Variant, Stable, ...) */
  readonly info: Readonly<Record<string, string>>;
  readonly init: readonly InitEntry[];
  /** initial-state entries read but outside the model (page-table entries) */
  readonly unmodelled: readonly CodeLine[];
  readonly threads: readonly ThreadCode[];
  /** fault-handler columns (`P1.F`), parsed but not run */
  readonly handlers: readonly ThreadCode[];
  /** `locations [...]`: extra observables printed in every outcome */
  readonly locations: readonly Observable[];
  readonly filter?: Prop;
  readonly condition: Condition;
}

export function observableName(o: Observable): string {
  return o.kind === 'reg' ? `${o.thread}:${o.reg}` : o.name;
}

export function formatValue(v: Value): string {
  switch (v.kind) {
    case 'int': return v.value.toString();
    case 'label': return `P${v.thread}:${v.label}`;
    case 'instr': return v.text === 'NOP' ? 'NOP' : `instr:"${v.text}"`;
    case 'loc': return v.name;
  }
}

/** A proposition in herd7's syntax. */
export function formatProp(p: Prop, top = true): string {
  switch (p.op) {
    case 'true': case 'false': return p.op;
    case 'eq': return `${observableName(p.lhs)}=${formatValue(p.rhs)}`;
    case 'not': return `~(${formatProp(p.arg, true)})`;
    case 'and': case 'or': {
      const s = p.args.map((a) => formatProp(a, false)).join(p.op === 'and' ? ' /\\ ' : ' \\/ ');
      return top ? s : `(${s})`;
    }
  }
}
