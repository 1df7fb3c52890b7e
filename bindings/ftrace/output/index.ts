// The ftrace output writers: the function and function_graph `trace` files,
// the function profile table, Chrome trace-event JSON for Perfetto, and
// trace-cmd's trace.dat.

export type {
  FunctionEvent, GraphCall, GraphEntryEvent, GraphExitEvent, ProfileRow, Symbolizer, TraceContext, TraceEvent,
} from '../events.ts';
export { formatFunctionTrace } from './function-text.ts';
export { formatGraphTrace } from './graph-text.ts';
export { graphCalls } from './graph-calls.ts';
export { formatProfile, profileRows, type ProfileCounters } from './profile-table.ts';
export {
  IDLE_TID_BASE, toTraceEventJson, traceTid, type TraceEventDocument, type TraceEventJson,
} from './perfetto.ts';
export { traceDat, TRACE_DAT_VERSION } from './trace-dat.ts';
export { graphDuration, overheadMark } from './duration.ts';
export { symbolName } from './context.ts';
