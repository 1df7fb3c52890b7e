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
//   direct    (any design) a site whose only ops is a direct ops calls that
//             ops' own code (ftrace direct calls), no tracer path at all
//
// A target beyond BL's +-128 MiB (trampolines placed far away) is reached
// through a veneer in the kernel's trampoline room, one per target:
//
//   veneer:  LDR X16, 8f      the target
//            BR  X16          (x16 is IP0: free at a function's entry; x30 stays fn+8)
//        8:  .quad target
//
// A dynamic trampoline whose ops has left is freed (its words back to the
// room's BRK fill, its room reused) only after an RCU-tasks grace period in
// the guest (ftrace.ts), so no CPU and no preempted task can still be inside it.

import type { PatchSite } from '../patch/text.ts';
import type { FtraceOps } from './ops.ts';
import type { FtraceRecord } from './records.ts';
import type { SiteState } from './sites.ts';
import { Assembler, type Assembled } from '../isa/asm.ts';
import { generateOpsTrampoline, TRAMP_FILL, type CallerCode } from './trampolines/caller.ts';

export const DESIGNS = ['list', 'dynamic', 'call-ops'] as const;
export type TrampolineDesign = (typeof DESIGNS)[number];

export interface SiteTarget {
  state: SiteState;
  /** The BL's target (0: the site is a NOP): a trampoline, or the veneer that reaches it. */
  addr: bigint;
  /** The trampoline a veneer leads to, when the site goes through one; else null. */
  via: bigint | null;
  /** call-ops: the ops pointer the literal must hold; null for the other designs. */
  literal: bigint | null;
}

/** A dynamic trampoline's place: [addr, end) of `room`. */
export interface TrampolineRange {
  room: Room;
  addr: bigint;
  end: bigint;
}

export class DesignError extends Error {
  override name = 'DesignError';
}

export interface Room {
  next: bigint;
  end: bigint;
}

export interface DesignEnv {
  design: TrampolineDesign;
  callers: CallerCode;
  /** The kernel's trampoline room after the shared callers: veneers, and dynamic trampolines unless `far`. */
  room: Room;
  /** Where dynamic trampolines go when placed beyond BL's reach (null: in `room`). */
  far: Room | null;
  /** The callback address of an ops (its guest function). */
  func: (ops: FtraceOps) => bigint;
  /** call-ops: the list ops and the stub ops in guest memory. */
  listOps: bigint;
  stubOps: bigint;
}

export class Designs {
  private readonly dyn = new Map<FtraceOps, TrampolineRange>();
  private readonly veneers = new Map<bigint, bigint>(); // target -> veneer
  private named: { name: string; addr: bigint; end: bigint }[] = [];
  private readonly free: TrampolineRange[] = [];
  private pending: PatchSite[] = [];

  constructor(private readonly env: DesignEnv) {}

  get design(): TrampolineDesign {
    return this.env.design;
  }

  /** Where the site `rec` goes given the ops that want it (in registration order). */
  target(rec: FtraceRecord, want: readonly FtraceOps[]): SiteTarget {
    const { design, callers } = this.env;
    const stub = design === 'call-ops' ? this.env.stubOps : null;
    if (want.length === 0) return { state: 'disabled', addr: 0n, via: null, literal: stub };
    const direct = want.find((o) => o.directCall !== null);
    if (direct) {
      if (want.length > 1) throw new DesignError(`${rec.fn}: a direct ops (${direct.id}) cannot share its site with other ops`);
      return { state: 'direct', ...this.reach(rec, direct.directCall!), literal: stub };
    }
    const regs = want.some((o) => o.saveRegs);
    const single = want.length === 1 && want[0]!.recursionSafe ? want[0]! : null;
    if (design === 'call-ops') {
      return {
        state: regs ? 'call-ops-regs' : 'call-ops',
        addr: regs ? callers.ftraceRegsCallerOps : callers.ftraceCallerOps,
        via: null,
        literal: single ? single.addr : this.env.listOps,
      };
    }
    if (design === 'dynamic' && single) return { state: 'dynamic', ...this.reach(rec, this.trampolineOf(single)), literal: null };
    return { state: regs ? 'regs' : 'caller', addr: regs ? callers.ftraceRegsCaller : callers.ftraceCaller, via: null, literal: null };
  }

  /** The BL target for `target` from `rec`: itself when in reach, else its veneer. */
  private reach(rec: FtraceRecord, target: bigint): { addr: bigint; via: bigint | null } {
    const d = target - rec.ip;
    if (d >= -(1n << 27n) && d < 1n << 27n) return { addr: target, via: null };
    let v = this.veneers.get(target);
    if (v === undefined) {
      const a = new Assembler(this.env.room.next);
      a.ldr('x16', 'lit', 'the far target');
      a.br('x16', 'on to it; x30 still holds fn+8');
      a.bind(a.label('lit'));
      a.quad(target, `veneer literal: 0x${target.toString(16)}`);
      v = this.place(this.env.room, a.finish(), `ftrace_veneer_${this.veneers.size}`);
      this.veneers.set(target, v);
    }
    return { addr: v, via: target };
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
    return [0n, c.ftraceCaller, c.ftraceRegsCaller, c.ftraceCallerOps, c.ftraceRegsCallerOps, ...this.named.map((n) => n.addr)];
  }

  /** Names of the generated trampolines and veneers, for the symbolizer. */
  symbols(): readonly { name: string; addr: bigint; end: bigint }[] {
    return this.named;
  }

  /**
   * Code of one's own (a direct-call trampoline) placed where dynamic
   * trampolines go; its words are written with the next update.
   */
  placeCode(build: (a: Assembler) => void, name: string): bigint {
    const room = this.env.far ?? this.env.room;
    const a = new Assembler(room.next);
    build(a);
    return this.place(room, a.finish(), name);
  }

  /** The dynamic trampoline of `ops`, if it has one. */
  trampolineRange(ops: FtraceOps): TrampolineRange | null {
    return this.dyn.get(ops) ?? null;
  }

  /** Forgets the dynamic trampoline of `ops` (no site may target it any more); returns its range to free later. */
  release(ops: FtraceOps): TrampolineRange | null {
    const d = this.dyn.get(ops);
    if (!d) return null;
    this.dyn.delete(ops);
    return d;
  }

  /** Returns a released range to its room for reuse (its words must be the fill again). */
  reuse(range: TrampolineRange): void {
    this.named = this.named.filter((n) => n.addr !== range.addr);
    this.free.push(range);
  }

  private trampolineOf(ops: FtraceOps): bigint {
    const have = this.dyn.get(ops);
    if (have) return have.addr;
    const room = this.env.far ?? this.env.room;
    const name = `ftrace_ops_tramp_${ops.id}`;
    const gen = (at: bigint) => generateOpsTrampoline(at, name, ops.addr, this.env.func(ops), ops.saveRegs);
    const size = BigInt(gen(room.next).bytes.length);
    const slot = this.free.findIndex((f) => f.room === room && f.end - f.addr >= size);
    let addr: bigint;
    if (slot >= 0) {
      const f = this.free.splice(slot, 1)[0]!;
      addr = f.addr;
      gen(addr).words.forEach((w, k) => this.pending.push({ addr: addr + BigInt(4 * k), expectedOld: TRAMP_FILL, newWord: w }));
      this.named.push({ name, addr, end: addr + size });
    } else {
      addr = this.place(room, gen(room.next), name);
    }
    this.dyn.set(ops, { room, addr, end: addr + size });
    return addr;
  }

  /** Queues `code` (assembled at room.next) for writing and moves the room on. */
  private place(room: Room, code: Assembled, name: string): bigint {
    const addr = room.next;
    const end = addr + BigInt(code.bytes.length);
    if (end > room.end) throw new DesignError(`no room left for ${name} (the trampoline room is full)`);
    code.words.forEach((w, k) => this.pending.push({ addr: addr + BigInt(4 * k), expectedOld: TRAMP_FILL, newWord: w }));
    this.named.push({ name, addr, end });
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
