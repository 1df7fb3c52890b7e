// Trampoline designs: where a call site with some set of interested ops
// branches to, and (CALL_OPS) what the literal before the function says.
//
//   list      every enabled site calls ftrace_caller (ftrace_regs_caller when
//             an ops wants pt_regs), which calls ftrace_ops_list_func: each
//             registered ops is visited and its filter tested
//   dynamic   a site wanted by exactly one ops calls that ops' own trampoline,
//             generated when first needed: its callback is called directly with
//             the ops, no list walk (the x86 design); two or more ops, or one
//             that is not safe against recursion, fall back to the list
//   call-ops  (=4,2 images) every enabled site calls ftrace_caller_ops, which
//             loads the ops pointer from the 8 bytes before the function and
//             calls op->func: the site's one ops, else the list ops (whose
//             func is the list function); a disabled site's literal names the
//             stub ops. The literal is written before the BL that uses it
//             (enable), and set back to the stub after the NOP (disable).
//
//   =4,2 site, call-ops:   fn-8  .quad ops     (one 64-bit aligned store)
//                          fn+0  MOV X9, X30
//                          fn+4  BL ftrace_caller_ops
//
// Dynamic trampolines are never freed while the machine lives (their room is
// not reused), so a CPU still inside one after its ops left finds it intact.

import type { PatchSite } from '../patch/text.ts';
import type { FtraceOps } from './ops.ts';
import type { FtraceRecord } from './records.ts';
import type { SiteState } from './sites.ts';
import { generateOpsTrampoline, TRAMP_FILL, type CallerCode } from './trampolines/caller.ts';

export const DESIGNS = ['list', 'dynamic', 'call-ops'] as const;
export type TrampolineDesign = (typeof DESIGNS)[number];

export interface SiteTarget {
  state: SiteState;
  /** The BL's target (0: the site is a NOP). */
  addr: bigint;
  /** call-ops: the ops pointer the literal must hold; null for the other designs. */
  literal: bigint | null;
}

export class DesignError extends Error {
  override name = 'DesignError';
}

export interface DesignEnv {
  design: TrampolineDesign;
  callers: CallerCode;
  /** Where dynamic trampolines may go: [next, end) of the kernel's trampoline room. */
  room: { next: bigint; end: bigint };
  /** The callback address of an ops (its guest function). */
  func: (ops: FtraceOps) => bigint;
  /** call-ops: the list ops and the stub ops in guest memory. */
  listOps: bigint;
  stubOps: bigint;
}

export class Designs {
  private readonly dyn = new Map<FtraceOps, { addr: bigint; end: bigint }>();
  private pending: PatchSite[] = [];

  constructor(private readonly env: DesignEnv) {}

  get design(): TrampolineDesign {
    return this.env.design;
  }

  /** Where a site goes given the ops that want it (in registration order). */
  target(want: readonly FtraceOps[]): SiteTarget {
    const { design, callers } = this.env;
    if (want.length === 0) return { state: 'disabled', addr: 0n, literal: design === 'call-ops' ? this.env.stubOps : null };
    const regs = want.some((o) => o.saveRegs);
    const single = want.length === 1 && want[0]!.recursionSafe ? want[0]! : null;
    if (design === 'call-ops') {
      return {
        state: regs ? 'call-ops-regs' : 'call-ops',
        addr: regs ? callers.ftraceRegsCallerOps : callers.ftraceCallerOps,
        literal: single ? single.addr : this.env.listOps,
      };
    }
    if (design === 'dynamic' && single) return { state: 'dynamic', addr: this.trampolineOf(single), literal: null };
    return { state: regs ? 'regs' : 'caller', addr: regs ? callers.ftraceRegsCaller : callers.ftraceCaller, literal: null };
  }

  /** The words of the dynamic trampolines generated since the last call (to write before any site uses them). */
  takeCode(): PatchSite[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  /** Every address a site may branch to (to recognise a word read back from memory). */
  knownTargets(): bigint[] {
    const c = this.env.callers;
    return [0n, c.ftraceCaller, c.ftraceRegsCaller, c.ftraceCallerOps, c.ftraceRegsCallerOps, ...[...this.dyn.values()].map((d) => d.addr)];
  }

  /** Names of the generated trampolines, for the symbolizer. */
  symbols(): { name: string; addr: bigint; end: bigint }[] {
    return [...this.dyn].map(([o, d]) => ({ name: `ftrace_ops_tramp_${o.id}`, addr: d.addr, end: d.end }));
  }

  private trampolineOf(ops: FtraceOps): bigint {
    const have = this.dyn.get(ops);
    if (have) return have.addr;
    const room = this.env.room;
    const code = generateOpsTrampoline(room.next, `ftrace_ops_tramp_${ops.id}`, ops.addr, this.env.func(ops), ops.saveRegs);
    const end = room.next + BigInt(code.bytes.length);
    if (end > room.end) throw new DesignError(`no room left for a dynamic trampoline of ops ${ops.id} (the kernel's trampoline room is full)`);
    code.words.forEach((w, k) => this.pending.push({ addr: room.next + BigInt(4 * k), expectedOld: TRAMP_FILL, newWord: w }));
    const addr = room.next;
    this.dyn.set(ops, { addr, end });
    room.next = (end + 15n) & ~15n;
    return addr;
  }
}

/** Checks that a record set can carry a design (CALL_OPS needs =4,2 sites with 8-byte aligned literals). */
export function checkDesign(design: TrampolineDesign, records: readonly FtraceRecord[]): string | null {
  if (design !== 'call-ops') return null;
  const bad = records.find((r) => r.layout !== 'pfe42');
  if (bad) return `call-ops needs an image built with -fpatchable-function-entry=4,2 (${bad.fn} has no room before its entry)`;
  const unaligned = records.find((r) => r.site % 8n !== 0n);
  if (unaligned) return `call-ops needs 8-byte aligned literals: ${unaligned.fn}'s is at 0x${unaligned.site.toString(16)} (build with -falign-functions=8)`;
  return null;
}
