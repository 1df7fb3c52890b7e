// Host calls of the `kernel` profile: `hvc #0` with the call number in x8,
// arguments in x0..x5, result (or -errno) in x0. step() returns EXIT_HVC with
// the PC already past the HVC.
//
//   64     write(fd, buf, len)            fd 1 or 2 -> the machine's console; len or -EFAULT/-EBADF
//   93     exit(code)                     stops every CPU; `code` (low 8 bits) is the exit code
//   113    time_ns()                      host monotonic time in ns since the machine was created
//                                         (deterministic mode: this CPU's counter in ns)
//   0x100  report(key, key_len, value)    records the named u64 result `value` (last one wins)
//   0x101  cpu_count()                    number of CPUs
//   0x102  phase(id, arg)                 the workload reached point `id`: the Machine's onPhase
//                                         handler's result, 0 without one
//   a number given a handler with Machine.onHostCall: that handler's result
//   other                                 -ENOSYS, one warning line per call number
//
// Calls with a handler run it on the thread that owns the Machine while the
// CPU waits (remote-calls.ts).

import { CpuState } from '../core.ts';
import { GuestAccessError, GuestMemory } from '../guest-memory.ts';

export const HOSTCALL = { write: 64, exit: 93, time_ns: 113, report: 0x100, cpu_count: 0x101, phase: 0x102 } as const;

export const ERRNO = { EBADF: 9, EFAULT: 14, EINVAL: 22, ENOSYS: 38 } as const;

/** Largest write or report key accepted in one call. */
export const MAX_WRITE = 1 << 20;
export const MAX_KEY = 256;

/** Where host calls go; one per thread that steps CPUs. */
export interface HostSink {
  write(cpu: number, fd: 1 | 2, data: Uint8Array): void;
  report(cpu: number, key: string, value: bigint): void;
  /** A warning line; lines with the same `once` key are shown only the first time. */
  warn(message: string, once?: string): void;
  nowNs(cpu: number): bigint;
  /** The calls that have a handler on the Machine's owner (absent: none). */
  calls?: HostCallPort;
}

/** Reaches the handlers registered on the Machine (remote-calls.ts). */
export interface HostCallPort {
  has(nr: number): boolean;
  /** Runs the handler while the CPU waits: x0, or null when the machine halts instead. Throws MachineError HOSTCALL_FAILED. */
  call(cpu: number, nr: number, args: bigint[]): bigint | null;
}

/**
 * Serves the host call `cpu` stopped at; returns the exit code when the guest
 * called exit, 'stop' when the machine halted while the call waited for its
 * handler, else null.
 */
export function kernelHostCall(cpu: CpuState, mem: GuestMemory, ncpus: number, sink: HostSink): number | 'stop' | null {
  const nr = cpu.x(8);
  const a = (i: number): bigint => cpu.x(i);
  if (sink.calls && nr <= 0xffff_ffffn && sink.calls.has(Number(nr))) {
    const v = sink.calls.call(cpu.index, Number(nr), [a(0), a(1), a(2), a(3), a(4), a(5)]);
    if (v === null) return 'stop';
    cpu.setX(0, v);
    return null;
  }
  let r: bigint;
  try {
    switch (nr) {
      case BigInt(HOSTCALL.write): {
        const fd = a(0);
        const len = a(2);
        if (fd !== 1n && fd !== 2n) { r = BigInt(-ERRNO.EBADF); break; }
        if (len > BigInt(MAX_WRITE)) { r = BigInt(-ERRNO.EINVAL); break; }
        const data = mem.read(a(1), Number(len));
        sink.write(cpu.index, Number(fd) as 1 | 2, data);
        r = len;
        break;
      }
      case BigInt(HOSTCALL.exit):
        return Number(a(0) & 0xffn);
      case BigInt(HOSTCALL.time_ns):
        r = sink.nowNs(cpu.index);
        break;
      case BigInt(HOSTCALL.report): {
        const len = a(1);
        if (len === 0n || len > BigInt(MAX_KEY)) { r = BigInt(-ERRNO.EINVAL); break; }
        const key = new TextDecoder().decode(mem.read(a(0), Number(len)));
        sink.report(cpu.index, key, a(2));
        r = 0n;
        break;
      }
      case BigInt(HOSTCALL.cpu_count):
        r = BigInt(ncpus);
        break;
      case BigInt(HOSTCALL.phase):
        r = 0n; // no handler
        break;
      default:
        sink.warn(
          `patchlab: unknown host call ${nr} (x8) from CPU ${cpu.index} at 0x${(cpu.pc - 4n).toString(16)}: returning -ENOSYS`,
          `hostcall:${nr}`,
        );
        r = BigInt(-ERRNO.ENOSYS);
    }
  } catch (err) {
    if (!(err instanceof GuestAccessError)) throw err;
    r = BigInt(-ERRNO.EFAULT);
  }
  cpu.setX(0, r);
  return null;
}
