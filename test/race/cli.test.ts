// `patchlab race` (dist/cli.js, bundled by the test setup): the --json
// contract, the --all table, replaying a token from the command line, and
// exit code 2 with one line for every bad option.
//
// What this catches: JSON keys renamed or missing, a token printed that the
// command line cannot replay, --all missing a strategy, and option errors
// escaping as stack traces or reported after booting.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expectOneLineError } from '../util/cli.ts';
import { ROOT } from '../util/ftrace.ts';

const race = (args: string[], timeout = 240_000) =>
  spawnSync(process.execPath, ['dist/cli.js', 'race', ...args], { cwd: ROOT, encoding: 'utf8', timeout, maxBuffer: 1 << 26 });

describe('patchlab race', () => {
  it('--search --json gives the documented object; its token replays from the command line', () => {
    const r = race(['--strategy', 'v6-runtime', '--search', '--budget', '6', '--toggles', '30', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ['strategy', 'mode', 'cpus', 'toggles', 'calls', 'crashes', 'wrongReturns', 'cmodxViolations', 'found']) expect(j).toHaveProperty(k);
    expect(j.strategy).toBe('v6-runtime');
    expect(j.mode).toBe('deterministic');
    expect(j.found).not.toBeNull();
    for (const k of ['token', 'kind', 'cpu', 'pc', 'timeline']) expect(j.found).toHaveProperty(k);
    expect(j.found.pc).toMatch(/^0x[0-9a-f]+$/);
    const again = race(['--replay', j.found.token, '--json']);
    expect(again.status, again.stderr).toBe(0);
    const k = JSON.parse(again.stdout);
    expect([k.found.kind, k.found.cpu, k.found.pc]).toEqual([j.found.kind, j.found.cpu, j.found.pc]);
    // the text report prints the same token and the timeline table
    const text = race(['--replay', j.found.token]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`first failure: ${j.found.kind} on cpu${j.found.cpu} at ${j.found.pc}`);
    expect(text.stdout).toMatch(/timeline \(the last \d+ events, oldest first\):\n\s+insns\s+who\s+what/);
  }, 300_000);

  it('--all prints one row per strategy', () => {
    const r = race(['--all', '--search', '--budget', '1', '--toggles', '6']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^strategy\s+mode\s+cpus\s+runs\s+toggles\s+calls\s+crashes\s+wrong\s+hangs\s+cmodx\s+first failure/);
    for (const s of ['v6-runtime', 'init-mov', 'b-plus-2', 'rcu-tasks', 'stop-machine']) expect(lines.some((l) => l.startsWith(s))).toBe(true);
  }, 300_000);

  for (const [args, re] of [
    [['--strategy', 'nope'], /argument 'nope' is invalid/],
    [['--cpus', '1'], /cpus must be an integer 2\.\.8/],
    [['--cpus', 'two'], /expected a non-negative integer/],
    [['--replay', 'garbage'], /replay token starts with race1-/],
    [['--replay', 'race1-AAAA', '--strategy', 'init-mov'], /--replay takes no --strategy/],
    [['--search', '--mode', 'threads'], /--search explores deterministic schedules/],
    [['--budget', '3'], /--budget needs --search/],
    [['--all', '--strategy', 'init-mov'], /--all runs every strategy/],
    [['--mode', 'fast'], /argument 'fast' is invalid/],
  ] as const) {
    it(`${args.join(' ')}: exit code 2, one line, no stack trace`, () => {
      expectOneLineError(race([...args]), re, args.join(' '));
    });
  }
});
