// Reading a program image named on the command line. A directory or a device
// is refused at once (Linux's execve refuses anything but a regular file with
// EACCES); a pipe is read to its end, but never past `maxBytes` (the guest
// RAM it has to fit in), so that `cat /dev/zero | run /dev/stdin` ends with
// an error instead of filling the host's memory.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export type ImageFileErrorCode = 'not-found' | 'is-directory' | 'not-regular' | 'too-large' | 'unreadable';

export class ImageFileError extends Error {
  override name = 'ImageFileError';
  constructor(readonly code: ImageFileErrorCode, readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
  }
}

const CHUNK = 1 << 20;
/** The largest regular file read (twice the largest guest RAM). */
const MAX_FILE = 2 ** 32;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** The whole file at `path` (from a pipe: at most `maxBytes`); ImageFileError otherwise. */
export function readImageFile(path: string, maxBytes: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImageFileError('not-found', path, 'no such file');
    if (code === 'EISDIR') throw new ImageFileError('is-directory', path, 'is a directory, not a program');
    throw new ImageFileError('unreadable', path, `cannot open it (${code ?? (err as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new ImageFileError('is-directory', path, 'is a directory, not a program');
    if (st.isCharacterDevice() || st.isBlockDevice()) {
      throw new ImageFileError('not-regular', path, 'is a device, not a program file');
    }
    // A regular file may carry far more than its segments (debug sections): only its size is bounded.
    const limit = st.isFile() ? MAX_FILE : maxBytes;
    const size = (n: number): string => (n >= 2 ** 20 ? `${Math.round(n / 2 ** 20)} MiB` : `${Math.round(n / 1024)} KiB`);
    const tooLarge = (): ImageFileError =>
      new ImageFileError('too-large', path, st.isFile()
        ? `is larger than ${size(MAX_FILE)}`
        : `is larger than the ${size(maxBytes)} of guest RAM it would load into`);
    if (st.isFile() && st.size > limit) throw tooLarge();
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(CHUNK, limit + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(PAUSE, 0, 0, 1); // a non-blocking pipe with nothing in it yet
          continue;
        }
        if (code === 'EISDIR') throw new ImageFileError('is-directory', path, 'is a directory, not a program');
        throw new ImageFileError('unreadable', path, `cannot read it (${code ?? (err as Error).message})`);
      }
      if (n === 0) break;
      total += n;
      if (total > limit) throw tooLarge();
      parts.push(buf.subarray(0, n));
    }
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
