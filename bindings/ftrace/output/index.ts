// The ftrace output writers: the function and function_graph `trace` files,
// the function profile table, and Chrome trace-event JSON for Perfetto.

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
export { graphDuration, overheadMark } from './duration.ts';
export { symbolName } from './context.ts';
