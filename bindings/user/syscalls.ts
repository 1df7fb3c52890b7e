// Linux AArch64 system calls of the `user` profile: SVC #0 with the number in
// x8, arguments in x0..x5, result (or -errno) in x0.
//
// Supported: read(63) from stdin, write(64), writev(66), exit(93),
// exit_group(94), set_tid_address(96), nanosleep(101), clock_gettime(113),
// sched_yield(124), rt_sigaction(134)/rt_sigprocmask(135) (accepted, no
// signals are ever delivered), uname(160), gettimeofday(169), getpid(172),
// getppid(173), getuid/geteuid/getgid/getegid(174-177), gettid(178),
// brk(214), munmap(215), mmap(222) (private anonymous only), getrandom(278).
// Anything else returns -ENOSYS with a one-line warning (once per number).

import { CpuState } from '../core.ts';
import { GuestAccessError, GuestMemory } from '../guest-memory.ts';
import { PAGE_SIZE, type UserLayout } from './image.ts';

export const SYS = {
  read: 63, write: 64, writev: 66, exit: 93, exit_group: 94, set_tid_address: 96, nanosleep: 101,
  clock_gettime: 113, sched_yield: 124, rt_sigaction: 134, rt_sigprocmask: 135, uname: 160,
  gettimeofday: 169, getpid: 172, getppid: 173, getuid: 174, geteuid: 175, getgid: 176, getegid: 177,
  gettid: 178, brk: 214, munmap: 215, mmap: 222, getrandom: 278, ioctl: 29,
} as const;

const E = { EPERM: 1, ENOENT: 2, EBADF: 9, ENOMEM: 12, EFAULT: 14, EINVAL: 22, ENOTTY: 25, ENOSYS: 38 } as const;

export interface HostIo {
  /** Writes guest output for fd 1 or 2; returns the number of bytes taken. */
  write(fd: 1 | 2, data: Uint8Array): number;
  /** Reads up to `max` bytes of stdin (empty at end of input). */
  read?(max: number): Uint8Array;
  /** One-line warnings (unknown syscalls). */
  warn(message: string): void;
  /** Host time in nanoseconds for clock_gettime. */
  now?(clock: number): bigint;
  random?(n: number): Uint8Array;
}

export class Syscalls {
  exitCode: number | null = null;
  private brk: bigint;
  private mmapTop: bigint;
  private readonly warned = new Set<number>();
  readonly counts = new Map<number, number>();

  constructor(
    private readonly mem: GuestMemory,
    private readonly layout: UserLayout,
    private readonly io: HostIo,
  ) {
    this.brk = layout.brkStart;
    this.mmapTop = layout.mmapTop;
  }

  /** Handles the SVC the CPU stopped at; x0 receives the result unless the process exited. */
  handle(cpu: CpuState): void {
    const nr = Number(cpu.x(8));
    this.counts.set(nr, (this.counts.get(nr) ?? 0) + 1);
    const a = [cpu.x(0), cpu.x(1), cpu.x(2), cpu.x(3), cpu.x(4), cpu.x(5)];
    let r: bigint;
    try {
      r = this.dispatch(nr, a);
    } catch (err) {
      if (!(err instanceof GuestAccessError)) throw err;
      r = BigInt(-E.EFAULT);
    }
    if (this.exitCode === null) cpu.setX(0, r);
  }

  private dispatch(nr: number, a: bigint[]): bigint {
    const mem = this.mem;
    switch (nr) {
      case SYS.write: return this.write(Number(a[0]), a[1], a[2]);
      case SYS.writev: {
        const iovcnt = Number(a[2]);
        if (iovcnt < 0 || iovcnt > 1024) return BigInt(-E.EINVAL);
        let total = 0n;
        for (let i = 0; i < iovcnt; i++) {
          const base = mem.u64(a[1] + BigInt(i * 16));
          const len = mem.u64(a[1] + BigInt(i * 16 + 8));
          const n = this.write(Number(a[0]), base, len);
          if (n < 0n) return total > 0n ? total : n;
          total += n;
        }
        return total;
      }
      case SYS.read: {
        if (a[0] !== 0n) return BigInt(-E.EBADF);
        if (!this.io.read) return 0n;
        const len = Number(a[2] > 1n << 20n ? 1n << 20n : a[2]);
        mem.offset(a[1], len);
        const data = this.io.read(len);
        mem.write(a[1], data);
        return BigInt(data.length);
      }
      case SYS.exit:
      case SYS.exit_group:
        this.exitCode = Number(a[0] & 0xffn);
        return 0n;
      case SYS.set_tid_address:
      case SYS.getpid:
      case SYS.gettid:
        return 1000n;
      case SYS.getppid: return 1n;
      case SYS.getuid: case SYS.geteuid: case SYS.getgid: case SYS.getegid: return 0n;
      case SYS.sched_yield: case SYS.nanosleep: return 0n;
      case SYS.rt_sigaction: case SYS.rt_sigprocmask: return 0n;
      case SYS.ioctl: return BigInt(-E.ENOTTY);
      case SYS.clock_gettime: {
        const ns = this.io.now ? this.io.now(Number(a[0])) : process.hrtime.bigint();
        mem.setU64(a[1], ns / 1_000_000_000n);
        mem.setU64(a[1] + 8n, ns % 1_000_000_000n);
        return 0n;
      }
      case SYS.gettimeofday: {
        if (a[0] !== 0n) {
          const ns = this.io.now ? this.io.now(0) : BigInt(Date.now()) * 1_000_000n;
          mem.setU64(a[0], ns / 1_000_000_000n);
          mem.setU64(a[0] + 8n, (ns % 1_000_000_000n) / 1000n);
        }
        return 0n;
      }
      case SYS.uname: {
        const fields = ['Linux', 'patchlab', '6.1.0-patchlab', '#1 SMP', 'aarch64', '(none)'];
        const buf = new Uint8Array(65 * 6);
        fields.forEach((f, i) => buf.set(new TextEncoder().encode(f), i * 65));
        mem.write(a[0], buf);
        return 0n;
      }
      case SYS.getrandom: {
        const n = Number(a[1] > 256n ? 256n : a[1]);
        const bytes = this.io.random ? this.io.random(n) : crypto.getRandomValues(new Uint8Array(n));
        mem.write(a[0], bytes);
        return BigInt(n);
      }
      case SYS.brk: {
        const want = a[0];
        if (want >= this.layout.brkStart && want <= this.mmapTop) {
          if (want > this.brk) mem.fill(this.brk, Number(want - this.brk), 0);
          this.brk = want;
        }
        return this.brk;
      }
      case SYS.mmap: {
        const [addr, len, , flags, fd] = a;
        const MAP_PRIVATE = 0x02n, MAP_ANONYMOUS = 0x20n, MAP_FIXED = 0x10n;
        if (addr !== 0n || (flags & MAP_FIXED) || !(flags & MAP_ANONYMOUS) || !(flags & MAP_PRIVATE) || BigInt.asIntN(64, fd) !== -1n) {
          return BigInt(-E.EINVAL);
        }
        const size = (len + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n);
        if (size === 0n || this.mmapTop - size < this.brk) return BigInt(-E.ENOMEM);
        this.mmapTop -= size;
        mem.fill(this.mmapTop, Number(size), 0);
        return this.mmapTop;
      }
      case SYS.munmap: return 0n;
      default:
        if (!this.warned.has(nr)) {
          this.warned.add(nr);
          this.io.warn(`patchlab: unknown syscall ${nr}, returning -ENOSYS`);
        }
        return BigInt(-E.ENOSYS);
    }
  }

  private write(fd: number, buf: bigint, len: bigint): bigint {
    if (fd !== 1 && fd !== 2) return BigInt(-E.EBADF);
    if (len > 1n << 30n) return BigInt(-E.EINVAL);
    const data = this.mem.read(buf, Number(len));
    return BigInt(this.io.write(fd, data));
  }
}
