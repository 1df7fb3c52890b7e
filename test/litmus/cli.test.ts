// `patchlab litmus` (dist/cli.js, bundled by the test setup): the --json
// contract, the text table, exit status 1 on a verdict that differs from the
// expected one, 2 with one line on stderr for a bad file or option, and the
// bound reported when hit.
//
// What this catches: JSON keys renamed or missing, verdicts not compared
// with kinds files, a mismatch or a parse error that exits 0, an error that
// escapes as a stack trace, a bound that is silently ignored.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLineError } from '../util/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const IFETCH = join(ROOT, 'test', 'litmus', 'ifetch');
const dir = mkdtempSync(join(tmpdir(), 'patchlab-litmus-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function litmus(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'litmus', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}


describe('patchlab litmus', () => {
  it('--json: [{name, quantifier, reachable, outcomes, explored}] with the expected verdicts from kinds.txt', () => {
    const r = litmus([join(IFETCH, 'SM.litmus'), join(IFETCH, 'CoFF+cachesync.litmus'), join(IFETCH, 'XB.litmus'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(j.map((t) => t.name)).toEqual(['SM', 'CoFF+cachesync', 'XB']);
    for (const t of j) {
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['name', 'quantifier', 'reachable', 'outcomes', 'explored']));
      expect(Array.isArray(t.outcomes)).toBe(true);
      expect(typeof t.explored).toBe('number');
      expect(t.bounded).toBe(false);
      expect(t.matches).toBe(true);
    }
    expect(j[0]).toMatchObject({ quantifier: 'exists', reachable: true, outcomes: ['0:X9=0;', '0:X9=1;'], expected: 'Allowed', verdict: 'Allowed' });
    expect(j[1]).toMatchObject({ quantifier: 'exists', reachable: false, expected: 'Forbidden', verdict: 'Forbidden' });
    expect(j[2]).toMatchObject({ quantifier: 'forall', holds: true, verdict: 'Required', outcomes: ['1:X9=1;', '1:X9=2;'] });
  });

  it('text: the table with condition, verdict, outcomes, states and the match, then the outcomes', () => {
    const r = litmus([join(IFETCH, 'SM+cachesync-isb.litmus')]);
    expect(r.status, r.stderr).toBe(0);
    const [head, row] = r.stdout.split('\n');
    expect(head).toMatch(/^Test\s+Condition\s+Verdict\s+Outcomes\s+States\s+Expected: match$/);
    expect(row).toMatch(/^SM\+cachesync-isb\s+exists 0:X9=0\s+Forbidden\s+1 \(0 witnesses\)\s+\d+\s+Forbidden: yes$/);
    expect(r.stdout).toContain('    0:X9=1;');
    expect(r.stdout).toContain('1 of 1 expected verdicts matched');
  });

  it('exit status 1 when a verdict differs from the one a --kinds file expects', () => {
    const kinds = join(dir, 'kinds.txt');
    writeFileSync(kinds, 'SM Forbidden\n');
    const r = litmus([join(IFETCH, 'SM.litmus'), '--kinds', kinds, '--no-outcomes']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('Forbidden: NO');
  });

  it('an Expected= line in the header is the expected verdict, a --kinds file overrides it', () => {
    const f = join(dir, 'SMexp.litmus');
    writeFileSync(f, 'AArch64 SMexp\nExpected=Forbidden\n{ 0:X0=NOP; 0:X1=P0:f; }\n P0 ;\n STR W0,[X1] ;\n f: B g ;\n MOV W9,#1 ;\n g: ;\nexists (0:X9=0)\n');
    const r = litmus([f, '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ expected: 'Forbidden', verdict: 'Allowed', matches: false });
    const kinds = join(dir, 'kinds-exp.txt');
    writeFileSync(kinds, 'SMexp Allowed\n');
    expect(litmus([f, '--kinds', kinds, '--json']).status).toBe(0);
  });

  it('a parse error: exit 2, the file, the line and what was expected', () => {
    const bad = join(dir, 'bad.litmus');
    writeFileSync(bad, 'AArch64 bad\n{ 0:X0=1; }\n P0 ;\n MOV W1,W0\nexists (0:X1=1)\n');
    expectOneLineError(litmus([bad]), /bad\.litmus:4: .*expected ';' at the end of every code row/);
  });

  it('a missing file, a bad kinds file and bad options: exit 2, one line', () => {
    expectOneLineError(litmus([join(dir, 'none.litmus')]), /none\.litmus: cannot read/);
    const kinds = join(dir, 'badkinds.txt');
    writeFileSync(kinds, 'SM Maybe\n');
    expectOneLineError(litmus([join(IFETCH, 'SM.litmus'), '--kinds', kinds]), /badkinds\.txt:1: .*Allowed\|Forbidden\|Required/);
    expectOneLineError(litmus([join(IFETCH, 'SM.litmus'), '--bound', '0']), /--bound/);
    expectOneLineError(litmus([]), /files/);
  });

  it('the Node API: runLitmus from the package entry (dist/index.js)', async () => {
    const api = (await import(join(ROOT, 'dist', 'index.js'))) as typeof import('../../bindings/index.ts');
    const [r] = api.runLitmus([join(IFETCH, 'SM+cachesync-isb.litmus')]);
    expect(r).toMatchObject({ name: 'SM+cachesync-isb', verdict: 'Forbidden', expected: 'Forbidden', matches: true, outcomes: ['0:X9=1;'] });
    expect(() => api.parseLitmus('AArch64 T\n{ }\n P0 ;\n NOP\nexists (0:X0=0)\n', 't.litmus')).toThrow(api.LitmusError);
  });

  it('--bound: the search stops and says so', () => {
    const r = litmus([join(IFETCH, 'CoFF+cachesync.litmus'), '--bound', '40', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const [t] = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(t).toMatchObject({ bounded: true, explored: 40, verdict: 'Unknown', matches: null });
    const text = litmus([join(IFETCH, 'CoFF+cachesync.litmus'), '--bound', '40']);
    expect(text.stdout).toMatch(/40 \(bound hit\)/);
  });
});
