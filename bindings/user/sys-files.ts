// Files of the user profile: read-only, and only those the host lets the
// guest see (`patchlab run --allow-read DIR`: the HostFiles in the CLI keeps
// path resolution inside DIR). Descriptors 3 and up are files opened by
// openat; 0, 1 and 2 stay the standard streams (syscalls.ts). Nothing can be
// written: an open for writing, creating or truncating is -EACCES, any other
// name the host does not give is -ENOENT.

import type { GuestMemory } from '../guest-memory.ts';
import { readPath, RLIMIT, statStdio } from './sys-info.ts';
import { E } from './errno.ts';

const { ENOENT, EBADF, EACCES, ENOTDIR, EISDIR, EINVAL, EMFILE, ESPIPE } = E;

/** What the host gives for a guest path: a file's bytes, a directory, or a negative errno. */
export type HostEntry = { kind: 'file'; data: Uint8Array } | { kind: 'dir' } | number;

/** The host's side: looks an absolute guest path up. */
export interface HostFiles {
  lookup(path: string): HostEntry;
  /** The guest's working directory (absolute). */
  readonly cwd: string;
}

/** An open file: its bytes (null for a directory), its absolute guest path, the file position. */
interface OpenFile {
  data: Uint8Array | null;
  path: string;
  pos: number;
}

const AT_FDCWD = -100n;
const O_ACCMODE = 3n, O_CREAT = 0x40n, O_TRUNC = 0x200n, O_APPEND = 0x400n, O_DIRECTORY = 0x4000n, O_TMPFILE = 0x410000n;
const S_IFREG = 0o100000, S_IFDIR = 0o040000;
/** Linux's MAX_RW_COUNT: the most one read moves. */
const MAX_RW = 0x7ffff000;

/** Joins a relative guest path to an absolute base, `.` and `..` resolved by name. */
export function joinPath(base: string, path: string): string {
  const parts = (path.startsWith('/') ? path : `${base}/${path}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return '/' + out.join('/');
}

export class Files {
  private readonly open = new Map<number, OpenFile>();

  constructor(
    private readonly mem: GuestMemory,
    private readonly host: HostFiles | null,
    private readonly limits: [bigint, bigint][],
  ) {}

  /** Whether fd is a file opened here. */
  has(fd: number): boolean {
    return this.open.has(fd);
  }

  /** The directory a relative name at dirfd starts from, or a negative errno. */
  private base(dirfd: bigint): string | number {
    const d = BigInt.asIntN(32, dirfd);
    if (d === AT_FDCWD) return this.host ? this.host.cwd : '/';
    const f = this.open.get(Number(d));
    if (!f) return d >= 0n && d <= 2n ? -ENOTDIR : -EBADF;
    return f.data === null ? f.path : -ENOTDIR;
  }

  /** The entry a name at dirfd names, with its absolute guest path. */
  private resolve(dirfd: bigint, pathAddr: bigint): { entry: HostEntry; path: string } | number {
    const name = readPath(this.mem, pathAddr);
    if (typeof name === 'number') return name;
    if (name === '') return -ENOENT;
    const base = name.startsWith('/') ? '/' : this.base(dirfd);
    if (typeof base === 'number') return base;
    const path = joinPath(base, name);
    return { entry: this.host ? this.host.lookup(path) : -ENOENT, path };
  }

  openat(dirfd: bigint, pathAddr: bigint, flags: bigint): number {
    const r = this.resolve(dirfd, pathAddr);
    if (typeof r === 'number') return r;
    if ((flags & O_ACCMODE) !== 0n || flags & (O_CREAT | O_TRUNC | O_APPEND) || (flags & O_TMPFILE) === O_TMPFILE) return -EACCES;
    if (typeof r.entry === 'number') return r.entry;
    if (flags & O_DIRECTORY && r.entry.kind !== 'dir') return -ENOTDIR;
    // the lowest free descriptor, below RLIMIT_NOFILE
    let fd = 3;
    while (this.open.has(fd)) fd++;
    if (BigInt(fd) >= this.limits[RLIMIT.NOFILE]![0]) return -EMFILE;
    this.open.set(fd, { data: r.entry.kind === 'file' ? r.entry.data : null, path: r.path, pos: 0 });
    return fd;
  }

  close(fd: number): number {
    if (fd >= 0 && fd <= 2) return 0; // the standard streams stay
    return this.open.delete(fd) ? 0 : -EBADF;
  }

  /** read or pread64 (at `at`, the position unchanged) of an open file. */
  read(fd: number, buf: bigint, count: bigint, at: bigint | null = null): number {
    const f = this.open.get(fd);
    if (!f) return -EBADF;
    if (f.data === null) return -EISDIR;
    if (at !== null && BigInt.asIntN(64, at) < 0n) return -EINVAL;
    const from = at === null ? f.pos : Number(at > BigInt(f.data.length) ? BigInt(f.data.length) : at);
    const n = Math.max(0, Math.min(f.data.length - from, count > BigInt(MAX_RW) ? MAX_RW : Number(count)));
    if (n > 0) this.mem.write(buf, f.data.subarray(from, from + n));
    if (at === null) f.pos += n;
    return n;
  }

  lseek(fd: number, off: bigint, whence: bigint): bigint {
    const f = this.open.get(fd);
    if (!f) return fd >= 0 && fd <= 2 ? BigInt(-ESPIPE) : BigInt(-EBADF);
    const SEEK_SET = 0n, SEEK_CUR = 1n, SEEK_END = 2n;
    const size = BigInt(f.data?.length ?? 0);
    const o = BigInt.asIntN(64, off);
    const to = whence === SEEK_SET ? o : whence === SEEK_CUR ? BigInt(f.pos) + o : whence === SEEK_END ? size + o : null;
    if (to === null || to < 0n) return BigInt(-EINVAL);
    f.pos = Number(to);
    return to;
  }

  /** The struct stat of an open file, or null when fd is not one. */
  statFd(fd: number): Uint8Array | null {
    const f = this.open.get(fd);
    return f ? statEntry(f.data === null ? { kind: 'dir' } : { kind: 'file', data: f.data }, f.path) : null;
  }

  /** newfstatat of a name (not an empty one: the caller takes those): the entry's struct stat. */
  statPath(dirfd: bigint, pathAddr: bigint, statbuf: bigint): number {
    const r = this.resolve(dirfd, pathAddr);
    if (typeof r === 'number') return r;
    if (typeof r.entry === 'number') return r.entry;
    this.mem.write(statbuf, statEntry(r.entry, r.path));
    return 0;
  }

  /** A file's bytes for mmap, or a negative errno (-EACCES for a directory: it cannot be mapped). */
  bytes(fd: number): Uint8Array | number {
    const f = this.open.get(fd);
    if (!f) return -EBADF;
    return f.data ?? -EACCES;
  }
}

/** A read-only file's or directory's struct stat: owned by root, mode 0444 or 0555, inode a hash of its path. */
function statEntry(e: { kind: 'file'; data: Uint8Array } | { kind: 'dir' }, path: string): Uint8Array {
  const b = statStdio(0);
  const dv = new DataView(b.buffer);
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  dv.setBigUint64(0, 0x801n, true); // st_dev
  dv.setBigUint64(8, BigInt(h >>> 0) + 16n, true); // st_ino
  dv.setUint32(16, e.kind === 'dir' ? S_IFDIR | 0o555 : S_IFREG | 0o444, true);
  dv.setUint32(20, e.kind === 'dir' ? 2 : 1, true);
  const size = e.kind === 'file' ? e.data.length : 4096;
  dv.setBigInt64(48, BigInt(size), true); // st_size
  dv.setBigInt64(64, BigInt(Math.ceil(size / 512)), true); // st_blocks
  return b;
}

