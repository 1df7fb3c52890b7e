// ftrace_ops: what a tracer registers. The host keeps the model (kind,
// filter and notrace patterns, the records they select) and writes the guest
// structures the generated code and the kernel's callbacks read (layout.ts
// OPS, FGRAPH, HASH): the ops itself, its filter and notrace hashes of
// call-site addresses, and for function_graph and the profiler a private
// block with the set_graph_function hash.
//
// A filter change builds new hashes and swaps the pointers with one atomic
// store each; the old hashes stay in memory (FtraceArea never frees), so a CPU
// in the middle of a lookup finishes it on consistent data.

import type { GuestMemory } from '../guest-memory.ts';
import type { FtraceArea } from './area.ts';
import { matchNames } from './glob.ts';
import { buildHash } from './hash.ts';
import { FGRAPH, FGRAPH_KIND, OPS, OPS_FL } from './layout.ts';
import type { FtraceRecord } from './records.ts';

/** What an ops does on a traced call (each is a callback in guest/kernel/ftrace.c). */
export type OpsKind =
  | 'function' //        one event per call (function_trace_call)
  | 'function_graph' //  entry and exit events through the return hook (fgraph_entry_call)
  | 'profile' //         per-function hits and durations (fgraph_entry_call, profile kind)
  | 'redirect' //        the call goes to another function of the image (ftrace_redirect_call)
  | 'recursing' //       calls a traced function from the callback (ftrace_recursing_call), to test the guard
  | 'direct'; //         its sites call its own code (`directCall`), no tracer path (ftrace direct calls)

/** Guest callback of each kind. */
export const CALLBACK: Record<OpsKind, string> = {
  function: 'function_trace_call',
  function_graph: 'fgraph_entry_call',
  profile: 'fgraph_entry_call',
  redirect: 'ftrace_redirect_call',
  recursing: 'ftrace_recursing_call',
  direct: 'ftrace_stub', // reached only if the list function visits it: does nothing
};

export interface OpsSpec {
  kind: OpsKind;
  /** set_ftrace_filter patterns; none: every function. */
  filter?: readonly string[];
  /** set_ftrace_notrace patterns: never traced, even when the filter matches. */
  notrace?: readonly string[];
  /** function_graph / profile: set_graph_function patterns (only these functions and what they call). */
  graphFunctions?: readonly string[];
  /** redirect: the function that replaces the traced ones. */
  target?: string;
  /** Call through ftrace_regs_caller (a full pt_regs); redirect always does. */
  saveRegs?: boolean;
  /**
   * direct: the code its sites call. It is entered as a trampoline is (x0-x8
   * the arguments, x9 the function's return address, x30 the function's body)
   * and must return there with x30 = x9, e.g. MOV X10, X30; MOV X30, X9; RET X10.
   */
  directCall?: bigint;
}

export type OpsErrorCode = 'no-match' | 'bad-pattern' | 'bad-spec' | 'not-registered' | 'conflict';

export class OpsError extends Error {
  override name = 'OpsError';
  constructor(readonly code: OpsErrorCode, message: string) {
    super(message);
  }
}

/** The record indices a pattern list selects; OpsError 'no-match' names a pattern that selects nothing. */
export function selectRecords(records: readonly FtraceRecord[], patterns: readonly string[], what: string): Set<number> {
  let r: ReturnType<typeof matchNames>;
  try {
    r = matchNames(records.map((x) => x.fn), patterns);
  } catch (err) {
    throw new OpsError('bad-pattern', (err as Error).message);
  }
  if (r.unmatched.length) {
    throw new OpsError('no-match', `${what} pattern${r.unmatched.length > 1 ? 's' : ''} ${r.unmatched.map((p) => `'${p}'`).join(', ')} match${r.unmatched.length > 1 ? '' : 'es'} no traceable function`);
  }
  return r.matched;
}

/** One registered ops: its guest address and the records it wants. */
export class FtraceOps {
  /** Guest address of its struct ftrace_ops. */
  readonly addr: bigint;
  /** Records selected by the filter (null: every record). */
  filterSet: Set<number> | null = null;
  notraceSet = new Set<number>();
  graphSet: Set<number> | null = null;
  registered = true;
  private spec: OpsSpec;

  constructor(
    readonly id: number,
    spec: OpsSpec,
    private readonly env: { mem: GuestMemory; area: FtraceArea; records: readonly FtraceRecord[]; symbol: (n: string) => bigint | undefined },
  ) {
    this.spec = { ...spec };
    this.addr = env.area.alloc(OPS.size);
  }

  get kind(): OpsKind {
    return this.spec.kind;
  }

  get filter(): readonly string[] {
    return this.spec.filter ?? [];
  }

  get notrace(): readonly string[] {
    return this.spec.notrace ?? [];
  }

  get graphFunctions(): readonly string[] {
    return this.spec.graphFunctions ?? [];
  }

  get saveRegs(): boolean {
    return this.spec.kind === 'redirect' || !!this.spec.saveRegs;
  }

  /**
   * Whether its callback guards itself against recursion (and may be called
   * straight from a trampoline): every kind but 'recursing', which exists to
   * show what the list function's guard stops.
   */
  get recursionSafe(): boolean {
    return this.spec.kind !== 'recursing';
  }

  /** direct: the code its sites call; null for every other kind. */
  get directCall(): bigint | null {
    return this.spec.kind === 'direct' ? this.spec.directCall! : null;
  }

  /** Does this ops trace record `i` (the host's copy of the guest's ftrace_ops_test). */
  wants(i: number): boolean {
    return this.registered && (this.filterSet === null || this.filterSet.has(i)) && !this.notraceSet.has(i);
  }

  /** Checks the spec and writes the ops and its blocks to guest memory (not yet linked in). */
  write(): void {
    const { mem, area, records, symbol } = this.env;
    const s = this.spec;
    const func = symbol(CALLBACK[s.kind]);
    if (func === undefined) throw new OpsError('bad-spec', `the image has no ${CALLBACK[s.kind]}: not a patchlab kernel with ftrace`);
    let priv = 0n;
    if (s.kind === 'function_graph' || s.kind === 'profile') {
      this.graphSet = s.graphFunctions?.length ? selectRecords(records, s.graphFunctions, 'graph-function') : null;
      priv = area.alloc(FGRAPH.size);
      mem.write(priv, new Uint8Array(FGRAPH.size));
      mem.setU32(priv + BigInt(FGRAPH.kind), s.kind === 'profile' ? FGRAPH_KIND.profile : FGRAPH_KIND.trace);
      mem.setU64(priv + BigInt(FGRAPH.graphHash), this.graphSet ? this.hash(this.graphSet) : 0n);
    } else if (s.graphFunctions?.length) {
      throw new OpsError('bad-spec', `graph functions need a function_graph or profile ops, not ${s.kind}`);
    }
    if (s.kind === 'direct') {
      if (typeof s.directCall !== 'bigint' || s.directCall <= 0n || s.directCall % 4n !== 0n) {
        throw new OpsError('bad-spec', 'a direct ops needs directCall: the 4-byte aligned address of its code');
      }
    } else if (s.directCall !== undefined) {
      throw new OpsError('bad-spec', `only a direct ops has directCall (this one is ${s.kind})`);
    }
    if (s.kind === 'redirect') {
      if (!s.target) throw new OpsError('bad-spec', 'a redirect ops needs a target function');
      const t = records.find((r) => r.fn === s.target);
      if (!t) throw new OpsError('no-match', `redirect target '${s.target}' is not a traceable function of the image`);
      priv = t.entry;
    } else if (s.target !== undefined) {
      throw new OpsError('bad-spec', `only a redirect ops has a target (this one is ${s.kind})`);
    }
    this.select(s.filter ?? [], s.notrace ?? []);
    mem.write(this.addr, new Uint8Array(OPS.size));
    mem.setU64(this.addr + BigInt(OPS.func), func);
    mem.setU64(this.addr + BigInt(OPS.filter), this.filterSet ? this.hash(this.filterSet) : 0n);
    mem.setU64(this.addr + BigInt(OPS.notrace), this.notraceSet.size ? this.hash(this.notraceSet) : 0n);
    mem.setU32(this.addr + BigInt(OPS.flags), OPS_FL.enabled | (this.saveRegs ? OPS_FL.saveRegs : 0));
    mem.setU32(this.addr + BigInt(OPS.id), this.id);
    mem.setU64(this.addr + BigInt(OPS.private), priv);
  }

  /**
   * New filter and notrace patterns: fresh hashes, swapped in with atomic
   * stores. OpsError (and nothing changed) when a pattern is bad or matches nothing.
   */
  setFilter(filter: readonly string[], notrace: readonly string[] = this.notrace): void {
    const { mem } = this.env;
    this.select(filter, notrace);
    this.spec = { ...this.spec, filter: [...filter], notrace: [...notrace] };
    mem.atomicSetU64(this.addr + BigInt(OPS.filter), this.filterSet ? this.hash(this.filterSet) : 0n);
    mem.atomicSetU64(this.addr + BigInt(OPS.notrace), this.notraceSet.size ? this.hash(this.notraceSet) : 0n);
  }

  private select(filter: readonly string[], notrace: readonly string[]): void {
    const { records } = this.env;
    const f = filter.length ? selectRecords(records, filter, 'filter') : null;
    const n = notrace.length ? selectRecords(records, notrace, 'notrace') : new Set<number>();
    this.filterSet = f;
    this.notraceSet = n;
  }

  private hash(set: ReadonlySet<number>): bigint {
    const { mem, area, records } = this.env;
    const bytes = buildHash(new Map([...set].map((i) => [records[i]!.ip, BigInt(i)])));
    const at = area.alloc(bytes.length);
    mem.write(at, bytes);
    return at;
  }
}
