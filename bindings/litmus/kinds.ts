// Expected verdicts: herd's `kinds.txt` format (one `NAME Allowed|Forbidden|Required`
// a line, `#` comments), read from a file given on the command line or found
// beside the tests, or an `Expected=` line in the test's own header.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LitmusError } from './errors.ts';

export const KINDS = ['Allowed', 'Forbidden', 'Required'] as const;
export type Kind = (typeof KINDS)[number];

export function isKind(s: string): s is Kind {
  return (KINDS as readonly string[]).includes(s);
}

/** Parses a kinds file: test name -> expected kind. */
export function parseKinds(text: string, file: string): Map<string, Kind> {
  const out = new Map<string, Kind>();
  text.split('\n').forEach((raw, i) => {
    const l = raw.replace(/#.*/, '').trim();
    if (!l) return;
    const m = /^(\S+)\s+(\S+)$/.exec(l);
    if (!m || !isKind(m[2])) throw new LitmusError('parse', `bad line '${l}'`, file, i + 1, `'NAME ${KINDS.join('|')}'`);
    out.set(m[1], m[2]);
  });
  return out;
}

export function readKinds(file: string): Map<string, Kind> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LitmusError('io', `cannot read kinds file: ${(e as Error).message}`, file);
  }
  return parseKinds(text, file);
}

/** The kinds file beside a test (`kinds.txt` in its directory), if there is one. */
export function sidecarKinds(testFile: string, cache: Map<string, Map<string, Kind> | null>): Map<string, Kind> | null {
  const f = join(dirname(testFile), 'kinds.txt');
  if (!cache.has(f)) cache.set(f, existsSync(f) ? readKinds(f) : null);
  return cache.get(f)!;
}
