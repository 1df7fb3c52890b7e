// What a thread that steps CPUs does with each exit of step(): host calls and
// system calls are served in place, idle exits are handed back to the
// scheduler (threads: park; deterministic: skip the CPU), and anything else
// is a fault that ends the machine (the report is built once every CPU has
// stopped, from the faulting CPU's untouched state).

import * as L from '../../assembly/layout.ts';
import type { CpuState } from '../core.ts';
import type { GuestMemory } from '../guest-memory.ts';
import type { UserLayout } from '../user/image.ts';
import { Syscalls } from '../user/syscalls.ts';
import { kernelHostCall, type HostSink } from './hostcalls.ts';
import type { MachineWords } from './words.ts';

export type ProfileSetup = { kind: 'kernel' } | { kind: 'user'; layout: UserLayout };

/** run: step again; idle: WFI/WFE, park or skip; stop: the machine is stopping (M_STOP seen or claimed). */
export type Outcome = 'run' | 'idle' | 'stop';

export class ExitHandler {
  private readonly sys: Syscalls | null = null;

  constructor(
    private readonly words: MachineWords,
    private readonly mem: GuestMemory,
    private readonly cpu: (index: number) => CpuState,
    private readonly profile: ProfileSetup,
    private readonly sink: HostSink,
  ) {
    if (profile.kind === 'user') {
      this.sys = new Syscalls(mem, profile.layout, {
        write: (fd, data) => {
          sink.write(0, fd, data);
          return data.length;
        },
        warn: (m) => sink.warn(m, m),
        now: () => sink.nowNs(0),
        // The Machine keeps its own time (in deterministic mode, the CPUs' counter): nanosleep returns at once.
        sleep: () => {},
      });
    }
  }

  handle(index: number, exit: number): Outcome {
    switch (exit) {
      case L.EXIT_BUDGET:
        return 'run';
      case L.EXIT_WFI:
      case L.EXIT_WFE:
        return 'idle';
      case L.EXIT_STOP:
        return 'stop';
      case L.EXIT_HVC:
        if (this.profile.kind === 'kernel') {
          const code = kernelHostCall(this.cpu(index), this.mem, this.words.ncpus, this.sink);
          if (code === null) return 'run';
          if (code === 'stop') return 'stop';
          this.words.claimEnd(L.EK_EXIT, index, code);
          return 'stop';
        }
        break;
      case L.EXIT_SVC:
        if (this.sys) {
          this.sys.handle(this.cpu(index));
          if (this.sys.exitCode === null) return 'run';
          this.words.claimEnd(L.EK_EXIT, index, this.sys.exitCode);
          return 'stop';
        }
        break;
    }
    this.words.claimEnd(L.EK_FAULT, index);
    return 'stop';
  }
}
