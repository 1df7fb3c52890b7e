/**
 * Helpers for running the AArch64 guest programs (guest/build/*.elf) under
 * qemu-aarch64 user mode, the reference for differential tests.
 *
 * The guest always sees a fixed environment: qemu itself is started with an
 * empty environment (qemu copies its own environment into the guest's envp
 * by default), and the variables given in `opts.env` (default: none) are
 * passed to it, and from there to the guest. argv[0] is the ELF path as given.
 */
import { spawnSync } from 'node:child_process';

export const QEMU_BIN = process.env.GUEST_QEMU ?? 'qemu-aarch64';
export const CROSS_GCC = process.env.GUEST_CC ?? 'aarch64-linux-gnu-gcc';

/** CPU model used for all runs: its ID registers (e.g. DCZID_EL0) are fixed. */
export const QEMU_CPU = 'max';

export interface QemuOptions {
  /** Kill the run after this many milliseconds (default 60 000). */
  timeoutMs?: number;
  /** The guest's environment (default: empty). */
  env?: Record<string, string>;
}

export interface QemuResult {
  stdout: Buffer;
  stderr: Buffer;
  /** Exit status, or null if the process was killed (timeout, signal). */
  status: number | null;
}

const probeCache = new Map<string, boolean>();

function canRun(cmd: string, args: string[]): boolean {
  const key = `${cmd} ${args.join(' ')}`;
  let ok = probeCache.get(key);
  if (ok === undefined) {
    const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    ok = !r.error && r.status === 0;
    probeCache.set(key, ok);
  }
  return ok;
}

/** True if qemu-aarch64 (user mode) can be started. */
export function haveQemu(): boolean {
  return canRun(QEMU_BIN, ['--version']);
}

/** True if the AArch64 cross compiler used by scripts/build-guest.mjs is available. */
export function haveCrossGcc(): boolean {
  return canRun(CROSS_GCC, ['--version']);
}

/** Why qemu-based tests cannot run here, or null if they can. */
export function skipReason(): string | null {
  if (!haveQemu()) return `${QEMU_BIN} not installed (apt-get install qemu-user)`;
  return null;
}

/** Why guest rebuild tests cannot run here, or null if they can. */
export function crossGccSkipReason(): string | null {
  if (!haveCrossGcc()) return `${CROSS_GCC} not installed (apt-get install gcc-aarch64-linux-gnu)`;
  return null;
}

/**
 * Runs a static AArch64 ELF under qemu-aarch64 with argv = [elf, ...args].
 * Throws if qemu cannot be started at all.
 */
export function runQemu(elf: string, args: string[], opts: QemuOptions = {}): QemuResult {
  const env = opts.env ?? {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('QEMU_')) {
      // qemu would interpret these itself instead of only passing them on.
      throw new Error(`runQemu: environment variable ${key} would configure qemu, not the guest`);
    }
    if (key.includes('=') || key.includes('\0') || value.includes('\0')) {
      throw new Error(`runQemu: invalid environment entry ${JSON.stringify(key)}`);
    }
  }
  const r = spawnSync(QEMU_BIN, ['-cpu', QEMU_CPU, elf, ...args], {
    env: { ...env },
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`runQemu: ${QEMU_BIN} not found (${skipReason() ?? 'unknown reason'})`);
  }
  return {
    stdout: r.stdout ?? Buffer.alloc(0),
    stderr: r.stderr ?? Buffer.alloc(0),
    status: r.status,
  };
}
