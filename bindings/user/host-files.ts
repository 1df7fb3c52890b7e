// The host side of the user profile's files (sys-files.ts), for the CLI's
// `--allow-read DIR`: a guest path names the host file of the same path, and
// only when the file, every symbolic link resolved, lies inside one of the
// allowed directories. Anything else does not exist for the guest.

import { realpathSync, readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../core.ts';
import type { HostEntry, HostFiles } from './sys-files.ts';
import { E } from './errno.ts';

const { ENOENT, EACCES, EFBIG } = E;
/** The largest file the guest may open (it is read whole). */
const MAX_FILE = 256 << 20;

export function hostFiles(dirs: readonly string[], cwd = process.cwd()): HostFiles {
  const roots = dirs.map((d) => {
    try {
      const r = realpathSync(d);
      if (!statSync(r).isDirectory()) throw new ConfigError(`--allow-read ${d}: not a directory`);
      return r;
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`--allow-read ${d}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  });
  const inside = (p: string): boolean => roots.some((r) => p === r || p.startsWith(r === '/' ? '/' : r + '/'));
  return {
    cwd,
    lookup(path: string): HostEntry {
      let real: string;
      try {
        real = realpathSync(path);
      } catch {
        return -ENOENT;
      }
      if (!inside(real)) return -ENOENT;
      try {
        const st = statSync(real);
        if (st.isDirectory()) return { kind: 'dir' };
        if (!st.isFile()) return -EACCES;
        if (st.size > MAX_FILE) return -EFBIG;
        return { kind: 'file', data: new Uint8Array(readFileSync(real)) };
      } catch {
        return -EACCES;
      }
    },
  };
}
