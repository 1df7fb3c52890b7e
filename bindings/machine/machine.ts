// The Machine: N AArch64 CPUs over one shared memory, run either by one
// worker thread per CPU (`threads`) or by one thread in a seeded, replayable
// order (`deterministic`).
//
//   const m = await Machine.create({ cpus: 4, profile: 'kernel', mode: 'threads' });
//   m.load(elfBytes);
//   m.start();
//   const result = await m.exited;

import * as L from '../../assembly/layout.ts';
import {
  ConfigError, CpuState, createMemory, EXIT_NAMES, instantiateCore, planMemory, writeMachineBlock,
  type Core, type CoreExports, type MemoryPlan,
} from '../core.ts';
import { parseElf, type ElfImage } from '../elf/index.ts';
import { GuestAccessError, GuestMemory } from '../guest-memory.ts';
import { disassemble } from '../isa/disasm.ts';
import { buildFault, formatAddr, SIGNAL_NUMBERS, unhandledException, type Fault } from '../oops.ts';
import { PatchError, TextPatcher, type PatchOptions, type PatchResult, type PatchSite } from '../patch/text.ts';
import { CmodxChecker, type CpuActivity } from '../patch/cmodx.ts';
import { loadUserImage, NULL_GUARD, placedSymbolizer } from '../user/image.ts';
import { coreModule } from '../wasm.ts';
import { MACHINE_WORKER_URL } from '../worker-url.ts';
import { ExitHandler, type ProfileSetup } from './cpu-exits.ts';
import { DeterministicScheduler, type Slice, type StepResult } from './deterministic.ts';
import { MachineError } from './errors.ts';
import type { HostSink } from './hostcalls.ts';
import { HostCallTable, type HostCallHandler } from './remote-calls.ts';
import { KERNEL_RAM_BASE, loadKernelImage } from './kernel-image.ts';
import type { Platform } from './platform.ts';
import { defaultPlatform } from './default-platform.ts';
import { TextStores } from './text-stores.ts';
import { installTiming, memoCounts, timingCounts } from '../timing/install.ts';
import type { CycleModel } from '../timing/models.ts';
import { ThreadsRunner } from './threads.ts';
import { STATS_IDLE, STATS_JIT, STATS_SLOTS, STATS_TID } from './worker.ts';
import { validateOptions } from './options.ts';
import type { CpuCounters, LoadOptions, MachineOptions, MachineResult, Mode, Profile } from './types.ts';
import { MachineWords } from './words.ts';

type State = 'created' | 'loaded' | 'running' | 'paused' | 'ended';

/** Deterministic mode yields to the event loop after this much host time. */
const SLICE_MS = 10;

export class Machine {
  readonly profile: Profile;
  readonly mode: Mode;
  readonly ncpus: number;
  readonly memory: WebAssembly.Memory;
  /** Guest RAM, bounds-checked (GuestAccessError outside it). */
  readonly mem: GuestMemory;
  readonly seed: number;
  readonly quantum: number;
  /** The cycle model of every CPU (null: none, the counter counts instructions). */
  readonly timing: CycleModel | null;
  private readonly deadlockMs: number;
  /** The ELF loaded, once load() has run. */
  image: ElfImage | null = null;
  /** Guest address minus link-time address of the loaded image (a user-profile static-pie image is placed). */
  private loadBias = 0n;
  /** Symbol of a guest address in the loaded image. */
  private symbolize: ((addr: bigint) => ReturnType<ElfImage['symbolize']>) | undefined;

  private state: State = 'created';
  private readonly plan: MemoryPlan;
  private readonly module: WebAssembly.Module;
  private readonly core: Core;
  private readonly words: MachineWords;
  private readonly cpuStates: CpuState[];
  private readonly platform: Platform;
  private readonly workerUrl: URL;
  private readonly stats = new SharedArrayBuffer(8 * STATS_SLOTS * L.MAX_CPUS);
  private readonly parked = new SharedArrayBuffer(4 * L.MAX_CPUS);
  private readonly epochMs = performance.timeOrigin + performance.now();
  private readonly log: (message: string) => void;
  private readonly warned = new Set<string>();
  private readonly out: { 1: Uint8Array[]; 2: Uint8Array[] } = { 1: [], 2: [] };
  private readonly reports = new Map<string, bigint>();
  private profileSetup: ProfileSetup = { kind: 'kernel' };
  private sched: DeterministicScheduler | null = null;
  private threads: ThreadsRunner | null = null;
  private t0 = 0;
  private settle!: { resolve: (r: MachineResult) => void; reject: (e: Error) => void };
  private pauseAsked: (() => void) | null = null;
  /** The pause() under way, which later calls join. */
  private pausing: Promise<void> | null = null;
  private resumeGate: (() => void) | null = null;
  private readonly traceOn: boolean;
  private patcher: TextPatcher | null = null;
  private readonly extraText: { start: bigint; end: bigint }[] = [];
  private readonly calls = new HostCallTable();
  /**
   * Every CMODX verdict, for host patches and for guest stores into text
   * (by source in `cmodx.bySource`); `violations` lists the writes made
   * outside the list while other CPUs ran.
   */
  readonly cmodx = new CmodxChecker();
  /** The copy of the text words and the reader of the core's store log (text-stores.ts), once loaded. */
  private textStores: TextStores | null = null;

  /** Settles when the machine ends: exit call, fault or terminate(); rejects with MachineError. */
  readonly exited: Promise<MachineResult>;

  private constructor(private readonly opts: MachineOptions) {
    const v = validateOptions(opts);
    this.profile = v.profile;
    this.mode = v.mode;
    this.plan = v.plan;
    this.ncpus = v.plan.cpus;
    this.seed = v.seed;
    this.quantum = v.quantum;
    this.deadlockMs = v.deadlockMs;
    this.timing = v.timing;
    this.traceOn = opts.trace ?? false;
    this.platform = opts.platform ?? defaultPlatform;
    this.workerUrl = opts.workerUrl ?? MACHINE_WORKER_URL;
    this.log = opts.log ?? ((m) => console.warn(m));
    const kernel = v.profile === 'kernel';
    const base = kernel ? KERNEL_RAM_BASE : 0n;
    const size = BigInt(v.plan.ramSize);
    this.memory = createMemory(v.plan);
    writeMachineBlock(this.memory, v.plan, {
      base,
      lo: kernel ? base : NULL_GUARD,
      hi: base + size,
      coherentIcache: v.icache === 'coherent',
      jitThreshold: opts.jitThreshold,
    });
    this.module = opts.core ?? coreModule();
    this.core = instantiateCore(this.memory, this.module);
    this.words = new MachineWords(this.memory);
    this.words.resetControl();
    this.mem = new GuestMemory(this.memory, v.plan.ramOffset, base, v.plan.ramSize, kernel ? base : NULL_GUARD);
    this.cpuStates = Array.from({ length: this.ncpus }, (_, i) => new CpuState(this.memory, i));
    for (let i = 0; i < this.ncpus; i++) {
      this.cpuStates[i].reset({ el: kernel ? 1 : 0 });
      installTiming(this.memory, i, this.timing);
      this.core.flushCache(i);
    }
    this.exited = new Promise<MachineResult>((resolve, reject) => (this.settle = { resolve, reject }));
    this.exited.catch(() => {});
  }

  /** Checks the options and builds the machine (memory, CPUs in reset). ConfigError on bad options. */
  static async create(opts: MachineOptions = {}): Promise<Machine> {
    return new Machine(opts);
  }

  get status(): State {
    return this.state;
  }

  /** The slices run so far, in deterministic mode with `trace: true` (else null). */
  get trace(): readonly Slice[] | null {
    return this.sched?.trace ?? null;
  }

  /**
   * Loads an ELF. Kernel profile: its PT_LOAD segments must lie in RAM
   * (LoadError otherwise); every CPU is reset at EL1 at e_entry with x0 = its
   * index, x1 = the CPU count, SP = 0. User profile: a Linux-style process.
   */
  load(elf: Uint8Array, opts: LoadOptions = {}): void {
    this.expect(['created'], 'load');
    const image = parseElf(elf, { sections: 'lenient' }); // program headers suffice, as for Linux and qemu-aarch64
    if (this.profile === 'kernel') {
      loadKernelImage(this.mem, image);
      for (const cpu of this.cpuStates) {
        cpu.reset({ el: 1 });
        installTiming(this.memory, cpu.index, this.timing);
        cpu.pc = image.entry;
        cpu.setX(0, BigInt(cpu.index));
        cpu.setX(1, BigInt(this.ncpus));
        cpu.sp = 0n;
      }
    } else {
      const random = crypto.getRandomValues(new Uint8Array(16));
      const layout = loadUserImage(this.mem, elf, image, opts.args ?? ['a.out'], opts.env ?? [], random);
      const cpu = this.cpuStates[0];
      cpu.pc = layout.entry;
      cpu.sp = layout.sp;
      this.loadBias = layout.loadBias;
      this.profileSetup = { kind: 'user', layout };
    }
    for (let i = 0; i < this.ncpus; i++) this.core.flushCache(i);
    this.image = image;
    this.symbolize = placedSymbolizer(image, this.loadBias);
    this.textStores = new TextStores(this.mem, this.cmodx, () => this.activity(), (pc) => this.where(pc));
    for (const r of image.textRanges) this.textStores.register(r.start + this.loadBias, r.end + this.loadBias);
    this.state = 'loaded';
  }

  /**
   * Serves host call `nr` (x8) with `handler` on this thread: the calling CPU
   * waits while it runs (the other CPUs go on) and its value goes to x0; a
   * handler that fails ends the machine (MachineError HOSTCALL_FAILED).
   * Before start() only; ConfigError for a built-in number, one outside
   * 0..2^32-1 or a second handler.
   */
  onHostCall(nr: number, handler: HostCallHandler): void {
    this.beforeStart('onHostCall');
    this.calls.register(nr, handler);
  }

  /** Serves the phase host call (0x102, `phase(id, arg)`) with `handler`, as onHostCall does. */
  onPhase(handler: HostCallHandler): void {
    this.beforeStart('onPhase');
    this.calls.registerPhase(handler);
  }

  /** Starts every CPU. */
  start(): void {
    this.expect(['loaded'], 'start');
    this.state = 'running';
    this.t0 = performance.now();
    if (this.mode === 'deterministic') {
      void this.runDeterministic();
      return;
    }
    const r = new ThreadsRunner(
      this.platform,
      this.workerUrl,
      {
        module: this.module,
        memory: this.memory,
        stats: this.stats,
        parked: this.parked,
        quantum: this.quantum,
        profile: this.profileSetup,
        ram: { offset: this.plan.ramOffset, base: this.mem.base, size: this.mem.size, lo: this.mem.lo },
        epochMs: this.epochMs,
      },
      this.ncpus,
      this.words,
      {
        out: (c, fd, d) => this.onOut(c, fd, d),
        report: (c, k, v) => this.reports.set(k, v),
        warn: (m, o) => this.warn(m, o),
        locate: (c) => formatAddr(this.cpuStates[c].pc, this.symbolize),
      },
      this.calls,
      { deadlockMs: this.deadlockMs },
    );
    this.threads = r;
    this.textStores?.startPolling();
    r.finished.then(
      () => this.finish(),
      (err: Error) => this.fail(err),
    );
    r.start();
  }

  /** Same as `exited`. */
  wait(): Promise<MachineResult> {
    return this.exited;
  }

  /**
   * Stops every CPU at an instruction boundary; registers and memory may then
   * be read and written. A call while another pause() is under way shares its
   * outcome; on a machine that is not running it rejects with BAD_STATE.
   */
  pause(): Promise<void> {
    if (this.pausing) return this.pausing;
    try {
      this.expect(['running'], 'pause');
    } catch (err) {
      return Promise.reject(err);
    }
    const p = (async () => {
      if (this.mode === 'threads') {
        await this.threads!.pause();
        this.textStores?.drain();
      } else {
        await new Promise<void>((resolve) => (this.pauseAsked = resolve));
      }
      if (this.state === 'running') this.state = 'paused';
    })();
    this.pausing = p;
    const clear = (): void => {
      if (this.pausing === p) this.pausing = null;
    };
    p.then(clear, clear);
    return p;
  }

  resume(): void {
    this.expect(['paused'], 'resume');
    this.state = 'running';
    if (this.mode === 'threads') this.threads!.resume();
    else {
      const go = this.resumeGate;
      this.resumeGate = null;
      go?.();
    }
  }

  /** Ends the machine now (the result's `end` is 'terminated'). */
  async terminate(): Promise<void> {
    if (this.state === 'ended') return;
    if (this.state === 'created' || this.state === 'loaded') {
      this.words.claimEnd(L.EK_TERMINATED, 0);
      this.finish();
      return;
    }
    this.words.claimEnd(L.EK_TERMINATED, 0);
    if (this.mode === 'threads') {
      this.threads!.halt();
      await this.exited.catch(() => {});
      await this.threads!.terminateAll();
    } else {
      const go = this.resumeGate;
      this.resumeGate = null;
      go?.();
      await this.exited.catch(() => {});
    }
  }

  /**
   * Steps CPU `index` by exactly `n` instructions (fewer only when it goes
   * idle or the machine ends) while the machine is loaded but not started, or paused.
   */
  stepCpu(index: number, n: number): StepResult {
    this.expect(['loaded', 'paused'], 'stepCpu');
    this.checkCpu(index);
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new ConfigError(`instruction count must be 0..2^31-1, got ${n}`);
    const pausedThreads = this.mode === 'threads' && this.state === 'paused';
    if (pausedThreads) this.words.setStop(false); // the CPU threads wait on the pause word, not on M_STOP
    let r: StepResult;
    try {
      r = this.scheduler().run(index, n);
    } catch (err) {
      if (err instanceof MachineError && err.code === 'HOSTCALL_FAILED') this.hostCallFailed(err);
      throw err;
    } finally {
      this.textStores?.drain(true); // the other CPUs are stopped
    }
    if (this.words.exitKind !== L.EK_NONE) {
      if (this.threads) this.threads.halt();
      else this.finish();
    } else if (pausedThreads) {
      this.words.setStop(true);
    }
    return r;
  }

  /** CPU `index`'s registers; readable and writable unless the machine is running. */
  cpu(index: number): CpuState {
    this.checkCpu(index);
    if (this.state === 'running') {
      throw new MachineError('BAD_STATE', `CPU ${index}: registers are only accessible while the machine is not running (pause() first)`, index);
    }
    return this.cpuStates[index];
  }

  /**
   * CPU `index`'s PC, instructions retired and taken-branch history as its state block holds them,
   * readable at any time: exact between deterministic slices and while that
   * CPU waits in a host call (a handler of its own call), a moment old while
   * it runs in threads mode.
   */
  peekCpu(index: number): { pc: bigint; insns: bigint; branches: [bigint, bigint][] } {
    this.checkCpu(index);
    const c = this.cpuStates[index];
    return { pc: c.pc, insns: c.insns, branches: c.branchRing() };
  }

  /** CPU `index`'s PC alone, as peekCpu() reads it (cheap enough for every deterministic slice). */
  peekPc(index: number): bigint {
    this.checkCpu(index);
    return this.cpuStates[index].pc;
  }

  /**
   * Declares [start, end) of RAM as code besides the image's executable
   * segments (trampolines written at run time), so the patch API accepts
   * words there and guest stores there are CMODX events. GuestAccessError
   * when the range is not in RAM.
   */
  addCodeRange(start: bigint, end: bigint): void {
    if (end <= start || !this.mem.contains(start, Number(end - start))) {
      throw new GuestAccessError(start, Number(end - start), [this.mem.lo, this.mem.hi]);
    }
    this.extraText.push({ start, end });
    this.textStores?.register(start, end);
  }

  /**
   * Makes CPU `index` leave WFI/WFE if it is parked there, as an event
   * would (its counter does not jump); a running CPU is not affected beyond
   * its next WFE returning at once.
   */
  wakeCpu(index: number): void {
    this.checkCpu(index);
    this.words.wake(index, this.words.counter(index));
  }

  /** Per-CPU counters (readable at any time; exact while paused or ended). */
  counters(): CpuCounters[] {
    const dv = new DataView(this.memory.buffer);
    const idle = new BigUint64Array(this.stats);
    return this.cpuStates.map((c) => {
      const u64 = (off: number): bigint => dv.getBigUint64(c.base + off, true);
      const det = this.mode === 'deterministic';
      const idleNs = this.sched && det
        ? (this.sched.idleTicks[c.index] * 1_000_000_000n) / this.words.cntfrq(c.index)
        : Atomics.load(idle, STATS_IDLE * L.MAX_CPUS + c.index);
      const jitNs = det
        ? BigInt(Math.round(this.core.jit.stats.compileMs * 1e6))
        : Atomics.load(idle, STATS_JIT * L.MAX_CPUS + c.index);
      const tid = det ? 0n : Atomics.load(idle, STATS_TID * L.MAX_CPUS + c.index);
      return {
        cpu: c.index,
        insns: c.insns,
        exceptions: u64(L.C_EXCEPTIONS),
        irqs: u64(L.C_IRQS),
        stale: u64(L.C_STALE),
        cacheMisses: c.cacheMisses,
        translatedInsns: u64(L.C_JIT_INSNS),
        idleNs,
        jitNs,
        warpTicks: this.words.counter(c.index) - this.words.ticks(c.index),
        timing: this.timing ? timingCounts(this.memory, c.index) : null,
        memo: this.timing ? memoCounts(this.memory, c.index) : null,
        hostThread: tid === 0n ? null : (this.platform.threadTimes?.(Number(tid - 1n)) ?? null),
      };
    });
  }

  /**
   * Rewrites one instruction word of the loaded image: checked (aligned, in
   * the image's text, memory holds `expectedOld`), written atomically, the
   * I-cache maintenance done; PatchError and nothing written otherwise. With
   * `kick` every CPU takes a context synchronization at its next step; with
   * `strict` a write the CMODX checker calls a violation is refused.
   */
  patchText(addr: bigint, expectedOld: number, newWord: number, opts: PatchOptions = {}): PatchResult {
    return this.patchBatch([{ addr, expectedOld, newWord }], opts);
  }

  /**
   * Rewrites instruction words of the loaded image through the validated
   * batch patch API (bindings/patch/text.ts): all or nothing, PatchError on
   * any refusal ('ended' once the machine has ended: `exited` has settled).
   */
  patchBatch(sites: readonly PatchSite[], opts: PatchOptions = {}): PatchResult {
    const image = this.image;
    if (!image) throw new MachineError('BAD_STATE', 'patchBatch() needs a loaded image');
    if (this.state === 'ended') {
      const s = sites[0];
      throw new PatchError('ended', typeof s?.addr === 'bigint' ? s.addr : 0n, s?.expectedOld ?? 0, s?.newWord ?? 0, undefined,
        `${sites.length} site(s), nothing written`);
    }
    this.patcher ??= new TextPatcher({
      memory: this.memory,
      mem: this.mem,
      cpus: this.ncpus,
      text: () => [
        ...image.textRanges.map((r) => ({ start: r.start + this.loadBias, end: r.end + this.loadBias })),
        ...this.extraText,
      ],
      activity: () => this.activity(),
      checker: this.cmodx,
      core: this.core,
    });
    const patcher = this.patcher;
    const stores = this.textStores;
    // a batch the patcher will refuse (an address that is not a bigint) goes to it directly for its typed error
    const addrs = sites.every((s) => typeof s?.addr === 'bigint');
    return stores && addrs ? stores.hostPatch(sites.map((s) => s.addr), () => patcher.patchBatch(sites, opts)) : patcher.patchBatch(sites, opts);
  }

  /**
   * What each CPU is doing, as the CMODX checker sees it: stopped unless the
   * machine runs; idle when its last exit was WFI/WFE (parked); the PC the
   * host last saw (a running CPU has moved on since), with its symbol.
   */
  activity(): CpuActivity[] {
    const running = this.state === 'running';
    return this.cpuStates.map((c) => {
      const idle = c.exit === L.EXIT_WFI || c.exit === L.EXIT_WFE;
      const pc = c.pc;
      return { cpu: c.index, state: !running ? 'stopped' : idle ? 'idle' : 'running', pc, where: this.where(pc) };
    });
  }

  /** A guest address as symbol+offset in the loaded image, when it has one there. */
  private where(pc: bigint): string | undefined {
    const s = this.symbolize?.(pc);
    return s ? `${s.name}+0x${s.offset.toString(16)}` : undefined;
  }

  // ---- internals ---------------------------------------------------------

  private expect(states: State[], what: string): void {
    if (!states.includes(this.state)) {
      throw new MachineError('BAD_STATE', `${what}() needs a machine that is ${states.join(' or ')}; it is ${this.state}`);
    }
  }

  private beforeStart(what: string): void {
    this.expect(['created', 'loaded'], what);
    if (this.profile !== 'kernel') throw new ConfigError(`${what}(): the ${this.profile} profile makes no host calls`);
  }

  /** A handler failed for a CPU stepped on this thread: the machine ends and `exited` rejects with `err`. */
  private hostCallFailed(err: MachineError): void {
    if (this.threads) return this.threads.fail(err); // the paused CPU threads halt; `finished` rejects
    this.words.claimEnd(L.EK_ERROR, err.cpu ?? 0);
    this.fail(err);
    const gate = this.resumeGate; // a paused deterministic loop sees the stop and ends
    this.resumeGate = null;
    gate?.();
  }

  private checkCpu(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.ncpus) {
      throw new ConfigError(`CPU index must be 0..${this.ncpus - 1}, got ${index}`);
    }
  }

  private sink(): HostSink {
    return {
      write: (c, fd, d) => this.onOut(c, fd, d),
      report: (_c, k, v) => void this.reports.set(k, v),
      warn: (m, o) => this.warn(m, o),
      calls: this.calls.port(),
      nowNs: this.mode === 'deterministic'
        ? (c) => (this.words.counter(c) * 1_000_000_000n) / this.words.cntfrq(c)
        : () => BigInt(Math.round((performance.timeOrigin + performance.now() - this.epochMs) * 1e6)),
    };
  }

  private scheduler(): DeterministicScheduler {
    this.sched ??= new DeterministicScheduler(
      this.core,
      this.words,
      new ExitHandler(this.words, this.mem, (i) => this.cpuStates[i], this.profileSetup, this.sink()),
      this.ncpus,
      { quantum: this.quantum, seed: this.seed, trace: this.traceOn, policy: this.opts.schedule },
    );
    return this.sched;
  }

  private onOut(cpu: number, fd: 1 | 2, data: Uint8Array): void {
    this.out[fd].push(data);
    this.opts.onOutput?.(fd, data, cpu);
  }

  private warn(message: string, once?: string): void {
    if (once !== undefined) {
      if (this.warned.has(once)) return;
      this.warned.add(once);
    }
    this.log(message);
  }

  private async runDeterministic(): Promise<void> {
    const sched = this.scheduler();
    try {
      for (;;) {
        if (this.pauseAsked) {
          const ack = this.pauseAsked;
          this.pauseAsked = null;
          await new Promise<void>((resolve) => {
            this.resumeGate = resolve;
            ack();
          });
          continue;
        }
        if (this.words.stopRequested) break;
        const t = performance.now();
        let alive = true;
        while (alive && !this.pauseAsked && performance.now() - t < SLICE_MS) {
          for (let k = 0; k < 32 && alive; k++) {
            alive = sched.slice();
            this.textStores?.drain();
          }
        }
        if (!alive) break;
        await this.platform.yieldNow();
      }
    } catch (err) {
      this.words.claimEnd(L.EK_ERROR, 0);
      this.fail(err as Error);
      return;
    }
    this.finish();
  }

  private fail(err: Error): void {
    if (this.state === 'ended') return;
    this.textStores?.stopPolling();
    this.state = 'ended';
    this.pauseAsked?.();
    this.settle.reject(err);
  }

  private finish(): void {
    if (this.state === 'ended') return;
    this.textStores?.stopPolling();
    this.textStores?.drain();
    this.state = 'ended';
    this.pauseAsked?.();
    const gate = this.resumeGate; // a paused deterministic loop ends too
    this.resumeGate = null;
    gate?.();
    try {
      this.settle.resolve(this.result());
    } catch (err) {
      this.settle.reject(err as Error);
    }
  }

  private result(): MachineResult {
    const seconds = this.t0 ? (performance.now() - this.t0) / 1000 : 0;
    const perCpu = this.counters();
    const insns = perCpu.reduce((s, c) => s + c.insns, 0n);
    const kind = this.words.exitKind;
    const cpu = this.words.exitCpu;
    let fault: Fault | undefined;
    let exitCode: number | null = null;
    let end: MachineResult['end'] = 'terminated';
    if (kind === L.EK_EXIT) {
      end = 'exit';
      exitCode = this.words.exitCode;
    } else if (kind === L.EK_FAULT) {
      end = 'fault';
      fault = this.buildFault(cpu);
      exitCode = 128 + SIGNAL_NUMBERS[fault.signal];
      this.log(fault.report);
    }
    const text = (parts: Uint8Array[]): string => {
      const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
      let o = 0;
      for (const p of parts) {
        all.set(p, o);
        o += p.length;
      }
      return new TextDecoder().decode(all);
    };
    return {
      end,
      exitCode,
      cpu: kind === L.EK_EXIT || kind === L.EK_FAULT ? cpu : undefined,
      fault,
      perCpu,
      reports: new Map(this.reports),
      stdout: text(this.out[1]),
      stderr: text(this.out[2]),
      seconds,
      startupSeconds: this.threads?.allStartedAt != null ? (this.threads.allStartedAt - this.t0) / 1000 : undefined,
      insns,
      mips: seconds > 0 ? Number(insns) / seconds / 1e6 : 0,
      timing: this.timing ? this.timingResult(perCpu, insns) : null,
    };
  }

  private timingResult(perCpu: CpuCounters[], insns: bigint): NonNullable<MachineResult['timing']> {
    const cycles = perCpu.reduce((s, c) => s + (c.timing?.cycles ?? 0n), 0n);
    return { model: this.timing!.name, cycles, ipc: cycles > 0n ? Number(insns) / Number(cycles) : 0 };
  }

  private buildFault(index: number): Fault {
    const cpu = this.cpuStates[index];
    const f = buildFault(cpu, this.mem, { disassemble, symbolize: this.symbolize });
    if (f) return f;
    // An exit the profile has no use for (an SVC or HVC with no vector
    // table, HLT with halting debug off...): the instruction is treated as undefined.
    return unhandledException(cpu, this.mem, { disassemble, symbolize: this.symbolize });
  }
}
