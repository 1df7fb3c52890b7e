// A machine to watch while it runs: the patchlab kernel looping hackbench
// runs on real CPU threads, with ftrace attached, so tracing of single
// functions can be switched on and off at any moment and the patch site's
// words, the events they produce and every CPU's state read back live. The
// browser page's patch-site view is built on it; Node scripts can use it
// the same way.

import { disassemble } from '../isa/disasm.ts';
import { parseElf } from '../elf/index.ts';
import { Ftrace, PHASE } from '../ftrace/ftrace.ts';
import { EV } from '../ftrace/layout.ts';
import type { FtraceOps } from '../ftrace/ops.ts';
import { ftraceRecords, type FtraceRecord } from '../ftrace/records.ts';
import type { SiteState } from '../ftrace/sites.ts';
import { Machine } from '../machine/machine.ts';
import type { Mode } from '../machine/types.ts';
import { optionChecks } from '../option-checks.ts';
import { KERNEL_IMAGES, kernelImageFile, KernelImageError, readImage, setHbParams } from './kernel.ts';
import { KernelSched } from './sched.ts';

export type LiveErrorCode = 'bad-option' | 'unknown-function' | 'ended';

export class LiveError extends Error {
  override name = 'LiveError';
  constructor(readonly code: LiveErrorCode, message: string) {
    super(message);
  }
}

export interface LiveOptions {
  /** Emulated CPUs, 1..64 (default 2). */
  cpus?: number;
  /** 'pfe2' (two-word entries) or 'pfe42' (four words, two before the function). Default 'pfe2'. */
  image?: string;
  /** Default 'threads'; 'deterministic' runs the same seeded order (slices on the host's event loop). */
  mode?: Mode;
  seed?: number;
  /** hackbench sizes of each run of the loop (defaults 2 groups, 4 fds, 1000 loops, 100 bytes). */
  groups?: number;
  fds?: number;
  loops?: number;
}

/** One word of a patch site. */
export interface LiveWord {
  /** Guest address, hex. */
  addr: string;
  /** Offset from the function's entry in bytes (negative: the =4,2 words before it). */
  offset: number;
  /** The word, hex. */
  word: string;
  /** Its disassembly at that address. */
  text: string;
}

export interface LiveCpu {
  cpu: number;
  /** PC, hex, and the symbol holding it (name+0xoff). */
  pc: string;
  where: string;
  /** Instructions retired so far. */
  insns: number;
  /** The task running there: pid and name (pid 0: the idle task). */
  pid: number;
  task: string;
}

export interface LiveSnapshot {
  fn: string;
  /** What the site is now (disabled, caller, ...), by ftrace's own bookkeeping. */
  state: SiteState;
  /** Is an ops of this machine tracing `fn`? */
  traced: boolean;
  words: LiveWord[];
  /** function-tracer events seen for `fn` since the machine started (drained so far). */
  hits: number;
  /** Events of every function drained so far. */
  events: number;
  cpus: LiveCpu[];
  /** Completed hackbench runs of the loop. */
  runs: number;
  /** Host seconds since start(). */
  seconds: number;
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;
const { int, oneOf } = optionChecks((m) => new LiveError('bad-option', m));

export class LiveMachine {
  private readonly traced = new Map<string, FtraceOps>();
  private readonly hitsByIp = new Map<bigint, number>();
  private eventCount = 0;
  private runsDone = 0;
  private readonly t0 = performance.now();
  private readonly sched: KernelSched | null;
  private drainTimer: ReturnType<typeof setInterval> | null = null;
  private endedWith: string | null = null;

  private constructor(
    readonly machine: Machine,
    private readonly ft: Ftrace,
    readonly records: readonly FtraceRecord[],
  ) {
    const sched = KernelSched.of(machine);
    this.sched = sched instanceof KernelSched ? sched : null;
  }

  /** Boots the kernel looping hackbench runs; resolves once the CPUs run. LiveError for bad options. */
  static async start(options: LiveOptions = {}): Promise<LiveMachine> {
    const cpus = int('cpus', options.cpus ?? 2, 1, 64);
    const image = oneOf('image', options.image ?? 'pfe2', KERNEL_IMAGES);
    const mode = oneOf('mode', options.mode ?? 'threads', ['threads', 'deterministic'] as const);
    const seed = int('seed', options.seed ?? 1, 0, 0xffffffff);
    const groups = int('groups', options.groups ?? 2, 1, 16);
    const fds = int('fds', options.fds ?? 4, 1, 32);
    const loops = int('loops', options.loops ?? 1000, 1, 1_000_000);
    let elf: Uint8Array;
    try {
      elf = readImage(kernelImageFile(image));
    } catch (err) {
      if (err instanceof KernelImageError) throw new LiveError('bad-option', err.message);
      throw err;
    }
    const records = ftraceRecords(parseElf(elf));
    const machine = await Machine.create({ profile: 'kernel', cpus, mode, seed, log: () => {} });
    machine.load(elf);
    // runs: as many as the kernel takes (1000); stop() ends the machine long before
    setHbParams(machine, { workload: 0, groups, fds, loops, datasize: 100, runs: 1000 });
    const ft = Ftrace.attach(machine, { bufferKb: 256 });
    const live = new LiveMachine(machine, ft, records);
    machine.onPhase(({ args }) => {
      if (args[0] === PHASE.runEnd) live.runsDone++;
      return 0;
    });
    machine.start();
    machine.exited.then(
      (r) => (live.endedWith = `${r.end}${r.exitCode === undefined ? '' : ` ${r.exitCode}`}`),
      (e) => (live.endedWith = (e as Error).message),
    );
    live.drainTimer = setInterval(() => live.drain(), 20);
    return live;
  }

  /** The traceable functions, in record order. */
  get functions(): string[] {
    return this.records.map((r) => r.fn);
  }

  private record(fn: string): FtraceRecord {
    const r = this.records.find((x) => x.fn === fn);
    if (!r) throw new LiveError('unknown-function', `${fn} is not a traceable function of the image`);
    return r;
  }

  private checkRunning(): void {
    if (this.endedWith !== null || this.machine.status !== 'running') {
      throw new LiveError('ended', `the machine is not running (${this.endedWith ?? this.machine.status})`);
    }
  }

  /** Switches the function tracer for `fn` on or off (one ops per function); the site is patched while the CPUs run. */
  setTraced(fn: string, on: boolean): void {
    this.record(fn);
    this.checkRunning();
    const ops = this.traced.get(fn);
    if (on && !ops) this.traced.set(fn, this.ft.register({ kind: 'function', filter: [fn] }));
    if (!on && ops) {
      this.traced.delete(fn);
      this.ft.unregister(ops);
    }
  }

  private drain(): void {
    for (const e of this.ft.takeEvents()) {
      this.eventCount++;
      if (e.type === EV.function) this.hitsByIp.set(e.ip, (this.hitsByIp.get(e.ip) ?? 0) + 1);
    }
  }

  private task(cpu: number): { pid: number; task: string } {
    if (!this.sched) return { pid: -1, task: '?' };
    const pid = this.sched.currentTask(cpu);
    return { pid, task: this.ft.comm([pid]).get(pid) ?? '?' };
  }

  /** The site of `fn`, its state and hits, and every CPU's PC, instruction count and task, as of now. */
  snapshot(fn: string): LiveSnapshot {
    const r = this.record(fn);
    this.drain();
    const m = this.machine.mem;
    const image = this.machine.image!;
    const ftSym = this.ft.symbolizer();
    const sym = (a: bigint): string | null => {
      const s = ftSym(a);
      return s ? (s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name) : null;
    };
    const words: LiveWord[] = [];
    for (let a = r.site; a <= r.ip; a += 4n) {
      const w = m.u32(a);
      words.push({ addr: hex(a), offset: Number(a - r.entry), word: `0x${w.toString(16).padStart(8, '0')}`, text: disassemble(w, a, sym) });
    }
    const cpus: LiveCpu[] = [];
    for (let c = 0; c < this.machine.ncpus; c++) {
      const { pc, insns } = this.machine.peekCpu(c);
      const s = image.symbolize(pc);
      cpus.push({ cpu: c, pc: hex(pc), where: s ? `${s.name}+0x${s.offset.toString(16)}` : '?', insns: Number(insns), ...this.task(c) });
    }
    const idx = this.records.indexOf(r);
    return {
      fn,
      state: this.ft.siteStates()[idx]!,
      traced: this.traced.has(fn),
      words,
      hits: this.hitsByIp.get(r.ip) ?? 0,
      events: this.eventCount,
      cpus,
      runs: this.runsDone,
      seconds: (performance.now() - this.t0) / 1000,
    };
  }

  /** Ends the machine (tracing off first, so the text is as it was booted). */
  async stop(): Promise<void> {
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = null;
    if (this.endedWith === null && this.machine.status === 'running') {
      for (const fn of [...this.traced.keys()]) this.setTraced(fn, false);
    }
    await this.machine.terminate();
    await this.machine.exited.catch(() => {});
  }
}
