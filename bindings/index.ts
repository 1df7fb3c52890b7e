// patchlab's public entry: the Machine API, its types and errors.

export { Machine } from './machine/machine.ts';
export type {
  CpuCounters, IcacheModel, LoadOptions, MachineEnd, MachineOptions, MachineResult, Mode, Profile, SchedulePolicy,
} from './machine/types.ts';
export type { Slice, StepResult } from './machine/deterministic.ts';
export { ConfigError, GuestAccessError, LoadError, MachineError, type MachineErrorCode } from './machine/errors.ts';
export type { HostThreadTimes, Platform, SpawnOptions, WorkerHandle } from './machine/platform.ts';
export { HOSTCALL } from './machine/hostcalls.ts';
export type { HostCall, HostCallHandler } from './machine/remote-calls.ts';
export { KERNEL_RAM_BASE, DEFAULT_KERNEL_RAM } from './machine/kernel-image.ts';
export { CpuState } from './core.ts';
export { GuestMemory } from './guest-memory.ts';
export type { Fault, FaultKind } from './oops.ts';
export { ElfError } from './elf/index.ts';
export {
  hackbench, type HackbenchHooks, type HackbenchResult, type IntervalStatus, type NoiseSummary, type PairedComparison, type PrologueRuns,
  type RunRecord, type StopReason,
} from './hackbench/run.ts';
export { paired, wilcoxon, type Paired, type Wilcoxon } from './hackbench/paired.ts';
export type { CpuThreadNoise, RunNoise } from './hackbench/noise.ts';
export type { TracedCalls } from './hackbench/calls.ts';
export {
  HackbenchError, type HackbenchConfig, type HackbenchErrorCode, type HackbenchOptions, type KernelImageName,
} from './hackbench/options.ts';
export {
  applyPrologue, MOV_X9_X30, NOP, PROLOGUES, PrologueError, prologueSites,
  type Prologue, type PrologueErrorCode, type PrologueResult, type PrologueSite,
} from './hackbench/prologue.ts';
export { compare, StatsError, summarize, welch, type Comparison, type Summary, type Welch } from './hackbench/stats.ts';
export { formatMarkdown, formatSvg, formatText } from './hackbench/report.ts';
export { PatchError, type PatchErrorCode, type PatchOptions, type PatchResult, type PatchSite } from './patch/text.ts';
export { CmodxChecker, cmodxClass, type CmodxCounts, type CmodxRecord, type CmodxSource, type CmodxVerdict, type CpuActivity } from './patch/cmodx.ts';
export { Ftrace, FtraceError, type CpuTraceStats, type FtraceErrorCode, type FtraceOptions, type ProfileCell } from './ftrace/ftrace.ts';
export { FtraceOps, OpsError, type OpsErrorCode, type OpsKind, type OpsSpec } from './ftrace/ops.ts';
export { ftraceRecords, RecordError, type FtraceRecord, type RecordLayout } from './ftrace/records.ts';
export type { SiteState } from './ftrace/sites.ts';
export {
  formatTrace, toTraceDat, trace, traceableFunctions, traceJson, TraceError, TRACERS,
  type Redirect, type TraceConfig, type TraceErrorCode, type TraceFormat, type TraceOptions, type TraceResult, type Tracer,
} from './ftrace/trace.ts';
export {
  formatFunctionTrace, formatGraphTrace, formatProfile, graphCalls, profileRows, toTraceEventJson, traceDat, TRACE_DAT_VERSION,
  type FunctionEvent, type GraphCall, type GraphEntryEvent, type GraphExitEvent, type ProfileRow, type TraceContext, type TraceEvent,
} from './ftrace/output/index.ts';
export {
  BENCH_TRAMPOLINES_DEFAULTS, BenchError, benchTrampolines, formatBenchTrampolines, TRAMPOLINE_DESIGNS,
  type BenchErrorCode, type BenchMode, type BenchRow, type BenchTrampolinesConfig, type BenchTrampolinesOptions, type BenchTrampolinesResult,
} from './ftrace/bench-trampolines.ts';
export { B_PLUS_8, ENTRY_PROTOCOLS, SITE_SYNCS, type EntryProtocol, type SiteSync } from './ftrace/entry.ts';
export {
  RaceError, resolveRaceOptions, runRace,
  type FailureKind, type RaceConfig, type RaceErrorCode, type RaceFailure, type RaceOptions, type RaceResult,
} from './race/run.ts';
export {
  decodeToken, encodeToken, replayRace, searchRace, summarise,
  type RaceFound, type RaceSummary, type SearchOptions,
} from './race/explore.ts';
export { formatRace, formatRaceTable, raceJson } from './race/format.ts';
export { STRATEGIES, STRATEGY_NAMES, type RaceStrategy, type StrategyName } from './race/strategies.ts';
export { SEARCH_POLICIES, type SearchPolicy } from './race/schedule.ts';
export type { TimelineEvent, TimelineKind } from './race/timeline.ts';
export {
  buildProgram, DEFAULT_FETCH_AHEAD, explore, formatLitmusText, formatProp, KINDS, LitmusError, litmusJson, parseKinds, parseLitmus,
  readLitmus, runLitmus, runTest,
  type Exploration, type ExploreOptions, type Kind, type LitmusErrorCode, type LitmusOptions, type LitmusResult, type LitmusTest,
  type Outcome, type Verdict,
} from './litmus/index.ts';
export { raceLab, raceLabJson, type RaceLabHooks, type RaceLabOptions, type RaceLabResult } from './race/lab.ts';
export { LiveError, LiveMachine, type LiveCpu, type LiveErrorCode, type LiveOptions, type LiveSnapshot, type LiveWord } from './workload/live.ts';
export { ISOLATION_HEADERS, pageDir, serve, ServeError, type ServeOptions, type Serving } from './serve/server.ts';
