// Runs a static AArch64 Linux-style ELF in the `user` profile on one CPU:
// the program's syscalls are served by the host, its exit code is returned,
// a fault stops it with an oops report.

import * as L from '../../assembly/layout.ts';
import {
  CpuState, createMemory, instantiateCore, planMemory, writeMachineBlock, type Core,
} from '../core.ts';
import { parseElf, type ElfImage } from '../elf/index.ts';
import { GuestMemory } from '../guest-memory.ts';
import type { JitStats } from '../jit/jit.ts';
import { disassemble } from '../isa/disasm.ts';
import { buildFault, SIGNAL_NUMBERS, type Disassembler, type Fault } from '../oops.ts';
import { loadUserImage, NULL_GUARD, placedSymbolizer, type UserLayout } from './image.ts';
import { Syscalls, type HostIo } from './syscalls.ts';
import { installTiming, modelNamed, timingCounts, type TimingCounts } from '../timing/install.ts';
import type { CycleModel, TimingName } from '../timing/models.ts';

export interface UserRunOptions {
  /** argv, argv[0] included (defaults to ['a.out']). */
  args?: readonly string[];
  env?: readonly string[];
  /** What readlink("/proc/self/exe") gives: the program's absolute path (default: argv[0]). */
  exe?: string;
  /** Guest RAM in bytes (default 256 MiB). */
  ramSize?: number;
  /** Stop after this many instructions (the result says so). */
  maxInsns?: bigint;
  /** Instructions per call into the core (default 1 Mi). */
  quantum?: number;
  /** Re-check every fetched word against RAM (self-modifying code seen at once); default true. */
  coherentIcache?: boolean;
  /** Times a block head runs before it is translated to Wasm (0: interpret only). */
  jitThreshold?: number;
  io?: Partial<HostIo>;
  /**
   * Cycle model (bindings/timing): 'none' (default) or 'a53'/'a57', which
   * interpret every instruction, count modelled cycles and run the counter
   * (CNTVCT, clock_gettime) from them at the model's frequency.
   */
  timing?: TimingName;
  /** Disassembler for fault reports (default: the llvm-objdump-style one of bindings/isa). */
  disassemble?: Disassembler;
}

export interface UserRunResult {
  /** The guest's exit code; 128 + signal number after a fault; null when maxInsns stopped it. */
  exitCode: number | null;
  insns: bigint;
  seconds: number;
  /** Guest instructions per microsecond of host wall time. */
  mips: number;
  fault?: Fault;
  stoppedAtMaxInsns: boolean;
  syscalls: Map<number, number>;
  cacheMisses: bigint;
  jit: JitStats;
  /** Under a cycle model: its name, what it counted and instructions per cycle; else null. */
  timing: (TimingCounts & { model: CycleModel['name']; ipc: number }) | null;
}

export const DEFAULT_USER_RAM = 256 << 20;

/** A loaded user process, steppable by the caller. */
export class UserProcess {
  readonly memory: WebAssembly.Memory;
  readonly mem: GuestMemory;
  readonly cpu: CpuState;
  readonly core: Core;
  readonly image: ElfImage;
  readonly layout: UserLayout;
  readonly sys: Syscalls;
  readonly timing: CycleModel | null;

  constructor(readonly file: Uint8Array, readonly opts: UserRunOptions = {}) {
    this.timing = modelNamed(opts.timing ?? 'none'); // TimingError before anything is built
    this.image = parseElf(file, { sections: 'lenient' }); // as qemu-aarch64 and Linux: program headers suffice
    const ramSize = opts.ramSize ?? DEFAULT_USER_RAM;
    const plan = planMemory(1, ramSize);
    this.memory = createMemory(plan);
    writeMachineBlock(this.memory, plan, {
      base: 0n,
      lo: NULL_GUARD,
      hi: BigInt(ramSize),
      coherentIcache: opts.coherentIcache ?? true,
      jitThreshold: opts.jitThreshold,
    });
    this.core = instantiateCore(this.memory);
    this.core.flushCache(0);
    this.mem = new GuestMemory(this.memory, plan.ramOffset, 0n, ramSize, NULL_GUARD);
    this.cpu = new CpuState(this.memory, 0);
    this.cpu.reset({ el: 0 });
    installTiming(this.memory, 0, this.timing);
    const io = opts.io ?? {};
    const random = io.random ? io.random(16) : crypto.getRandomValues(new Uint8Array(16));
    this.layout = loadUserImage(this.mem, file, this.image, opts.args ?? ['a.out'], opts.env ?? [], random);
    this.cpu.pc = this.layout.entry;
    this.cpu.sp = this.layout.sp;
    this.sys = new Syscalls(this.mem, this.layout, {
      write: io.write ?? (() => 0),
      warn: io.warn ?? ((m) => console.warn(m)),
      read: io.read,
      now: io.now,
      sleep: io.sleep,
      random: io.random,
      strace: io.strace,
      files: io.files,
    }, { exe: opts.exe ?? opts.args?.[0] ?? 'a.out', ramBytes: ramSize });
  }

  /** Runs until exit, fault or maxInsns. */
  run(): UserRunResult {
    const quantum = this.opts.quantum ?? 1 << 20;
    const max = this.opts.maxInsns;
    const t0 = performance.now();
    let fault: Fault | undefined;
    let stoppedAtMaxInsns = false;
    for (;;) {
      let budget = quantum;
      if (max !== undefined) {
        const left = max - this.cpu.insns;
        if (left <= 0n) {
          stoppedAtMaxInsns = true;
          break;
        }
        if (left < BigInt(budget)) budget = Number(left);
      }
      const exit = this.core.step(0, budget);
      if (exit === L.EXIT_BUDGET || exit === L.EXIT_WFI || exit === L.EXIT_WFE) continue;
      if (exit === L.EXIT_SVC) {
        this.sys.handle(this.cpu);
        if (this.sys.exitCode !== null) break;
        continue;
      }
      fault = buildFault(this.cpu, this.mem, {
        disassemble: this.opts.disassemble ?? disassemble,
        symbolize: placedSymbolizer(this.image, this.layout.loadBias),
      }) ?? undefined;
      if (!fault) throw new Error(`patchlab: unexpected exit reason ${exit} in the user profile`);
      break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const insns = this.cpu.insns;
    const exitCode = fault ? 128 + SIGNAL_NUMBERS[fault.signal] : stoppedAtMaxInsns ? null : this.sys.exitCode;
    return {
      exitCode,
      insns,
      seconds,
      mips: seconds > 0 ? Number(insns) / seconds / 1e6 : 0,
      fault,
      stoppedAtMaxInsns,
      syscalls: this.sys.counts,
      cacheMisses: this.cpu.cacheMisses,
      jit: { ...this.core.jit.stats },
      timing: this.timing ? this.timingResult(insns) : null,
    };
  }

  private timingResult(insns: bigint): NonNullable<UserRunResult['timing']> {
    const t = timingCounts(this.memory, 0);
    return { model: this.timing!.name, ...t, ipc: t.cycles > 0n ? Number(insns) / Number(t.cycles) : 0 };
  }
}

/** Loads and runs `file` to completion. */
export function runUserProgram(file: Uint8Array, opts: UserRunOptions = {}): UserRunResult {
  return new UserProcess(file, opts).run();
}
