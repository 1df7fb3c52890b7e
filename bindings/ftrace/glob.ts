// Function-name patterns as tracefs's set_ftrace_filter and
// set_ftrace_notrace accept them: a plain name; `*` at the front, the back or
// both (ends with, starts with, contains); or a full glob with `*`, `?` and
// `[...]` classes (ranges, `!` or `^` to negate). Matching is on the whole
// name and case-sensitive.

export class GlobError extends Error {
  override name = 'GlobError';
  constructor(readonly pattern: string, why: string) {
    super(`bad function pattern '${pattern}': ${why}`);
  }
}

/** A predicate for one pattern; GlobError for an empty pattern or an unclosed class. */
export function compileGlob(pattern: string): (name: string) => boolean {
  if (pattern === '') throw new GlobError(pattern, 'it is empty');
  if (/\s/.test(pattern)) throw new GlobError(pattern, 'it contains white space');
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new GlobError(pattern, `the class at ${i} is not closed with ]`);
      let body = pattern.slice(i + 1, end);
      let neg = false;
      if (body[0] === '!' || body[0] === '^') {
        neg = true;
        body = body.slice(1);
      }
      re += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\/]/g, (m) => `\\${m}`);
  }
  const rx = new RegExp(`${re}$`, 'u');
  return (name) => rx.test(name);
}

/** Indices of `names` matched by any of `patterns`, and the patterns that matched nothing. */
export function matchNames(names: readonly string[], patterns: readonly string[]): { matched: Set<number>; unmatched: string[] } {
  const matched = new Set<number>();
  const unmatched: string[] = [];
  for (const p of patterns) {
    const test = compileGlob(p);
    let any = false;
    names.forEach((n, i) => {
      if (test(n)) {
        matched.add(i);
        any = true;
      }
    });
    if (!any) unmatched.push(p);
  }
  return { matched, unmatched };
}
