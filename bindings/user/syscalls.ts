// Linux AArch64 system calls of the `user` profile: SVC #0 with the number in
// x8, arguments in x0..x5, result (or -errno) in x0.
//
// Supported: read(63) from stdin, write(64), writev(66), exit(93),
// exit_group(94), set_tid_address(96), nanosleep(101), clock_gettime(113),
// clock_getres(114), sched_yield(124), rt_sigaction(134)/rt_sigprocmask(135)
// (actions and the mask are kept and read back; no signal is ever
// delivered), uname(160), gettimeofday(169), getpid(172), getppid(173),
// getuid/geteuid/getgid/getegid(174-177), gettid(178), brk(214), munmap(215),
// mremap(216), mmap(222) (not MAP_FIXED; placed as sys-maps.ts keeps track),
// mprotect(226) and madvise(233)
// (checked, then accepted: guest RAM has no page protections), getrandom(278),
// readlinkat(78) of /proc/self/exe, newfstatat(79) and fstat(80) of the
// standard descriptors, prlimit64(261) (sys-info.ts: Linux's defaults, not
// the host's), and read-only files (sys-files.ts: openat(56), close(57),
// read, lseek(62), pread64(67), fstat, newfstatat and private mmap of what the
// host's `files` gives; nothing without it). set_robust_list(99) and rseq(293) return -ENOSYS, as
// qemu-aarch64 answers them (glibc then does without).
// Arguments are checked in the order Linux checks them and bad ones get
// Linux's errno. Anything else returns -ENOSYS with a one-line warning (once
// per number). With `strace` in the host's io, every call is printed with its
// arguments and result.

import { CpuState } from '../core.ts';
import { GuestAccessError, GuestMemory } from '../guest-memory.ts';
import { PAGE_SIZE, STACK_SIZE, type UserLayout } from './image.ts';
import { fstat, initialLimits, newfstatat, prlimit64, readlinkat } from './sys-info.ts';
import { Files, type HostFiles } from './sys-files.ts';
import { MmapArea } from './sys-maps.ts';
import { E, errnoName } from './errno.ts';

export const SYS = {
  read: 63, write: 64, writev: 66, exit: 93, exit_group: 94, set_tid_address: 96, nanosleep: 101,
  clock_gettime: 113, sched_yield: 124, rt_sigaction: 134, rt_sigprocmask: 135, uname: 160,
  gettimeofday: 169, getpid: 172, getppid: 173, getuid: 174, geteuid: 175, getgid: 176, getegid: 177,
  gettid: 178, brk: 214, munmap: 215, mmap: 222, getrandom: 278, ioctl: 29, clock_getres: 114,
  mprotect: 226, madvise: 233, readlinkat: 78, newfstatat: 79, fstat: 80, set_robust_list: 99, prlimit64: 261,
  rseq: 293, openat: 56, close: 57, lseek: 62, pread64: 67, mremap: 216,
} as const;

/** Each known number's name, for strace. */
const NAMES = new Map<number, string>(Object.entries(SYS).map(([k, v]) => [v, k]));

const err = (e: number): bigint => BigInt(-e);
/** len rounded up to whole pages (0 when it wraps past the address space). */
const pageUp = (len: bigint): bigint => (len + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n) & ((1n << 64n) - 1n);


/** arm64's user address space (TASK_SIZE, 48-bit VA) and the most a read or write moves at once (Linux's MAX_RW_COUNT). */
const TASK_SIZE = 1n << 48n;
const MAX_RW_COUNT = 0x7ffff000n;
/** Linux's access_ok: the whole range [addr, addr+len) lies below TASK_SIZE. */
const accessOk = (addr: bigint, len: bigint): boolean => addr <= TASK_SIZE && len <= TASK_SIZE - addr;

/** The pid, tid and tgid of the one task. */
const PID = 1000n;
const UIO_MAXIOV = 1024n;
const NSIG = 64;
const SIGKILL = 9, SIGPIPE = 13, SIGSTOP = 19;
/** Signals that can be neither caught nor blocked. */
const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));

// clockid_t values (include/uapi/linux/time.h) clock_gettime accepts.
const CLOCK_REALTIME = 0, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_TAI = 11;
const TAI_OFFSET_NS = 37_000_000_000n;
/** Resolution of the _COARSE clocks: one tick at HZ=250. */
const COARSE_RES_NS = 4_000_000n;

/** The clockid_t in `id` when it names a clock (a static one, or a CPU-time clock of this process or its thread), else null. */
function clockId(id: bigint): number | null {
  const c = Number(BigInt.asIntN(32, id));
  if (BigInt.asIntN(64, id) !== BigInt(c)) return null;
  if (c >= 0) return c <= 7 || c === CLOCK_TAI ? c : null;
  // CPU clocks: ~pid << 3 | per-thread << 2 | type (0..2); pid 0 means the caller.
  const pid = ~(c >> 3);
  return (c & 3) !== 3 && (pid === 0 || BigInt(pid) === PID) ? c : null;
}

const CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3;

/** The prot bits mmap and mprotect accept: PROT_READ | PROT_WRITE | PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP. */
const PROT_VALID = 0x7n | 0x01000000n | 0x02000000n;

/**
 * Host time for `clock`: the Unix epoch for the realtime clocks; for the
 * CPU-time clocks, the time since `startMs` (performance.now() when the
 * process started: it is always running); a monotonic count for the others.
 */
function hostClock(clock: number, startMs: number): bigint {
  if (clock === CLOCK_REALTIME || clock === CLOCK_REALTIME_COARSE || clock === CLOCK_TAI) {
    const ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
    return clock === CLOCK_TAI ? ns + TAI_OFFSET_NS : ns;
  }
  if (clock === CLOCK_PROCESS_CPUTIME_ID || clock === CLOCK_THREAD_CPUTIME_ID || clock < 0) {
    return BigInt(Math.round((performance.now() - startMs) * 1e6));
  }
  return process.hrtime.bigint();
}

const sleepWord = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the calling host thread for `ns` nanoseconds. */
export function hostSleep(ns: bigint): void {
  let ms = Number(ns) / 1e6;
  while (ms > 0) {
    const step = Math.min(ms, 1e9);
    Atomics.wait(sleepWord, 0, 0, step);
    ms -= step;
  }
}

/** Host random bytes in chunks the Web Crypto API accepts. */
function hostRandom(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

export interface HostIo {
  /**
   * Writes guest output for fd 1 or 2; returns the number of bytes taken, or
   * a negative Linux errno: -EPIPE (-32) when nobody reads the output any
   * more, -ENOSPC (-28) when the file it goes to is full...
   */
  write(fd: 1 | 2, data: Uint8Array): number;
  /** Reads up to `max` bytes of stdin: empty at end of input, a negative Linux errno on failure. */
  read?(max: number): Uint8Array | number;
  /** One-line warnings (unknown syscalls). */
  warn(message: string): void;
  /** Host time in nanoseconds for clock_gettime (the realtime clocks count from the Unix epoch). */
  now?(clock: number): bigint;
  /** Waits `ns` nanoseconds for nanosleep (default: blocks the host thread that long). */
  sleep?(ns: bigint): void;
  random?(n: number): Uint8Array;
  /** Given: every call goes here as a line, `name(args) = result`. */
  strace?(line: string): void;
  /** Files the guest may open and read (none when absent: every name is -ENOENT). */
  files?: HostFiles;
}

/** The process as the system calls see it beyond its memory. */
export interface ProcessInfo {
  /** What /proc/self/exe names (the program's absolute path). */
  exe: string;
  /** Guest RAM in bytes (the limits Linux derives from it). */
  ramBytes: number;
}

export class Syscalls {
  /** The exit status: the guest's exit code, or 128 + the signal that killed it. */
  exitCode: number | null = null;
  /** The signal that ended the process (SIGPIPE from a write nobody reads), or null. */
  killedBy: number | null = null;
  private brk: bigint;
  private readonly maps: MmapArea;
  /** rt_sigaction's struct sigaction (32 bytes) per signal, 1..64; all zero is SIG_DFL. */
  private readonly sigactions = new Map<number, Uint8Array>();
  private sigmask = 0n;
  /** performance.now() when the process started (the origin of its CPU-time clocks). */
  private readonly startMs = performance.now();
  private readonly warned = new Set<number>();
  readonly counts = new Map<number, number>();
  private readonly limits: [bigint, bigint][];
  private readonly files: Files;

  constructor(
    private readonly mem: GuestMemory,
    private readonly layout: UserLayout,
    private readonly io: HostIo,
    private readonly proc: ProcessInfo = { exe: '/a.out', ramBytes: Number(layout.ramEnd) },
  ) {
    this.brk = layout.brkStart;
    this.maps = new MmapArea(layout.mmapTop, () => this.brk);
    this.limits = initialLimits(proc.ramBytes, STACK_SIZE);
    this.files = new Files(mem, io.files ?? null, this.limits);
  }

  /** Handles the SVC the CPU stopped at; x0 receives the result unless the process exited. */
  handle(cpu: CpuState): void {
    const nr = Number(cpu.x(8));
    this.counts.set(nr, (this.counts.get(nr) ?? 0) + 1);
    const a = [cpu.x(0), cpu.x(1), cpu.x(2), cpu.x(3), cpu.x(4), cpu.x(5)];
    let r: bigint;
    try {
      r = this.dispatch(nr, a);
    } catch (e) {
      if (!(e instanceof GuestAccessError)) throw e;
      r = err(E.EFAULT);
    }
    if (this.io.strace) {
      const name = NAMES.get(nr) ?? `syscall_${nr}`;
      const args = a.map((v) => `0x${v.toString(16)}`).join(', ');
      const ret = BigInt.asIntN(64, r);
      this.io.strace(`${name}(${args}) = ${ret < 0n && ret > -4096n ? `${ret} (${errnoName(Number(-ret))})` : `0x${BigInt.asUintN(64, r).toString(16)}`}`);
    }
    if (this.exitCode === null) cpu.setX(0, r);
  }

  private dispatch(nr: number, a: bigint[]): bigint {
    const mem = this.mem;
    switch (nr) {
      case SYS.write: return this.write(Number(a[0]), a[1], a[2]);
      case SYS.writev: return this.writev(Number(a[0]), a[1], a[2]);
      case SYS.read: {
        if (a[0] !== 0n) return BigInt(this.files.read(Number(BigInt.asIntN(32, a[0])), a[1], a[2]));
        if (!accessOk(a[1], a[2])) return err(E.EFAULT);
        if (!this.io.read) return 0n;
        const len = Number(a[2] > 1n << 20n ? 1n << 20n : a[2]);
        mem.offset(a[1], len);
        const data = this.io.read(len);
        if (typeof data === 'number') return BigInt(data);
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
        return PID;
      case SYS.getppid: return 1n;
      case SYS.getuid: case SYS.geteuid: case SYS.getgid: case SYS.getegid: return 0n;
      case SYS.sched_yield: return 0n;
      case SYS.nanosleep: {
        const sec = BigInt.asIntN(64, mem.u64(a[0]));
        const nsec = BigInt.asIntN(64, mem.u64(a[0] + 8n));
        if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) return err(E.EINVAL);
        const ns = sec * 1_000_000_000n + nsec;
        if (this.io.sleep) this.io.sleep(ns);
        else hostSleep(ns);
        return 0n;
      }
      case SYS.rt_sigaction: return this.rtSigaction(a[0], a[1], a[2], a[3]);
      case SYS.rt_sigprocmask: return this.rtSigprocmask(a[0], a[1], a[2], a[3]);
      case SYS.ioctl: return err(E.ENOTTY);
      case SYS.clock_gettime: {
        const clock = clockId(a[0]);
        if (clock === null) return err(E.EINVAL);
        const ns = this.io.now ? this.io.now(clock) : hostClock(clock, this.startMs);
        mem.setU64(a[1], ns / 1_000_000_000n);
        mem.setU64(a[1] + 8n, ns % 1_000_000_000n);
        return 0n;
      }
      case SYS.clock_getres: {
        const clock = clockId(a[0]);
        if (clock === null) return err(E.EINVAL);
        const res = clock === CLOCK_REALTIME_COARSE || clock === CLOCK_MONOTONIC_COARSE ? COARSE_RES_NS : 1n;
        if (a[1] !== 0n) {
          mem.setU64(a[1], 0n);
          mem.setU64(a[1] + 8n, res);
        }
        return 0n;
      }
      case SYS.gettimeofday: {
        if (a[0] !== 0n) {
          const ns = this.io.now ? this.io.now(CLOCK_REALTIME) : hostClock(CLOCK_REALTIME, this.startMs);
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
        const GRND_NONBLOCK = 1n, GRND_RANDOM = 2n, GRND_INSECURE = 4n;
        const flags = a[2];
        if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) || (flags & (GRND_RANDOM | GRND_INSECURE)) === (GRND_RANDOM | GRND_INSECURE)) {
          return err(E.EINVAL);
        }
        // Linux fills the whole buffer (at most MAX_RW_COUNT bytes) when no signal interrupts it.
        const MAX_RW_COUNT = 0x7ffff000n;
        const n = Number(a[1] > MAX_RW_COUNT ? MAX_RW_COUNT : a[1]);
        if (n === 0) return 0n;
        mem.offset(a[0], n);
        mem.write(a[0], this.io.random ? this.io.random(n) : hostRandom(n));
        return BigInt(n);
      }
      case SYS.brk: {
        const want = a[0];
        if (want >= this.layout.brkStart && want <= this.maps.lowest()) {
          if (want > this.brk) mem.fill(this.brk, Number(want - this.brk), 0);
          this.brk = want;
        }
        return this.brk;
      }
      case SYS.mmap: return this.mmap(a[1], a[2], a[3], a[4], a[5]); // the address is only a hint: not used
      case SYS.munmap: {
        const size = pageUp(a[1]);
        if (a[0] & (PAGE_SIZE - 1n) || a[1] === 0n || size === 0n || !accessOk(a[0], size)) return err(E.EINVAL);
        this.maps.unmap(a[0], size);
        return 0n;
      }
      case SYS.mremap: return this.mremap(a[0], a[1], a[2], a[3]);
      case SYS.mprotect: {
        if (a[2] & ~PROT_VALID || a[0] & (PAGE_SIZE - 1n)) return err(E.EINVAL);
        return 0n;
      }
      case SYS.set_robust_list:
      case SYS.rseq:
        return err(E.ENOSYS);
      case SYS.prlimit64: return BigInt(prlimit64(this.limits, mem, a[0], PID, a[1], a[2], a[3]));
      case SYS.readlinkat: return BigInt(readlinkat(mem, this.proc.exe, PID, a[1], a[2], a[3]));
      case SYS.fstat: return BigInt(this.fstat(a[0], a[1]));
      case SYS.newfstatat:
        return BigInt(newfstatat(mem, a[0], a[1], a[3], (fd) => this.fstat(fd, a[2]), () => this.files.statPath(a[0], a[1], a[2])));
      case SYS.openat: return BigInt(this.files.openat(a[0], a[1], a[2]));
      case SYS.close: return BigInt(this.files.close(Number(BigInt.asIntN(32, a[0]))));
      case SYS.lseek: return this.files.lseek(Number(BigInt.asIntN(32, a[0])), a[1], a[2]);
      case SYS.pread64: return BigInt(this.files.read(Number(BigInt.asIntN(32, a[0])), a[1], a[2], a[3]));
      case SYS.madvise:
        if (a[0] & (PAGE_SIZE - 1n)) return err(E.EINVAL);
        return 0n;
      default:
        if (!this.warned.has(nr)) {
          this.warned.add(nr);
          this.io.warn(`patchlab: unknown syscall ${nr}, returning -ENOSYS`);
        }
        return err(E.ENOSYS);
    }
  }

  /** fstat of a standard descriptor or of a file opened here. */
  private fstat(fd: bigint, statbuf: bigint): number {
    const st = this.files.statFd(Number(BigInt.asIntN(32, fd)));
    if (!st) return fstat(this.mem, fd, statbuf);
    this.mem.write(statbuf, st);
    return 0;
  }

  private write(fd: number, buf: bigint, len: bigint): bigint {
    if (fd !== 1 && fd !== 2) return err(E.EBADF);
    if (!accessOk(buf, len)) return err(E.EFAULT); // as Linux's access_ok: (size_t)-1 is -EFAULT, not -EINVAL
    if (len === 0n) return 0n; // nothing is read from the buffer, so any address will do
    const data = this.mem.read(buf, Number(len > MAX_RW_COUNT ? MAX_RW_COUNT : len));
    const n = this.io.write(fd, data);
    if (n === -E.EPIPE && this.sigpipeKills()) {
      // Linux sends SIGPIPE, whose default action ends the process.
      this.killedBy = SIGPIPE;
      this.exitCode = 128 + SIGPIPE;
    }
    return BigInt(n);
  }

  /** Whether SIGPIPE has its default action and is not blocked (a handler is never run, so write then fails with -EPIPE). */
  private sigpipeKills(): boolean {
    const act = this.sigactions.get(SIGPIPE);
    const handler = act ? new DataView(act.buffer, act.byteOffset).getBigUint64(0, true) : 0n;
    return handler === 0n && !(this.sigmask & (1n << BigInt(SIGPIPE - 1)));
  }

  /**
   * writev: the iovec array is read whole first (-EFAULT before any output);
   * a buffer that is not readable ends the call with the bytes written so far,
   * or -EFAULT when there are none.
   */
  private writev(fd: number, iov: bigint, count: bigint): bigint {
    if (fd !== 1 && fd !== 2) return err(E.EBADF);
    if (count > UIO_MAXIOV) return err(E.EINVAL);
    if (count === 0n) return 0n;
    const raw = this.mem.read(iov, Number(count) * 16);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const vec: [bigint, bigint][] = [];
    for (let i = 0; i < raw.length; i += 16) {
      const len = dv.getBigUint64(i + 8, true);
      if (BigInt.asIntN(64, len) < 0n) return err(E.EINVAL);
      vec.push([dv.getBigUint64(i, true), len]);
    }
    let total = 0n;
    for (const [base, len] of vec) {
      if (len === 0n) continue;
      let n: bigint;
      try {
        n = this.write(fd, base, len);
      } catch (e) {
        if (!(e instanceof GuestAccessError)) throw e;
        return total > 0n ? total : err(E.EFAULT);
      }
      if (n < 0n) return total > 0n ? total : n;
      total += n;
      if (n < len) break;
    }
    return total;
  }

  /** mmap: anonymous mappings (private or shared: one process, so the same), placed top down below the stack. */
  private mmap(len: bigint, prot: bigint, flags: bigint, fd: bigint, off: bigint): bigint {
    const MAP_TYPE = 0xfn, MAP_SHARED = 0x1n, MAP_PRIVATE = 0x2n, MAP_FIXED = 0x10n, MAP_ANONYMOUS = 0x20n;
    const MAP_FIXED_NOREPLACE = 0x100000n;
    // qemu-aarch64 refuses a zero length before it looks at the descriptor.
    if (off & (PAGE_SIZE - 1n) || len === 0n) return err(E.EINVAL);
    let contents: Uint8Array | null = null;
    if (!(flags & MAP_ANONYMOUS)) {
      // stdin, stdout and stderr cannot be mapped; a file opened here is copied in (its pages never change)
      const n = BigInt.asIntN(32, fd);
      if (n >= 0n && n <= 2n) return err(E.ENODEV);
      const bytes = this.files.bytes(Number(n));
      if (typeof bytes === 'number') return BigInt(bytes);
      if (prot & 2n && (flags & MAP_TYPE) === MAP_SHARED) return err(E.EACCES);
      contents = off < BigInt(bytes.length) ? bytes.subarray(Number(off), Math.min(bytes.length, Number(off + len))) : new Uint8Array(0);
    }
    const size = pageUp(len);
    if (size === 0n || size < len) return err(E.ENOMEM);
    if (prot & ~PROT_VALID) return err(E.EINVAL);
    const type = flags & MAP_TYPE;
    if (type !== MAP_SHARED && type !== MAP_PRIVATE) return err(E.EINVAL);
    // A placement hint is only a hint; MAP_FIXED is not supported (the mappings are a simple top-down stack).
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) return err(E.EINVAL);
    const at = this.maps.place(size);
    if (at === null) return err(E.ENOMEM);
    this.maps.map(at, size);
    this.mem.fill(at, Number(size), 0);
    if (contents) this.mem.write(at, contents);
    return at;
  }

  /**
   * mremap(old, oldSize, newSize, flags): shrinks in place, grows in place
   * when the pages after are free, else moves with MREMAP_MAYMOVE (contents
   * copied, the old range freed). MREMAP_FIXED and MREMAP_DONTUNMAP are not
   * supported (-EINVAL); a range that is not wholly mapped is -EFAULT.
   */
  private mremap(old: bigint, oldLen: bigint, newLen: bigint, flags: bigint): bigint {
    const MREMAP_MAYMOVE = 1n, MREMAP_FIXED = 2n, MREMAP_DONTUNMAP = 4n;
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) || flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) return err(E.EINVAL);
    if (old & (PAGE_SIZE - 1n)) return err(E.EINVAL);
    const oldSize = pageUp(oldLen), newSize = pageUp(newLen);
    if (newSize === 0n || oldSize === 0n) return err(E.EINVAL);
    if (!this.maps.mapped(old, oldSize)) return err(E.EFAULT);
    if (newSize <= oldSize) {
      this.maps.unmap(old + newSize, oldSize - newSize);
      return old;
    }
    if (this.maps.free(old + oldSize, newSize - oldSize)) {
      this.maps.map(old + oldSize, newSize - oldSize);
      this.mem.fill(old + oldSize, Number(newSize - oldSize), 0);
      return old;
    }
    if (!(flags & MREMAP_MAYMOVE)) return err(E.ENOMEM);
    const at = this.maps.place(newSize);
    if (at === null) return err(E.ENOMEM);
    const data = this.mem.read(old, Number(oldSize));
    this.maps.map(at, newSize);
    this.mem.fill(at, Number(newSize), 0);
    this.mem.write(at, data);
    this.maps.unmap(old, oldSize);
    return at;
  }

  /** rt_sigaction: keeps and returns actions; none is ever run. */
  private rtSigaction(sig: bigint, act: bigint, oact: bigint, sigsetsize: bigint): bigint {
    if (sigsetsize !== 8n) return err(E.EINVAL);
    // struct sigaction: handler, flags, restorer, mask (8 bytes each).
    const next = act !== 0n ? this.mem.read(act, 32) : null;
    const n = Number(sig);
    if (sig < 1n || sig > BigInt(NSIG) || (next && (n === SIGKILL || n === SIGSTOP))) return err(E.EINVAL);
    if (oact !== 0n) this.mem.write(oact, this.sigactions.get(n) ?? new Uint8Array(32));
    if (next) {
      const dv = new DataView(next.buffer);
      dv.setBigUint64(24, dv.getBigUint64(24, true) & ~UNBLOCKABLE, true);
      this.sigactions.set(n, next);
    }
    return 0n;
  }

  /** rt_sigprocmask: keeps the mask (SIGKILL and SIGSTOP are never blocked). */
  private rtSigprocmask(how: bigint, set: bigint, oset: bigint, sigsetsize: bigint): bigint {
    const SIG_BLOCK = 0n, SIG_UNBLOCK = 1n, SIG_SETMASK = 2n;
    if (sigsetsize !== 8n) return err(E.EINVAL);
    const old = this.sigmask;
    if (set !== 0n) {
      const v = this.mem.u64(set) & ~UNBLOCKABLE;
      if (how === SIG_BLOCK) this.sigmask |= v;
      else if (how === SIG_UNBLOCK) this.sigmask &= ~v;
      else if (how === SIG_SETMASK) this.sigmask = v;
      else return err(E.EINVAL);
    }
    if (oset !== 0n) this.mem.setU64(oset, old);
    return 0n;
  }
}
