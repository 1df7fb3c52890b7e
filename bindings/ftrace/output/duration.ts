// Durations as the function_graph tracer and the function profiler print
// them (the kernel's trace_print_graph_duration and trace_find_mark).
//
// The value is printed in microseconds with up to three decimals of
// nanoseconds, keeping at most 7 digits before and after the point together
// (1234.567, 12345.67, 123456.7, 1234567), then " us " and spaces that pad
// the number to 8 characters: 12 characters in all for numbers of up to 8.

/** Overhead marks, largest threshold first: the mark applies when the duration is strictly above it. */
const MARKS: readonly (readonly [number, string])[] = [
  [1_000_000_000, '$'], // 1 s
  [100_000_000, '@'], // 100 ms
  [10_000_000, '*'], // 10 ms
  [1_000_000, '#'], // 1 ms
  [100_000, '!'], // 100 us
  [10_000, '+'], // 10 us
];

/** Whole nanoseconds of `ns`, never negative. */
export function wholeNs(ns: number): number {
  return Number.isFinite(ns) && ns > 0 ? Math.floor(ns) : 0;
}

/** The overhead mark of a duration in ns: '$', '@', '*', '#', '!', '+' or ' '. */
export function overheadMark(ns: number): string {
  const d = wholeNs(ns);
  for (const [limit, mark] of MARKS) if (d > limit) return mark;
  return ' ';
}

/** `ns` as "<usecs>[.<nsecs>] us " padded to the kernel's column width (at least 12 characters). */
export function graphDuration(ns: number): string {
  const d = wholeNs(ns);
  const usecs = String(Math.floor(d / 1000));
  let len = usecs.length;
  let out = usecs;
  if (len < 7) {
    // The kernel formats the remainder with %03lu into a buffer of
    // min(5, 8 - len) bytes, so only 7 - len digits (at most 3) survive.
    const digits = Math.min(3, 7 - len);
    const nsecs = String(d % 1000).padStart(3, '0').slice(0, digits);
    out += `.${nsecs}`;
    len += nsecs.length + 1;
  }
  out += ' us ';
  if (len < 8) out += ' '.repeat(8 - len);
  return out;
}
