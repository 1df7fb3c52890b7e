// The checks of option values that the commands' resolvers share
// (hackbench, trace, bench trampolines, race): each binds them to its own
// typed error, so every command words a bad value the same way.

export interface OptionChecks {
  /** An integer lo..hi. */
  int(name: string, v: unknown, lo: number, hi: number): number;
  /** One of `allowed`. */
  oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T;
  /** true or false. */
  bool(name: string, v: unknown): boolean;
}

/** The checks, throwing `fail(message)` for a bad value. */
export function optionChecks(fail: (message: string) => Error): OptionChecks {
  return {
    int(name, v, lo, hi) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw fail(`${name} must be an integer ${lo}..${hi}, got ${String(v)}`);
      return v;
    },
    oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
      if (typeof v !== 'string' || !allowed.includes(v as T)) throw fail(`${name} must be one of ${allowed.join(', ')}, got ${String(v)}`);
      return v as T;
    },
    bool(name, v) {
      if (typeof v !== 'boolean') throw fail(`${name} must be true or false`);
      return v;
    },
  };
}
