// `trace(options)`: one boot of the patchlab kernel running one hackbench run,
// traced. The tracer is switched on when the run starts (the kernel's phase
// host call PHASE_RUN_START, before any of the run's tasks exist) while the
// other CPUs run, and off when every task of the run has exited
// (PHASE_RUN_END). The handler runs while the calling CPU waits in its host
// call, so in deterministic mode the patches land at the same instruction for
// the same seed. Every message must arrive intact, or TraceError.

import { parseElf } from '../elf/index.ts';
import { Machine } from '../machine/machine.ts';
import type { IcacheModel, Mode } from '../machine/types.ts';
import type { CmodxCounts, CmodxSource } from '../patch/cmodx.ts';
import { KERNEL_IMAGES, kernelImageFile, KernelImageError, readImage, setHbParams } from '../workload/kernel.ts';
import type { TraceContext, TraceEvent } from './events.ts';
import { Ftrace, FtraceError, type CpuTraceStats } from './ftrace.ts';
import { optionChecks } from '../option-checks.ts';
import { selectRecords, OpsError, type OpsSpec } from './ops.ts';
import { formatFunctionTrace, formatGraphTrace, formatProfile, profileRows, toTraceEventJson, traceDat } from './output/index.ts';
import type { ProfileRow } from './events.ts';
import { DESIGNS, type TrampolineDesign } from './designs.ts';
import { PATCHERS, type GuestPatchStats, type PatcherKind } from './patcher.ts';
import { ftraceRecords, RecordError, type FtraceRecord } from './records.ts';
import { TIMING_NAMES, type TimingName } from '../timing/models.ts';
import { MODELS } from '../timing/install.ts';

export const TRACERS = ['nop', 'function', 'function_graph'] as const;
export type Tracer = (typeof TRACERS)[number];
export const FORMATS = ['text', 'perfetto', 'trace-dat'] as const;
export type TraceFormat = (typeof FORMATS)[number];

export type TraceErrorCode = 'bad-option' | 'guest-failed' | 'message-count' | 'cmodx' | 'guest-refused' | 'output';

export class TraceError extends Error {
  override name = 'TraceError';
  constructor(readonly code: TraceErrorCode, message: string) {
    super(message);
  }
}

export interface TraceOptions {
  /** Default 'function'. */
  tracer?: Tracer;
  /** Also run the function profiler (hits, time, variance per function). */
  profile?: boolean;
  /** set_ftrace_filter patterns (tracer and profiler); none: every function. */
  filter?: readonly string[];
  /** set_ftrace_notrace patterns. */
  notrace?: readonly string[];
  /** set_graph_function patterns (function_graph only). */
  graphFunction?: readonly string[];
  /** Functions replaced by other functions of the image while tracing is on (livepatch's mechanism). */
  redirect?: readonly Redirect[];
  /** 'pfe2', 'pfe42' or a kernel ELF path. Default 'pfe2'. */
  image?: string;
  /** Default 2. */
  cpus?: number;
  mode?: Mode;
  seed?: number;
  /** hackbench sizes; defaults 2 groups, 4 fds, 10 loops, 100 bytes. */
  groups?: number;
  fds?: number;
  loops?: number;
  datasize?: number;
  /** Ring buffer per CPU in KiB, 4..65536 (default 1024). */
  bufferKb?: number;
  /** Who writes the call sites while the CPUs run: the host's patch API, or the kernel's patcher task. Default 'host'. */
  patcher?: PatcherKind;
  /** How the sites reach the callbacks: 'list' (default), 'dynamic', 'call-ops' (needs the =4,2 image). */
  trampoline?: TrampolineDesign;
  /** Dynamic trampolines beyond BL's reach, called through veneers (needs RAM ending 128 MiB past the text). */
  farTrampolines?: boolean;
  /** Guest RAM in bytes (default 256 MiB). */
  ramSize?: number;
  icache?: IcacheModel;
  quantum?: number;
  jitThreshold?: number;
  /**
   * Cycle model (default 'none'): under 'a53' or 'a57' event times and the
   * profile's times are modelled cycles (1 ns = 1 cycle at the models' 1 GHz).
   */
  timing?: TimingName;
}

export interface Redirect {
  /** The function whose calls are taken over. */
  from: string;
  /** The function that runs instead (same arguments, returns to the same caller). */
  to: string;
}

export interface TraceConfig {
  redirect: Redirect[];
  tracer: Tracer;
  profile: boolean;
  filter: string[];
  notrace: string[];
  graphFunction: string[];
  image: string;
  cpus: number;
  mode: Mode;
  seed: number;
  groups: number;
  fds: number;
  loops: number;
  datasize: number;
  bufferKb: number;
  patcher: PatcherKind;
  trampoline: TrampolineDesign;
  farTrampolines: boolean;
  ramSize: number | null;
  icache: IcacheModel;
  quantum: number | null;
  jitThreshold: number | null;
  timing: TimingName;
}

export interface TraceResult {
  config: TraceConfig;
  image: { file: string; patchSites: number };
  tracer: Tracer;
  /** Sites patched to call a trampoline while tracing was on. */
  enabledSites: number;
  /** The profile (with `profile`), by total time. */
  functions: ProfileRow[] | null;
  /** Events drained (all CPUs). */
  events: number;
  /** Events dropped because a buffer was full (all CPUs). */
  lost: number;
  perCpu: CpuTraceStats[];
  workload: { messages: number; expectedMessages: number; reports: Record<string, number> };
  /** CMODX events of the boot, host patches and guest stores into text together, and by source. */
  cmodx: CmodxCounts & { bySource: Record<CmodxSource, CmodxCounts> };
  /** Capacity of each CPU's buffer, in events. */
  bufferEvents: number;
  patcher: PatcherKind;
  /** The kernel patcher's own counts (requests, batches, ticks spent, grace periods); requests 0 with the host patcher and no dynamic trampolines freed. */
  guestPatch: GuestPatchStats | null;
  /** Guest instructions of the boot. */
  guestInstructions: number;
  /** GO to the last receiver, by the guest's clock (ns). */
  runNs: number;
  seconds: number;
  /** The drained events and what the writers need to print them. */
  trace: { events: TraceEvent[]; context: TraceContext };
}

const { int, oneOf, bool } = optionChecks((m) => new TraceError('bad-option', m));

export const TRACE_DEFAULTS = { groups: 2, fds: 4, loops: 10, datasize: 100, cpus: 2, bufferKb: 1024 } as const;




function patterns(name: string, v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((p) => typeof p !== 'string')) throw new TraceError('bad-option', `${name} must be a list of patterns`);
  return [...v];
}

/** Resolves defaults and checks every option (TraceError 'bad-option'); patterns are checked against the image later. */
export function resolveTraceOptions(o: TraceOptions = {}): TraceConfig {
  const d = TRACE_DEFAULTS;
  const tracer = oneOf('tracer', o.tracer ?? 'function', TRACERS);
  const profile = o.profile ?? false;
  if (typeof profile !== 'boolean') throw new TraceError('bad-option', 'profile must be true or false');
  const graphFunction = patterns('graph-function', o.graphFunction);
  if (graphFunction.length && tracer !== 'function_graph') {
    throw new TraceError('bad-option', `--graph-function needs the function_graph tracer (the tracer is ${tracer})`);
  }
  const cpus = int('cpus', o.cpus ?? d.cpus, 1, 64);
  const groups = int('groups', o.groups ?? d.groups, 1, 256);
  const fds = int('fds', o.fds ?? d.fds, 1, 256);
  if (groups * fds * 2 > 4096) throw new TraceError('bad-option', `groups x fds x 2 tasks must be at most 4096, got ${groups * fds * 2}`);
  const image = o.image ?? 'pfe2';
  if (typeof image !== 'string' || image === '') throw new TraceError('bad-option', `image must be ${KERNEL_IMAGES.join(', ')} or a kernel ELF file`);
  const redirect = o.redirect ?? [];
  if (!Array.isArray(redirect) || redirect.some((r) => typeof r?.from !== 'string' || typeof r?.to !== 'string' || !r.from || !r.to)) {
    throw new TraceError('bad-option', 'redirect must be a list of { from, to } function names');
  }
  return {
    redirect: redirect.map((r) => ({ from: r.from, to: r.to })),
    tracer,
    profile,
    filter: patterns('filter', o.filter),
    notrace: patterns('notrace', o.notrace),
    graphFunction,
    image,
    cpus,
    mode: oneOf('mode', o.mode ?? 'threads', ['threads', 'deterministic'] as const),
    seed: int('seed', o.seed ?? 1, 0, 0xffffffff),
    groups,
    fds,
    loops: int('loops', o.loops ?? d.loops, 1, 1_000_000),
    datasize: int('datasize', o.datasize ?? d.datasize, 8, 4096),
    bufferKb: int('buffer-kb', o.bufferKb ?? d.bufferKb, 4, 65536),
    patcher: oneOf('patcher', o.patcher ?? 'host', PATCHERS),
    trampoline: oneOf('trampoline', o.trampoline ?? 'list', DESIGNS),
    farTrampolines: bool('far-trampolines', o.farTrampolines ?? false),
    ramSize: o.ramSize === undefined ? null : int('ram', o.ramSize, 1 << 20, 2 ** 31),
    icache: oneOf('icache', o.icache ?? 'architectural', ['architectural', 'coherent'] as const),
    quantum: o.quantum === undefined ? null : int('quantum', o.quantum, 1, 0x3fffffff),
    jitThreshold: o.jitThreshold === undefined ? null : int('jit-threshold', o.jitThreshold, 0, 0x7fffffff),
    timing: oneOf('timing', o.timing ?? 'none', TIMING_NAMES),
  };
}

/** The image's records, for --list; TraceError for a missing or unusable image. */
export function traceableFunctions(image = 'pfe2'): { file: string; records: FtraceRecord[] } {
  const file = imageFile(image);
  return { file, records: recordsOf(readImageChecked(file), file) };
}

function imageFile(image: string): string {
  try {
    return kernelImageFile(image);
  } catch (err) {
    if (err instanceof KernelImageError) throw new TraceError('bad-option', err.message);
    throw err;
  }
}

function readImageChecked(file: string): Uint8Array {
  try {
    return readImage(file);
  } catch (err) {
    throw new TraceError('bad-option', `cannot read ${file}: ${(err as Error).message}`);
  }
}

function recordsOf(elf: Uint8Array, file: string): FtraceRecord[] {
  try {
    const recs = ftraceRecords(parseElf(elf));
    if (recs.length === 0) throw new TraceError('bad-option', `${file} has no __patchable_function_entries: nothing to trace`);
    return recs;
  } catch (err) {
    if (err instanceof TraceError) throw err;
    if (err instanceof RecordError || (err as Error).name === 'ElfError') throw new TraceError('bad-option', `${file}: ${(err as Error).message}`);
    throw err;
  }
}

/** The ops the configuration registers when the run starts. */
function opsSpecs(cfg: TraceConfig): OpsSpec[] {
  const base = { filter: cfg.filter, notrace: cfg.notrace };
  const specs: OpsSpec[] = [];
  if (cfg.tracer === 'function') specs.push({ kind: 'function', ...base });
  if (cfg.tracer === 'function_graph') specs.push({ kind: 'function_graph', ...base, graphFunctions: cfg.graphFunction });
  if (cfg.profile) specs.push({ kind: 'profile', ...base });
  for (const r of cfg.redirect) specs.push({ kind: 'redirect', filter: [r.from], target: r.to });
  return specs;
}

/** Boots, traces one hackbench run, checks it, and collects the trace. */
export async function trace(options: TraceOptions = {}): Promise<TraceResult> {
  const cfg = resolveTraceOptions(options);
  const file = imageFile(cfg.image);
  const elf = readImageChecked(file);
  const records = recordsOf(elf, file);
  try {
    if (cfg.filter.length) selectRecords(records, cfg.filter, 'filter');
    if (cfg.notrace.length) selectRecords(records, cfg.notrace, 'notrace');
    if (cfg.graphFunction.length) selectRecords(records, cfg.graphFunction, 'graph-function');
    for (const r of cfg.redirect) {
      for (const name of [r.from, r.to]) {
        if (!records.some((x) => x.fn === name)) throw new OpsError('no-match', `redirect: '${name}' is not a traceable function of the image`);
      }
    }
  } catch (err) {
    if (err instanceof OpsError) throw new TraceError('bad-option', err.message);
    throw err;
  }

  const log: string[] = [];
  const machine = await Machine.create({
    profile: 'kernel',
    cpus: cfg.cpus,
    mode: cfg.mode,
    seed: cfg.seed,
    ramSize: cfg.ramSize ?? undefined,
    icache: cfg.icache,
    quantum: cfg.quantum ?? undefined,
    jitThreshold: cfg.jitThreshold ?? undefined,
    timing: cfg.timing,
    log: (m) => log.push(m),
  });
  machine.load(elf);
  try {
    setHbParams(machine, { workload: 0, groups: cfg.groups, fds: cfg.fds, loops: cfg.loops, datasize: cfg.datasize, runs: 1 });
  } catch (err) {
    if (err instanceof KernelImageError) throw new TraceError('bad-option', `${file}: ${err.message}`);
    throw err;
  }
  let ft: Ftrace;
  try {
    ft = Ftrace.attach(machine, { bufferKb: cfg.bufferKb, patcher: cfg.patcher, trampoline: cfg.trampoline, farTrampolines: cfg.farTrampolines });
  } catch (err) {
    if (err instanceof FtraceError) throw new TraceError('bad-option', `${file}: ${err.message}`);
    throw err;
  }
  const specs = opsSpecs(cfg);
  let enabledSites = 0;
  ft.switchAtPhases(() => specs);
  ft.onUpdate = () => {
    enabledSites = Math.max(enabledSites, ft.siteStates().filter((s) => s !== 'disabled').length);
  };
  const r = await ft.run();

  const rep = (k: string) => Number(r.reports.get(k) ?? 0n);
  const expected = cfg.groups * cfg.fds * cfg.fds * cfg.loops;
  if (r.end !== 'exit' || r.exitCode !== 0) {
    const out = [r.stdout.trim(), ...log].filter(Boolean).join('\n');
    throw new TraceError('guest-failed', `the guest ended with ${r.end} ${r.exitCode ?? ''}${out ? `:\n${out}` : ''}`);
  }
  if (rep('messages') !== expected || rep('check_errors') !== 0) {
    throw new TraceError('message-count', `receivers got ${rep('messages')} messages (${rep('check_errors')} check errors), expected ${expected}`);
  }
  const refused = ft.guestRefusals;
  if (refused.length) {
    const f = refused[0]!;
    throw new TraceError('guest-refused', `the guest patcher refused ${refused.length} request(s), first at 0x${f.addr.toString(16)} (expected 0x${f.expectedOld.toString(16)}, found 0x${f.found.toString(16)})`);
  }
  const counts = machine.cmodx.counts;
  if (counts.violation > 0) {
    throw new TraceError('cmodx', `${counts.violation} patch writes were CMODX violations (first at 0x${machine.cmodx.violations[0]!.address.toString(16)})`);
  }
  if (counts.unclassified > 0) throw new TraceError('cmodx', `${counts.unclassified} guest stores into text could not be classified (the store log was full)`);
  const events = ft.events();
  const perCpu = ft.cpuStats();
  const context: TraceContext = {
    symbolize: ft.symbolizer(),
    comm: ft.comm(new Set(events.map((e) => e.pid))),
    cpus: cfg.cpus,
    lost: perCpu.map((c) => c.lost),
  };
  return {
    config: cfg,
    image: { file, patchSites: records.length },
    tracer: cfg.tracer,
    enabledSites,
    functions: cfg.profile ? profileRows(ft.profileCells(), records.map((x) => x.fn)) : null,
    events: events.length,
    lost: perCpu.reduce((s, c) => s + c.lost, 0),
    perCpu,
    workload: {
      messages: rep('messages'),
      expectedMessages: expected,
      reports: Object.fromEntries([...r.reports].filter(([k]) => !k.startsWith('run')).map(([k, v]) => [k, Number(v)])),
    },
    cmodx: { ...counts, bySource: { host: { ...machine.cmodx.bySource.host }, guest: { ...machine.cmodx.bySource.guest } } },
    bufferEvents: ft.bufferEvents,
    patcher: cfg.patcher,
    guestPatch: ft.guestPatchStats(),
    guestInstructions: Number(r.insns),
    runNs: rep('time_ns'),
    seconds: r.seconds,
    trace: { events, context },
  };
}

/** The trace in the tracer's text layout (and the profile table after it), or trace-event JSON. */
export function formatTrace(r: TraceResult, format: TraceFormat = 'text'): string {
  const { events, context } = r.trace;
  if (format === 'trace-dat') throw new TraceError('bad-option', 'trace-dat is binary: use toTraceDat(result)');
  if (format === 'perfetto') return `${JSON.stringify(toTraceEventJson(events, context))}\n`;
  const parts: string[] = [];
  if (r.tracer === 'function') parts.push(formatFunctionTrace(events.filter((e) => e.type === 'function'), context));
  else if (r.tracer === 'function_graph') parts.push(formatGraphTrace(events.filter((e) => e.type !== 'function'), context));
  else parts.push('# tracer: nop\n#\n');
  if (r.functions) {
    if (r.config.timing !== 'none') parts.push(`# profile times are ${r.config.timing} modelled cycles (1 us = ${MODELS[r.config.timing].frequency / 1e6} cycles)\n`);
    parts.push(formatProfile(r.functions));
  }
  return parts.join('\n');
}

/** The trace as trace-cmd's trace.dat (version 6), for `trace-cmd report` and KernelShark. */
export function toTraceDat(r: TraceResult): Uint8Array {
  return traceDat(r.trace.events, r.trace.context);
}

/** The --json object: everything but the events themselves. */
export function traceJson(r: TraceResult): object {
  const { trace: _t, ...rest } = r;
  return rest;
}
