// The shape every refused command line must have: exit code 2, nothing on
// stdout, exactly one non-empty line on stderr matching `message`, and no
// stack trace.

import { expect } from 'vitest';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function expectOneLineError(r: CliRun, message: RegExp, where = r.stderr): void {
  expect(r.status, where).toBe(2);
  expect(r.stdout, where).toBe('');
  expect(r.stderr, where).not.toMatch(/^\s+at /m);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, where).toHaveLength(1);
  expect(lines[0], where).toMatch(message);
}
