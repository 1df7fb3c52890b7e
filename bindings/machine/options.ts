// The Machine's options: checked, with their defaults, before anything is
// built (ConfigError for a bad one).

import { ConfigError, planMemory } from '../core.ts';
import { DEFAULT_DEADLOCK_MS } from './deadlock-watch.ts';
import { DEFAULT_KERNEL_RAM } from './kernel-image.ts';
import { modelNamed } from '../timing/install.ts';
import type { MachineOptions, Mode, Profile } from './types.ts';

const DEFAULT_QUANTUM: Record<Mode, number> = { threads: 1 << 16, deterministic: 4096 };

function oneOf<T extends string>(what: string, v: unknown, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new ConfigError(`${what} must be one of ${allowed.join(', ')}, got ${String(v)}`);
  }
  return v as T;
}

/** The options, checked, with their defaults; ConfigError for a bad one. */
export function validateOptions(o: MachineOptions) {
  const profile = oneOf<Profile>('profile', o.profile, ['user', 'kernel'], 'kernel');
  const mode = oneOf<Mode>('mode', o.mode, ['threads', 'deterministic'], 'threads');
  const icache = oneOf('icache', o.icache, ['architectural', 'coherent'] as const, 'architectural');
  const cpus = o.cpus ?? 1;
  const ramSize = o.ramSize ?? DEFAULT_KERNEL_RAM;
  const plan = planMemory(cpus, ramSize); // ConfigError for bad counts and sizes
  if (profile === 'user' && cpus !== 1) throw new ConfigError(`the user profile runs on one CPU, got ${cpus}`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ConfigError(`seed must be an integer 0..2^32-1, got ${seed}`);
  }
  const quantum = o.quantum ?? DEFAULT_QUANTUM[mode];
  if (!Number.isInteger(quantum) || quantum < 1 || quantum > 0x3fffffff) {
    throw new ConfigError(`quantum must be an integer 1..2^30-1, got ${quantum}`);
  }
  const deadlockMs = o.deadlockMs ?? DEFAULT_DEADLOCK_MS;
  if (typeof deadlockMs !== 'number' || !Number.isInteger(deadlockMs) || deadlockMs < 0 || deadlockMs > 3_600_000) {
    throw new ConfigError(`deadlockMs must be an integer 0 (off) .. 3600000, got ${String(deadlockMs)}`);
  }
  if (o.timing !== undefined && typeof o.timing !== 'string') throw new ConfigError(`timing must be a model name, got ${String(o.timing)}`);
  const timing = modelNamed(o.timing ?? 'none'); // TimingError (a ConfigError) for an unknown name
  return { profile, mode, icache, plan, seed, quantum, deadlockMs, timing };
}
