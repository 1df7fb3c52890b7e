// Region -> one Wasm function `(st, block, left) -> next`.
//
// Shape of the generated function (N blocks):
//
//   block $exit
//     loop $top
//       block $b(N-1) ... block $b0
//         br_table $b0 .. $b(N-1) (local $blk)   ; enter at block `blk`
//       end  ;; code of block 0
//       ...
//       end  ;; code of block N-1
//     end
//   end
//   C_JIT_RETIRED = left0 - left ; return next
//
// A jump to a block of the same region sets $blk and branches to $top; any
// other exit sets $next (PC | JIT_NEXT_*) and branches to $exit.
//
// Each block starts with a budget check (enough instructions left for the
// whole block, else the interpreter takes over), then the I-cache check: when
// the machine's code epoch moved since the region last looked (a store into a
// code page, a host patch), the region compares all its words with memory
// (function `recheck`, globals $ep and $stale; $key equals the epoch only
// while the region is known clean, so a block's entry test is one compare).
// A stale region leaves at once
// in the coherent model; in the architectural model it goes on running its
// old instructions and adds those that differ from memory to C_STALE.
// Guest registers are cached in Wasm locals within a block: loaded on first
// use, stored back at the block's end and on every early exit. Every store
// checks the page map: a code page moves the code epoch (and, in the coherent
// model, the region leaves after that instruction, so that the next one is
// fetched from memory: it may be the word just written); a watched page raises
// C_WATCH_HIT, as the core's noteStore does (assembly/icache.ts; step() then
// wakes the CPUs in WFE whose reservation the run broke); a text page calls
// the core's textStore export, which appends to the store log.

import * as L from '../../assembly/layout.ts';
import { Flags } from './flags.ts';
import type { Block, Insn, Region } from './region.ts';
import { emitInsn } from './translate-ops.ts';
import { MemoTimer, ticksFunction } from './timing-memo.ts';
import { TIMING_IMPORTS, type TimingView } from './timing-view.ts';
import { buildModule, Code, I32, I64, Op } from './wasm.ts';

export interface MachineView {
  /** Lowest accessible guest address and window length (layout.ts M_LO, M_HI - M_LO). */
  lo: bigint;
  span: bigint;
  /** The guard hole inside the window (layout.ts M_GUARD_LO) and its length; 0 when there is none. */
  guardLo: bigint;
  guardSpan: bigint;
  /** Wasm address = guest address + delta. */
  delta: bigint;
  /** Coherent I-cache model (else architectural). */
  coherent: boolean;
  /** Guest address of the first RAM byte and Wasm offset of the code-page map. */
  ramBase: bigint;
  codemap: number;
  /** The code epoch read before the region's words were. */
  epoch: number;
  /** The CPUs' cycle model (timing.ts), or null: no ticks. */
  timing: TimingView | null;
  /** The id of the region's first block (the others follow): what the cycle model's block memos are keyed by. */
  blockIds: number;
}

/** Whether an instruction can be fetched at `pc` (aligned, inside the window, outside the guard hole). */
export function fetchable(m: MachineView, pc: bigint): boolean {
  if ((pc & 3n) !== 0n || BigInt.asUintN(64, pc - m.lo) > m.span - 4n) return false;
  return m.guardSpan === 0n || BigInt.asUintN(64, pc - m.guardLo + 3n) >= m.guardSpan + 3n;
}

const G_KEY = 0;
const G_EP = 1;
const G_STALE = 2;
/** $key of a stale region: never equal to the epoch it was checked at. */
const STALE_KEY_OFFSET = 0x40000000;
/** The core export a region calls for a store into a text page (assembly/store-log.ts). */
export const TEXT_STORE_IMPORT = { name: 'text_store', params: [I32, I64, I32, I32], results: [] } as const;
/** Function indices: the core's calls (imported, in this order), then the region, then recheck. */
const IMPORTS = [TEXT_STORE_IMPORT, ...TIMING_IMPORTS];
const importIndex = (name: string): number => IMPORTS.findIndex((f) => f.name === name);
const F_TEXT_STORE = importIndex('text_store');
const F_TM = {
  resolve: importIndex('tm_resolve'), predict: importIndex('tm_predict'), tickWord: importIndex('tm_tick_word'),
  canon: importIndex('tm_canon'), materialize: importIndex('tm_materialize'), end: importIndex('tm_end'),
};
const F_RECHECK = IMPORTS.length + 1;
/** Block k's ticks function (block memos: timing-memo.ts). */
const fTicks = (k: number): number => IMPORTS.length + 2 + k;
const EPOCH_ADDR = L.MACHINE_BASE + L.M_CODE_EPOCH;

const SLOTS = 34;

/** Code generation state shared with translate-ops.ts. */
export class Tx {
  readonly c: Code;
  readonly flags: Flags;
  // locals
  readonly st = 0;
  readonly blkParam = 1;
  readonly left = 2;
  readonly left0: number;
  readonly blk: number;
  readonly next: number;
  readonly regs: number[] = [];
  readonly nzcv: number;
  /** i64 scratch locals, free for one instruction. */
  readonly a: number;
  readonly b: number;
  readonly r: number;
  readonly addr: number;
  /** i32 scratch locals. */
  readonly t: number;
  readonly u: number;
  readonly q: number;
  /** Wasm address of the current guest access. */
  readonly ha: number;
  /** Page-map byte of the page a store hit. */
  readonly mark: number;
  /** Next slot of the branch ring (C_RING_POS), kept in a local. */
  readonly ringPos: number;
  /** i32 local: a store of this region hit a code page (coherent model). */
  readonly codeWritten: number;
  /** Whether the instruction being emitted has a store (noteStore was called). */
  private storeNoted = false;
  /**
   * The cycle model's block memos (timing-memo.ts), null without a model;
   * whether the current instruction has ticked.
   */
  readonly memo: MemoTimer | null;
  private ticked = false;
  // per block
  private loaded: boolean[] = [];
  private dirty: boolean[] = [];
  /** Structured nesting inside the current block's code. */
  nest = 0;
  block!: Block;
  blockIndex = 0;
  insnIndex = 0;

  constructor(readonly region: Region, readonly m: MachineView) {
    this.c = new Code([I32, I32, I32], [I64]);
    const c = this.c;
    this.left0 = c.local(I32);
    this.blk = c.local(I32);
    this.next = c.local(I64);
    for (let s = 0; s < SLOTS; s++) this.regs.push(c.local(I64));
    this.nzcv = c.local(I32);
    this.a = c.local(I64);
    this.b = c.local(I64);
    this.r = c.local(I64);
    this.addr = c.local(I64);
    const fa = c.local(I64), fb = c.local(I64), fr = c.local(I64);
    this.t = c.local(I32);
    this.u = c.local(I32);
    this.q = c.local(I32);
    this.ha = c.local(I32);
    this.mark = c.local(I32);
    this.ringPos = c.local(I32);
    this.codeWritten = c.local(I32);
    this.flags = new Flags(c, { st: this.st, nzcv: this.nzcv, fa, fb, fr });
    this.fa = fa;
    this.fb = fb;
    this.fr = fr;
    this.memo = m.timing ? new MemoTimer(c, this.st, m.timing, F_TM) : null;
  }

  /**
   * Under a cycle model, where the current instruction ticks, once: branches
   * call it before they leave the block, after anything that may still send
   * them to the interpreter; other instructions get it after their code. The
   * block's timing came from its memo at its start, so only its last
   * instruction has anything here: its prediction.
   */
  tickHere(): void {
    if (this.ticked) return;
    this.ticked = true;
    if (this.memo && this.insnIndex === this.block.insns.length - 1) this.memo.predictLast(this.block.insns[this.insnIndex]!);
  }
  readonly fa: number;
  readonly fb: number;
  readonly fr: number;

  /** Under block memos, conditional branch i leaving by its taken (or fall-through) edge: its prediction's check. */
  branchEdge(i: Insn, taken: boolean): void {
    if (!this.memo) return;
    const target = taken ? i.imm : i.pc + 4n;
    this.memo.resolveEdge(i, taken, this.region.index.has(target) || fetchable(this.m, target), this.left);
  }

  // ---- registers

  /** Pushes the value of register slot `s` (slot 32 reads as zero). */
  read(s: number): void {
    if (s === L.R_ZR) { this.c.i64(0n); return; }
    if (this.loaded[s]) { this.c.get(this.regs[s]!); return; }
    this.c.get(this.st).mem('i64_load', s * 8).tee(this.regs[s]!);
    this.loaded[s] = true;
  }

  /** Pops a value into register slot `s` (slot 33 discards it). */
  write(s: number): void {
    if (s === L.R_SINK || s === L.R_ZR) { this.c.op(Op.drop); return; }
    this.c.set(this.regs[s]!);
    this.loaded[s] = true;
    this.dirty[s] = true;
  }

  /** Stores every register and the flags changed so far in this block (state unchanged). */
  flush(): void {
    for (let s = 0; s < SLOTS; s++) {
      if (this.dirty[s]) this.c.get(this.st).get(this.regs[s]!).mem('i64_store', s * 8);
    }
    this.flags.flush();
  }

  // ---- control

  if(): void { this.c.if(); this.nest++; }
  end(): void { this.c.end(); this.nest--; }
  private depthTop(): number { return this.region.blocks.length - 1 - this.blockIndex + this.nest; }
  private depthExit(): number { return this.depthTop() + 1; }

  /** Leaves the region with `next` = pc | tag. */
  exitTo(pc: bigint, tag: number): void {
    this.c.i64(pc | BigInt(tag)).set(this.next).br(this.depthExit());
  }

  /** Continues at `target`: inside the region when it is one of its blocks. */
  goto(target: bigint): void {
    const k = this.region.index.get(target);
    if (k !== undefined) this.c.i32(k).set(this.blk).br(this.depthTop());
    else this.exitTo(target, L.JIT_NEXT_HEAD);
  }

  /**
   * Early exit before instruction `insnIndex` of the block (it did not
   * retire): stores the state and lets the interpreter run that instruction.
   */
  bail(rollback = true): void {
    if (this.memo && rollback) this.memo.rollback(fTicks(this.blockIndex), this.insnIndex);
    this.flush();
    const unretired = this.block.insns.length - this.insnIndex;
    this.c.get(this.left).i32(unretired).op(Op.i32_add).set(this.left);
    this.exitTo(this.block.insns[this.insnIndex]!.pc, L.JIT_NEXT_STEP);
  }

  /** Records a taken branch in the CPU's ring; `to` pushes the i64 target. */
  trace(from: bigint, to: () => void): void {
    const c = this.c;
    // the ring position lives in a local while the region runs (stored back on exit)
    c.get(this.ringPos).i32(L.RING_SIZE / 2 - 1).op(Op.i32_and).i32(4).op(Op.i32_shl).get(this.st).op(Op.i32_add).set(this.q);
    c.get(this.q).i64(from).mem('i64_store', L.C_RING);
    c.get(this.q); to(); c.mem('i64_store', L.C_RING + 8);
    c.get(this.ringPos).i32(1).op(Op.i32_add).set(this.ringPos);
  }

  // ---- guest memory

  /**
   * Checks that the guest access of `size` bytes at the address in local
   * `addr` lies inside RAM and outside the guard hole; bails out to the
   * interpreter (which raises the fault) when it does not.
   */
  checkAccess(size: number): void {
    const c = this.c;
    c.get(this.addr).i64(this.m.lo).op(Op.i64_sub).i64(this.m.span - BigInt(size)).op(Op.i64_gt_u);
    if (this.m.guardSpan !== 0n) {
      const k = BigInt(size - 1);
      c.get(this.addr).i64(BigInt.asIntN(64, k - this.m.guardLo)).op(Op.i64_add).i64(BigInt.asIntN(64, this.m.guardSpan + k)).op(Op.i64_lt_u);
      c.op(Op.i32_or);
    }
    this.if(); this.bail(); this.end();
  }

  /**
   * After a store of `size` bytes to the Wasm address in local `ha`: looks
   * at the page's byte in the page map; a code page moves the code epoch, a
   * watched page raises C_WATCH_HIT (assembly/wfe-watch.ts), a text page
   * calls the core's textStore with the instruction's PC (the store log,
   * assembly/store-log.ts). RAM starts on a 64 KiB boundary, so the byte is
   * at (ha >> 12) + codemap - (ramOffset >> 12).
   */
  noteStore(size: number): void {
    const c = this.c;
    const ramOffset = this.m.ramBase + this.m.delta;
    c.get(this.ha).i32(L.CODE_PAGE_SHIFT).op(Op.i32_shr_u);
    c.mem('i32_load8_u', this.m.codemap - Number(ramOffset >> BigInt(L.CODE_PAGE_SHIFT))).tee(this.mark);
    this.if();
    c.get(this.mark).i32(L.PAGE_CODE).op(Op.i32_and);
    this.if();
    c.i32(EPOCH_ADDR).i32(1).atomicAddI32().op(Op.drop);
    if (this.m.coherent) c.i32(1).set(this.codeWritten);
    this.end();
    c.get(this.mark).i32(L.PAGE_WATCH).op(Op.i32_and);
    this.if();
    c.get(this.st).i32(1).mem('i32_store', L.C_WATCH_HIT);
    this.end();
    c.get(this.mark).i32(L.PAGE_TEXT).op(Op.i32_and);
    this.if();
    c.get(this.st).i64(this.block.insns[this.insnIndex]!.pc).get(this.ha).i32(size).call(F_TEXT_STORE);
    this.end();
    this.end();
    this.storeNoted = true;
  }

  /**
   * Coherent model, after instruction `insnIndex` (which stored): when a store
   * hit a code page, stores the state and leaves the region at the next
   * instruction, which the interpreter fetches from memory.
   */
  private leaveIfCodeWritten(): void {
    const c = this.c;
    const i = this.block.insns[this.insnIndex]!;
    c.get(this.codeWritten);
    this.if();
    this.memo?.rollback(fTicks(this.blockIndex), this.insnIndex + 1);
    this.flush();
    const unretired = this.block.insns.length - this.insnIndex - 1;
    c.get(this.left).i32(unretired).op(Op.i32_add).set(this.left);
    this.exitTo(i.pc + 4n, L.JIT_NEXT_STEP);
    this.end();
  }

  /** Sets local `ha` to the Wasm address (i32) of the guest address in local `addr`. */
  hostAddr(): void {
    this.c.get(this.addr).i64(this.m.delta).op(Op.i64_add, Op.i32_wrap_i64).set(this.ha);
  }

  // ---- blocks

  private beginBlock(i: number): void {
    this.blockIndex = i;
    this.block = this.region.blocks[i]!;
    this.loaded = new Array(SLOTS).fill(false);
    this.dirty = new Array(SLOTS).fill(false);
    this.flags.reset();
    this.nest = 0;
    this.insnIndex = 0;
  }

  private blockCode(i: number): void {
    this.beginBlock(i);
    const c = this.c, b = this.block, n = b.insns.length;
    // Budget: the whole block or nothing.
    c.get(this.left).i32(n).op(Op.i32_lt_s);
    this.if(); this.exitTo(b.start, L.JIT_NEXT_STEP); this.end();
    // I-cache: re-check the region's words when the code epoch moved.
    c.i32(EPOCH_ADDR).mem('i32_load').globalGet(G_KEY).op(Op.i32_ne);
    this.if();
    c.call(F_RECHECK).globalGet(G_STALE);
    this.if();
    if (this.m.coherent) this.exitTo(b.start, L.JIT_NEXT_STALE);
    else this.countStale(b);
    this.end();
    this.end();
    c.get(this.left).i32(n).op(Op.i32_sub).set(this.left);
    if (this.memo) {
      // under a model: the block's timing from its memo, or its ticks function (timing-memo.ts)
      this.memo.blockStart(b, this.m.blockIds + i, fTicks(i), (depth) => { this.nest += depth; this.bail(false); this.nest -= depth; });
    }
    for (let j = 0; j < n; j++) {
      this.insnIndex = j;
      this.storeNoted = false;
      this.ticked = false;
      emitInsn(this, b.insns[j]!);
      this.tickHere();
      // The last instruction of a block is followed by a block entry's check, or by the interpreter.
      if (this.storeNoted && this.m.coherent && j < n - 1) this.leaveIfCodeWritten();
    }
    if (b.end.kind !== 'branch') {
      this.flush();
      if (b.end.kind === 'fall') this.goto(b.end.next);
      else this.exitTo(b.end.next, b.end.kind === 'rescan' ? L.JIT_NEXT_RESCAN : L.JIT_NEXT_STEP);
    }
  }

  /** Pushes the Wasm address of instruction `i`'s word. */
  private wordAddr(pc: bigint): number { return Number(BigInt.asUintN(32, pc + this.m.delta)); }

  /** Architectural model, stale region: adds the block's instructions that differ from memory to C_STALE. */
  private countStale(b: Block): void {
    const c = this.c;
    c.get(this.st).get(this.st).mem('i64_load', L.C_STALE);
    for (const i of b.insns) {
      c.i32(this.wordAddr(i.pc)).mem('i32_load').i32(i.word).op(Op.i32_ne, Op.i64_extend_i32_u, Op.i64_add);
    }
    c.mem('i64_store', L.C_STALE);
  }

  /**
   * recheck(): when the epoch moved since the last check, compares every word
   * of the region with memory and sets $stale; then $ep and $key.
   */
  buildRecheck(): Code {
    const c = new Code([], []);
    const ep = c.local(I32), ok = c.local(I32);
    c.i32(EPOCH_ADDR).mem('i32_load').tee(ep).globalGet(G_EP).op(Op.i32_ne);
    c.if();
    c.i32(1).set(ok);
    const seen = new Set<bigint>();
    for (const b of this.region.blocks) {
      for (const i of b.insns) {
        if (seen.has(i.pc)) continue;
        seen.add(i.pc);
        c.get(ok).i32(this.wordAddr(i.pc)).mem('i32_load').i32(i.word).op(Op.i32_eq, Op.i32_and).set(ok);
      }
    }
    c.get(ep).globalSet(G_EP);
    c.get(ok).op(Op.i32_eqz).globalSet(G_STALE);
    c.end();
    // $key = $ep, or an unreachable value while stale
    c.get(ep).globalGet(G_STALE).i32(STALE_KEY_OFFSET).op(Op.i32_mul, Op.i32_add).globalSet(G_KEY);
    return c;
  }

  /** The whole function. */
  build(): Code {
    const c = this.c, n = this.region.blocks.length;
    c.get(this.left).set(this.left0);
    c.get(this.st).mem('i32_load', L.C_RING_POS).set(this.ringPos);
    c.get(this.blkParam).set(this.blk);
    this.memo?.prologue();
    c.block(); // $exit
    c.loop(); // $top
    for (let i = n - 1; i >= 0; i--) c.block();
    c.get(this.blk).brTable(Array.from({ length: n }, (_, i) => i), 0);
    for (let i = 0; i < n; i++) {
      c.end(); // closes $b(i): block i's code follows
      this.blockCode(i);
    }
    c.end(); // loop
    c.end(); // $exit
    this.memo?.epilogue();
    c.get(this.st).get(this.left0).get(this.left).op(Op.i32_sub).mem('i32_store', L.C_JIT_RETIRED);
    c.get(this.st).get(this.ringPos).mem('i32_store', L.C_RING_POS);
    c.get(this.next);
    return c;
  }
}

/**
 * Translates a region into its Wasm module: `region` (exported) and
 * `recheck`, globals $ep and $stale; it imports `env.memory` and
 * `env.text_store` (the core's textStore export).
 */
export function translateRegion(region: Region, m: MachineView): Uint8Array {
  const tx = new Tx(region, m);
  const body = tx.build();
  const ticks = tx.memo ? region.blocks.map((b) => ({ code: ticksFunction(b, F_TM) })) : [];
  return buildModule(
    [{ name: 'region', code: body }, { code: tx.buildRecheck() }, ...ticks], 65536, [{ init: m.epoch }, { init: m.epoch }, { init: 0 }],
    IMPORTS,
  );
}

