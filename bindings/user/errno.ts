// Linux's errno values the user profile's system calls return (asm-generic/errno-base.h, errno.h).

export const E = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EBADF: 9, ENOMEM: 12, EACCES: 13, EFAULT: 14, ENODEV: 19, ENOTDIR: 20, EISDIR: 21,
  EINVAL: 22, EMFILE: 24, ENOTTY: 25, EFBIG: 27, ESPIPE: 29, EPIPE: 32, ENAMETOOLONG: 36, ENOSYS: 38,
} as const;

const NAMES = new Map<number, string>(Object.entries(E).map(([k, v]) => [v, k]));

/** The errno's name (`ENOENT`), or `errno N` for one not in E. */
export const errnoName = (e: number): string => NAMES.get(e) ?? `errno ${e}`;
