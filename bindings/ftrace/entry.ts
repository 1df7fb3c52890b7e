// How the first word of each patchable entry is managed, and what is done
// between the two words' writes: the strategies argued over when arm64
// ftrace was designed (the race lab, bindings/race/, runs each of them).
//
// The second word (rec.ip, the call site) always toggles NOP <-> BL. The
// first word (rec.entry) depends on the entry protocol:
//
//   protocol   at rest (disabled)   traced          live writes per enable / disable
//   init-mov   MOV X9, X30          MOV X9, X30     BL only (the first word is written at boot)
//   runtime    NOP                  MOV X9, X30     MOV then BL / NOP at the call site then NOP
//   b-plus-2   B .+8                MOV X9, X30     BL (skipped by B .+8) then MOV / B .+8 then NOP
//
// and the sync between the two phases of an update:
//
//   none          both phases written one after the other
//   rcu-tasks     an RCU-tasks grace period in the guest between them: every
//                 task has since switched voluntarily or idled, so none can
//                 be preempted between the two words of an entry
//   stop-machine  both phases written while every CPU is held (the host
//                 pauses them, or writes between deterministic slices); a
//                 task preempted between the two words is still exposed
//
// 'runtime' with 'none' is the v6 patch's scheme: a CPU that ran the first
// NOP as a NOP and then meets the new BL enters ftrace_caller with X9 not
// holding its caller's LR. NOP <-> MOV and B <-> MOV are outside the
// architecture's list of instructions that may be rewritten while another
// CPU runs them: the CMODX checker counts them.

import type { PatchSite } from '../patch/text.ts';
import type { FtraceRecord } from './records.ts';
import { MOV_X9_X30, NOP, transition } from './sites.ts';

export type EntryProtocol = 'init-mov' | 'runtime' | 'b-plus-2';
export const ENTRY_PROTOCOLS: readonly EntryProtocol[] = ['init-mov', 'runtime', 'b-plus-2'];
export type SiteSync = 'none' | 'rcu-tasks' | 'stop-machine';
export const SITE_SYNCS: readonly SiteSync[] = ['none', 'rcu-tasks', 'stop-machine'];

/** B .+8: skips the call-site word. */
export const B_PLUS_8 = 0x14000002;

/** The first word of a disabled entry under `protocol`. */
export function restWord(protocol: EntryProtocol): number {
  return protocol === 'init-mov' ? MOV_X9_X30 : protocol === 'runtime' ? NOP : B_PLUS_8;
}

/** The two phases of one update: `first` is written (and synchronised) before `second`. */
export interface UpdatePlan {
  first: PatchSite[];
  second: PatchSite[];
}

/**
 * Adds to `plan` the writes that take `rec` from calling `from` to calling
 * `to` (0n: disabled) under `protocol`.
 */
export function planSite(plan: UpdatePlan, rec: FtraceRecord, from: bigint, to: bigint, protocol: EntryProtocol): void {
  const call = transition(rec, from, to);
  if (!call) return;
  const rest = restWord(protocol);
  const enabling = from === 0n, disabling = to === 0n;
  if (protocol === 'init-mov' || (!enabling && !disabling)) {
    plan.first.push(call);
    return;
  }
  const toMov: PatchSite = { addr: rec.entry, expectedOld: rest, newWord: MOV_X9_X30 };
  const toRest: PatchSite = { addr: rec.entry, expectedOld: MOV_X9_X30, newWord: rest };
  if (protocol === 'runtime') {
    // the LR saver before the call that needs it; the call gone before its saver
    if (enabling) plan.first.push(toMov), plan.second.push(call);
    else plan.first.push(call), plan.second.push(toRest);
  } else {
    // the call written behind the branch that skips it, then the branch opened; the reverse to disable
    if (enabling) plan.first.push(call), plan.second.push(toMov);
    else plan.first.push(toRest), plan.second.push(call);
  }
}
