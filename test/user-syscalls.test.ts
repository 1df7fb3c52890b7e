// The user profile's system calls, called one at a time on a loaded process:
// the results and errno values Linux (and qemu-aarch64) give for the same
// arguments, including the edge cases programs meet (empty buffers, iovecs
// that end early, placement hints, bad clock ids, long getrandom requests).

import { beforeEach, describe, expect, it } from 'vitest';
import { writeElf } from '../bindings/elf/index.ts';
import { assemble } from '../bindings/isa/asm.ts';
import { UserProcess } from '../bindings/user/run.ts';
import { SYS, type HostIo } from '../bindings/user/syscalls.ts';

const BASE = 0x400000n;
const DATA = 0x500000n;
const EBADF = -9n, EFAULT = -14n, ENODEV = -19n, EINVAL = -22n;
const PAGE = 4096n;

let p: UserProcess;
let out: string;

/** A fresh process whose output goes to `out`, or to `write` when given; `io` adds to or replaces the host's other calls. */
function load(write?: (fd: 1 | 2, d: Uint8Array) => number, io: Partial<HostIo> = {}): void {
  const code = assemble(`_start:\n mov x8, #93\n svc #0`, BASE);
  const file = writeElf({
    entry: BASE,
    segments: [
      { vaddr: BASE, data: code.bytes, flags: { r: true, x: true } },
      { vaddr: DATA, data: new Uint8Array(64), memSize: 65536, flags: { r: true, w: true } },
    ],
  });
  out = '';
  p = new UserProcess(file, {
    io: {
      write: write ?? ((_fd, d) => {
        out += new TextDecoder().decode(d);
        return d.length;
      }),
      warn: () => {},
      ...io,
    },
  });
}

beforeEach(() => load());

/** Makes the syscall `nr` with `args` in x0..x5; returns x0 as a signed value. */
function call(nr: number, ...args: bigint[]): bigint {
  p.cpu.setX(8, BigInt(nr));
  for (let i = 0; i < 6; i++) p.cpu.setX(i, BigInt.asUintN(64, args[i] ?? 0n));
  p.sys.handle(p.cpu);
  return BigInt.asIntN(64, p.cpu.x(0));
}

/** Puts `s` at `addr` and returns addr. */
function str(addr: bigint, s: string): bigint {
  p.mem.write(addr, new TextEncoder().encode(s));
  return addr;
}

/** Writes iovecs [base, len] at `at`; returns at. */
function iovecs(at: bigint, v: [bigint, bigint][]): bigint {
  v.forEach(([b, n], i) => {
    p.mem.setU64(at + BigInt(i * 16), BigInt.asUintN(64, b));
    p.mem.setU64(at + BigInt(i * 16 + 8), BigInt.asUintN(64, n));
  });
  return at;
}

describe('write and writev', () => {
  it('a zero-length write reads nothing, so any buffer address will do; the descriptor is checked first', () => {
    expect(call(SYS.write, 1n, 0n, 0n)).toBe(0n);
    expect(call(SYS.write, 7n, 0n, 0n)).toBe(EBADF);
    expect(call(SYS.write, 1n, 8n, 5n)).toBe(EFAULT);
    expect(out).toBe('');
  });

  it('writev skips empty iovecs, whatever their base', () => {
    const ab = str(DATA + 0x100n, 'ab'), cd = str(DATA + 0x108n, 'cd\n');
    expect(call(SYS.writev, 1n, iovecs(DATA, [[ab, 2n], [0n, 0n], [cd, 3n]]), 3n)).toBe(5n);
    expect(out).toBe('abcd\n');
    expect(call(SYS.writev, 1n, 0n, 0n)).toBe(0n);
  });

  it('writev returns the bytes written before a buffer that cannot be read, -EFAULT when there are none', () => {
    const ok = str(DATA + 0x100n, 'ok\n');
    expect(call(SYS.writev, 1n, iovecs(DATA, [[ok, 3n], [8n, 4n], [ok, 3n]]), 3n)).toBe(3n);
    expect(out).toBe('ok\n');
    expect(call(SYS.writev, 1n, iovecs(DATA, [[8n, 4n], [ok, 3n]]), 2n)).toBe(EFAULT);
    expect(out).toBe('ok\n');
  });

  it('writev reads the whole iovec array and checks every length before writing anything', () => {
    const ok = str(DATA + 0x100n, 'ok\n');
    expect(call(SYS.writev, 1n, 8n, 1n)).toBe(EFAULT);
    expect(call(SYS.writev, 1n, iovecs(DATA, [[ok, 3n], [ok, -1n]]), 2n)).toBe(EINVAL);
    expect(call(SYS.writev, 1n, iovecs(DATA, [[ok, 3n]]), 1025n)).toBe(EINVAL);
    expect(call(SYS.writev, 1n, iovecs(DATA, [[ok, 3n]]), -1n)).toBe(EINVAL);
    expect(call(SYS.writev, 0n, iovecs(DATA, [[ok, 3n]]), 1n)).toBe(EBADF);
    expect(out).toBe('');
  });
});

describe('mmap, munmap, mprotect, madvise', () => {
  const PROT_RW = 3n, MAP_SHARED = 1n, MAP_PRIVATE = 2n, MAP_FIXED = 0x10n, MAP_ANONYMOUS = 0x20n;
  const anon = (len: bigint, flags = MAP_PRIVATE | MAP_ANONYMOUS, fd = -1n, addr = 0n, off = 0n, prot = PROT_RW) =>
    call(SYS.mmap, addr, len, prot, flags, fd, off);

  it('an anonymous mapping ignores the descriptor and a placement hint; shared is allowed', () => {
    const a = anon(10000n, MAP_PRIVATE | MAP_ANONYMOUS, 0n);
    expect(a > 0n && a % PAGE === 0n).toBe(true);
    expect(p.mem.read(a, 3 * 4096).every((b) => b === 0)).toBe(true);
    const b = anon(4096n, MAP_PRIVATE | MAP_ANONYMOUS, -1n, 0x12345n);
    expect(b).toBe(a - PAGE);
    const c = anon(4096n, MAP_SHARED | MAP_ANONYMOUS);
    expect(c).toBe(b - PAGE);
  });

  it('bad arguments get the errno Linux gives, and map nothing', () => {
    const first = anon(4096n);
    expect(anon(0n)).toBe(EINVAL);
    expect(anon(4096n, MAP_PRIVATE | MAP_ANONYMOUS, -1n, 0n, 1n)).toBe(EINVAL); // offset not page aligned
    expect(anon(4096n, MAP_ANONYMOUS)).toBe(EINVAL); // neither shared nor private
    expect(anon(4096n, 4n | MAP_ANONYMOUS)).toBe(EINVAL);
    expect(anon(4096n, MAP_PRIVATE | MAP_ANONYMOUS, -1n, 0n, 0n, 0x100n)).toBe(EINVAL); // unknown PROT bit
    expect(anon(-4096n)).toBe(-12n); // ENOMEM: the length rounds up past the address space
    expect(anon(4096n, MAP_PRIVATE, 9n)).toBe(EBADF); // no file descriptor but 0..2 is open
    expect(anon(4096n, MAP_PRIVATE, 1n)).toBe(ENODEV);
    expect(anon(4096n, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1n, 0x200000n)).toBe(EINVAL); // not supported
    expect(anon(4096n)).toBe(first - PAGE);
  });

  it('munmap, mprotect and madvise check their arguments and accept the rest', () => {
    const a = anon(8192n);
    expect(call(SYS.mprotect, a, 4096n, 5n)).toBe(0n);
    expect(call(SYS.mprotect, a + 1n, 4096n, 5n)).toBe(EINVAL);
    expect(call(SYS.mprotect, a, 4096n, 8n)).toBe(EINVAL);
    expect(call(SYS.madvise, a, 4096n, 4n)).toBe(0n);
    expect(call(SYS.madvise, a + 8n, 4096n, 4n)).toBe(EINVAL);
    expect(call(SYS.munmap, a + 8n, 4096n)).toBe(EINVAL);
    expect(call(SYS.munmap, a, 0n)).toBe(EINVAL);
    expect(call(SYS.munmap, a, 8192n)).toBe(0n);
  });
});

describe('the mmap area: munmap frees, mremap shrinks, grows and moves', () => {
  const PROT_RW = 3n, MAP_PRIVATE = 2n, MAP_ANONYMOUS = 0x20n, MREMAP_MAYMOVE = 1n, MREMAP_FIXED = 2n;
  const ENOMEM = -12n;
  const anon = (len: bigint) => call(SYS.mmap, 0n, len, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1n, 0n);

  it('a freed range is reused by the next mapping that fits, highest first, zeroed', () => {
    const a = anon(4096n), b = anon(8192n), c = anon(4096n);
    expect([b, c]).toEqual([a - 2n * PAGE, a - 3n * PAGE]);
    p.mem.fill(b, 8192, 0x55);
    expect(call(SYS.munmap, b, 8192n)).toBe(0n);
    expect(anon(4096n)).toBe(b + PAGE); // the top of the hole
    expect(p.mem.read(b + PAGE, 4096).every((x) => x === 0)).toBe(true);
    expect(anon(4096n)).toBe(b);
    expect(anon(4096n)).toBe(c - PAGE); // the hole is full
    expect(call(SYS.munmap, a, 1n)).toBe(0n); // a length rounds up to whole pages
    expect(anon(4096n)).toBe(a);
  });

  it('mremap shrinks in place, grows in place when the pages after are free, else moves with MREMAP_MAYMOVE', () => {
    const a = anon(3n * PAGE);
    expect(call(SYS.mremap, a, 3n * PAGE, PAGE, 0n)).toBe(a);
    expect(call(SYS.mremap, a, PAGE, 2n * PAGE, 0n)).toBe(a); // the page freed above is free again
    const b = anon(PAGE); // lands in the last freed page, right above a's two
    expect(b).toBe(a + 2n * PAGE);
    p.mem.fill(a, 8192, 0x77);
    expect(call(SYS.mremap, a, 2n * PAGE, 4n * PAGE, 0n)).toBe(ENOMEM); // b is in the way
    const m = call(SYS.mremap, a, 2n * PAGE, 4n * PAGE, MREMAP_MAYMOVE);
    expect(m > 0n && m !== a).toBe(true);
    expect(p.mem.read(m, 8192).every((x) => x === 0x77)).toBe(true);
    expect(p.mem.read(m + 8192n, 8192).every((x) => x === 0)).toBe(true);
    expect(call(SYS.mremap, a, PAGE, 2n * PAGE, MREMAP_MAYMOVE)).toBe(EFAULT); // a was freed by the move
    expect(anon(2n * PAGE)).toBe(a);
  });

  it('mremap checks its flags and sizes; the break cannot grow into a mapping', () => {
    const a = anon(PAGE);
    expect(call(SYS.mremap, a + 8n, PAGE, 2n * PAGE, 0n)).toBe(EINVAL);
    expect(call(SYS.mremap, a, PAGE, 0n, 0n)).toBe(EINVAL);
    expect(call(SYS.mremap, a, PAGE, 2n * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, a - 8n * PAGE)).toBe(EINVAL);
    expect(call(SYS.mremap, a, PAGE, 2n * PAGE, 8n)).toBe(EINVAL);
    expect(call(SYS.mremap, a, 2n * PAGE, PAGE, 0n)).toBe(EFAULT); // the page above a is not mapped
    const brk0 = call(SYS.brk, 0n);
    expect(call(SYS.brk, a + PAGE)).toBe(brk0);
    expect(call(SYS.brk, a)).toBe(a);
    expect(anon(PAGE)).toBe(ENOMEM); // nothing is left between the break and the mapping
  });
});

describe('clocks', () => {
  const ts = DATA + 0x200n;
  const sec = () => p.mem.u64(ts), nsec = () => p.mem.u64(ts + 8n);

  it('CLOCK_REALTIME counts from the Unix epoch, like gettimeofday', () => {
    expect(call(SYS.clock_gettime, 0n, ts)).toBe(0n);
    const now = BigInt(Math.floor(Date.now() / 1000));
    expect(sec() >= now - 5n && sec() <= now + 5n).toBe(true);
    expect(nsec() < 1_000_000_000n).toBe(true);
    expect(call(SYS.gettimeofday, ts, 0n)).toBe(0n);
    expect(sec() >= now - 5n && sec() <= now + 5n).toBe(true);
  });

  it('accepts the clocks Linux has, this process\'s CPU clocks included, and refuses other ids', () => {
    for (const id of [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 11n, -2n, -6n, -8n]) expect(call(SYS.clock_gettime, id, ts), `${id}`).toBe(0n);
    for (const id of [8n, 9n, 10n, 12n, 100n, -1n, -5n, 1n << 32n]) expect(call(SYS.clock_gettime, id, ts), `${id}`).toBe(EINVAL);
    expect(call(SYS.clock_gettime, 1n, 8n)).toBe(EFAULT);
  });

  it('the CPU-time clocks count from the start of the process', () => {
    for (const id of [2n, 3n, -6n]) {
      expect(call(SYS.clock_gettime, id, ts)).toBe(0n);
      expect(sec() < 60n).toBe(true);
    }
  });

  it('nanosleep checks its request and waits that long', () => {
    const req = DATA + 0x240n;
    p.mem.setU64(req, 0n);
    p.mem.setU64(req + 8n, 1_000_000_000n);
    expect(call(SYS.nanosleep, req, 0n)).toBe(EINVAL);
    p.mem.setU64(req, -1n & ((1n << 64n) - 1n));
    p.mem.setU64(req + 8n, 0n);
    expect(call(SYS.nanosleep, req, 0n)).toBe(EINVAL);
    expect(call(SYS.nanosleep, 8n, 0n)).toBe(EFAULT);
    p.mem.setU64(req, 0n);
    p.mem.setU64(req + 8n, 30_000_000n);
    const t0 = performance.now();
    expect(call(SYS.nanosleep, req, 0n)).toBe(0n);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(29);
  });

  it('clock_getres: 1 ns, a tick for the coarse clocks', () => {
    expect(call(SYS.clock_getres, 1n, ts)).toBe(0n);
    expect([sec(), nsec()]).toEqual([0n, 1n]);
    expect(call(SYS.clock_getres, 6n, ts)).toBe(0n);
    expect([sec(), nsec()]).toEqual([0n, 4_000_000n]);
    expect(call(SYS.clock_getres, 1n, 0n)).toBe(0n);
    expect(call(SYS.clock_getres, 10n, ts)).toBe(EINVAL);
  });
});

describe('getrandom', () => {
  it('fills the whole buffer, beyond 256 bytes and beyond one host request', () => {
    const buf = DATA + 0x1000n;
    expect(call(SYS.getrandom, buf, 1000n, 0n)).toBe(1000n);
    expect(call(SYS.getrandom, buf, 40000n, 1n)).toBe(40000n);
    const a = anon70000();
    expect(call(SYS.getrandom, a, 70000n, 0n)).toBe(70000n);
    const tail = p.mem.read(a + 65536n, 70000 - 65536);
    expect(tail.some((b) => b !== 0)).toBe(true);
  });

  it('refuses unknown flags and GRND_RANDOM with GRND_INSECURE', () => {
    expect(call(SYS.getrandom, DATA, 8n, 8n)).toBe(EINVAL);
    expect(call(SYS.getrandom, DATA, 8n, 6n)).toBe(EINVAL);
    expect(call(SYS.getrandom, DATA, 0n, 0n)).toBe(0n);
    expect(call(SYS.getrandom, 0n, 8n, 0n)).toBe(EFAULT);
  });

  function anon70000(): bigint {
    return call(SYS.mmap, 0n, 70000n, 3n, 0x22n, -1n, 0n);
  }
});

describe('signals: actions and the mask are kept, never delivered', () => {
  const act = DATA + 0x300n, oact = DATA + 0x340n, set = DATA + 0x380n, oset = DATA + 0x388n;
  const SIGUSR1 = 10n, SIGKILL = 9n;
  const UNBLOCKABLE = (1n << 8n) | (1n << 18n);

  it('rt_sigaction checks the set size and signal number and returns the previous action', () => {
    p.mem.setU64(act, 1n); // SIG_IGN
    p.mem.setU64(act + 8n, 0x04000000n); // SA_RESTORER
    p.mem.setU64(act + 24n, (1n << 64n) - 1n);
    expect(call(SYS.rt_sigaction, SIGUSR1, act, 0n, 4n)).toBe(EINVAL);
    expect(call(SYS.rt_sigaction, 0n, act, 0n, 8n)).toBe(EINVAL);
    expect(call(SYS.rt_sigaction, 65n, 0n, 0n, 8n)).toBe(EINVAL);
    expect(call(SYS.rt_sigaction, SIGKILL, act, 0n, 8n)).toBe(EINVAL);
    expect(call(SYS.rt_sigaction, SIGUSR1, act, 8n, 8n)).toBe(EFAULT);
    p.mem.fill(oact, 32, 0x77);
    expect(call(SYS.rt_sigaction, SIGKILL, 0n, oact, 8n)).toBe(0n);
    expect(p.mem.read(oact, 32).every((b) => b === 0)).toBe(true);
    expect(call(SYS.rt_sigaction, SIGUSR1, act, oact, 8n)).toBe(0n);
    expect(p.mem.u64(oact)).toBe(0n);
    expect(call(SYS.rt_sigaction, SIGUSR1, 0n, oact, 8n)).toBe(0n);
    expect(p.mem.u64(oact)).toBe(1n);
    expect(p.mem.u64(oact + 8n)).toBe(0x04000000n);
    expect(p.mem.u64(oact + 24n)).toBe(((1n << 64n) - 1n) & ~UNBLOCKABLE);
  });

  it('rt_sigprocmask keeps the mask, never blocks SIGKILL or SIGSTOP, and checks how and the set size', () => {
    p.mem.setU64(oset, 0x1234n);
    expect(call(SYS.rt_sigprocmask, 0n, 0n, oset, 8n)).toBe(0n);
    expect(p.mem.u64(oset)).toBe(0n);
    p.mem.setU64(set, (1n << 64n) - 1n);
    expect(call(SYS.rt_sigprocmask, 0n, set, 0n, 8n)).toBe(0n); // SIG_BLOCK
    expect(call(SYS.rt_sigprocmask, 1n, 0n, oset, 8n)).toBe(0n);
    expect(p.mem.u64(oset)).toBe(((1n << 64n) - 1n) & ~UNBLOCKABLE);
    p.mem.setU64(set, 0xffn);
    expect(call(SYS.rt_sigprocmask, 1n, set, 0n, 8n)).toBe(0n); // SIG_UNBLOCK
    expect(call(SYS.rt_sigprocmask, 7n, set, oset, 8n)).toBe(EINVAL);
    expect(call(SYS.rt_sigprocmask, 7n, 0n, 0n, 8n)).toBe(0n);
    expect(call(SYS.rt_sigprocmask, 0n, 0n, 0n, 16n)).toBe(EINVAL);
    p.mem.setU64(set, 0x5n);
    expect(call(SYS.rt_sigprocmask, 2n, set, oset, 8n)).toBe(0n); // SIG_SETMASK
    expect(p.mem.u64(oset)).toBe(((1n << 64n) - 1n) & ~UNBLOCKABLE & ~0xffn);
    expect(call(SYS.rt_sigprocmask, 0n, 0n, oset, 8n)).toBe(0n);
    expect(p.mem.u64(oset)).toBe(0x5n);
  });
});

describe('a write nobody reads (EPIPE)', () => {
  const EPIPE = -32n, SIGPIPE = 13n;

  it('ends the process with SIGPIPE (status 141) while SIGPIPE has its default action', () => {
    load(() => -32);
    const msg = str(DATA + 0x100n, 'x\n');
    call(SYS.write, 1n, msg, 2n);
    expect(p.sys.killedBy).toBe(13);
    expect(p.sys.exitCode).toBe(128 + 13);
  });

  it('returns -EPIPE when SIGPIPE is ignored, caught (never delivered) or blocked', () => {
    const act = DATA + 0x300n, set = DATA + 0x380n;
    const msg = DATA + 0x100n;
    for (const setup of [
      () => p.mem.setU64(act, 1n), // SIG_IGN
      () => p.mem.setU64(act, BASE), // a handler
    ]) {
      load(() => -32);
      setup();
      expect(call(SYS.rt_sigaction, SIGPIPE, act, 0n, 8n)).toBe(0n);
      expect(call(SYS.write, 1n, msg, 2n)).toBe(EPIPE);
      expect(call(SYS.writev, 2n, iovecs(DATA, [[msg, 2n]]), 1n)).toBe(EPIPE);
      expect(p.sys.exitCode).toBeNull();
    }
    load(() => -32);
    p.mem.setU64(set, 1n << (SIGPIPE - 1n));
    expect(call(SYS.rt_sigprocmask, 0n, set, 0n, 8n)).toBe(0n);
    expect(call(SYS.write, 1n, msg, 2n)).toBe(EPIPE);
    expect(p.sys.exitCode).toBeNull();
  });
});

describe('what the process is: limits, /proc/self/exe, the standard descriptors', () => {
  const ENOENT = -2n, ESRCH = -3n, EPERM = -1n, ENOSYS = -38n;
  const INF = (1n << 64n) - 1n;
  const RLIMIT_STACK = 3n, RLIMIT_CORE = 4n, RLIMIT_NPROC = 6n, RLIMIT_NOFILE = 7n;
  const limit = (res: bigint): [bigint, bigint] => {
    expect(call(SYS.prlimit64, 0n, res, 0n, DATA)).toBe(0n);
    return [p.mem.u64(DATA), p.mem.u64(DATA + 8n)];
  };

  it('prlimit64 gives Linux\'s initial limits for the guest\'s RAM, not the host\'s', () => {
    expect(limit(RLIMIT_STACK)).toEqual([8n << 20n, INF]);
    expect(limit(RLIMIT_CORE)).toEqual([0n, INF]);
    expect(limit(RLIMIT_NOFILE)).toEqual([1024n, 4096n]);
    // 256 MiB of RAM: max_threads = 2048, half of it per user
    expect(limit(RLIMIT_NPROC)).toEqual([1024n, 1024n]);
    expect(limit(0n)).toEqual([INF, INF]);
  });

  it('prlimit64 writes the old limit, then sets the new one; checks pid, resource and the new values', () => {
    p.mem.setU64(DATA + 0x100n, 100n);
    p.mem.setU64(DATA + 0x108n, 200n);
    expect(call(SYS.prlimit64, 1000n, RLIMIT_NOFILE, DATA + 0x100n, DATA)).toBe(0n);
    expect([p.mem.u64(DATA), p.mem.u64(DATA + 8n)]).toEqual([1024n, 4096n]);
    expect(limit(RLIMIT_NOFILE)).toEqual([100n, 200n]);
    p.mem.setU64(DATA + 0x100n, 300n); // soft above hard
    expect(call(SYS.prlimit64, 0n, RLIMIT_NOFILE, DATA + 0x100n, 0n)).toBe(EINVAL);
    p.mem.setU64(DATA + 0x100n, 10n);
    p.mem.setU64(DATA + 0x108n, (1n << 20n) + 1n); // past fs.nr_open, even for root
    expect(call(SYS.prlimit64, 0n, RLIMIT_NOFILE, DATA + 0x100n, 0n)).toBe(EPERM);
    expect(limit(RLIMIT_NOFILE)).toEqual([100n, 200n]);
    expect(call(SYS.prlimit64, 0n, 16n, 0n, DATA)).toBe(EINVAL);
    expect(call(SYS.prlimit64, 4242n, RLIMIT_STACK, 0n, DATA)).toBe(ESRCH);
    expect(call(SYS.prlimit64, 0n, RLIMIT_STACK, 0n, 8n)).toBe(EFAULT);
  });

  it('readlinkat names the program for /proc/self/exe, cut to the buffer, without a NUL; nothing else is a link', () => {
    const path = str(DATA + 0x200n, '/proc/self/exe\0');
    p.mem.fill(DATA, 16, 0xff);
    expect(call(SYS.readlinkat, -100n, path, DATA, 64n)).toBe(5n);
    expect([...p.mem.read(DATA, 6)]).toEqual([...new TextEncoder().encode('a.out'), 0xff]);
    expect(call(SYS.readlinkat, -100n, str(DATA + 0x200n, '/proc/1000/exe\0'), DATA, 3n)).toBe(3n);
    expect(call(SYS.readlinkat, -100n, path, DATA, 0n)).toBe(EINVAL);
    expect(call(SYS.readlinkat, -100n, str(DATA + 0x200n, '/etc/passwd\0'), DATA, 64n)).toBe(ENOENT);
    expect(call(SYS.readlinkat, -100n, 8n, DATA, 64n)).toBe(EFAULT);
  });

  it('fstat and newfstatat describe the standard descriptors as pipes; other descriptors and names do not exist', () => {
    const AT_EMPTY_PATH = 0x1000n;
    expect(call(SYS.fstat, 1n, DATA)).toBe(0n);
    const dv = new DataView(p.mem.read(DATA, 128).buffer);
    expect(dv.getUint32(16, true)).toBe(0o010600); // S_IFIFO | 0600
    expect(dv.getUint32(20, true)).toBe(1);
    expect(dv.getInt32(56, true)).toBe(4096);
    expect(call(SYS.fstat, 3n, DATA)).toBe(EBADF);
    expect(call(SYS.fstat, -1n, DATA)).toBe(EBADF);
    const empty = str(DATA + 0x200n, '\0');
    expect(call(SYS.newfstatat, 2n, empty, DATA, AT_EMPTY_PATH)).toBe(0n);
    expect(call(SYS.newfstatat, 5n, empty, DATA, AT_EMPTY_PATH)).toBe(EBADF);
    expect(call(SYS.newfstatat, 2n, empty, DATA, 0n)).toBe(ENOENT);
    expect(call(SYS.newfstatat, -100n, str(DATA + 0x200n, '/etc/passwd\0'), DATA, 0n)).toBe(ENOENT);
    expect(call(SYS.newfstatat, 2n, empty, DATA, 0x4n)).toBe(EINVAL);
    // without --allow-read no name exists
    expect(call(SYS.openat, -100n, str(DATA + 0x200n, '/etc/passwd\0'), 0n)).toBe(ENOENT);
  });

  it('set_robust_list and rseq return -ENOSYS as under qemu-aarch64, without the unknown-syscall warning', () => {
    const warnings: string[] = [];
    load(undefined, { warn: (m) => warnings.push(m) });
    expect(call(SYS.set_robust_list, 0n, 24n)).toBe(ENOSYS);
    expect(call(SYS.rseq, 0n, 32n, 0n, 0x53053053n)).toBe(ENOSYS);
    expect(warnings).toEqual([]);
    expect(call(449, 0n)).toBe(ENOSYS);
    expect(warnings).toEqual(['patchlab: unknown syscall 449, returning -ENOSYS']);
  });

  it('strace prints every call with its arguments and result, errors by name', () => {
    const lines: string[] = [];
    load(undefined, { strace: (l) => lines.push(l) });
    call(SYS.getpid);
    call(449, 1n, 2n);
    expect(lines).toEqual([
      'getpid(0x0, 0x0, 0x0, 0x0, 0x0, 0x0) = 0x3e8',
      'syscall_449(0x1, 0x2, 0x0, 0x0, 0x0, 0x0) = -38 (ENOSYS)',
    ]);
  });
});

describe('files: read-only, only what the host gives', () => {
  const ENOENT = -2n, EACCES = -13n, ENOTDIR = -20n, EISDIR = -21n, EMFILE = -24n, ESPIPE = -29n;
  const O_WRONLY = 1n, O_RDWR = 2n, O_CREAT = 0x40n, O_TRUNC = 0x200n, O_DIRECTORY = 0x4000n;
  const AT_FDCWD = -100n;
  const TEXT = 'hello file\nsecond line\n';
  const tree: Record<string, string | null> = { '/box': null, '/box/a.txt': TEXT, '/box/sub': null, '/work': null };
  const looked: string[] = [];
  const files = {
    cwd: '/work',
    lookup(path: string) {
      looked.push(path);
      if (!(path in tree)) return -2;
      const t = tree[path];
      return t === null ? { kind: 'dir' as const } : { kind: 'file' as const, data: new TextEncoder().encode(t!) };
    },
  };
  const name = (s: string) => str(DATA + 0x800n, s + '\0');

  beforeEach(() => {
    load(undefined, { files });
    looked.length = 0;
  });

  it('openat, read, lseek, pread64 and close work as on a read-only file', () => {
    const fd = call(SYS.openat, AT_FDCWD, name('/box/a.txt'), 0n);
    expect(fd).toBe(3n);
    expect(call(SYS.read, fd, DATA, 5n)).toBe(5n);
    expect(new TextDecoder().decode(p.mem.read(DATA, 5))).toBe('hello');
    expect(call(SYS.lseek, fd, 0n, 1n)).toBe(5n);
    expect(call(SYS.lseek, fd, -3n, 2n)).toBe(BigInt(TEXT.length - 3));
    expect(call(SYS.read, fd, DATA, 100n)).toBe(3n);
    expect(call(SYS.read, fd, DATA, 100n)).toBe(0n);
    expect(call(SYS.pread64, fd, DATA, 6n, 6n)).toBe(6n);
    expect(new TextDecoder().decode(p.mem.read(DATA, 6))).toBe('file\ns');
    expect(call(SYS.lseek, fd, 0n, 1n)).toBe(BigInt(TEXT.length)); // pread leaves the position
    expect(call(SYS.lseek, fd, -1n, 0n)).toBe(EINVAL);
    expect(call(SYS.lseek, fd, 0n, 7n)).toBe(EINVAL);
    expect(call(SYS.pread64, fd, DATA, 1n, -1n)).toBe(EINVAL);
    expect(call(SYS.write, fd, DATA, 1n)).toBe(EBADF); // opened read-only
    expect(call(SYS.lseek, 0n, 0n, 1n)).toBe(ESPIPE);
    expect(call(SYS.close, fd)).toBe(0n);
    expect(call(SYS.close, fd)).toBe(EBADF);
    expect(call(SYS.read, fd, DATA, 1n)).toBe(EBADF);
  });

  it('takes the lowest free descriptor, up to RLIMIT_NOFILE', () => {
    const open = () => call(SYS.openat, AT_FDCWD, name('/box/a.txt'), 0n);
    expect([open(), open(), open()]).toEqual([3n, 4n, 5n]);
    expect(call(SYS.close, 4n)).toBe(0n);
    expect(open()).toBe(4n);
    p.mem.setU64(DATA + 0x100n, 6n);
    p.mem.setU64(DATA + 0x108n, 6n);
    expect(call(SYS.prlimit64, 0n, 7n, DATA + 0x100n, 0n)).toBe(0n);
    expect(open()).toBe(EMFILE);
  });

  it('relative names start at the working directory or at an open directory, . and .. resolved by name', () => {
    const dir = call(SYS.openat, AT_FDCWD, name('/box/sub'), O_DIRECTORY);
    expect(dir).toBe(3n);
    expect(call(SYS.read, dir, DATA, 10n)).toBe(EISDIR);
    expect(call(SYS.openat, dir, name('../a.txt'), 0n)).toBe(4n);
    expect(looked.at(-1)).toBe('/box/a.txt');
    expect(call(SYS.openat, AT_FDCWD, name('../box/./a.txt'), 0n)).toBe(5n);
    expect(call(SYS.openat, 4n, name('x'), 0n)).toBe(ENOTDIR); // a file is no directory
    expect(call(SYS.openat, 1n, name('x'), 0n)).toBe(ENOTDIR);
    expect(call(SYS.openat, 9n, name('x'), 0n)).toBe(EBADF);
    expect(call(SYS.openat, 9n, name('/box/a.txt'), 0n)).toBe(6n); // an absolute name ignores dirfd
  });

  it('names the host does not give do not exist; nothing can be opened to write, create or truncate', () => {
    expect(call(SYS.openat, AT_FDCWD, name('/etc/passwd'), 0n)).toBe(ENOENT);
    expect(call(SYS.openat, AT_FDCWD, name(''), 0n)).toBe(ENOENT);
    expect(call(SYS.openat, AT_FDCWD, name('/box/a.txt'), O_DIRECTORY)).toBe(ENOTDIR);
    for (const f of [O_WRONLY, O_RDWR, O_CREAT, O_TRUNC]) expect(call(SYS.openat, AT_FDCWD, name('/box/a.txt'), f)).toBe(EACCES);
    expect(call(SYS.openat, AT_FDCWD, 8n, 0n)).toBe(EFAULT);
  });

  it('fstat and newfstatat describe files and directories; mmap copies a file in', () => {
    const fd = call(SYS.openat, AT_FDCWD, name('/box/a.txt'), 0n);
    expect(call(SYS.fstat, fd, DATA)).toBe(0n);
    let dv = new DataView(p.mem.read(DATA, 128).buffer);
    expect(dv.getUint32(16, true)).toBe(0o100444);
    expect(dv.getBigInt64(48, true)).toBe(BigInt(TEXT.length));
    expect(call(SYS.newfstatat, AT_FDCWD, name('/box/sub'), DATA, 0n)).toBe(0n);
    dv = new DataView(p.mem.read(DATA, 128).buffer);
    expect(dv.getUint32(16, true)).toBe(0o040555);
    expect(call(SYS.newfstatat, fd, name(''), DATA, 0x1000n)).toBe(0n);
    expect(call(SYS.newfstatat, AT_FDCWD, name('/nope'), DATA, 0n)).toBe(ENOENT);
    const PROT_READ = 1n, PROT_WRITE = 2n, MAP_SHARED = 1n, MAP_PRIVATE = 2n;
    const m = call(SYS.mmap, 0n, 8192n, PROT_READ, MAP_PRIVATE, fd, 4096n);
    expect(m > 0n).toBe(true);
    expect(p.mem.read(m, 16).every((b) => b === 0)).toBe(true); // past the end of the file
    const m2 = call(SYS.mmap, 0n, 4096n, PROT_READ, MAP_PRIVATE, fd, 0n);
    expect(new TextDecoder().decode(p.mem.read(m2, TEXT.length))).toBe(TEXT);
    expect(p.mem.read(m2 + BigInt(TEXT.length), 8).every((b) => b === 0)).toBe(true);
    expect(call(SYS.mmap, 0n, 4096n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0n)).toBe(EACCES);
    expect(call(SYS.mmap, 0n, 4096n, PROT_READ, MAP_PRIVATE, 9n, 0n)).toBe(EBADF);
  });
});
