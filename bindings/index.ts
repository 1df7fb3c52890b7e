// patchlab's public entry: the Machine API, its types and errors.

export { Machine } from './machine/machine.ts';
export type {
  CpuCounters, IcacheModel, LoadOptions, MachineEnd, MachineOptions, MachineResult, Mode, Profile,
} from './machine/types.ts';
export type { Slice, StepResult } from './machine/deterministic.ts';
export { ConfigError, GuestAccessError, LoadError, MachineError, type MachineErrorCode } from './machine/errors.ts';
export type { Platform, SpawnOptions, WorkerHandle } from './machine/platform.ts';
export { HOSTCALL } from './machine/hostcalls.ts';
export { KERNEL_RAM_BASE, DEFAULT_KERNEL_RAM } from './machine/kernel-image.ts';
export { CpuState } from './core.ts';
export { GuestMemory } from './guest-memory.ts';
export type { Fault, FaultKind } from './oops.ts';
export { ElfError } from './elf/index.ts';
