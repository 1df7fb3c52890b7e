// ftrace on a Machine running the patchlab kernel: the one owner of the
// patch sites and their records.
//
//   const ft = Ftrace.attach(machine, { bufferKb: 1024 });  // after load(), before start()
//   const ops = ft.register({ kind: 'function', filter: ['ksys_*'] });
//   ...                                                      // CPUs run; events drain
//   ops.setFilter(['*write*']); ft.update();                 // or ft.setFilter(ops, ...)
//   ft.unregister(ops);
//   ft.drain(); ft.events();
//
// attach() does what the kernel does at boot: every record's entry gets
// MOV X9, X30 (ftrace_init_nop), the trampolines are written into the
// kernel's trampoline room, and `ftrace_ctl` points the guest at the per-CPU
// blocks, ring buffers, profile tables and the call-site -> record hash, all
// in a data area above the kernel's heap. From then on only call-site words
// change (sites.ts), through the machine's validated patch API.

import { DEFAULT_CNTFRQ } from '../core.ts';
import type { Machine } from '../machine/machine.ts';
import type { MachineResult } from '../machine/types.ts';
import type { PatchSite } from '../patch/text.ts';
import { FtraceArea } from './area.ts';
import type { Symbolizer, TraceEvent } from './events.ts';
import { buildHash } from './hash.ts';
import { CTL, CTL_MAGIC, CTL_VERSION, EVENT, FCPU, OPS, PROF } from './layout.ts';
import type { Assembler } from '../isa/asm.ts';
import { CALLBACK, FtraceOps, OpsError, type OpsSpec } from './ops.ts';
import { ftraceRecords, type FtraceRecord } from './records.ts';
import { GuestPatchQueue, waitForGuest, type GuestPatchStats, type GuestRefusal } from './patcher.ts';
import { CpuRing, toTraceEvent, type RawEvent } from './ring-buffer.ts';
import { checkDesign, Designs, DesignError, type SiteTarget, type TrampolineDesign, type TrampolineRange } from './designs.ts';
import { NOP, siteWord, type SiteState } from './sites.ts';
import { planSite, restWord, type UpdatePlan } from './entry.ts';
import { FtraceError, resolveFtraceOptions, type FtraceOptions } from './options.ts';

export { FtraceError, type FtraceErrorCode, type FtraceOptions } from './options.ts';

function siteWordSafe(r: FtraceRecord, target: bigint): number | null {
  try {
    return siteWord(r, target);
  } catch {
    return null;
  }
}
import { generateCallers, TRAMP_FILL, type CallerCode } from './trampolines/caller.ts';

export interface CpuTraceStats {
  cpu: number;
  /** Events drained from this CPU's buffer. */
  events: number;
  /** Events dropped because the buffer was full. */
  lost: number;
  /** Callbacks skipped by the recursion guard. */
  missed: number;
  /** Entries into the ops list function. */
  calls: number;
  /** function_graph entries not hooked because the task's return stack was full. */
  overrun: number;
}

export interface ProfileCell {
  hits: bigint;
  totalNs: bigint;
  sumSqNs2: bigint;
}

const EVENT_SIZE = EVENT.size;
/** The kernel's phase ids (guest/kernel/kernel.h PHASE_*). */
export const PHASE = { runStart: 1n, runEnd: 2n } as const;
/** Bytes at the top of RAM kept for far trampolines (farTrampolines). */
const FAR_ROOM = 64 * 1024;
const KERNEL_SYMBOLS = [
  'ftrace_ctl', 'ftrace_tramp_area', 'ftrace_tramp_area_end', 'ftrace_ops_list_func', 'ftrace_return_to_handler', 'ftrace_stub',
] as const;

export class Ftrace {
  readonly records: readonly FtraceRecord[];
  readonly trampolines: CallerCode;
  readonly bufferEvents: number;
  private readonly state: SiteTarget[];
  private readonly designs!: Designs;
  private readonly ops: FtraceOps[] = [];
  private readonly rings: CpuRing[];
  private readonly raw: RawEvent[] = [];
  private readonly area!: FtraceArea;
  private readonly ctl: bigint;
  private readonly profiles: bigint[];
  /** The counter's frequency (CNTFRQ): event times are counter ticks, turned into ns at it. */
  private readonly hz: bigint;
  private nextId = 1;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** The kernel's patcher queue: the guest patcher's writes, and grace periods. */
  readonly guestQueue!: GuestPatchQueue;
  private refusalsSeen = 0;
  private readonly retiring: { seq: bigint; range: TrampolineRange }[] = [];
  private readonly deferred: { seq: bigint; sites: PatchSite[] }[] = [];
  /** Dynamic trampolines freed so far. */
  freedTrampolines = 0;
  /** Called with each batch of call-site and entry words the host writes, in order ('first' and 'second' phase, entry.ts). */
  onPatch: ((sites: readonly PatchSite[], phase: 'first' | 'second') => void) | null = null;
  /** Called after every update() (the sites' states are then the new ones). */
  onUpdate: (() => void) | null = null;
  /** Patches applied through the patch API since attach (words written). */
  patched = 0;

  private constructor(private readonly machine: Machine, private readonly opts: Required<FtraceOptions>) {
    this.hz = machine.timing ? BigInt(machine.timing.frequency) : DEFAULT_CNTFRQ;
    const image = machine.image;
    if (machine.status !== 'loaded' || !image || machine.profile !== 'kernel') {
      throw new FtraceError('bad-state', `ftrace attaches to a kernel-profile machine after load() and before start(); it is ${machine.status}`);
    }
    const sym: Record<string, bigint> = {};
    for (const n of KERNEL_SYMBOLS) {
      const v = image.symbolAddress(n);
      if (v === undefined) throw new FtraceError('not-ftrace-kernel', `the image has no ${n}: not a patchlab kernel with ftrace`);
      sym[n] = v;
    }
    // kernel.ld defines the end of the heap as an absolute symbol.
    const heapEnd = image.symbols.find((s) => s.name === '__heap_end')?.value;
    if (heapEnd === undefined) throw new FtraceError('not-ftrace-kernel', 'the image has no __heap_end: not a patchlab kernel with ftrace');
    sym.__heap_end = heapEnd;
    this.records = ftraceRecords(image);
    if (this.records.length === 0) throw new FtraceError('not-ftrace-kernel', 'the image has no __patchable_function_entries records');
    const mem = machine.mem;
    this.ctl = sym.ftrace_ctl!;

    // ftrace_init_nop: every entry must be NOP;NOP (or already at its rest
    // word), with NOPs before it; the first word goes to the protocol's rest word.
    const init: PatchSite[] = [];
    const rest = restWord(opts.entry);
    for (const r of this.records) {
      for (let a = r.site; a < r.entry; a += 4n) if (mem.u32(a) !== NOP) throw this.notNop(r, a);
      const w0 = mem.u32(r.entry);
      if (mem.u32(r.ip) !== NOP || (w0 !== NOP && w0 !== rest)) throw this.notNop(r, r.entry);
      if (w0 !== rest) init.push({ addr: r.entry, expectedOld: NOP, newWord: rest });
    }

    // The trampolines, into the room the image keeps for them.
    const room = sym.ftrace_tramp_area!;
    this.trampolines = generateCallers(room, { listFunc: sym.ftrace_ops_list_func!, returnHandler: sym.ftrace_return_to_handler! });
    if (room + BigInt(this.trampolines.bytes.length) > sym.ftrace_tramp_area_end!) {
      throw new FtraceError('no-room', 'the trampolines do not fit the kernel\'s trampoline room');
    }
    const code: PatchSite[] = [];
    this.trampolines.words.forEach((w, k) => code.push({ addr: room + BigInt(4 * k), expectedOld: TRAMP_FILL, newWord: w }));

    const designProblem = checkDesign(opts.trampoline, this.records);
    if (designProblem) throw new FtraceError('bad-option', designProblem);
    if (opts.sync === 'stop-machine' && opts.patcher === 'guest') {
      throw new FtraceError('bad-option', 'stop-machine is done by the host (it holds every CPU): use the host patcher with it');
    }
    if (opts.trampoline === 'call-ops' && opts.patcher === 'guest') {
      throw new FtraceError('bad-option', 'call-ops literals are written by the host: use the host patcher with call-ops');
    }
    if (mem.u32(this.ctl + BigInt(CTL.magic)) === CTL_MAGIC) {
      throw new FtraceError('bad-state', 'ftrace is already attached to this machine');
    }

    // The data area: per-CPU blocks, buffers, profile tables, the record hash,
    // the guest patcher's queue. Every address first (FtraceError when RAM is
    // short), then the text (validated, all or nothing), then the data.
    const ncpus = machine.ncpus;
    const capacity = 2 ** Math.floor(Math.log2((opts.bufferKb * 1024) / EVENT_SIZE));
    this.bufferEvents = capacity;
    const recHash = buildHash(new Map(this.records.map((r) => [r.ip, BigInt(r.index)])));
    let queueCap = 256;
    while (queueCap < 4 * this.records.length) queueCap *= 2;
    const profileBytes = this.records.length * PROF.size;
    let blocks: bigint, recHashAt: bigint, queueAt: bigint, listOps: bigint, stubOps: bigint;
    const events: bigint[] = [];
    this.profiles = [];
    try {
      this.area = new FtraceArea(sym.__heap_end!, opts.farTrampolines ? mem.hi - BigInt(FAR_ROOM) : mem.hi);
      blocks = this.area.alloc(ncpus * FCPU.size);
      for (let c = 0; c < ncpus; c++) {
        events.push(this.area.alloc(capacity * EVENT_SIZE, 4096));
        this.profiles.push(this.area.alloc(profileBytes));
      }
      recHashAt = this.area.alloc(recHash.length);
      queueAt = this.area.alloc(GuestPatchQueue.bytes(queueCap)); // reserved with either patcher: the same layout
      listOps = this.area.alloc(OPS.size);
      stubOps = this.area.alloc(OPS.size);
    } catch (err) {
      if ((err as Error).name === 'FtraceAreaError') throw new FtraceError('no-room', (err as Error).message);
      throw err;
    }

    // ftrace_init_nop: before any CPU runs (Linux does it before the secondary
    // CPUs come up), whichever patcher toggles the sites later
    machine.patchBatch([...init, ...code]);
    this.patched += init.length;
    this.rings = events.map((ev, c) => {
      mem.fill(this.profiles[c]!, profileBytes, 0);
      const ring = new CpuRing(mem, c, blocks + BigInt(c * FCPU.size), ev, capacity);
      ring.init(this.profiles[c]!);
      return ring;
    });
    mem.write(recHashAt, recHash);
    // The list ops (its callback walks the list) and the stub ops (does nothing): CALL_OPS literals name them.
    for (const [at, func] of [[listOps, sym.ftrace_ops_list_func!], [stubOps, sym.ftrace_stub!]] as const) {
      mem.write(at, new Uint8Array(OPS.size));
      mem.setU64(at + BigInt(OPS.func), func);
    }
    if (opts.trampoline === 'call-ops') for (const r of this.records) mem.setU64(r.site, stubOps);
    let far: { next: bigint; end: bigint } | null = null;
    if (opts.farTrampolines) {
      const start = mem.hi - BigInt(FAR_ROOM);
      const lo = this.records[0]!.ip, hi = this.records[this.records.length - 1]!.ip;
      if (start - hi < 1n << 27n || start < lo) {
        throw new FtraceError('no-room', `far trampolines need RAM ending more than 128 MiB after the kernel text (RAM ends at 0x${mem.hi.toString(16)})`);
      }
      for (let a = start; a < mem.hi; a += 4n) mem.setU32(a, TRAMP_FILL);
      machine.addCodeRange(start, mem.hi);
      far = { next: start, end: mem.hi };
    }
    this.designs = new Designs({
      design: opts.trampoline,
      callers: this.trampolines,
      room: { next: (room + BigInt(this.trampolines.bytes.length) + 15n) & ~15n, end: sym.ftrace_tramp_area_end! },
      far,
      func: (o) => image.symbolAddress(CALLBACK[o.kind])!,
      listOps,
      stubOps,
    });
    // The kernel's patcher queue, with either patcher (the same boot whatever the
    // options): it carries the guest patcher's writes and the RCU-tasks grace
    // periods before dynamic trampolines are freed.
    this.guestQueue = new GuestPatchQueue(mem, queueAt, queueCap, opts.patchFlags);
    mem.write(this.ctl, new Uint8Array(CTL.size));
    mem.setU32(this.ctl + BigInt(CTL.version), CTL_VERSION);
    mem.setU64(this.ctl + BigInt(CTL.recHash), recHashAt);
    mem.setU64(this.ctl + BigInt(CTL.cpuBase), blocks);
    mem.setU32(this.ctl + BigInt(CTL.cpuStride), FCPU.size);
    mem.setU32(this.ctl + BigInt(CTL.nrecords), this.records.length);
    mem.setU64(this.ctl + BigInt(CTL.returnToHandler), this.trampolines.returnToHandler);
    mem.setU32(this.ctl + BigInt(CTL.ncpus), ncpus);
    mem.setU32(this.ctl + BigInt(CTL.retDepth), opts.retDepth);
    mem.setU64(this.ctl + BigInt(CTL.patchQueue), this.guestQueue?.addr ?? 0n);
    mem.setU32(this.ctl + BigInt(CTL.magic), CTL_MAGIC);
    this.state = this.records.map((r) => this.designs.target(r, []));
  }

  /** Sets ftrace up on a loaded kernel machine (see the file comment). FtraceError when it cannot. */
  static attach(machine: Machine, options: FtraceOptions = {}): Ftrace {
    return new Ftrace(machine, resolveFtraceOptions(options));
  }

  private notNop(r: FtraceRecord, at: bigint): FtraceError {
    const words: string[] = [];
    for (let a = r.site; a <= r.ip; a += 4n) words.push(`0x${this.machine.mem.u32(a).toString(16).padStart(8, '0')}`);
    return new FtraceError('not-nop', `${r.fn}: the patchable entry at 0x${r.site.toString(16)} holds ${words.join(' ')} (word at 0x${at.toString(16)} unexpected); ftrace needs the NOPs GCC left`);
  }

  // ---- ops ---------------------------------------------------------------

  /** The registered ops, in list order (newest first, as the guest walks them). */
  get registered(): readonly FtraceOps[] {
    return this.ops.filter((o) => o.registered).reverse();
  }

  /**
   * Registers an ops: its structures are written, it is linked at the head of
   * the guest's list, then the sites it adds are patched. OpsError for a bad
   * spec or a pattern that matches nothing (nothing changed).
   */
  register(spec: OpsSpec): FtraceOps {
    this.checkCanUpdate();
    const mem = this.machine.mem;
    const ops = new FtraceOps(this.nextId, spec, {
      mem,
      area: this.area,
      records: this.records,
      symbol: (n) => this.machine.image!.symbolAddress(n),
    });
    ops.write();
    this.nextId++;
    this.ops.push(ops);
    try {
      this.targets(); // a direct ops sharing a site: refused before anything is linked or patched
    } catch (err) {
      this.ops.pop();
      ops.registered = false;
      if (err instanceof DesignError) throw new OpsError('conflict', err.message);
      throw err;
    }
    this.ops.pop();
    const head = mem.atomicU64(this.ctl + BigInt(CTL.opsList));
    mem.setU64(ops.addr + BigInt(OPS.next), head);
    mem.atomicSetU64(this.ctl + BigInt(CTL.opsList), ops.addr);
    this.ops.push(ops);
    this.update();
    return ops;
  }

  /** Unregisters: the sites only it wanted go back to NOP first, then it leaves the guest's list. */
  unregister(ops: FtraceOps): void {
    this.checkCanUpdate();
    if (!ops.registered || !this.ops.includes(ops)) throw new OpsError('not-registered', `ops ${ops.id} is not registered`);
    ops.registered = false;
    this.update();
    this.retireTrampoline(ops);
    const mem = this.machine.mem;
    const next = mem.atomicU64(ops.addr + BigInt(OPS.next));
    let link = this.ctl + BigInt(CTL.opsList);
    for (;;) {
      const cur = mem.atomicU64(link);
      if (cur === 0n) break;
      if (cur === ops.addr) {
        mem.atomicSetU64(link, next);
        break;
      }
      link = cur + BigInt(OPS.next);
    }
  }

  /**
   * An unregistered ops' dynamic trampoline: no site calls it any more, but a
   * CPU or a preempted task may still be inside it. With 'rcu-tasks' its room
   * is freed once the kernel's grace period requested now has ended (checked
   * at every drain and flush); with 'now' at once (to show what that breaks).
   */
  private retireTrampoline(ops: FtraceOps): void {
    const range = this.designs.release(ops);
    if (!range) return;
    if (this.opts.trampolineFree === 'now') {
      this.freeTrampoline(range, false);
      return;
    }
    const seq = this.guestQueue!.enqueueGracePeriod();
    this.retiring.push({ seq, range });
    if (this.machine.status === 'running') this.machine.wakeCpu(this.machine.ncpus - 1);
  }

  /** Frees the trampolines whose grace period has ended. */
  private reapTrampolines(): void {
    if (this.retiring.length === 0) return;
    const done = this.guestQueue!.done;
    while (this.retiring.length && this.retiring[0]!.seq < done) this.freeTrampoline(this.retiring.shift()!.range, true);
  }

  /**
   * Back to the room's BRK fill, then reusable. After a grace period nothing
   * can execute it (unreachable); freed at once ('now') it is a live
   * modification of code a task may still be inside, and the CMODX checker
   * says so.
   */
  private freeTrampoline(range: TrampolineRange, safe: boolean): void {
    const mem = this.machine.mem;
    const words: PatchSite[] = [];
    for (let a = range.addr; a < range.end; a += 4n) words.push({ addr: a, expectedOld: mem.u32(a), newWord: TRAMP_FILL });
    if (this.machine.status !== 'ended') this.machine.patchBatch(words, { unreachable: safe, kick: true }); // an ended machine is not patched
    this.designs.reuse(range);
    this.freedTrampolines++;
  }

  /** Dynamic trampolines waiting for their grace period. */
  get retiringTrampolines(): number {
    return this.retiring.length;
  }

  /** The dynamic trampoline of a registered ops, if its sites use one. */
  dynamicTrampoline(ops: FtraceOps): { addr: bigint; end: bigint } | null {
    const r = this.designs.trampolineRange(ops);
    return r ? { addr: r.addr, end: r.end } : null;
  }

  /** New filter (and notrace) patterns for a registered ops, then the sites that change. */
  setFilter(ops: FtraceOps, filter: readonly string[], notrace?: readonly string[]): void {
    this.checkCanUpdate();
    if (!ops.registered) throw new OpsError('not-registered', `ops ${ops.id} is not registered`);
    ops.setFilter(filter, notrace);
    this.update();
  }

  /** Every record's target given the registered ops. */
  private targets(): SiteTarget[] {
    return this.records.map((r, i) => this.designs.target(r, this.ops.filter((o) => o.wants(i))));
  }

  /**
   * Places code of one's own (a direct-call trampoline) in trampoline room
   * (the far room with farTrampolines) and returns its address; it is
   * written before the next site update, so a direct ops may name it.
   */
  placeTrampoline(build: (a: Assembler) => void, name = `direct_tramp_${this.nextId}`): bigint {
    try {
      const at = this.designs.placeCode(build, name);
      this.writeFreshCode(this.designs.takeCode());
      return at;
    } catch (err) {
      if (err instanceof DesignError) throw new FtraceError('no-room', err.message);
      throw err;
    }
  }

  /** `size` bytes of zeroed guest memory in the ftrace data area (for a direct-call trampoline's data, say). */
  allocData(size: number, align = 8): bigint {
    try {
      const at = this.area.alloc(size, align);
      this.machine.mem.fill(at, size, 0);
      return at;
    } catch (err) {
      if ((err as Error).name === 'FtraceAreaError') throw new FtraceError('no-room', (err as Error).message);
      throw err;
    }
  }

  /** For each record, the trampoline its veneer leads to when the site goes through one, else null. */
  siteVeneers(): readonly (bigint | null)[] {
    return this.state.map((s) => s.via);
  }

  /** The design carrying the calls. */
  get trampolineDesign(): TrampolineDesign {
    return this.designs.design;
  }

  /**
   * Patches exactly the sites whose target changes, in one batch; returns how
   * many words. Host patcher: written when this returns (validated, atomic,
   * every CPU asked to synchronize). Guest patcher: queued for the kernel's
   * patcher task (woken through CPU `ncpus - 1`); flush() waits for it.
   * Dynamic trampolines a site now needs are written first; call-ops
   * literals are stored before the BL that reads them and reset to the stub
   * ops after the NOP.
   */
  update(): number {
    this.checkCanUpdate();
    const mem = this.machine.mem;
    let next: SiteTarget[];
    try {
      next = this.targets();
    } catch (err) {
      if (err instanceof DesignError) throw new FtraceError('no-room', err.message);
      throw err;
    }
    const code = this.designs.takeCode();
    const plan: UpdatePlan = { first: [], second: [] };
    const resetLiterals: number[] = [];
    this.records.forEach((r, i) => {
      const from = this.state[i]!, to = next[i]!;
      if (to.literal !== null && to.addr !== 0n && to.literal !== from.literal) mem.atomicSetU64(r.site, to.literal);
      if (to.addr === 0n && to.literal !== null && from.literal !== to.literal) resetLiterals.push(i);
      planSite(plan, r, from.addr, to.addr, this.opts.entry);
    });
    if (code.length) this.writeFreshCode(code);
    this.writePlan(plan);
    for (const i of resetLiterals) mem.atomicSetU64(this.records[i]!.site, next[i]!.literal!);
    next.forEach((s, i) => (this.state[i] = s));
    const n = plan.first.length + plan.second.length;
    this.patched += n;
    this.onUpdate?.();
    return n;
  }

  /**
   * Writes an update's two phases with the configured patcher and sync
   * (entry.ts). Host patcher with 'rcu-tasks' on a running machine: the
   * second phase waits for a grace period the kernel's patcher task runs,
   * and is written by the drain, poll() or flush() that sees it end.
   */
  private writePlan(plan: UpdatePlan): void {
    const { first, second } = plan;
    const sync = this.opts.sync;
    const q = this.guestQueue;
    const running = this.machine.status === 'running' || this.machine.status === 'paused';
    if (this.opts.patcher === 'guest') {
      if (first.length) q.enqueue(first);
      if (second.length) {
        if (sync === 'rcu-tasks' && first.length) q.enqueueGracePeriod();
        q.enqueue(second);
      }
      if ((first.length || second.length) && this.machine.status === 'running') this.machine.wakeCpu(this.machine.ncpus - 1);
      return;
    }
    const held = sync === 'stop-machine';
    if (held && this.machine.mode === 'threads' && this.machine.status === 'running') {
      throw new FtraceError('bad-state', 'a stop-machine update holds every CPU: pause() the machine around it in threads mode');
    }
    if (first.length) this.hostWrite(first, 'first', held);
    if (!second.length) return;
    if (sync === 'rcu-tasks' && first.length && running) {
      this.deferred.push({ seq: q.enqueueGracePeriod(), sites: second });
      if (this.machine.status === 'running') this.machine.wakeCpu(this.machine.ncpus - 1);
      return;
    }
    this.hostWrite(second, 'second', held);
  }

  private hostWrite(sites: readonly PatchSite[], phase: 'first' | 'second', held = false): void {
    this.machine.patchBatch(sites, { kick: true, held });
    this.onPatch?.(sites, phase);
  }

  /** Second phases waiting for their grace period (host patcher, 'rcu-tasks'). */
  get waitingPhases(): number {
    return this.deferred.length;
  }

  /** Writes the second phases whose grace period has ended. */
  private applyDeferred(): void {
    if (this.deferred.length === 0) return;
    const done = this.guestQueue.done;
    while (this.deferred.length && this.deferred[0]!.seq < done) {
      this.hostWrite(this.deferred.shift()!.sites, 'second');
    }
  }

  /**
   * Before anything of an update is written: it may not start while the
   * previous one still waits for its grace period, nor, with stop-machine in
   * threads mode, while the CPUs run.
   */
  private checkCanUpdate(): void {
    if (this.opts.sync === 'stop-machine' && this.opts.patcher === 'host' && this.machine.mode === 'threads' && this.machine.status === 'running') {
      throw new FtraceError('bad-state', 'a stop-machine update holds every CPU: pause() the machine around it in threads mode');
    }
    if (this.deferred.length === 0) return;
    this.applyDeferred();
    if (this.deferred.length) {
      throw new FtraceError('bad-state', 'the previous update still waits for its RCU-tasks grace period: flush() first');
    }
  }

  /**
   * Between slices or on a host timer: reads the guest patcher's results,
   * frees trampolines and writes second phases whose grace period has ended
   * (drain() does this too).
   */
  poll(): void {
    this.guestQueue.collect();
    this.reapTrampolines();
    this.applyDeferred();
  }

  /**
   * Writes a new trampoline into free trampoline room: every word must still
   * be the room's BRK fill, and no site targets it before this returns, so
   * no CPU can be executing it and it is not a concurrent modification (as a
   * kernel writes a freshly allocated trampoline before publishing it). The
   * lines are invalidated like any patch: a CPU that ran a freed trampoline
   * there before must not run its stale copy.
   */
  private writeFreshCode(code: readonly PatchSite[]): void {
    if (code.length) this.machine.patchBatch(code, { unreachable: true });
  }

  /** The literal before each record's entry (call-ops), as the guest reads it; null for other designs. */
  literals(): (bigint | null)[] {
    return this.records.map((r, i) => (this.state[i]!.literal === null ? null : this.machine.mem.atomicU64(r.site)));
  }

  /** The target each record's literal should name (call-ops), by record index. */
  expectedLiterals(): (bigint | null)[] {
    return this.state.map((s) => s.literal);
  }

  /** Requests queued for the guest patcher and not yet applied (0 with the host patcher). */
  get outstandingPatches(): number {
    return this.guestQueue?.outstanding ?? 0;
  }

  /**
   * Guest patcher: resolves once the kernel has applied every queued request
   * (FtraceError 'guest-refused' naming the first refusal, when the guest
   * refused any); at once with the host patcher.
   */
  async flush(timeoutMs = 10_000): Promise<void> {
    const q = this.guestQueue;
    if (!q) return;
    if (q.outstanding > 0 && this.machine.status === 'running') this.machine.wakeCpu(this.machine.ncpus - 1);
    await waitForGuest(q, this.machine, timeoutMs);
    this.reapTrampolines();
    this.applyDeferred();
    this.checkGuest();
  }

  /**
   * Queues raw requests for the guest patcher (the kernel checks each
   * expected word, refuses and writes nothing on a mismatch); the record
   * states are not touched. For experiments beyond ftrace's own sites.
   */
  guestPatch(sites: readonly PatchSite[]): void {
    if (!this.guestQueue || this.opts.patcher !== 'guest') throw new FtraceError('bad-state', 'guestPatch() needs the guest patcher');
    this.guestQueue.enqueue(sites);
    if (this.machine.status === 'running') this.machine.wakeCpu(this.machine.ncpus - 1);
  }

  /** Requests the guest refused so far. */
  get guestRefusals(): readonly GuestRefusal[] {
    this.guestQueue?.collect();
    return this.guestQueue?.refusals ?? [];
  }

  guestPatchStats(): GuestPatchStats | null {
    return this.guestQueue?.stats() ?? null;
  }

  /** Reads the guest patcher's results; a refusal puts the record's state back to what memory holds and throws. */
  private checkGuest(): void {
    const q = this.guestQueue;
    if (!q) return;
    q.collect();
    const bad = q.refusals.slice(this.refusalsSeen);
    this.refusalsSeen = q.refusals.length;
    if (bad.length === 0) return;
    for (const b of bad) {
      const i = this.records.findIndex((r) => r.ip === b.addr);
      if (i < 0) continue;
      const r = this.records[i]!;
      const addr = this.designs.knownTargets().find((t) => siteWordSafe(r, t) === b.found);
      if (addr !== undefined) this.state[i] = { ...this.state[i]!, addr, state: addr === 0n ? 'disabled' : this.state[i]!.state };
    }
    const f = bad[0]!;
    const hex = (w: number) => `0x${(w >>> 0).toString(16).padStart(8, '0')}`;
    throw new FtraceError('guest-refused',
      `the guest patcher refused ${bad.length} request(s); first at 0x${f.addr.toString(16)}: expected ${hex(f.expectedOld)}, found ${hex(f.found)} (${f.result === -22 ? '-EINVAL' : '-EFAULT'})`);
  }

  /** The state of every record's call site, by record index. */
  siteStates(): readonly SiteState[] {
    return this.state.map((s) => s.state);
  }

  // ---- events --------------------------------------------------------------

  /**
   * Registers `specs(run)` when each run of the kernel's workload starts (the
   * phase host call PHASE_RUN_START, arg = run index) and unregisters them
   * when it ends (PHASE_RUN_END). The answer to the kernel is the number of
   * requests its patcher still has queued, so it waits for them. Before start().
   */
  switchAtPhases(specs: (run: number) => readonly OpsSpec[]): FtraceOps[] {
    const live: FtraceOps[] = [];
    this.machine.onPhase(({ args }) => {
      if (args[0] === PHASE.runStart && live.length === 0) for (const s of specs(Number(args[1]))) live.push(this.register(s));
      else if (args[0] === PHASE.runEnd) for (const o of live.splice(0)) this.unregister(o);
      return this.outstandingPatches;
    });
    return live;
  }

  /** Starts the machine, draining while it runs; resolves with its result once it has ended and the last events are in. */
  async run(): Promise<MachineResult> {
    this.startDraining();
    this.machine.start();
    try {
      return await this.machine.exited;
    } finally {
      this.stopDraining();
      this.drain();
    }
  }

  /** Drains the ring buffers every `drainMs` until stopDraining() (safe to call while the machine runs). */
  startDraining(): void {
    this.timer ??= setInterval(() => this.drain(), this.opts.drainMs);
  }

  stopDraining(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Copies out the events committed since the last drain on CPU `cpu` (every
   * CPU when omitted) and returns them without keeping them for events():
   * for consumers that check events as they come and keep none.
   */
  takeEvents(cpu?: number): RawEvent[] {
    const out: RawEvent[] = [];
    for (const r of this.rings) if (cpu === undefined || r.cpu === cpu) r.drain(out);
    return out;
  }

  /** Copies out every committed event now; returns how many were new. */
  drain(): number {
    if (this.guestQueue) this.poll();
    let n = 0;
    for (const r of this.rings) n += r.drain(this.raw);
    return n;
  }

  /** Every event drained so far, per CPU in buffer order, CPUs one after the other. */
  events(): TraceEvent[] {
    const perCpu: TraceEvent[][] = this.rings.map(() => []);
    for (const e of this.raw) {
      const t = toTraceEvent(e, this.hz);
      if (t) perCpu[e.cpu]!.push(t);
    }
    return perCpu.flat();
  }

  get eventCount(): number {
    return this.raw.length;
  }

  cpuStats(): CpuTraceStats[] {
    return this.rings.map((r) => {
      const c = r.counters();
      return { cpu: r.cpu, events: Number(r.drained), lost: Number(c.lost), missed: Number(c.missed), calls: Number(c.calls), overrun: Number(c.overrun) };
    });
  }

  /** The profile tables: [cpu][record index], durations in ns. */
  profileCells(): ProfileCell[][] {
    const mem = this.machine.mem;
    const n = this.records.length;
    const k = 1_000_000_000n;
    return this.profiles.map((base) => {
      const dv = new DataView(mem.read(base, n * PROF.size).buffer);
      return Array.from({ length: n }, (_, i) => {
        const o = i * PROF.size;
        const hits = dv.getBigUint64(o + PROF.hits, true);
        const total = dv.getBigUint64(o + PROF.totalTicks, true);
        const sq = dv.getBigUint64(o + PROF.sumSqLo, true) | (dv.getBigUint64(o + PROF.sumSqHi, true) << 64n);
        return { hits, totalNs: (total * k) / this.hz, sumSqNs2: (sq * k * k) / (this.hz * this.hz) };
      });
    });
  }

  /** Task names by pid, read from the kernel's task_comm table (pid 0: "<idle>"). */
  comm(pids: Iterable<number>): Map<number, string> {
    const image = this.machine.image!;
    const table = image.symbolAddress('task_comm');
    const out = new Map<number, string>([[0, '<idle>']]);
    if (table === undefined) return out;
    for (const pid of pids) {
      if (pid === 0 || out.has(pid) || pid >= 8192) continue;
      const name = this.machine.mem.cstring(table + BigInt(pid * 16), 16);
      if (name) out.set(pid, name);
    }
    return out;
  }

  /** Symbols of the image and of the generated trampolines. */
  symbolizer(): Symbolizer {
    const image = this.machine.image!;
    const tramp = [...this.trampolines.labels.entries()].sort((a, b) => (a[1] < b[1] ? -1 : 1));
    const end = this.trampolines.labels.get('ftrace_caller')! + BigInt(this.trampolines.bytes.length);
    return (addr) => {
      for (const d of this.designs.symbols()) if (addr >= d.addr && addr < d.end) return { name: d.name, offset: addr - d.addr };
      if (addr >= tramp[0]![1] && addr < end) {
        let best = tramp[0]!;
        for (const t of tramp) if (t[1] <= addr) best = t;
        return { name: best[0], offset: addr - best[1] };
      }
      const s = image.symbolize(addr);
      return s ? { name: s.name, offset: s.offset } : undefined;
    };
  }
}
