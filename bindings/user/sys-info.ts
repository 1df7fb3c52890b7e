// What the user profile's process is, as the system calls that describe it
// answer: its resource limits (prlimit64), the files it can name
// (readlinkat of /proc/self/exe) and the status of its standard descriptors
// (fstat, newfstatat; files are sys-files.ts'). The values are Linux's defaults for a process started
// by init on a machine with the guest's RAM, so a run does not depend on the
// host (qemu-aarch64 passes the host's limits and descriptors through).

import type { GuestMemory } from '../guest-memory.ts';
import { E } from './errno.ts';

const { EPERM, ENOENT, ESRCH, EBADF, EINVAL, ENAMETOOLONG } = E;

// ---- resource limits ------------------------------------------------------------

/** RLIM_INFINITY. */
export const RLIM_INFINITY = (1n << 64n) - 1n;
/** RLIMIT_* numbers (include/uapi/asm-generic/resource.h). */
export const RLIMIT = {
  CPU: 0, FSIZE: 1, DATA: 2, STACK: 3, CORE: 4, RSS: 5, NPROC: 6, NOFILE: 7, MEMLOCK: 8, AS: 9, LOCKS: 10,
  SIGPENDING: 11, MSGQUEUE: 12, NICE: 13, RTPRIO: 14, RTTIME: 15,
} as const;
export const RLIM_NLIMITS = 16;
/** fs.nr_open's default: the highest RLIMIT_NOFILE maximum even root may set. */
const NR_OPEN = 1n << 20n;

/**
 * Linux's initial limits (include/asm-generic/resource.h INIT_RLIMITS) for a
 * machine with `ramBytes` of RAM and the given stack size: RLIMIT_NPROC and
 * RLIMIT_SIGPENDING are max_threads / 2, where fork_init() makes max_threads
 * the RAM over 8 thread stacks of 16 KiB (at least 20).
 */
export function initialLimits(ramBytes: number, stackBytes: bigint): [bigint, bigint][] {
  const maxThreads = BigInt(Math.max(20, Math.floor(ramBytes / (8 * 16384))));
  const tasks = maxThreads / 2n;
  const inf: [bigint, bigint] = [RLIM_INFINITY, RLIM_INFINITY];
  const l: [bigint, bigint][] = Array.from({ length: RLIM_NLIMITS }, () => [...inf] as [bigint, bigint]);
  l[RLIMIT.STACK] = [stackBytes, RLIM_INFINITY];
  l[RLIMIT.CORE] = [0n, RLIM_INFINITY];
  l[RLIMIT.NPROC] = [tasks, tasks];
  l[RLIMIT.NOFILE] = [1024n, 4096n];
  l[RLIMIT.MEMLOCK] = [8n << 20n, 8n << 20n];
  l[RLIMIT.SIGPENDING] = [tasks, tasks];
  l[RLIMIT.MSGQUEUE] = [819200n, 819200n];
  l[RLIMIT.NICE] = [0n, 0n];
  l[RLIMIT.RTPRIO] = [0n, 0n];
  return l;
}

/**
 * prlimit64(pid, resource, new, old) for the one process (pid 0 or its own),
 * whose user is root: the old limit is written before the new one is set; a
 * new soft limit above its hard limit is -EINVAL, a RLIMIT_NOFILE maximum
 * above fs.nr_open -EPERM.
 */
export function prlimit64(limits: [bigint, bigint][], mem: GuestMemory, pid: bigint, ownPid: bigint, resource: bigint, next: bigint, old: bigint): number {
  const p = BigInt.asIntN(32, pid);
  if (p !== 0n && p !== ownPid) return p < 0n ? -EINVAL : -ESRCH;
  if (resource >= BigInt(RLIM_NLIMITS)) return -EINVAL;
  const r = Number(resource);
  let want: [bigint, bigint] | null = null;
  if (next !== 0n) {
    want = [mem.u64(next), mem.u64(next + 8n)];
    if (want[0] > want[1]) return -EINVAL;
    if (r === RLIMIT.NOFILE && want[1] > NR_OPEN) return -EPERM;
  }
  if (old !== 0n) {
    mem.setU64(old, limits[r]![0]);
    mem.setU64(old + 8n, limits[r]![1]);
  }
  if (want) limits[r] = want;
  return 0;
}

// ---- names and descriptors --------------------------------------------------------

const AT_FDCWD = -100n;
const AT_EMPTY_PATH = 0x1000n;
const AT_SYMLINK_NOFOLLOW = 0x100n;
const AT_NO_AUTOMOUNT = 0x800n;
/** The longest path Linux reads from a program (PATH_MAX). */
const PATH_MAX = 4096;

/**
 * Reads the NUL-terminated path at `addr`: -ENAMETOOLONG past PATH_MAX, and
 * a GuestAccessError (the caller's -EFAULT) at the first byte outside guest
 * RAM (GuestMemory.cstring would cut the name short there instead).
 */
export function readPath(mem: GuestMemory, addr: bigint): string | number {
  const bytes: number[] = [];
  for (let i = 0; i < PATH_MAX; i++) {
    const b = mem.read(addr + BigInt(i), 1)[0]!;
    if (b === 0) return new TextDecoder().decode(new Uint8Array(bytes));
    bytes.push(b);
  }
  return -ENAMETOOLONG;
}

/**
 * readlinkat(dirfd, path, buf, size): /proc/self/exe (or /proc/<pid>/exe)
 * names the program (`exe`); nothing else is a link (-ENOENT: there is no
 * file system). The link is written without a NUL, cut to `size`.
 */
export function readlinkat(mem: GuestMemory, exe: string, ownPid: bigint, path: bigint, buf: bigint, size: bigint): number {
  const name = readPath(mem, path);
  if (typeof name === 'number') return name;
  if (BigInt.asIntN(32, size) <= 0n) return -EINVAL;
  if (name !== '/proc/self/exe' && name !== `/proc/${ownPid}/exe`) return -ENOENT;
  const link = new TextEncoder().encode(exe);
  const n = Math.min(link.length, Number(size));
  mem.write(buf, link.subarray(0, n));
  return n;
}

/** S_IFIFO: the standard descriptors are pipes (not terminals: ioctl TCGETS is -ENOTTY). */
const S_IFIFO = 0o010000;

/**
 * The arm64 (asm-generic) struct stat, 128 bytes, of standard descriptor
 * `fd`: a pipe owned by root, mode 0600, one link, a 4096-byte block size,
 * the inode its number + 1, all times zero.
 */
export function statStdio(fd: number): Uint8Array {
  const b = new Uint8Array(128);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, 0xcn, true); // st_dev: the pipe file system's
  dv.setBigUint64(8, BigInt(fd + 1), true); // st_ino
  dv.setUint32(16, S_IFIFO | 0o600, true); // st_mode
  dv.setUint32(20, 1, true); // st_nlink
  dv.setInt32(56, 4096, true); // st_blksize
  return b;
}

/** fstat(fd, statbuf) of a standard descriptor (-EBADF for any other). */
export function fstat(mem: GuestMemory, fd: bigint, statbuf: bigint): number {
  const f = BigInt.asIntN(32, fd);
  if (f < 0n || f > 2n) return -EBADF;
  mem.write(statbuf, statStdio(Number(f)));
  return 0;
}

/**
 * newfstatat(dirfd, path, statbuf, flags): an empty path with AT_EMPTY_PATH
 * is `fstatFd(dirfd)`, any other name `statName` (files the host lets the
 * guest see: sys-files.ts); unknown flags are -EINVAL.
 */
export function newfstatat(
  mem: GuestMemory, dirfd: bigint, path: bigint, flags: bigint,
  fstatFd: (fd: bigint) => number, statName: () => number,
): number {
  if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT)) return -EINVAL;
  const name = readPath(mem, path);
  if (typeof name === 'number') return name;
  if (name !== '') return statName();
  if (!(flags & AT_EMPTY_PATH)) return -ENOENT;
  if (BigInt.asIntN(32, dirfd) === AT_FDCWD) return -ENOENT;
  return fstatFd(dirfd);
}
