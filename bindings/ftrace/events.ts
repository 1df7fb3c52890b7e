// The trace event model shared by the ftrace output writers (text files in
// the kernel's layouts, the function profile table, Chrome trace-event JSON).
//
// Timestamps are nanoseconds (number) on the CPU's counter clock; pids are
// guest task ids (0 = the CPU's idle task). `ip` is the address of the
// patched BL instruction inside the traced function (its entry + 4 or so);
// writers print it through the symbolizer as the symbol name only.

/** One call seen by the function tracer: `ip` was entered, called from `parentIp`. */
export interface FunctionEvent {
  type: 'function';
  /** CPU whose buffer holds the event. */
  cpu: number;
  /** Guest task id (0 = that CPU's idle task). */
  pid: number;
  /** Nanoseconds on the CPU's counter clock. */
  ts: number;
  /** Address inside the traced function (its patched BL). */
  ip: bigint;
  /** Return address into the caller (0 when unknown). */
  parentIp: bigint;
}

/** A function_graph entry: `ip`'s function was entered at nesting `depth` (0 = outermost traced call). */
export interface GraphEntryEvent {
  type: 'graph-entry';
  cpu: number;
  pid: number;
  /** Nanoseconds on the CPU's counter clock, when the function was entered. */
  ts: number;
  ip: bigint;
  depth: number;
}

/** A function_graph return: `ip`'s function, entered at `calltime`, returned at `ts`. */
export interface GraphExitEvent {
  type: 'graph-exit';
  cpu: number;
  pid: number;
  /** Nanoseconds on the CPU's counter clock, when the function returned. */
  ts: number;
  ip: bigint;
  depth: number;
  /** Nanoseconds on the same clock, when the function was entered (the duration is ts - calltime). */
  calltime: number;
}

/** Any event of a function or function_graph trace. */
export type TraceEvent = FunctionEvent | GraphEntryEvent | GraphExitEvent;

/** The symbol holding `addr` and the offset of `addr` in it, or undefined when no symbol covers it. */
export type Symbolizer = (addr: bigint) => { name: string; offset: bigint } | undefined;

/** What the writers need besides the events. */
export interface TraceContext {
  symbolize: Symbolizer;
  /** Task names by pid (the guest's comm); missing pids print as "<...>". pid 0 is "<idle>". */
  comm: ReadonlyMap<number, string>;
  /** Number of CPUs of the machine (the "#P:" of the header, the width of the graph CPU column). */
  cpus: number;
  /** Events dropped per CPU because its buffer was full (index = cpu). */
  lost: readonly number[];
}

/** One function call of a function_graph trace: an entry matched with its exit on the same cpu and pid. */
export interface GraphCall {
  cpu: number;
  pid: number;
  ip: bigint;
  depth: number;
  /** Entry time in ns (for a call whose entry is not in the trace: the calltime its exit carries). */
  start: number;
  /** Return time in ns, or null when the return is not in the trace. */
  end: number | null;
  /** Index, in the same array, of the enclosing call of the same task, or null at the outermost level. */
  parent: number | null;
}

/** One line of the function profile (trace_stat/functionN), all CPUs summed. */
export interface ProfileRow {
  name: string;
  hits: number;
  /** Total time in the function, in ns. */
  totalNs: number;
  /** totalNs / hits. */
  avgNs: number;
  /** Sample variance of the call times, in ns^2 (0 with fewer than 2 hits). */
  s2: number;
}
