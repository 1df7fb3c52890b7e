// What each call site must hold, and the three rewrites that take it there
// (the kernel's ftrace_make_call / ftrace_make_nop / ftrace_modify_call).
// With MOV X9, X30 in every entry since boot, only the call-site word moves,
// and NOP <-> BL and BL <-> BL are pairs the architecture lets other CPUs
// execute while they change:
//
//   state        fn+0          fn+4 (rec.ip)
//   disabled     MOV X9, X30   NOP
//   caller       MOV X9, X30   BL ftrace_caller
//   regs         MOV X9, X30   BL ftrace_regs_caller
//
// Each rewrite names the word it expects: the validated patch API refuses
// (PatchError 'mismatch', nothing written) when memory holds anything else.

import type { PatchSite } from '../patch/text.ts';
import type { FtraceRecord } from './records.ts';

export const NOP = 0xd503201f;
/** MOV X9, X30 (ORR X9, XZR, X30). */
export const MOV_X9_X30 = 0xaa1e03e9;

export type SiteState = 'disabled' | 'caller' | 'regs';

/** BL from `at` to `target`; RangeError beyond BL's +-128 MiB. */
export function blWord(at: bigint, target: bigint): number {
  const d = target - at;
  if (d % 4n !== 0n || d < -(1n << 27n) || d >= 1n << 27n) {
    throw new RangeError(`BL from 0x${at.toString(16)} cannot reach 0x${target.toString(16)} (beyond +-128 MiB)`);
  }
  return (0x94000000 | Number((d >> 2n) & 0x3ffffffn)) >>> 0;
}

export interface Trampolines {
  caller: bigint;
  regs: bigint;
}

/** The word `rec.ip` holds in `state`. */
export function siteWord(rec: FtraceRecord, state: SiteState, t: Trampolines): number {
  return state === 'disabled' ? NOP : blWord(rec.ip, state === 'caller' ? t.caller : t.regs);
}

/** NOP -> BL trampoline. */
export function makeCall(rec: FtraceRecord, state: Exclude<SiteState, 'disabled'>, t: Trampolines): PatchSite {
  return { addr: rec.ip, expectedOld: NOP, newWord: siteWord(rec, state, t) };
}

/** BL trampoline -> NOP. */
export function makeNop(rec: FtraceRecord, old: Exclude<SiteState, 'disabled'>, t: Trampolines): PatchSite {
  return { addr: rec.ip, expectedOld: siteWord(rec, old, t), newWord: NOP };
}

/** BL one trampoline -> BL the other. */
export function modifyCall(rec: FtraceRecord, old: Exclude<SiteState, 'disabled'>, next: Exclude<SiteState, 'disabled'>, t: Trampolines): PatchSite {
  return { addr: rec.ip, expectedOld: siteWord(rec, old, t), newWord: siteWord(rec, next, t) };
}

/** The rewrite from `from` to `to`, or null when they are the same. */
export function transition(rec: FtraceRecord, from: SiteState, to: SiteState, t: Trampolines): PatchSite | null {
  if (from === to) return null;
  if (from === 'disabled') return makeCall(rec, to as Exclude<SiteState, 'disabled'>, t);
  if (to === 'disabled') return makeNop(rec, from, t);
  return modifyCall(rec, from, to, t);
}
