// What each call site must hold, and the three rewrites that take it there
// (the kernel's ftrace_make_call / ftrace_make_nop / ftrace_modify_call).
// With MOV X9, X30 in every entry since boot, only the call-site word moves,
// and NOP <-> BL and BL <-> BL are pairs the architecture lets other CPUs
// execute while they change:
//
//   state          fn+0          fn+4 (rec.ip)
//   disabled       MOV X9, X30   NOP
//   caller         MOV X9, X30   BL ftrace_caller           (list design)
//   regs           MOV X9, X30   BL ftrace_regs_caller      (an ops wants pt_regs)
//   dynamic        MOV X9, X30   BL the one ops' trampoline (dynamic design)
//   call-ops       MOV X9, X30   BL ftrace_caller_ops       (=4,2: fn-8 holds the ops pointer)
//   call-ops-regs  MOV X9, X30   BL ftrace_regs_caller_ops
//   direct         MOV X9, X30   BL a direct ops' own code
//
// (dynamic and direct targets out of BL's reach: BL a veneer, designs.ts)
//
// Each rewrite names the word it expects: the validated patch API refuses
// (PatchError 'mismatch', nothing written) when memory holds anything else.

import type { PatchSite } from '../patch/text.ts';
import type { FtraceRecord } from './records.ts';

export const NOP = 0xd503201f;
/** MOV X9, X30 (ORR X9, XZR, X30). */
export const MOV_X9_X30 = 0xaa1e03e9;

export type SiteState = 'disabled' | 'caller' | 'regs' | 'dynamic' | 'call-ops' | 'call-ops-regs' | 'direct';

/** BL from `at` to `target`; RangeError beyond BL's +-128 MiB. */
export function blWord(at: bigint, target: bigint): number {
  const d = target - at;
  if (d % 4n !== 0n || d < -(1n << 27n) || d >= 1n << 27n) {
    throw new RangeError(`BL from 0x${at.toString(16)} cannot reach 0x${target.toString(16)} (beyond +-128 MiB)`);
  }
  return (0x94000000 | Number((d >> 2n) & 0x3ffffffn)) >>> 0;
}

/** The word `rec.ip` holds when it calls `target` (0: the NOP of a disabled site). */
export function siteWord(rec: FtraceRecord, target: bigint): number {
  return target === 0n ? NOP : blWord(rec.ip, target);
}

/** NOP -> BL target. */
export function makeCall(rec: FtraceRecord, target: bigint): PatchSite {
  return { addr: rec.ip, expectedOld: NOP, newWord: siteWord(rec, target) };
}

/** BL old -> NOP. */
export function makeNop(rec: FtraceRecord, old: bigint): PatchSite {
  return { addr: rec.ip, expectedOld: siteWord(rec, old), newWord: NOP };
}

/** BL old -> BL next. */
export function modifyCall(rec: FtraceRecord, old: bigint, next: bigint): PatchSite {
  return { addr: rec.ip, expectedOld: siteWord(rec, old), newWord: siteWord(rec, next) };
}

/** The rewrite from calling `from` to calling `to` (0: disabled), or null when the word stays. */
export function transition(rec: FtraceRecord, from: bigint, to: bigint): PatchSite | null {
  if (from === to) return null;
  if (from === 0n) return makeCall(rec, to);
  if (to === 0n) return makeNop(rec, from);
  return modifyCall(rec, from, to);
}
